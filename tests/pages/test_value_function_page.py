"""AppTest of the value-function page: it renders, and every number it shows after a slider move
equals the gan_core.theory / gan_core.dirac computation for the new setting."""

import math

import numpy as np
import pytest

from gan_core import dirac
from gan_core import theory as T
from page_support import metric_number, readout_value

PAGE = "views/value_function.py"


def big_number(at, label: str) -> float:
    """A number of the first screen's readout (ui.kit.readout), beside the main plot."""
    return float(readout_value(at, label))


def test_renders_with_the_default_game(at):
    p, q = T.Mixture1D.gaussian(0.0, 1.0), T.Mixture1D.gaussian(2.0, 0.7)  # ui.value_function.controls.DEFAULTS
    x = T.quadrature_grid(p, q)
    pd, pg = p.pdf(x), q.pdf(x)
    real, fake = T.value_terms(T.logistic_d(x, -1.0, 1.0), pd, pg, x)
    assert big_number(at, "real error") == pytest.approx(-real, abs=6e-5)
    assert big_number(at, "fake error") == pytest.approx(-fake, abs=6e-5)
    assert big_number(at, "V(D*, G)") == pytest.approx(T.c_from_jsd(T.jsd(pd, pg, x)), abs=6e-5)
    assert any(r"V(D,G) = \textcolor" in e.value and "real error" in e.value for e in at.latex)
    assert at.markdown[0].value == "### Value function V(D, G) and the optimal D*"  # one short line


def test_sliders_change_the_numbers(at):
    at.slider(key="vf_g_mean1").set_value(0.5).run()
    at.slider(key="vf_g_sigma1").set_value(1.5).run()
    at.slider(key="vf_slope").set_value(0.5).run()
    at.slider(key="vf_offset").set_value(-0.25).run()
    assert not at.exception
    p, q = T.Mixture1D.gaussian(0.0, 1.0), T.Mixture1D.gaussian(0.5, 1.5)
    x = T.quadrature_grid(p, q)
    pd, pg = p.pdf(x), q.pdf(x)
    jsd = T.jsd(pd, pg, x)
    assert metric_number(at, "JSD(p_data ‖ p_g)") == pytest.approx(jsd, abs=6e-7)
    assert metric_number(at, "−log 4 + 2·JSD") == pytest.approx(T.c_from_jsd(jsd), abs=1e-11)
    assert metric_number(at, "max_D V(D, G)  (numerical)") == pytest.approx(T.c_from_jsd(jsd), abs=1e-9)
    v_shown = float(T.logistic_value(0.5, -0.25, pd, pg, x))
    assert big_number(at, "V(D, G)") == pytest.approx(v_shown, abs=6e-5)
    # a second mode for p_data
    at.checkbox(key="vf_data_two").check().run()
    at.slider(key="vf_data_mean2").set_value(-3.0).run()
    p2 = T.Mixture1D((0.0, -3.0), (1.0, 0.5), (0.7, 0.3))
    x2 = T.quadrature_grid(p2, q)
    assert metric_number(at, "JSD(p_data ‖ p_g)") == pytest.approx(T.jsd(p2.pdf(x2), q.pdf(x2), x2), abs=6e-7)


def test_equilibrium_button_gives_half_and_minus_log_4(at):
    at.button(key="vf_equilibrium").click().run()
    assert not at.exception
    assert metric_number(at, "−log 4 + 2·JSD") == pytest.approx(-math.log(4), abs=1e-11)
    assert metric_number(at, "JSD(p_data ‖ p_g)") == pytest.approx(0.0, abs=1e-9)
    assert "from **0.5000** to **0.5000**" in " ".join(md.value for md in at.markdown)


