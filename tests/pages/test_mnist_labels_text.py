"""MNIST step by step names the labels D was trained towards only where the loss has labels
(issue 12 item 6: under hinge and WGAN-GP a real label of 0.9 changes nothing)."""


import pytest
from streamlit.testing.v1 import AppTest

from ui.mnist.run import PREFIX, RUN_NAME
from page_support import APP


def batch_lines(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(("**Real batch**", "**Fake batch**"))]


@pytest.mark.parametrize("loss, labelled", [("nonsaturating", True), ("hinge", False)])
def test_batch_captions_name_labels_only_under_a_loss_that_reads_them(loss, labelled):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("views/mnist.py").run()
    run = at.session_state["_live_runs"][RUN_NAME]
    run.update(loss=loss, real_label=0.9)
    at.button(key=f"{PREFIX}_step_d").click().run()
    assert not at.exception
    real, fake = batch_lines(at)
    if labelled:
        assert real.startswith("**Real batch** — labelled 0.9 (one-sided label smoothing)")
        assert fake.startswith("**Fake batch** — labelled 0")
    else:
        assert "labelled" not in real + fake and "the hinge loss uses none" in real
