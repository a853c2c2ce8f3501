"""The stabilisers as a teacher uses them (issue 14 item 1): set by their widgets on the 2D lab, the
EMA toggle drawing both G's with legends that say which is which, the learning-rate schedule on
the time axis, a paragraph for each, a stabiliser as the side-by-side page's compared setting, and
the best-quality preset with its own badge."""


import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from classroom.presets import TOY_PRESETS
from gan_core.stabilizers import SpectralNorm
from gan_core.toy_fields import TRAINED_VIEW_SIZE
from page_support import APP, canvas_scenes, decode_floats, open_toy_lab, toy_lab_run
from ui.canvas.charts import lr_panel
from ui.figures.toy_2d import FAKE_COLOR, TRAINED_COLOR
from ui.kit.live_controls import KNOBS, STABILIZER_KNOBS
from ui.kit.preset_kinds import KIND_BADGES, badge, option_label
from ui.toy_2d.setup_panels import toy_presets
from ui.toy_2d.stabilizer_texts import STABILIZERS, stabilizer_for
from train_support import weights

LAB = "views/toy_2d.py"
SMALL = dict(target="ring8", batch_size=32, g_width=32, d_width=32, g_depth=2, d_depth=2)


def plane_points(at) -> tuple[list[dict], list[str]]:
    plane = canvas_scenes(at)["toy_plane_canvas"]["panels"][0]
    return [layer for layer in plane["layers"] if layer["t"] == "points"], [item["label"] for item in plane["legend"]]


# ---- the 2D lab ---------------------------------------------------------------------------------

def test_ema_set_by_its_widget_keeps_the_run_and_the_toggle_draws_both_generators():
    at = open_toy_lab(**SMALL)
    run = toy_lab_run(at)
    run.run_steps("both", 5)
    at.run()
    assert not [t for t in at.toggle if t.key == "toy_show_trained"]  # no average, nothing to compare
    trainer, before = run.trainer, weights(run.trainer)
    at.select_slider(key="toy_knob_ema_decay").set_value(0.99).run()
    assert not at.exception, at.exception
    assert run.trainer is trainer and trainer.iteration == 5 and all(
        torch.equal(a, b) for a, b in zip(before, weights(trainer)))  # live: no reset
    assert trainer.config.ema_decay == 0.99 and trainer.average is not None
    run.run_steps("both", 20)
    at.run()
    points, legend = plane_points(at)
    assert len(points) == 2 and "fakes: EMA of G" in legend and "fakes: G being trained" not in legend
    at.toggle(key="toy_show_trained").set_value(True).run()
    assert not at.exception, at.exception
    points, legend = plane_points(at)
    assert len(points) == 3  # real, the trained G's fakes, the average's fakes (on top)
    assert [p["color"] for p in points[1:]] == [TRAINED_COLOR, FAKE_COLOR]
    assert {"fakes: EMA of G", "fakes: G being trained"} <= set(legend)
    trained = decode_floats(points[1]["b64"]).reshape(-1, 2)
    averaged = decode_floats(points[2]["b64"]).reshape(-1, 2)
    assert trained == pytest.approx(trainer.fixed_samples(TRAINED_VIEW_SIZE, average=False).numpy(), abs=1e-6)
    assert averaged == pytest.approx(trainer.fixed_samples(512).numpy(), abs=1e-6)
    assert not np.allclose(trained, averaged[:TRAINED_VIEW_SIZE], atol=1e-4)  # two different generators
    # small payload: the second layer is 256 float32 pairs
    assert len(points[1]["b64"]) < 3000
    assert any("EMA of G **0.99**" in c.value for c in at.caption)  # the status line says it is on


def test_lr_half_life_and_instance_noise_from_their_widgets_and_the_schedule_on_the_time_axis():
    at = open_toy_lab(tab="D vs D*, field, manifold, over time", **SMALL)
    run = toy_lab_run(at)
    at.select_slider(key="toy_knob_lr_half_life").set_value(500).run()
    at.select_slider(key="toy_knob_instance_noise").set_value(0.05).run()
    assert not at.exception, at.exception
    trainer = run.trainer
    assert (trainer.config.lr_half_life, trainer.config.instance_noise) == (500, 0.05)
    run.run_steps("both", 40)
    at.run()
    lr = [r.lr for r in trainer.history if r.kind == "D"]
    assert lr[-1] == pytest.approx(trainer.config.lr_d * 0.5 ** (39 / 500))  # iteration 39's D update
    chart = next(p for p in canvas_scenes(at)["toy_secondary_canvas"]["panels"] if p["title"].startswith("Learning"))
    assert chart["title"] == "Learning rates (half-life 500 it)"
    assert [item["label"] for item in chart["legend"]] == ["D learning rate", "G learning rate"]
    d_line = decode_floats(chart["layers"][-2]["b64"]).reshape(-1, 2)
    assert d_line[:, 1] == pytest.approx(np.array(lr), rel=1e-6)  # the recorded rates, as float32
    assert chart["y"][0] == 0.0 and chart["y"][1] >= max(lr)
    assert any("lr half-life **500**" in c.value and "instance noise **0.05**" in c.value for c in at.caption)


