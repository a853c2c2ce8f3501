"""AppTest helpers shared by the page tests: where the app and the test pages are (so a test needs
no path relative to its own folder), opening a page of app_pages.py, the big numbers of ui.kit.readout
(an HTML block, not st.metric) read back as {label: value}, st.metric values, and the scenes sent
to the live canvases, decoded."""

import base64
import contextlib
import html
import json
import os
import re

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository
APP = os.path.join(ROOT, "app_pages.py")  # the pages (app.py adds the web server around them)
TEST_PAGES = os.path.join(ROOT, "tests", "ui", "pages_for_tests")  # small scripts that mount one ui piece

_ITEM = re.compile(r'<span class="gc-label">(.*?)</span><span class="gc-value">(.*?)</span>')


def readout_values(at) -> dict[str, str]:
    values = {}
    for element in at.get("html"):
        for label, value in _ITEM.findall(element.value):
            values[html.unescape(label)] = html.unescape(value)
    return values


def readout_value(at, label: str) -> str:
    values = readout_values(at)
    assert label in values, f"no big number {label!r} on the page (have {sorted(values)})"
    return values[label]


def canvas_scenes(at) -> dict[str, dict]:
    """The scenes sent to ui.canvas's live canvases, by widget key: {key: scene data}."""
    scenes = {}
    for element in at.get("bidi_component"):
        proto = element.proto
        if proto.component_name == "gan_classroom.live_canvas":
            scenes[proto.id.rsplit("-", 1)[-1]] = json.loads(proto.json)
    return scenes


def decode_floats(b64: str) -> np.ndarray:
    """A scene's float32 array (independent of ui.canvas.scene's encoder)."""
    return np.frombuffer(base64.b64decode(b64), dtype="<f4")


def decode_grid(layer: dict) -> np.ndarray:
    """A scene's one-byte grid as (rows, cols) in 0..255."""
    return np.frombuffer(base64.b64decode(layer["b64"]), dtype=np.uint8).reshape(layer["rows"], layer["cols"])


@contextlib.contextmanager
def browser_cookie(owner_key: str | None):
    """Runs of AppTest inside this block see `owner_key` as the browser's owner cookie (AppTest
    sends no cookies; ui.kit.browser_owner reads the real one from st.context.cookies)."""
    from ui.kit import browser_owner

    original = browser_owner.cookie_owner_key
    browser_owner.cookie_owner_key = lambda: owner_key
    try:
        yield
    finally:
        browser_owner.cookie_owner_key = original


def open_app(page: str | None = None, query: dict | None = None, timeout: float = 120,
             state: dict | None = None, browser: str | None = None):
    """app_pages.py in AppTest, switched to `page` (a views/ file), with `query` in the address bar and
    `state` put in session_state first, in the browser whose owner cookie is `browser` (None: a
    browser that has none yet); fails on any exception the page raised."""
    from streamlit.testing.v1 import AppTest

    with browser_cookie(browser):
        at = AppTest.from_file(APP, default_timeout=timeout).run()
        at.query_params.update(query or {})
        for key, value in (state or {}).items():
            at.session_state[key] = value
        if page is not None:
            at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def open_test_page(path: str, query: dict | None = None, timeout: float = 60):
    """A page of tests/ui/pages_for_tests in AppTest, opened with `query` in the address bar;
    fails on any exception the page raised."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(path, default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


TOY_LAB = "views/toy_2d.py"


def toy_lab_run(at):
    """The 2D lab's run handle (classroom.service)."""
    return at.session_state["_live_runs"]["2D lab"]


def open_toy_lab(tab: str | None = None, timeout: float = 90, **config):
    """The 2D lab, with `tab` open below the first screen (only the open tab is built); given
    `config`, its run trains a small, quick TrainConfig(**config) instead of the page's ring of 8."""
    from gan_core.config import TrainConfig
    from gan_core.trainer import Trainer

    at = open_app(TOY_LAB, timeout=timeout, state=None if tab is None else {"toy_tab": tab})
    if config:
        toy_lab_run(at).replace_trainer(Trainer(TrainConfig(**config)))
        at.run()
    return at


def metric_number(at, label: str) -> float:
    """The one st.metric labelled `label`, as a number."""
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) == 1, f"metric {label!r} not found once: {[m.label for m in at.metric]}"
    return float(values[0].replace(",", ""))


def plain(elements) -> str:
    """The texts of AppTest elements joined, markdown escapes removed (messages escape markdown)."""
    return " | ".join(e.value.replace("\\", "") for e in elements)