def test_best_logistic_button_moves_the_students_d(at):
    # equal spreads: D* is logistic, with w* = (μ_data − μ_g)/σ², b* = (μ_g² − μ_data²)/(2σ²)
    at.slider(key="vf_g_sigma1").set_value(1.0).run()
    at.button(key="vf_best").click().run()
    w, b = T.gaussian_optimal_logit(0.0, 2.0, 1.0)  # (−2, 2)
    assert at.slider(key="vf_slope").value == pytest.approx(w, abs=0.05)
    assert at.slider(key="vf_offset").value == pytest.approx(b, abs=0.05)
    assert metric_number(at, "gap C(G) − best logistic") == pytest.approx(0.0, abs=1e-6)


def test_label_smoothing_and_generator_loss_sliders(at):
    at.slider(key="vf_alpha").set_value(0.7).run()
    assert metric_number(at, "D*_α at equilibrium") == pytest.approx(0.35, abs=1e-9)
    assert metric_number(at, "max |numerical maximiser − formula|") < 1e-6
    at.slider(key="vf_dfake").set_value(0.2).run()
    assert metric_number(at, "minimax (saturating): dL/dl") == pytest.approx(-0.2, abs=1e-9)
    assert metric_number(at, "non-saturating: dL/dl") == pytest.approx(-0.8, abs=1e-9)
    assert "**4.0×** harder" in " ".join(md.value for md in at.markdown)


def test_dirac_controls_drive_the_trajectories(at):
    at.selectbox(key="vf_dirac_method").set_value("r1").run()
    at.slider(key="vf_dirac_h").set_value(0.2).run()
    assert not at.exception
    sim = dirac.trajectory("r1", (1.0, 1.0), 0.2, 500, False, dirac.DiracParams(gamma=1.0))
    shown = metric_number(at, "simultaneous, after 500 steps")
    assert shown == pytest.approx(dirac.distance_to_equilibrium(sim)[-1], rel=1e-3)
    assert shown < 1e-3
    at.selectbox(key="vf_dirac_method").set_value("gan").run()
    at.slider(key="vf_dirac_steps").set_value(200).run()
    alt = dirac.trajectory("gan", (1.0, 1.0), 0.2, 200, True)
    assert metric_number(at, "alternating, after 200 steps") == pytest.approx(dirac.distance_to_equilibrium(alt)[-1],
                                                                              rel=1e-3)
    assert np.isfinite(metric_number(at, "start distance"))


def test_fake_error_metric_is_finite_for_a_confident_d(at):
    """Issue 12 item 1: at w = −6, b = 1 the page showed "inf"; the true fake error is 0.0129
    (−∫ p_g log(1 − σ(−6x + 1)), p_g = N(2, 0.7²), by scipy's adaptive quadrature on log σ(−t))."""
    from scipy.integrate import quad
    from scipy.special import log_expit
    from scipy.stats import norm

    at.slider(key="vf_slope").set_value(-6.0).run()
    assert not at.exception
    reference = -quad(lambda x: norm.pdf(x, 2.0, 0.7) * log_expit(-(-6.0 * x + 1.0)), -10, 14,
                      epsabs=1e-12, limit=200)[0]
    assert reference == pytest.approx(0.0129, abs=5e-5)
    assert big_number(at, "fake error") == pytest.approx(reference, abs=6e-5)


def test_dirac_caption_describes_the_paths_drawn(at):
    """Issue 12 item 2: at the page's default λ = 1 the WGAN-GP paths stop at (2λ, 0⁺); the caption
    said they keep circling. It must now be the measured description of the two drawn paths."""
    at.selectbox(key="vf_dirac_method").set_value("wgan_gp").run()
    assert not at.exception
    p = dirac.DiracParams(gamma=1.0, gp_weight=1.0, clip=1.0, consensus=0.5)  # the page's defaults
    sim, alt = (dirac.trajectory("wgan_gp", (1.0, 1.0), 0.1, 500, a, p) for a in (False, True))
    captions = [c.value for c in at.caption]
    assert dirac.caption("wgan_gp", sim, alt) in captions
    shown = next(c for c in captions if c.startswith(dirac.METHODS["wgan_gp"].note))
    assert "keeps circling" not in shown and shown.count("come to rest at (θ, ψ) = (2.00, 0.00)") == 2
