"""AppTest helpers shared by the page tests: the big numbers of ui.kit.readout (an HTML block, not
st.metric) read back as {label: value}, and the scenes sent to the live canvases, decoded."""

import base64
import html
import json
import re

import numpy as np

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
