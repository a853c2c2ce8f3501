"""Mount a scene on the live canvas (Streamlit's components v2: inline JS in the app's DOM)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.canvas.scene import Scene

_JS = (Path(__file__).with_name("plot_canvas.js")).read_text(encoding="utf-8")
_CSS = "canvas.gc-live-canvas { display: block; max-width: 100%; }"
_component = st.components.v2.component("gan_classroom.live_canvas", js=_JS, css=_CSS, isolate_styles=False)


def live_canvas(scene: Scene, key: str) -> None:
    """Draw `scene`; the same key on the next redraw repaints the same canvas."""
    _component(data=scene.to_data(), key=key)
