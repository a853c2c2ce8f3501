"""D beside D* on the 2D lab's canvas (issue 20, section 2, items 1-3 and 9): no-mass cells travel as
"no value" and are hatched, the dashed line is drawn by the canvas's own marching squares only where
p_data = p_g between cells with a value, and the D* drawn is the one for the loss, the labels and
the G that D trains against."""

import base64
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from gan_core.config import TrainConfig
from gan_core.toy_fields import PlaneScene, binned_kde
from gan_core.trainer import Trainer
from ui.canvas.plane_views import NO_DATA_LABEL, d_star_caption, d_versus_optimal_panels
from ui.canvas.scene import NO_VALUE, b64_grid, grid_level

CANVAS_JS = Path(__file__).resolve().parents[2] / "ui" / "canvas" / "plot_canvas.js"
BOXES = [(0, 0, 300, 340), (310, 0, 300, 340)]


def _bytes(layer) -> np.ndarray:
    return np.frombuffer(base64.b64decode(layer["b64"]), dtype=np.uint8).reshape(layer["rows"], layer["cols"])


def _frame(steps=0, **config):
    trainer = Trainer(TrainConfig(target="ring8", seed=0, **config))
    trainer.train(steps)
    scene = PlaneScene(trainer.target)
    return trainer, scene, scene.frame(trainer)


def _no_mass(frame) -> np.ndarray:
    total = frame.p_data + frame.p_g
    return total < 1e-3 * total.max()


def test_grid_bytes_keep_a_value_for_no_value():
    got = np.frombuffer(base64.b64decode(b64_grid([[0.0, 1.0], [0.5, np.nan]], 0.0, 1.0)), dtype=np.uint8)
    assert got.tolist() == [0, 254, 127, NO_VALUE]  # by hand: 0.5 * 254 = 127; NaN is not "lo"
    assert grid_level(0.5, 0.0, 1.0) == 127.0
    assert NO_VALUE == 255


def test_no_mass_cells_are_sent_as_no_value_and_named_in_the_legend():
    _, scene, frame = _frame()
    no_mass = _no_mass(frame)
    assert 0.5 < no_mass.mean() < 0.9  # iteration 0 on ring8: most of the plane holds neither density
    assert np.isnan(frame.d_star[no_mass]).all() and np.isfinite(frame.d_star[~no_mass]).all()
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    image = next(layer for layer in optimal.layers if layer["t"] == "image")
    grid = _bytes(image)
    assert (grid[no_mass] == NO_VALUE).all() and (grid[~no_mass] < NO_VALUE).all()
    assert {"color": "#9a9aa6", "label": NO_DATA_LABEL, "shape": "hatch"} in optimal.legend


