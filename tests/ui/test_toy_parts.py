"""Draw-your-own parsing, the step story and the 2D lab's figure builders."""

import base64
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from gan_core.config import TrainConfig
from classroom.live import LiveRun
from classroom.point_text import decode_upload, parse_points, points_to_text
from gan_core.trainer import Trainer
from ui.figures.toy_2d import LAYERS, arrow_segments, draw_figure
from ui.toy_2d.live import LAYOUT, plane_scene, secondary_scene, side_scene
from classroom.lab_views import LabViews
from ui.toy_2d.setup_panels import selection_points
from ui.toy_2d.step_story import step_story


def test_parse_points_accepts_header_separators_and_comments():
    text = "\ufeffx,y\n# a comment\n0.5, 1\n-1;2\n\n3\t-0.25\n4 5\n"
    assert parse_points(text) == [(0.5, 1.0), (-1.0, 2.0), (3.0, -0.25), (4.0, 5.0)]
    assert parse_points(points_to_text([(0.12345, -2.0)])) == [(0.1235, -2.0)]


@pytest.mark.parametrize("text, words", [
    ("1,2\n3", "line 2"), ("1,2\nfoo,bar", "line 2"), ("", "no points"), ("1,nan", "non-finite"),
    ("1,2,3", "two numbers"), ("1,1000", "within ±100"), ("x,y\n", "no points"),
])
def test_parse_points_names_the_bad_line(text, words):
    with pytest.raises(ValueError, match=words):
        parse_points(text)


