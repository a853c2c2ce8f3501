"""AppTest of the side-by-side page: it renders from the navigation, steps both runs together,
starts a new comparison whose differing value reaches only its own run, and shares live knobs."""

import os

import pytest
from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/side_by_side.py").run()
    assert not at.exception, at.exception
    return at


def pair(at):
    return at.session_state["_live_runs"]["Side by side"].trainer


def test_renders_steps_in_lockstep_and_compares():
    at = open_page()
    assert at.title[0].value == "Side by side: one setting, two runs"
    a, b = pair(at).trainers
    assert (a.config.label_smoothing, b.config.label_smoothing) == pytest.approx((0.0, 0.1), abs=1e-12)
    for _ in range(3):
        at.button(key="sbs_step_both").click().run()
        assert not at.exception
    assert (a.iteration, b.iteration) == (3, 3)
    at.button(key="sbs_step_d").click().run()
    assert (a.updates, b.updates) == (7, 7) and (a.iteration, b.iteration) == (3, 3)
    assert any("Iteration **3** in both runs" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 3  # run A, run B, the comparison chart
    assert not at.error


def test_a_new_comparison_changes_only_its_setting_and_shared_knobs_reach_both():
    at = open_page()
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