def _js_contour_segments(layer) -> list:
    """Segments that plot_canvas.js's own drawContour draws for `layer`, in data units (Node runs it)."""
    script = """
const fs = require("fs");
const src = fs.readFileSync(process.argv[1], "utf8").replace("export default function", "function draw");
const drawContour = new Function(src + "; return drawContour;")();
const layer = JSON.parse(fs.readFileSync(0, "utf8"));
const segments = [];
const ctx = { beginPath() {}, save() {}, restore() {}, stroke() {}, setLineDash() {},
              moveTo(x, y) { segments.push([[x, y]]); }, lineTo(x, y) { segments[segments.length - 1].push([x, y]); } };
drawContour(ctx, layer, (v) => v, (v) => v);
process.stdout.write(JSON.stringify(segments));
"""
    out = subprocess.run(["node", "-e", script, str(CANVAS_JS)], input=json.dumps(layer), capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the canvas's JavaScript")
@pytest.mark.parametrize("steps", [0, 300])
def test_the_dashed_line_runs_only_where_p_data_equals_p_g(steps):
    """At iteration 0 no cell pair with mass on both sides changes sign of p_data − p_g, so there is
    no line to draw (it used to trace the edge of the no-mass region); after 300 iterations there
    is, and every segment lies in a square whose four corners have a D* and straddle p_data = p_g."""
    _, scene, frame = _frame(steps)
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    layer = next(layer for layer in optimal.layers if layer["t"] == "contour")
    (x0, x1), (y0, y1) = scene.bounds
    layer = {"extent": [x0, x1, y0, y1], **layer}
    segments = _js_contour_segments(layer)
    rows, cols = layer["rows"], layer["cols"]
    dx, dy = (x1 - x0) / (cols - 1), (y1 - y0) / (rows - 1)
    sign = np.sign(frame.p_data - frame.p_g)
    no_mass = _no_mass(frame)
    for (ax, ay), (bx, by) in segments:
        c, r = int(((ax + bx) / 2 - x0) // dx), int(((ay + by) / 2 - y0) // dy)  # the square it crosses
        corners = (slice(r, r + 2), slice(c, c + 2))
        assert not no_mass[corners].any()
        assert len(set(sign[corners].ravel())) > 1
    if steps == 0:
        assert segments == []
    else:
        assert len(segments) > 10


def test_d_star_reads_the_fake_label():
    """Real label 0.9, fake label 0.2: D* = (0.9 p + 0.2 q)/(p + q) in every cell with mass, so 0.200
    (not 0.000) where only fakes lie; the title says the formula and the line is at 0.55."""
    _, scene, frame = _frame(real_label=0.9, fake_label=0.2)
    p, q = frame.p_data, frame.p_g
    lively = ~_no_mass(frame)
    assert frame.d_star[lively] == pytest.approx(((0.9 * p + 0.2 * q) / (p + q))[lively], rel=1e-12)
    assert np.nanmin(frame.d_star) == pytest.approx(0.2, abs=1e-3)  # G's blob at the centre: fakes only
    assert np.nanmax(frame.d_star) == pytest.approx(0.9, abs=1e-3)  # the ring: real data only
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    assert optimal.title == "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)"
    contour = next(layer for layer in optimal.layers if layer["t"] == "contour")
    assert contour["level"] == pytest.approx(0.55 * 254)
    words = d_star_caption(frame.optimum, scene.exact_density, scene.bandwidth, frame.averaged)
    assert "fake label 0.2" in words and "D* = 0.55" in words and "Hatched: no data" in words


def test_hinge_d_star_is_the_sign_and_says_labels_do_not_enter():
    _, scene, frame = _frame(loss="hinge", real_label=0.9)
    lively = ~_no_mass(frame)
    sign = np.sign(frame.p_data - frame.p_g)[lively]
    assert frame.d_star[lively] == pytest.approx(1 / (1 + np.exp(-sign)), abs=1e-12)  # σ(±1), as D is drawn
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    assert optimal.title == "D* = sign(p_data − p_g), drawn σ(±1)" and "0.9" not in optimal.title
    words = d_star_caption(frame.optimum, scene.exact_density, scene.bandwidth, frame.averaged)
    assert "labels do not enter" in words and "0.45" not in words


def test_wgan_gp_panel_says_there_is_no_pointwise_optimum():
    _, scene, frame = _frame(loss="wgan_gp", real_label=0.9)
    assert frame.d_star is None
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    assert optimal.title == "wgan_gp: no pointwise D*"
    assert not any(layer["t"] in ("image", "contour") for layer in optimal.layers)
    assert "no best value at each x." in [layer.get("text") for layer in optimal.layers]
    words = d_star_caption(frame.optimum, scene.exact_density, scene.bandwidth, frame.averaged)
    assert words.startswith("Under WGAN-GP there is no pointwise D*") and "0.9" not in words


def test_with_an_ema_d_star_is_for_the_g_that_d_faces():
    """D trains against the trained G; the views' fakes are the average's. D* must be computed from
    the trained G's fakes (checked with an independent density of them), and say so."""
    trainer, scene, frame = _frame(steps=200, ema_decay=0.99)
    assert frame.averaged
    faced = trainer.fixed_samples(512, average=False).numpy()
    q = binned_kde(faced, scene.xs, scene.ys, scene.bandwidth)
    p = frame.p_data
    total = p + q
    lively = total >= 1e-3 * total.max()
    assert frame.d_star[lively] == pytest.approx((p / total)[lively], rel=1e-9)
    of_average = frame.p_data / (frame.p_data + frame.p_g)  # the old drawing: D* for the average's fakes
    assert np.nanmax(np.abs(of_average - frame.d_star)) > 0.1  # the two differ visibly
    assert frame.trained_fakes.shape == (256, 2)
    assert frame.trained_fakes == pytest.approx(faced[:256])
    _, optimal = d_versus_optimal_panels(scene, frame, BOXES)
    assert optimal.title.endswith("· trained G")
    words = d_star_caption(frame.optimum, scene.exact_density, scene.bandwidth, frame.averaged)
    assert "the G being trained (the one D faces" in words
    assert not math.isnan(float(np.nanmean(frame.d_star)))
