"""AppTest of the 1D lab: it renders, the step buttons advance the trainer by exactly the named
updates, the knobs reach the trainer, and the numbers shown equal gan_core.lab1d's computation
for the trainer's current networks (a frame is deterministic given the weights)."""

import math
import time

import numpy as np
import pytest

from gan_core.lab1d import figure1_frame
from page_support import canvas_scenes, decode_floats, readout_value

PAGE = "views/toy_1d.py"
RUN = "1D lab (Figure 1)"


def trainer_of(at):
    return at.session_state["_live_runs"][RUN].trainer


def assert_numbers_match_theory(at):
    frame = figure1_frame(trainer_of(at))
    assert readout_value(at, "Iteration") == f"{frame.iteration:,}"
    assert float(readout_value(at, "V(D, G)")) == pytest.approx(frame.value, abs=6e-5)
    assert float(readout_value(at, "JSD(p_data ‖ p_g)")) == pytest.approx(frame.jsd, abs=6e-5)
    assert float(readout_value(at, "C(G) = −log 4 + 2·JSD")) == pytest.approx(-math.log(4) + 2 * frame.jsd, abs=1.2e-4)
    # the curves drawn are the frame's: p_g and D(x) on the plotted grid, as float32 pairs
    upper = canvas_scenes(at)["toy1d_figure1"]["panels"][0]
    p_g = decode_floats(upper["layers"][2]["b64"]).reshape(-1, 2)
    d = decode_floats(upper["layers"][3]["b64"]).reshape(-1, 2)
    top = upper["y"][1]
    assert p_g[:, 0] == pytest.approx(frame.x, abs=1e-5) and d[:, 0] == pytest.approx(frame.x, abs=1e-5)
    assert p_g[:, 1] == pytest.approx(np.minimum(frame.p_g, 0.995 * top), rel=1e-6, abs=1e-7)
    assert d[:, 1] == pytest.approx(frame.d, rel=1e-6, abs=1e-7)
    return frame


def test_renders_a_fresh_lab(at):
    t = trainer_of(at)
    assert (t.config.target, t.config.z_dim, t.config.noise) == ("gaussian_1d", 1, "uniform")
    assert (t.iteration, t.updates) == (0, 0)
    frame = assert_numbers_match_theory(at)
    assert 0.0 < frame.jsd < math.log(2)
    assert set(canvas_scenes(at)) == {"toy1d_figure1", "toy1d_charts"}  # Figure 1; estimates, D, losses
    assert len(canvas_scenes(at)["toy1d_charts"]["panels"]) == 3


def test_teacher_mode_keeps_figure_1_and_the_numbers_on_a_1280x720_screen(at):
    """Teacher mode (larger type, 1280x720): Figure 1 narrower and the big numbers unchanged; beside
    it only V, JSD and C(G) over time, D's outputs and the losses drawn just under the first screen."""
    at.toggle(key="teacher_mode").set_value(True).run()
    assert not at.exception
    scenes = canvas_scenes(at)
    assert set(scenes) == {"toy1d_figure1", "toy1d_charts", "toy1d_more_charts"}
    assert (scenes["toy1d_figure1"]["width"], scenes["toy1d_figure1"]["height"]) == (530, 580)
    assert [p["title"] for p in scenes["toy1d_charts"]["panels"]] == ["V, JSD and C(G); dashed: −log 4"]
    assert len(scenes["toy1d_more_charts"]["panels"]) == 2
    assert_numbers_match_theory(at)
    at.toggle(key="teacher_mode").set_value(False).run()
    assert set(canvas_scenes(at)) == {"toy1d_figure1", "toy1d_charts"}


def test_step_buttons_advance_by_exactly_the_named_updates(at):
    t = trainer_of(at)
    at.button(key="toy1d_step_d").click().run()
    assert (t.updates, t.iteration, t.history[-1].kind) == (1, 0, "D")
    at.button(key="toy1d_step_g").click().run()
    assert (t.updates, t.iteration, t.history[-1].kind) == (2, 1, "G")
    at.slider(key="toy1d_knob_d_steps").set_value(3).run()
    at.button(key="toy1d_step_both").click().run()
    assert (t.updates, t.iteration) == (6, 2)  # k = 3 D updates, then one G update
    assert [r.kind for r in list(t.history)[-4:]] == ["D", "D", "D", "G"]
    assert not at.exception
    assert_numbers_match_theory(at)


