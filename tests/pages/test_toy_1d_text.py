"""The 1D lab's introduction states the noise prior and the equilibrium D* that are in use
(issue 12 item 8: it said z ~ U(−1, 1) and D = ½ whatever the settings)."""

import math


PAGE = "views/toy_1d.py"  # the `at` fixture (tests/pages/conftest.py) opens it


def intro(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("The bottom line is the noise axis"))


def test_intro_follows_the_noise_prior_and_the_real_label(at):
    text = intro(at)
    assert "z ~ U(−1, 1)" in text and "D* = ½ everywhere" in text  # the lab's defaults
    run = at.session_state["_live_runs"]["1D lab (Figure 1)"]
    run.update(noise="gaussian", label_smoothing=0.1)
    at.run()
    text = intro(at)
    assert "z ~ N(0, 1)" in text and "U(−1, 1)" not in text
    assert f"D* = α/2 = {0.9 / 2:g} everywhere" in text and math.isclose(0.9 / 2, 0.45)


def test_intro_follows_the_fake_label_and_the_loss(at):
    run = at.session_state["_live_runs"]["1D lab (Figure 1)"]
    run.update(real_label=0.9, fake_label=0.2)
    at.run()
    assert "D* = (α + β)/2 = 0.55 everywhere" in intro(at)
    run.update(loss="hinge")
    at.run()
    text = intro(at)
    assert "any D between −1 and 1 is optimal" in text and "0.55" not in text
    run.update(loss="wgan_gp")
    at.run()
    assert "no pointwise optimum" in intro(at)
