"""The 1D lab's introduction states the noise prior and the equilibrium D* that are in use
(issue 12 item 8: it said z ~ U(−1, 1) and D = ½ whatever the settings)."""

import math
import os

import pytest
from streamlit.testing.v1 import AppTest

APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")


def intro(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("The bottom line is the noise axis"))


@pytest.fixture
def at():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("views/toy_1d.py").run()
    assert not app.exception
    return app


def test_intro_follows_the_noise_prior_and_the_real_label(at):
    text = intro(at)
    assert "z ~ U(−1, 1)" in text and "D* = ½ everywhere" in text  # the lab's defaults
    run = at.session_state["_live_runs"]["1D lab (Figure 1)"]
    run.trainer.update(noise="gaussian", label_smoothing=0.1)
    at.run()
    text = intro(at)
    assert "z ~ N(0, 1)" in text and "U(−1, 1)" not in text
    assert f"D* = α/2 = {0.9 / 2:g} everywhere" in text and math.isclose(0.9 / 2, 0.45)