def test_decode_upload_refuses_binary():
    with pytest.raises(ValueError, match="binary"):
        decode_upload(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert decode_upload("x,y\n1,2".encode("utf-8-sig")) == "x,y\n1,2"


def test_selection_points_from_a_plotly_event():
    event = {"selection": {"points": [{"x": 0.5, "y": -1.25, "curve_number": 0},
                                      {"x": 9, "y": 9, "curve_number": 1}]}}  # trace 1: already placed
    assert selection_points(event) == [(0.5, -1.25)]
    assert selection_points(None) == []


def test_arrow_geometry():
    xs, ys = arrow_segments(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([[2.0, 0.0], [0.0, 0.5]]), 0.4)
    # arrow 0: the strongest, length max_len along +x; arrow 1: sqrt(0.5 / 2) * 0.4 = 0.2 along +y
    assert (xs[0], ys[0], xs[1], ys[1]) == pytest.approx((1.0, 1.0, 1.4, 1.0))
    assert (xs[7], ys[7], xs[8], ys[8]) == pytest.approx((0.0, 0.0, 0.0, 0.2))
    assert np.isnan(xs[2]) and len(xs) == 14
    assert len(arrow_segments(np.zeros((2, 2)), np.zeros((2, 2)), 1.0)[0]) == 0


def _run(target="ring8", **kw):
    run = LiveRun(Trainer(TrainConfig(target=target, batch_size=32, **kw)))
    run.run_steps("both", 30)
    return run


@pytest.mark.parametrize("target", ["ring8", "swiss_roll"])
def test_every_canvas_scene_carries_complete_arrays(target):
    """The 2D lab's scenes (plane, side panel, secondary views) as the page sends them: every
    grid decodes to rows x cols bytes, every coordinate array to whole (x, y) pairs, the bars to
    one per mode, and the whole scene is plain JSON."""
    run = _run(target)
    views = LabViews(mode_every=10)
    data = views.compute(run)
    run.run_steps("both", 10)
    data = views.compute(run)
    if data.n_modes:
        assert data.modes["iteration"].tolist() == [30, 40]
    scenes = [plane_scene(data.backdrop, data, LAYERS, LAYOUT[False], teacher=False),
              plane_scene(data.backdrop, data, LAYERS, LAYOUT[True], teacher=True),
              side_scene(data, 300, 470, 12), secondary_scene(data.backdrop, data, 13)]
    for scene in scenes:
        payload = json.loads(json.dumps(scene.to_data()))
        for panel in payload["panels"]:
            for layer in panel["layers"]:
                if layer["t"] in ("image", "contour"):
                    assert len(base64.b64decode(layer["b64"])) == layer["rows"] * layer["cols"]
                elif layer["t"] in ("points", "lines"):
                    assert len(base64.b64decode(layer["b64"])) % 8 == 0  # float32 (x, y) pairs
                elif layer["t"] == "bars":
                    assert len(layer["values"]) == data.n_modes
    fakes = [layer for layer in scenes[0].panels[0].layers if layer["t"] == "points"][1]
    xy = np.frombuffer(base64.b64decode(fakes["b64"]), dtype="<f4").reshape(-1, 2)
    assert xy == pytest.approx(data.frame.fakes, abs=1e-6)
    assert scenes[1].panels[0].title == "" and scenes[0].panels[0].title.startswith("D(x) and samples")
    draw = draw_figure([(0, 0), (1, 1)], ((-2, 2), (-2, 2)))
    go.Figure(draw.to_dict())  # the draw-your-own canvas is still a valid plotly figure


def test_step_story_reports_the_numbers_of_the_update():
    run = LiveRun(Trainer(TrainConfig(batch_size=16, real_label=0.9)))
    views = LabViews()
    record = run.run_steps("d")[0]
    data = views.compute(run)
    last = data.last_record
    steps = step_story(data.last_batch, last, data.config)
    assert [s[0] for s in steps] == ["1. Sample z", "2. G makes fakes", "3. D scores real and fake",
                                     "4. Loss terms", "5. Gradients", "6. Update"]
    assert f"real error {record.loss_d_real:.4f} (label 0.9)" in steps[3][1]
    assert f"mean D(x) = {record.d_real:.3f}" in steps[2][1]
    record = run.run_steps("g")[0]
    data = views.compute(run)
    last = data.last_record
    steps = step_story(data.last_batch, last, data.config)
    assert steps[3] == ("4. G's loss", f"−log D(G(z)) (non-saturating: fakes labelled “real”) = {record.loss_g:.4f}.")
    assert step_story({}, {}, data.config) == []


def test_step_story_shows_the_learning_rate_the_update_used():
    """Issue 20, 2.6: with a half-life the story showed the base rate (0.003) where the update used
    0.003 * 0.5 ** (1400 / 700) = 0.00075 (hand-computed)."""
    trainer = Trainer(TrainConfig(batch_size=16, lr_d=3e-3, lr_g=2e-3, lr_half_life=700))
    trainer.iteration = 1400  # two half-lives in
    run, views = LiveRun(trainer), LabViews()
    for kind, used, base in (("d", "0.00075", "0.003"), ("g", "0.0005", "0.002")):
        record = run.run_steps(kind)[0]
        data = views.compute(run)
        last = data.last_record
        text = step_story(data.last_batch, last, data.config)[5][1]
        assert record.lr == pytest.approx(float(used), rel=1e-12)
        assert f"(lr {used}: the base {base} on its half-life schedule of 700 iterations)" in text
    constant = LiveRun(Trainer(TrainConfig(batch_size=16, lr_d=3e-3)))
    constant.run_steps("d")
    data = views.compute(constant)
    last = data.last_record
    assert "(lr 0.003); G is unchanged." in step_story(data.last_batch, last, data.config)[5][1]


@pytest.mark.parametrize("loss", ["hinge", "wgan_gp"])
def test_step_story_names_no_label_where_the_loss_has_none(loss):
    """Issue 12 item 6: under hinge and WGAN-GP a real label of 0.9 changes nothing, so the story
    must not say "(label 0.9)"; the terms it prints are still the record's."""
    run = LiveRun(Trainer(TrainConfig(batch_size=16, real_label=0.9, loss=loss)))
    views = LabViews()
    record = run.run_steps("d")[0]
    data = views.compute(run)
    last = data.last_record
    text = step_story(data.last_batch, last, data.config)[3][1]
    assert "(label" not in text and f"the {loss} loss uses no labels" in text
    assert f"real error {record.loss_d_real:.4f} + fake error {record.loss_d_fake:.4f}" in text
