"""Side by side: comparing a setting that the shared loss ignores gives two identical runs; the page
must say so (issue 12 item 6), and say nothing while the setting does take effect."""


import torch
from streamlit.testing.v1 import AppTest
from page_support import APP


def test_warns_when_the_compared_setting_has_no_effect_under_the_shared_loss():
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/side_by_side.py").run()
    assert not at.exception
    assert not [w for w in at.warning if "cannot differ" in w.value]  # label smoothing under non-saturating
    at.selectbox(key="sbs_knob_loss").set_value("hinge").run()
    assert not at.exception
    warnings = [w.value for w in at.warning if "cannot differ" in w.value]
    assert len(warnings) == 1 and "hinge" in warnings[0]
    # and it is true: one step of each run from the same start gives the same D
    pair = at.session_state["_live_runs"]["Side by side"].trainer
    pair.step_d()
    a, b = (t.discriminator.state_dict() for t in pair.trainers)
    assert all(torch.equal(a[k], b[k]) for k in a)
