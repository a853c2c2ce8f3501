"""AppTest of the 2D lab: steps, live sliders, page switches, divergence, draw-your-own, presets.

AppTest cannot tick the live fragment's run_every timer, so "playing" is driven by calling the
training chunk (LiveRun.run_steps) directly, as the background thread would."""

import time

import pytest
import torch

from gan_core.config import TrainConfig
from gan_core.toy_fields import GRID_RES, plane_grid
from gan_core.trainer import Trainer
from page_support import canvas_scenes, decode_floats, decode_grid, open_toy_lab, readout_value, toy_lab_run
from ui.toy_2d.setup_panels import toy_presets
from train_support import same, weights

PAGE = "views/toy_2d.py"


def test_page_renders_with_views_and_numbers():
    at = open_toy_lab()
    assert at.markdown[0].value == "### 2D toys & mode collapse"
    assert readout_value(at, "Iteration") == "0" and readout_value(at, "Modes captured") == "0 / 8"
    assert any("Real label in use: **1.00**" in m.value for m in at.caption)
    assert not at.error


def test_step_buttons_advance_by_exactly_the_named_updates():
    at = open_toy_lab(tab="Step story", target="ring8", batch_size=32, d_steps=3)
    trainer = toy_lab_run(at).trainer
    at.button(key="toy_step_d").click().run()
    assert (trainer.updates, trainer.iteration) == (1, 0)
    assert any("one discriminator update" in m.value for m in at.markdown)
    assert any(m.value.startswith("**4. Loss terms**") for m in at.markdown)
    at.button(key="toy_step_g").click().run()
    assert (trainer.updates, trainer.iteration) == (2, 1)
    at.button(key="toy_step_both").click().run()  # k = 3 D updates, then one G update
    assert (trainer.updates, trainer.iteration) == (6, 2)
    assert [r.kind for r in trainer.history] == ["D", "G", "D", "D", "D", "G"]
    assert readout_value(at, "Iteration") == "2" and readout_value(at, "Updates (D + G)") == "6"