def test_the_stabilisers_tab_explains_each_and_spectral_norm_rebuilds():
    at = open_toy_lab(tab="Stabilisers", **SMALL)
    text = " ".join(m.value for m in at.markdown)
    for entry in STABILIZERS.values():
        assert entry.paragraph in text and entry.name in text
    at.session_state["toy_tab"] = "Architecture & your own target"
    at.run()
    at.checkbox(key="toy_arch_spectral_norm").check()
    at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)").click().run()
    assert not at.exception, at.exception
    trainer = toy_lab_run(at).trainer
    assert trainer.config.spectral_norm and trainer.iteration == 0
    assert any(isinstance(m, SpectralNorm) for m in trainer.discriminator.modules())
    assert any("spectral norm in D" in c.value for c in at.caption)


def test_the_popover_holds_the_stabilisers_and_the_first_screen_keeps_its_two_sliders():
    at = open_toy_lab(**SMALL)
    for field in STABILIZER_KNOBS:
        slider = at.select_slider(key=f"toy_knob_{field}")
        assert slider.label == KNOBS[field].label and slider.help == KNOBS[field].help
    assert at.select_slider(key="toy_knob_ema_decay").format_func(0.0) == "off"
    assert at.slider(key="toy_knob_label_smoothing") is not None and at.select_slider(key="toy_knob_batch_size")


def test_the_quality_preset_has_its_own_badge_and_loads():
    quality = [p for p in toy_presets().values() if p.kind == "quality"]
    assert quality, "a best-quality 2D preset is registered"
    preset = quality[0]
    at = open_toy_lab(**SMALL)
    box = at.selectbox(key="toy_preset")
    assert option_label(preset.name, "quality") in box.options
    at.selectbox(key="toy_preset").set_value(preset.name).run()
    what = next(m.value for m in at.markdown if preset.what_to_watch in m.value)
    assert badge("quality") in what and ":material/star:" in what
    assert all(badge(kind) not in what for kind in ("collapse", "cure"))
    at.button(key="toy_preset_apply").click().run()
    assert not at.exception, at.exception
    trainer = toy_lab_run(at).trainer
    assert trainer.config == preset.config and trainer.average is not None
    assert at.select_slider(key="toy_knob_ema_decay").value == preset.config.ema_decay
    assert at.select_slider(key="toy_knob_lr_half_life").value == preset.config.lr_half_life
    assert [t for t in at.toggle if t.key == "toy_show_trained"]  # its average can be compared


def test_every_kind_reads_differently():
    words = [badge(kind) for kind in ("collapse", "cure", "quality")]
    assert len(set(words)) == 3 and badge("neutral") == ""
    assert {p.kind for p in TOY_PRESETS.values()} <= set(KIND_BADGES) | {"neutral"}
    assert option_label("Ring: plain", "collapse") == "Ring: plain (collapses)"
    assert option_label("Ring: best quality (EMA)", "quality") == "Ring: best quality (EMA)"  # not said twice


# ---- the side-by-side page ----------------------------------------------------------------------

def open_side_by_side() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/side_by_side.py").run()
    assert not at.exception, at.exception
    return at


