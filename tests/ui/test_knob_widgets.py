"""AppTest of ui.kit.live_controls.knob_widgets: a knob the current loss ignores is drawn disabled
with its reason shown, and enabled again when the loss reads it (issue 12 item 6)."""

import os

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.config import TrainConfig
from gan_core.inactive_settings import inactive_settings
from page_support import TEST_PAGES

PAGE = os.path.join(TEST_PAGES, "knobs_page.py")


def _widget(at, key):
    for kind in (at.slider, at.select_slider, at.selectbox):
        try:
            return kind(key=key)
        except KeyError:
            continue
    raise KeyError(key)


@pytest.mark.parametrize("loss", ["nonsaturating", "hinge", "wgan_gp"])
def test_knobs_the_loss_ignores_are_disabled_with_the_reason(loss):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    if loss != "nonsaturating":
        at.selectbox(key="kt_knob_loss").set_value(loss).run()
        assert not at.exception
    # expected by hand from gan_core.losses: labels are read by BCE and least squares only, the
    # gradient penalty by WGAN-GP only (the run uses Adam; SGD momentum is not among these knobs)
    expect_off = {"nonsaturating": {"gp_weight"}, "hinge": {"label_smoothing", "gp_weight"},
                  "wgan_gp": {"label_smoothing"}}[loss]
    reasons = inactive_settings(TrainConfig(loss=loss))
    captions = [c.value for c in at.caption]
    for field in ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise", "r1_gamma", "gp_weight"):
        w = _widget(at, f"kt_knob_{field}")
        assert w.disabled == (field in expect_off), field
        if field in expect_off:
            assert reasons[field] in captions and w.help == reasons[field]