def test_knobs_reach_the_trainer_and_the_numbers_follow(at):
    at.slider(key="toy1d_knob_label_smoothing").set_value(0.2).run()
    at.select_slider(key="toy1d_knob_batch_size").set_value(512).run()
    t = trainer_of(at)
    assert t.config.real_label == pytest.approx(0.8)
    assert readout_value(at, "D* at equilibrium") == "0.400"  # (α + β)/2 = (0.8 + 0)/2
    at.button(key="toy1d_step_d").click().run()
    assert t.history[-1].batch_size == 512
    frame = assert_numbers_match_theory(at)
    assert np.nanmax(frame.d_star) <= 0.8 + 1e-12  # the smoothed D* never exceeds α


def test_target_change_rebuilds_and_keeps_settings(at):
    at.slider(key="toy1d_knob_label_smoothing").set_value(0.1).run()
    at.button(key="toy1d_step_both").click().run()
    at.selectbox(key="toy1d_target").set_value("trimodal_1d").run()
    assert not at.exception
    t = trainer_of(at)
    assert (t.config.target, t.iteration, t.config.real_label) == ("trimodal_1d", 0, pytest.approx(0.9))
    assert_numbers_match_theory(at)


def test_play_trains_in_the_background_and_pause_stops_it(at):
    run = at.session_state["_live_runs"][RUN]
    at.button(key="toy1d_play").click().run()
    deadline = time.monotonic() + 30
    while run.trainer.iteration < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    at.button(key="toy1d_play").click().run()  # now labelled Pause
    assert not run.playing
    assert run.trainer.iteration >= 5
    assert not at.exception


def test_d_star_follows_the_fake_label_and_the_loss(at):
    """Fake label 0.2 (as a link, preset or checkpoint brings it): the drawn D* is the frame's
    (0.9 p + 0.2 q)/(p + q), its legend names both labels and the readout says 0.550; under hinge
    the D* is ±1 through σ and no label is quoted; under WGAN-GP none is drawn."""
    run = at.session_state["_live_runs"][RUN]
    run.update(real_label=0.9, fake_label=0.2)
    at.run()
    frame = figure1_frame(trainer_of(at))
    upper = canvas_scenes(at)["toy1d_figure1"]["panels"][0]
    d_star = decode_floats(upper["layers"][4]["b64"]).reshape(-1, 2)[:, 1]
    p, q = frame.p_data, frame.p_g
    expected = np.where(p + q >= 1e-3 * (p + q).max(), (0.9 * p + 0.2 * q) / (p + q), np.nan)
    assert d_star == pytest.approx(expected, rel=1e-6, abs=1e-7, nan_ok=True)
    assert np.nanmin(d_star) == pytest.approx(0.2, abs=0.01)  # fake-only points: the fake label, not 0
    labels = [item["label"] for item in upper["legend"]]
    assert "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)" in labels
    assert readout_value(at, "D* at equilibrium") == "0.550"
    assert any("fake label **0.20**" in c.value for c in at.caption)
    run.update(loss="hinge")
    at.run()
    upper = canvas_scenes(at)["toy1d_figure1"]["panels"][0]
    labels = [item["label"] for item in upper["legend"]]
    assert "D* = sign(p_data − p_g), drawn σ(±1)" in labels and not any("0.9·" in label for label in labels)
    assert readout_value(at, "D* at equilibrium") == "any value in [−1, 1]"
    assert any("No labels under the hinge loss" in c.value for c in at.caption)
    run.update(loss="wgan_gp")
    at.run()
    upper = canvas_scenes(at)["toy1d_figure1"]["panels"][0]
    assert "D*: none under wgan_gp (no pointwise optimum)" in [item["label"] for item in upper["legend"]]
    assert len(upper["layers"]) == 4 + sum(layer["t"] == "text" for layer in upper["layers"])  # no D* curve
    assert not at.exception


def test_a_link_with_a_fake_label_reaches_the_drawn_d_star():
    from page_support import open_app

    at = open_app(PAGE, {"label_smoothing": "0.1", "fake_label": "0.2"}, timeout=240)
    t = trainer_of(at)
    assert (t.config.real_label, t.config.fake_label) == (pytest.approx(0.9), pytest.approx(0.2))
    assert readout_value(at, "D* at equilibrium") == "0.550"
    legend = [item["label"] for item in canvas_scenes(at)["toy1d_figure1"]["panels"][0]["legend"]]
    assert "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)" in legend