def test_side_by_side_compares_a_stabiliser_and_shows_its_paragraph():
    at = open_side_by_side()
    assert not [i for i in at.info if STABILIZERS["ema_decay"].paragraph in i.value]
    at.selectbox(key="sbs_setting").set_value("ema_decay").run()
    assert (at.selectbox(key="sbs_value_a").value, at.selectbox(key="sbs_value_b").value) == (0.0, 0.99)
    assert any(STABILIZERS["ema_decay"].paragraph in i.value for i in at.info)
    at.button(key="sbs_start").click().run()
    assert not at.exception and not at.error
    pair = at.session_state["_live_runs"]["Side by side"].trainer
    a, b = pair.trainers
    assert (a.config.ema_decay, b.config.ema_decay) == (0.0, 0.99) and a.average is None and b.average is not None
    assert "sbs_knob_ema_decay" not in [s.key for s in at.get("select_slider")]  # compared, so not shared
    at.button(key="sbs_step_both").click().run()
    scenes = canvas_scenes(at)
    legends = [[i["label"] for i in scenes[f"sbs_plane_{k}"]["panels"][0]["legend"]] for k in range(2)]
    assert "fakes G(z)" in legends[0] and "fakes: EMA of G" in legends[1]
    assert any("EMA of G's weights (decay) = 0.99" in m.value for m in at.markdown)


def test_side_by_side_compares_spectral_norm_off_and_on():
    at = open_side_by_side()
    at.selectbox(key="sbs_setting").set_value("spectral_norm").run()
    assert at.selectbox(key="sbs_value_a").format_func(False) == "off"
    assert any(STABILIZERS["spectral_norm"].paragraph in i.value for i in at.info)
    at.button(key="sbs_start").click().run()
    assert not at.exception and not at.error
    a, b = at.session_state["_live_runs"]["Side by side"].trainer.trainers
    assert (a.config.spectral_norm, b.config.spectral_norm) == (False, True)
    assert at.query_params["compare"] == "spectral_norm" and at.query_params["b"] == "true"
    at.button(key="sbs_step_both").click().run()
    assert not at.exception and (a.iteration, b.iteration) == (1, 1)


# ---- the pure parts -----------------------------------------------------------------------------

def test_every_stabiliser_has_a_paragraph_and_a_control():
    for field in STABILIZER_KNOBS + ("spectral_norm", "r1_gamma", "lr_d", "lr_g"):
        entry = stabilizer_for(field)
        assert entry is not None and len(entry.paragraph) > 300 and entry.source, field
    assert stabilizer_for("batch_size") is None


def test_lr_panel_splits_the_rates_by_update_kind():
    columns = {"iteration": np.array([0, 1, 1, 2]), "kind": np.array(["D", "G", "D", "G"]),
               "lr": np.array([1e-3, 2e-3, 5e-4, 1e-3])}
    panel = lr_panel((0, 0, 300, 200), columns, half_life=1)
    d_line, g_line = (decode_floats(layer["b64"]).reshape(-1, 2) for layer in panel.layers[-2:])
    assert d_line.tolist() == [[0.0, pytest.approx(1e-3)], [1.0, pytest.approx(5e-4)]]
    assert g_line[:, 1] == pytest.approx([2e-3, 1e-3])
    assert panel.y == (0.0, pytest.approx(2e-3 * 1.08)) and panel.title == "Learning rates (half-life 1 it)"


# ---- the MNIST page -----------------------------------------------------------------------------

def test_mnist_page_sets_stabilisers_live_and_charts_the_schedule():
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.session_state["mnist_tab"] = "Over training: losses, digits, frames"  # only the open tab is built
    at.switch_page("views/mnist.py").run()
    assert not at.exception, at.exception
    run = at.session_state["_live_runs"]["MNIST step by step"]
    trainer = run.trainer
    titles = lambda: [p["title"] for p in canvas_scenes(at)["mnist_training"]["panels"]]  # noqa: E731
    assert not any(t.startswith("Learning rates") for t in titles())  # constant rates: two charts
    at.select_slider(key="mnist_knob_ema_decay").set_value(0.999).run()
    at.select_slider(key="mnist_knob_lr_half_life").set_value(1000).run()
    at.select_slider(key="mnist_knob_instance_noise").set_value(0.1).run()
    assert not at.exception, at.exception
    assert run.trainer is trainer and trainer.average is not None
    assert (trainer.config.ema_decay, trainer.config.lr_half_life, trainer.config.instance_noise) == (0.999, 1000, 0.1)
    at.button(key="mnist_step_both").click().run()
    assert not at.exception, at.exception
    assert titles()[-1] == "Learning rates (half-life 1,000 it)"
    at.checkbox(key="mnist_spectral_norm").check()
    at.button(key="mnist_rebuild").click().run()
    assert not at.exception, at.exception
    rebuilt = run.trainer
    assert rebuilt.config.spectral_norm and rebuilt.config.ema_decay == 0.999 and rebuilt.iteration == 0
    assert any(isinstance(m, SpectralNorm) for m in rebuilt.discriminator.modules())
