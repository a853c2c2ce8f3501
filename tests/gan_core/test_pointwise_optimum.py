"""D* per loss and labels (gan_core.pointwise_optimum), against hand computation and a brute-force
search over D's output at each point that does not use any D* formula."""

import math

import numpy as np
import pytest

from gan_core import theory
from gan_core.pointwise_optimum import NO_MASS_FLOOR, optimum_rule, pointwise_optimum

BCE_LOSSES = ("minimax", "nonsaturating")


@pytest.mark.parametrize("loss", BCE_LOSSES + ("least_squares",))
def test_labelled_losses_by_hand(loss):
    # (0.9·0.3 + 0.2·0.1)/0.4 = 0.29/0.4 = 0.725; only fakes: the fake label 0.2; only data: 0.9
    got = pointwise_optimum(loss, [0.3, 0.0, 0.5, 0.2], [0.1, 0.4, 0.0, 0.2], real_label=0.9, fake_label=0.2)
    assert got.output == pytest.approx([0.725, 0.2, 0.9, 0.55], abs=1e-12)
    assert got.drawn is got.output  # BCE's D is already a probability; LS's raw output is drawn as is
    assert got.rule.level == pytest.approx(0.55, abs=1e-12)  # D* where p_data = p_g
    assert got.rule.formula == "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)"
    assert got.rule.at_equilibrium == "0.550"


def _brute_force(loss, p, q, a, b):
    """The best output at one point by searching a fine grid of outputs: no formula for D*."""
    if loss == "hinge":
        d = np.linspace(-3, 3, 60001)
        cost = p * np.maximum(0, 1 - d) + q * np.maximum(0, 1 + d)
        return d[np.argmin(cost)]
    d = np.linspace(1e-6, 1 - 1e-6, 200001)
    if loss == "least_squares":
        cost = p * (d - a) ** 2 + q * (d - b) ** 2
    else:  # minus the BCE objective with labels a (real) and b (fake)
        cost = -(p * (a * np.log(d) + (1 - a) * np.log1p(-d)) + q * (b * np.log(d) + (1 - b) * np.log1p(-d)))
    return d[np.argmin(cost)]


@pytest.mark.parametrize("loss", BCE_LOSSES + ("least_squares", "hinge"))
def test_each_loss_matches_a_search_over_outputs(loss):
    rng = np.random.default_rng(5)
    for _ in range(12):
        p, q = rng.uniform(0.05, 2.0, size=2)
        a, b = rng.uniform(0.5, 1.0), rng.uniform(0.0, 0.5)
        got = pointwise_optimum(loss, [p], [q], a, b).output[0]
        assert got == pytest.approx(_brute_force(loss, p, q, a, b), abs=1e-4)


def test_hinge_is_the_sign_of_p_minus_q_and_ignores_labels():
    p, q = np.array([0.3, 0.1, 0.2]), np.array([0.1, 0.3, 0.2])
    smoothed = pointwise_optimum("hinge", p, q, real_label=0.9, fake_label=0.2)
    plain = pointwise_optimum("hinge", p, q)
    assert smoothed.output == pytest.approx([1.0, -1.0, 0.0], abs=0)  # p = q: any of [−1, 1]; 0 drawn
    assert plain.output == pytest.approx(smoothed.output, abs=0)
    # drawn on D's scale: the hinge D is shown as σ(raw), so ±1 -> 0.731 / 0.269
    assert smoothed.drawn == pytest.approx([1 / (1 + math.exp(-1)), 1 / (1 + math.exp(1)), 0.5], abs=1e-12)
    assert smoothed.rule.level == 0.5 and "0.9" not in smoothed.rule.formula


def test_wgan_gp_has_no_pointwise_optimum():
    got = pointwise_optimum("wgan_gp", [0.3], [0.1], 0.9, 0.2)
    assert got.output is None and got.drawn is None
    assert not got.rule.exists and got.rule.level is None and "no pointwise" in got.rule.formula.lower()


@pytest.mark.parametrize("loss", BCE_LOSSES + ("least_squares", "hinge"))
def test_no_mass_is_undefined(loss):
    p = np.array([1.0, 0.0, 0.4e-3, 1.2e-3, 0.0])
    q = np.array([0.0, 1.0, 0.4e-3, 0.0, 0.0])  # largest total 1.0: below 1e-3 of it is "no mass"
    got = pointwise_optimum(loss, p, q).output
    assert np.isnan(got[[2, 4]]).all() and np.isfinite(got[[0, 1, 3]]).all()
    assert NO_MASS_FLOOR == 1e-3
    assert np.isnan(pointwise_optimum(loss, np.zeros(3), np.zeros(3)).output).all()


def test_equal_labels_give_a_flat_d_star_without_a_boundary():
    rule = optimum_rule("nonsaturating", 0.5, 0.5)
    assert rule.level is None
    assert pointwise_optimum("nonsaturating", [0.3, 0.0], [0.1, 0.2], 0.5, 0.5).output == pytest.approx([0.5, 0.5])


def test_paper_formula_and_an_unknown_loss():
    assert optimum_rule("minimax").formula == "D* = p_data/(p_data + p_g)"
    assert optimum_rule("nonsaturating", 0.9).formula == "D* = 0.9·p_data/(p_data + p_g)"
    with pytest.raises(ValueError, match="unknown loss"):
        optimum_rule("bce")


@pytest.mark.parametrize("labels", [(1.0, 0.0), (0.9, 0.0), (0.9, 0.2)])
def test_value_at_the_labelled_d_star_at_equilibrium(labels):
    """At p_g = p_data D* is (α + β)/2 = m everywhere, so V(D*, G) = log m + log(1 − m) (by hand:
    −log 4 for 1, 0; log 0.45 + log 0.55 = −1.3963 for 0.9, 0 and for 0.9, 0.2)."""
    a, b = labels
    x = np.linspace(-8, 8, 4001)
    p = np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    m = (a + b) / 2
    got = theory.value_at_optimal_discriminator(p, p, x, a, b)
    assert got == pytest.approx(math.log(m) + math.log(1 - m), abs=1e-9)
    assert theory.optimal_discriminator(p, p, a, b) == pytest.approx(np.full_like(x, m), abs=1e-12)
