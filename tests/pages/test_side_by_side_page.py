"""AppTest of the side-by-side page: it renders from the navigation, steps both runs together,
starts a new comparison whose differing value reaches only its own run, and shares live knobs."""

import re

import pytest

from page_support import canvas_scenes, open_app

PAGE = "views/side_by_side.py"


def pair(at):
    return at.session_state["_live_runs"]["Side by side"].trainer


def test_renders_steps_in_lockstep_and_compares():
    at = open_app(PAGE)
    assert at.markdown[0].value == "### Side by side: one setting, two runs"  # one short line
    a, b = pair(at).trainers
    assert (a.config.label_smoothing, b.config.label_smoothing) == pytest.approx((0.0, 0.1), abs=1e-12)
    for _ in range(3):
        at.button(key="sbs_step_both").click().run()
        assert not at.exception
    assert (a.iteration, b.iteration) == (3, 3)
    at.button(key="sbs_step_d").click().run()
    assert (a.updates, b.updates) == (7, 7) and (a.iteration, b.iteration) == (3, 3)
    assert any("Iteration **3** in both runs" in m.value for m in at.markdown)
    assert set(canvas_scenes(at)) == {"sbs_plane_0", "sbs_plane_1", "sbs_compare"}  # run A, run B, the comparison
    # each run's big numbers above its plane (ui.kit.readout): modes of the ring's 8 and the high-quality share
    readouts = [re.findall(r'<span class="gc-label">(.*?)</span><span class="gc-value">(.*?)</span>', e.value)
                for e in at.get("html") if "gc-readout" in e.value]
    assert len(readouts) == 2
    for numbers in readouts:
        shown = dict(numbers)
        assert re.fullmatch(r"[0-8] / 8", shown["Modes captured"]) and shown["High quality"].endswith(" %")
    assert not at.error


def test_a_new_comparison_changes_only_its_setting_and_shared_knobs_reach_both():
    at = open_app(PAGE)
    at.selectbox(key="sbs_setting").set_value("batch_size").run()
    assert (at.selectbox(key="sbs_value_a").value, at.selectbox(key="sbs_value_b").value) == (32, 512)
    at.selectbox(key="sbs_target").set_value("grid25").run()
    at.number_input(key="sbs_seed").set_value(7).run()
    at.button(key="sbs_start").click().run()
    assert not at.exception and not at.error
    a, b = pair(at).trainers
    assert (a.config.batch_size, b.config.batch_size) == (32, 512)
    assert a.config.replace(batch_size=512) == b.config and (a.config.target, a.config.seed) == ("grid25", 7)
    assert a.iteration == b.iteration == 0
    at.button(key="sbs_step_both").click().run()
    assert [r.batch_size for r in a.history] == [32, 32] and [r.batch_size for r in b.history] == [512, 512]
    # the compared setting is not among the shared knobs; a shared one reaches both runs
    assert "sbs_knob_batch_size" not in [s.key for s in at.get("select_slider")]
    at.select_slider(key="sbs_knob_lr_d").set_value(0.001).run()
    assert (a.config.lr_d, b.config.lr_d) == (0.001, 0.001)
    assert any("Batch size = 32" in m.value for m in at.markdown)


def test_a_link_restores_the_comparison_and_the_url_follows_a_new_one():
    at = open_app(PAGE, {"compare": "batch_size", "a": "32", "b": "512", "target": "grid25", "seed": "4",
                         "lr_g": "0.0005"})
    p = pair(at)
    assert (p.setting, p.values, p.config.target, p.config.seed) == ("batch_size", (32, 512), "grid25", 4)
    assert [t.config.lr_g for t in p.trainers] == [0.0005, 0.0005]
    assert [t.config.batch_size for t in p.trainers] == [32, 512]
    assert (at.selectbox(key="sbs_setting").value, at.selectbox(key="sbs_value_b").value) == ("batch_size", 512)
    assert at.session_state["sbs_knob_lr_g"] == 0.0005 and not at.error and not at.warning
    at.selectbox(key="sbs_setting").set_value("loss").run()
    at.button(key="sbs_start").click().run()
    assert (at.query_params["compare"], at.query_params["a"], at.query_params["b"]) == \
        ("loss", "minimax", "least_squares")
    assert at.query_params["target"] == "grid25" and pair(at).values == ("minimax", "least_squares")


