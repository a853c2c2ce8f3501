"""Mount a scene on the live canvas (Streamlit's components v2: inline JS in the app's DOM).

Inside `feeding(token, every)` (a live area of a playing run, ui.kit.live_controls) each canvas also
carries where to fetch its next scenes (ui.canvas.feed): the browser then redraws it every `every`
seconds between the area's Streamlit reruns."""

from __future__ import annotations

import contextlib
import contextvars
from pathlib import Path

import streamlit as st

from ui.canvas.feed import FEED_PATH
from ui.canvas.scene import Scene

_JS = (Path(__file__).with_name("plot_canvas.js")).read_text(encoding="utf-8")
_CSS = "canvas.gc-live-canvas { display: block; max-width: 100%; }"
_component = st.components.v2.component("gan_classroom.live_canvas", js=_JS, css=_CSS, isolate_styles=False)
_feed: contextvars.ContextVar[dict | None] = contextvars.ContextVar("gc_canvas_feed", default=None)


@contextlib.contextmanager
def feeding(token: str, every: float):
    """Canvases drawn inside follow the feed `token` (a relative URL: the page's own server)."""
    reset = _feed.set({"url": FEED_PATH.lstrip("/") + token, "every_ms": round(every * 1000)})
    try:
        yield
    finally:
        _feed.reset(reset)


def live_canvas(scene: Scene, key: str) -> None:
    """Draw `scene`; the same key on the next redraw repaints the same canvas. Inside feeding():
    the feed's scenes for `key` follow it."""
    data = scene.to_data()
    if (feed := _feed.get()) is not None:
        data["feed"] = dict(feed, key=key)
    _component(data=data, key=key)
