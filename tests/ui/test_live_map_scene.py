"""The mode-coverage page's live map (ui.mode_coverage.live_map.map_scene): every placed fake is one
gliding point, in the order of its noise vector, coloured by the digit the classifier reads or as
"not a digit yet", so the canvas can move each from its last place to its new one."""

import base64
from types import SimpleNamespace

import numpy as np

from gan_core.coverage import ReadDigits, digit_coverage
from ui.figures.coverage import DIGIT_COLORS
from ui.mode_coverage.live_map import GLIDE_MS, NOT_DIGIT_COLOR, LivePlacement, map_scene


def test_each_fake_is_one_gliding_point_styled_by_its_reading():
    rng = np.random.default_rng(0)
    digit_map = SimpleNamespace(key="test-map", coords=rng.normal(size=(50, 2)), labels=np.arange(50) % 10)
    reads = np.array([3, 3, 7, 0, 9, 1])
    probs = np.eye(10)[reads] * 0.9 + 0.01
    is_digit = np.array([True, True, False, True, True, False])  # fakes 2 and 5 look like no digit
    read = ReadDigits(120, np.zeros((6, 28, 28), np.float32), probs, digit_coverage(reads[is_digit]), is_digit)
    positions = rng.normal(size=(6, 2))
    scene = map_scene(digit_map, LivePlacement(read, positions, 0.0, True), width=400, font=13)
    data = scene.to_data()
    assert data["glide"] == GLIDE_MS > 0 and data["frame"] == 120
    gliding = [layer for layer in data["panels"][0]["layers"] if layer.get("id")]
    assert len(gliding) == 1 and gliding[0]["id"] == "fakes"
    layer = gliding[0]
    xy = np.frombuffer(base64.b64decode(layer["b64"]), "<f4").reshape(-1, 2)
    np.testing.assert_allclose(xy, positions, rtol=0, atol=1e-6)  # every fake, in its noise vector's order
    style = np.frombuffer(base64.b64decode(layer["ci"]), np.uint8)
    assert style.tolist() == [3, 3, 10, 0, 9, 10]
    palette = layer["palette"]
    assert [palette[d][0] for d in range(10)] == list(DIGIT_COLORS[:10])
    assert palette[10] == ["#ffffff", NOT_DIGIT_COLOR]
    # the real digits below it (one faint layer per digit), the island labels above it
    kinds = [layer["t"] for layer in data["panels"][0]["layers"]]
    assert kinds.index("points") < kinds.index("text")
    assert sum(1 for layer in data["panels"][0]["layers"] if layer["t"] == "points" and not layer.get("id")) == 10