def test_a_hostile_link_is_refused_by_name_and_the_page_still_runs():
    at = open_app(PAGE, {"compare": "evil", "a": "99999", "b": "nan", "unknown": "1", "batch_size": "999999999"})
    errors, warnings = " ".join(e.value for e in at.error), " ".join(w.value for w in at.warning)
    assert "compare: there is no 'evil' on this page" in errors
    assert "b: label\\_smoothing must be a finite number" in errors
    assert "Unknown setting\\(s\\) ignored: unknown" in errors
    assert "a: label\\_smoothing=99999 is above the largest allowed value; using 0\\.5" in warnings
    assert "batch\\_size=999999999 is above the largest allowed value; using 8192" in warnings
    p = pair(at)
    assert (p.setting, p.values) == ("label_smoothing", (0.5, 0.1))
    assert [t.config.batch_size for t in p.trainers] == [8192, 8192]
    at = open_app(PAGE, {"compare": "batch_size", "a": "99999", "b": "7"})
    assert "a=99999 is not one of the offered values of batch\\_size" in " ".join(e.value for e in at.error)
    assert pair(at).values == (32, 512)


def test_a_1d_target_runs_with_the_1d_lab_networks_and_figure_1():
    at = open_app(PAGE)
    at.selectbox(key="sbs_target").set_value("bimodal_1d").run()
    at.selectbox(key="sbs_setting").set_value("d_steps").run()
    at.button(key="sbs_start").click().run()
    a, b = pair(at).trainers
    assert (a.config.target, a.config.z_dim, a.config.d_steps, b.config.d_steps) == ("bimodal_1d", 1, 1, 5)
    at.button(key="sbs_step_both").click().run()
    assert not at.exception and not at.error
    assert (a.iteration, b.iteration, a.updates, b.updates) == (1, 1, 2, 6)
    assert any("Iteration **1** in both runs" in m.value for m in at.markdown)
    # Figure 1 of each run, the comparison
    assert set(canvas_scenes(at)) == {"sbs_figure1_0", "sbs_figure1_1", "sbs_compare"}
    assert at.query_params["target"] == "bimodal_1d" and at.query_params["compare"] == "d_steps"

    at = open_app(PAGE, {"compare": "d_steps", "a": "1", "b": "5", "target": "trimodal_1d", "seed": "2"})
    a, b = pair(at).trainers
    assert (a.config.target, a.config.z_dim, a.config.seed, b.config.d_steps) == ("trimodal_1d", 1, 2, 5)
    assert not at.error


@pytest.mark.parametrize("target, extra", [("mnist", {}), ("custom", {"custom_points": "0,0;1,1"})])
def test_a_link_naming_a_target_this_page_cannot_draw_is_refused_by_name(target, extra):
    """/side_by_side?target=mnist raised AttributeError (no .bounds); the box showed ring8 while
    the caption said "on mnist". Any target decodes from a link: the page refuses what it cannot draw."""
    at = open_app(PAGE, {"target": target, "seed": "3", "compare": "batch_size", "a": "32", "b": "512", **extra})
    errors = " ".join(e.value for e in at.error)
    assert f"target '{target}' is not available on this page" in errors and "using ring8" in errors
    p = pair(at)
    assert [t.config.target for t in p.trainers] == ["ring8", "ring8"]
    assert (p.setting, p.values, p.config.seed) == ("batch_size", (32, 512), 3)  # the rest of the link stays
    assert at.selectbox(key="sbs_target").value == "ring8"
    assert any("on ring8, seed 3" in c.value for c in at.caption)
    at.button(key="sbs_step_both").click().run()
    assert not at.exception and [t.iteration for t in p.trainers] == [1, 1]


def test_a_preset_file_naming_mnist_is_refused_by_name_and_the_pair_runs_on():
    import json

    from gan_core.config import TrainConfig
    from classroom.sharing import preset_to_json

    at = open_app(PAGE, state={"sbs_section": "Share this comparison"})  # only the open section is built
    before = pair(at)
    doc = preset_to_json(TrainConfig(target="mnist", seed=5, lr_g=0.0005), "side_by_side")
    at.file_uploader(key="side_by_side_share_upload").set_value(("m.json", doc.encode(), "application/json")).run()
    assert not at.exception, at.exception
    assert "target 'mnist' is not available on this page" in " ".join(e.value for e in at.error)
    p = pair(at)
    assert p is not before and [t.config.target for t in p.trainers] == ["ring8", "ring8"]
    assert (p.config.seed, p.config.lr_g) == (5, 0.0005) and json.loads(doc)["config"]["target"] == "mnist"
    assert at.selectbox(key="sbs_target").value == "ring8"