def test_sliders_reach_the_trainer_without_reset():
    at = open_toy_lab(target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.run_steps("both", 5)  # the chunk the play thread runs
    trainer, before = run.trainer, weights(run.trainer)
    at.slider(key="toy_knob_label_smoothing").set_value(0.1).run()
    at.select_slider(key="toy_knob_batch_size").set_value(64).run()
    at.selectbox(key="toy_knob_loss").set_value("least_squares").run()
    assert run.trainer is trainer and trainer.iteration == 5 and same(before, weights(trainer))
    assert (trainer.config.real_label, trainer.config.batch_size, trainer.config.loss) == (0.9, 64, "least_squares")
    assert [e[1] for e in trainer.events] == ["real_label", "batch_size", "loss"]
    assert any("Real label in use: **0.90** (label smoothing **0.10**)" in m.value for m in at.caption)
    at.button(key="toy_step_d").click().run()  # the very next step uses the new values
    assert trainer.history[-1].batch_size == 64 and trainer.iteration == 5
    assert trainer.last_batch["real"].shape == (64, 2)


def test_switching_to_home_and_back_keeps_the_run():
    at = open_toy_lab(target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.run_steps("both", 4)
    at.slider(key="toy_knob_label_smoothing").set_value(0.2).run()
    trainer = run.trainer
    at.switch_page("views/home.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    assert toy_lab_run(at) is run and run.trainer is trainer and trainer.iteration == 4
    assert readout_value(at, "Iteration") == "4"
    assert at.slider(key="toy_knob_label_smoothing").value == pytest.approx(0.2)  # widget shows the run


def test_play_thread_then_redraw():
    at = open_toy_lab(target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.play()
    try:
        deadline = time.monotonic() + 60
        while run.trainer.iteration < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        run.pause()
    done = run.trainer.iteration
    assert done >= 3
    at.run()
    assert readout_value(at, "Iteration") == f"{done:,}"


def test_diverging_run_stops_explains_and_rolls_back():
    at = open_toy_lab()
    run = toy_lab_run(at)
    # the "diverge" scenario: plain SGD with a learning rate of 1 on least squares blows up
    run.replace_trainer(Trainer(TrainConfig(batch_size=64, optimizer="sgd", lr_d=1.0, lr_g=1.0,
                                            loss="least_squares", snapshot_every=1000)))
    at.run()
    for _ in range(20):
        at.button(key="toy_step_both").click().run()
        if run.error is not None:
            break
    assert run.error is not None
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "diverged" in message and "learning rate" in message
    at.button(key="toy_rollback").click().run()
    trainer = run.trainer
    assert run.error is None and trainer.iteration == 0
    assert all(torch.isfinite(p).all() for p in trainer.generator.parameters())
    assert any("Rolled back to the snapshot at iteration 0" in s.value for s in at.success)
    assert not at.error


def test_draw_your_own_points_and_csv():
    at = open_toy_lab(tab="Architecture & your own target", target="ring8", batch_size=32)
    run = toy_lab_run(at)
    at.text_area(key="toy_draw_text").set_value("0,0\n1,1\n-1,1").run()
    at.button(key="toy_draw_train").click().run()
    config = run.trainer.config
    assert config.target == "custom" and config.custom_points == ((0.0, 0.0), (1.0, 1.0), (-1.0, 1.0))
    assert readout_value(at, "Modes captured").endswith(" / 3")
    assert not at.exception
    at.file_uploader(key="toy_draw_upload").set_value(("bad.csv", b"x,y\n1,2\n3,oops\n", "text/csv")).run()
    assert any("bad.csv: line 3" in e.value for e in at.error)
    assert run.trainer.config.custom_points == config.custom_points  # nothing lost
    at.file_uploader(key="toy_draw_upload").set_value(("good.csv", b"x,y\n0.5,0.5\n-0.5,-0.5\n", "text/csv")).run()
    assert at.text_area(key="toy_draw_text").value == "0.5,0.5\n-0.5,-0.5"
    assert not at.error


def test_rebuild_form_restarts_with_new_architecture():
    at = open_toy_lab(tab="Architecture & your own target", target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.run_steps("both", 2)
    at.number_input(key="toy_arch_g_width").set_value(64)
    at.selectbox(key="toy_arch_target").set_value("grid25")
    at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)").click().run()
    assert (run.trainer.config.g_width, run.trainer.config.target, run.trainer.iteration) == (64, "grid25", 0)
    assert readout_value(at, "Modes captured").endswith(" / 25")
    at.selectbox(key="toy_arch_target").set_value("custom")
    at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)").click().run()
    assert any("custom target needs your points" in e.value for e in at.error)
    assert run.trainer.config.target == "grid25"


def test_presets_apply():
    presets = toy_presets()
    assert presets
    at = open_toy_lab(target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.run_steps("both", 2)
    name = list(presets)[-1]
    at.selectbox(key="toy_preset").set_value(name).run()
    assert any(presets[name].what_to_watch in m.value for m in at.markdown)
    at.button(key="toy_preset_apply").click().run()
    assert run.trainer.config == presets[name].config and run.trainer.iteration == 0
    assert at.slider(key="toy_knob_label_smoothing").value == pytest.approx(presets[name].config.label_smoothing)


def test_the_canvases_draw_this_redraws_numbers():
    """The plane's heatmap is D on the grid (one byte per cell: within half a level), the purple
    points are G(fixed z), and the histogram's bars are the latest high-quality mode counts."""
    at = open_toy_lab(tab="D vs D*, field, manifold, over time", target="ring8", batch_size=32)
    run = toy_lab_run(at)
    run.run_steps("both", 30)
    at.run()
    data = run.view("toy_2d")  # what the worker computed for this frame (the page asked for the same)
    scenes = canvas_scenes(at)
    plane = scenes["toy_plane_canvas"]["panels"][0]
    heat = next(layer for layer in plane["layers"] if layer["t"] == "image")
    # independently: D and G of the page's replica of the run (synced from the worker's weights)
    run.sync()
    replica = run.trainer
    _, _, grid = plane_grid(replica.target.bounds, GRID_RES)
    d_on_grid = replica.d_probability(torch.as_tensor(grid, dtype=torch.float32)).numpy().reshape(GRID_RES, GRID_RES)
    assert decode_grid(heat) / 254.0 == pytest.approx(d_on_grid, abs=0.5 / 254 + 1e-5)  # 255: no value
    fakes = [layer for layer in plane["layers"] if layer["t"] == "points"][1]
    assert decode_floats(fakes["b64"]).reshape(-1, 2) == pytest.approx(replica.fixed_samples(512).numpy(), abs=1e-5)
    assert plane["equal"] and plane["x"] == [-3.0, 3.0] and plane["y"] == [-3.0, 3.0]
    bars = scenes["toy_modes_canvas"]["panels"][0]["layers"][0]
    counts = data.modes["mode_counts"][:, -1]
    assert len(bars["values"]) == 8
    assert [v for v, c in zip(bars["values"], counts) if c > 0] == [float(c) for c in counts if c > 0]
    assert [color for color, c in zip(bars["colors"], counts) if c == 0] == ["#d62728"] * int((counts == 0).sum())


def test_the_status_line_names_no_label_where_the_loss_uses_none():
    at = open_toy_lab(target="ring8", batch_size=32)
    at.selectbox(key="toy_knob_loss").set_value("hinge").run()
    status = " ".join(c.value for c in at.caption)
    assert "No labels under the hinge loss" in status and "Real label in use" not in status
    at.selectbox(key="toy_knob_loss").set_value("nonsaturating").run()
    assert any("Real label in use: **1.00**" in c.value for c in at.caption)


def test_d_star_panel_reads_both_labels_and_hatches_no_data():
    """Real label 0.9 (smoothing 0.1) and fake label 0.2 (from the run's config, as links and presets
    bring it): D* = (0.9 p + 0.2 q)/(p + q), dashed where p_data = p_g at (0.9 + 0.2)/2 = 0.55."""
    at = open_toy_lab(tab="D vs D*, field, manifold, over time", target="ring8", batch_size=32, fake_label=0.2)
    at.slider(key="toy_knob_label_smoothing").set_value(0.1).run()
    d, d_star = canvas_scenes(at)["toy_secondary_canvas"]["panels"][:2]
    assert d["title"] == "D as trained" and d["layers"][1]["level"] == pytest.approx(127.0)
    assert d_star["title"] == "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)"
    assert d_star["layers"][1]["level"] == pytest.approx(0.55 * 254)
    assert any(item["shape"] == "hatch" for item in d_star["legend"])
    no_data = decode_grid(d_star["layers"][0]) == 255  # ring8 at iteration 0: most cells hold no density
    assert 0.5 < no_data.mean() < 0.9
    caption = " ".join(c.value for c in at.caption)
    assert "fake label 0.2" in caption and "Hatched: no data" in caption and "α/2" not in caption
    status = " ".join(c.value for c in at.caption)
    assert "fake label **0.20**" in status


def test_d_star_panel_under_hinge_and_wgan_gp_uses_no_label():
    at = open_toy_lab(tab="D vs D*, field, manifold, over time", target="ring8", batch_size=32, real_label=0.9)
    at.selectbox(key="toy_knob_loss").set_value("hinge").run()
    d_star = canvas_scenes(at)["toy_secondary_canvas"]["panels"][1]
    assert d_star["title"] == "D* = sign(p_data − p_g), drawn σ(±1)"
    caption = " ".join(c.value for c in at.caption)
    assert "labels do not enter" in caption and "0.45" not in caption and "0.9·p_data" not in caption
    at.selectbox(key="toy_knob_loss").set_value("wgan_gp").run()
    d_star = canvas_scenes(at)["toy_secondary_canvas"]["panels"][1]
    assert d_star["title"] == "wgan_gp: no pointwise D*" and {layer["t"] for layer in d_star["layers"]} == {"text"}
    assert any(c.value.startswith("Under WGAN-GP there is no pointwise D*") for c in at.caption)
    assert not at.exception


def test_only_the_open_tab_is_built_and_the_address_bar_follows_in_any_tab():
    at = open_toy_lab(target="ring8", batch_size=32)
    assert at.selectbox(key="toy_preset") is not None  # Presets: the tab open by default
    assert not [b for b in at.get("download_button")] and "toy_secondary_canvas" not in canvas_scenes(at)
    at.session_state["toy_tab"] = "Downloads & share"
    at.run()
    assert [b.label for b in at.get("download_button")]  # the downloads are built now
    at.slider(key="toy_knob_label_smoothing").set_value(0.15).run()
    assert at.query_params["label_smoothing"] == "0.15"
    at.session_state["toy_tab"] = "Step story"
    at.slider(key="toy_knob_label_smoothing").set_value(0.2).run()
    assert at.query_params["label_smoothing"] == "0.2"  # with the Share expander not drawn
