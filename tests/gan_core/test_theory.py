"""gan_core.theory against independent computations: scipy's adaptive quadrature, hand-known
values, closed forms and torch.autograd through gan_core.losses."""

import math

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.special import expit
from scipy.stats import gaussian_kde

from gan_core import losses
from gan_core import theory as T

G = T.Mixture1D.gaussian
PAIRS = [
    (G(0, 1), G(0, 1)),  # equilibrium: C = −log 4 exactly
    (G(0, 1), G(2, 1)),
    (G(0, 1), G(0, 3)),
    (G(-1, 0.5), T.Mixture1D((-2.0, 2.0), (0.5, 0.8), (0.3, 0.7))),
    (T.Mixture1D((-3.0, 0.0, 3.0), (0.4, 0.4, 0.4)), G(0.5, 2.0)),
    (G(0, 1), G(30, 1)),  # disjoint for all practical purposes: JSD = log 2, C = 0
]


def c_by_adaptive_quadrature(p: T.Mixture1D, q: T.Mixture1D) -> float:
    """max_D V = ∫ p log(p/(p+q)) + q log(q/(p+q)) with scipy's adaptive quad, piecewise."""
    def integrand(x):
        a, b = float(p.pdf(x)), float(q.pdf(x))
        s = a + b
        return (a * math.log(a / s) if a > 0 else 0.0) + (b * math.log(b / s) if b > 0 else 0.0)

    lo, hi = min(p.support(12)[0], q.support(12)[0]), max(p.support(12)[1], q.support(12)[1])
    cuts = np.linspace(lo, hi, 41)
    return sum(quad(integrand, a, b, epsabs=1e-13, epsrel=1e-12, limit=200)[0] for a, b in zip(cuts, cuts[1:]))


@pytest.mark.parametrize("p, q", PAIRS)
def test_c_of_g_equals_minus_log4_plus_2_jsd(p, q):
    x = T.quadrature_grid(p, q)
    pd, pg = p.pdf(x), q.pdf(x)
    identity = T.c_from_jsd(T.jsd(pd, pg, x))
    d_numeric, c_numeric = T.max_value_pointwise(pd, pg, x)  # max over D without the D* formula
    assert c_numeric == pytest.approx(identity, abs=1e-6)
    assert c_by_adaptive_quadrature(p, q) == pytest.approx(identity, abs=1e-6)
    assert T.optimal_value(pd, pg, x) == pytest.approx(identity, abs=1e-6)
    if identity < -1e-3:  # where D* does not round to 1 in float64, the plain V(D*, G) agrees too
        assert T.value(T.optimal_discriminator(pd, pg), pd, pg, x) == pytest.approx(identity, abs=1e-6)


def test_anchor_values_of_c():
    p = G(0, 1)
    x = T.quadrature_grid(p)
    pd = p.pdf(x)
    assert T.c_from_jsd(T.jsd(pd, pd, x)) == pytest.approx(-math.log(4), abs=1e-9)
    assert T.optimal_discriminator(pd, pd) == pytest.approx(np.full_like(x, 0.5), abs=1e-12)
    far = G(30, 1)
    x2 = T.quadrature_grid(p, far)
    assert T.jsd(p.pdf(x2), far.pdf(x2), x2) == pytest.approx(math.log(2), abs=1e-8)


def test_value_terms_of_an_undecided_discriminator():
    p, q = G(0, 1), G(3, 0.5)
    x = T.quadrature_grid(p, q)
    real, fake = T.value_terms(np.full_like(x, 0.5), p.pdf(x), q.pdf(x), x)
    assert real == pytest.approx(-math.log(2), abs=1e-9)
    assert fake == pytest.approx(-math.log(2), abs=1e-9)


@pytest.mark.parametrize("p, q", PAIRS[1:5])
def test_d_star_beats_perturbed_discriminators_by_the_bernoulli_kl(p, q):
    """V(D*) − V(D) = ∫ (p + q) KL(Bern(D*) ‖ Bern(D)) ≥ 0: checked in value, not only in sign."""
    x = T.quadrature_grid(p, q, n=8001)
    pd, pg = p.pdf(x), q.pdf(x)
    d_star = T.optimal_discriminator(pd, pg)
    best = T.value(d_star, pd, pg, x)
    rng = np.random.default_rng(0)
    for _ in range(5):
        bump = rng.normal(0, 1.0) * np.exp(-0.5 * ((x - rng.uniform(-2, 2)) / rng.uniform(0.3, 2)) ** 2)
        logit_star = np.log(np.clip(d_star, 1e-300, None)) - np.log(np.clip(1 - d_star, 1e-300, None))
        d = expit(np.clip(logit_star, -700, 700) + bump)
        gap = best - T.value(d, pd, pg, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            bern_kl = (np.where(d_star > 0, d_star * np.log(d_star / d), 0.0)
                       + np.where(d_star < 1, (1 - d_star) * np.log((1 - d_star) / (1 - d)), 0.0))
        assert gap > 1e-6
        assert gap == pytest.approx(T.integrate((pd + pg) * bern_kl, x), rel=1e-6, abs=1e-10)


@pytest.mark.parametrize("alpha", [0.9, 0.8, 0.7])
def test_smoothed_d_star_is_the_maximiser_of_the_smoothed_objective(alpha):
    p, q = G(0, 1), T.Mixture1D((-1.0, 2.5), (0.6, 0.7))
    x = T.quadrature_grid(p, q, n=8001)
    pd, pg = p.pdf(x), q.pdf(x)
    formula = T.optimal_discriminator(pd, pg, real_label=alpha)
    numeric, best = T.max_value_pointwise(pd, pg, x, real_label=alpha)
    live = (pd + pg) > 1e-12
    assert numeric[live] == pytest.approx(formula[live], abs=1e-8)
    assert T.smoothed_value(formula, pd, pg, x, alpha) == pytest.approx(best, abs=1e-9)
    assert T.optimal_value(pd, pg, x, real_label=alpha) == pytest.approx(best, abs=1e-9)
    # the unsmoothed D* is worse for the smoothed objective, and D* never exceeds α
    assert T.smoothed_value(T.optimal_discriminator(pd, pg), pd, pg, x, alpha) < best - 1e-4
    assert formula.max() == pytest.approx(alpha * (pd / (pd + pg))[live].max(), abs=1e-12)
    assert formula.max() <= alpha


def test_best_logistic_is_d_star_for_equal_variance_gaussians():
    p, q = G(0.5, 0.8), G(-1.0, 0.8)
    x = T.quadrature_grid(p, q, n=4001)
    pd, pg = p.pdf(x), q.pdf(x)
    w, b = T.gaussian_optimal_logit(0.5, -1.0, 0.8)
    assert (w, b) == pytest.approx(((0.5 + 1.0) / 0.64, (1.0 - 0.25) / 1.28))
    assert T.logistic_d(x, w, b) == pytest.approx(T.optimal_discriminator(pd, pg), abs=1e-9)
    sw, sb, v = T.best_logistic(pd, pg, x)
    c = T.c_from_jsd(T.jsd(pd, pg, x))
    assert (sw, sb) == pytest.approx((w, b), abs=1e-3)
    assert v == pytest.approx(c, abs=1e-6)


def test_best_logistic_falls_short_of_c_when_d_star_is_not_logistic():
    p, q = G(0, 0.5), G(0, 2.0)  # log(p/q) is quadratic in x: D* is a bump, no logistic fits
    x = T.quadrature_grid(p, q, n=4001)
    pd, pg = p.pdf(x), q.pdf(x)
    _, _, v = T.best_logistic(pd, pg, x, start=(0.3, 0.1))
    c = T.c_from_jsd(T.jsd(pd, pg, x))
    # by symmetry the best logistic is D = σ(b) with σ(b) = ½ (equal masses): V = −log 4
    assert v == pytest.approx(-math.log(4), abs=1e-6)
    assert c > v + 0.1
    plane = T.value_plane(pd, pg, x, np.linspace(-4, 4, 21), np.linspace(-4, 4, 21))
    assert plane.max() <= c
    assert plane[10, 10] == pytest.approx(-math.log(4), abs=1e-9)  # w = b = 0: D ≡ ½


def test_kde_matches_scipy_with_the_same_bandwidth():
    rng = np.random.default_rng(1)
    s = np.concatenate([rng.normal(-1, 0.3, 300), rng.normal(2, 0.5, 200)])
    x = np.linspace(-3, 4, 50)
    h = 0.25
    ref = gaussian_kde(s, bw_method=h / s.std(ddof=1))(x)
    assert T.kde(s, x, bandwidth=h) == pytest.approx(ref, rel=1e-10)
    collapsed = T.kde(np.zeros(10), np.array([0.0]))  # all samples equal: the bandwidth floor
    assert collapsed[0] == pytest.approx(1 / (1e-2 * math.sqrt(2 * math.pi)), rel=1e-12)


@pytest.mark.parametrize("spread", [0.05, 0.5, 3.0])
def test_binned_kde_matches_the_exact_sum(spread):
    rng = np.random.default_rng(2)
    s = np.concatenate([rng.normal(-1, spread, 700), rng.normal(1.5, 0.3, 300)])
    x = np.linspace(-6, 6, 1201)
    exact = T.kde(s, x)
    binned = T.kde_binned(s, x)
    assert np.abs(binned - exact).max() < 1e-3 * exact.max()
    assert T.integrate(binned, x) == pytest.approx(T.integrate(exact, x), abs=2e-3)


@pytest.mark.parametrize("name, loss_fn", [("minimax (saturating)", losses.g_loss_minimax),
                                            ("non-saturating", losses.g_loss_nonsaturating)])
def test_generator_loss_curves_match_gan_core_losses_and_autograd(name, loss_fn):
    d = np.array([1e-3, 0.01, 0.1, 0.3, 0.5, 0.9, 0.99])
    curve = next(c for c in T.generator_loss_curves(d) if c.name == name)
    logit = torch.logit(torch.tensor(d, dtype=torch.float64)).requires_grad_(True)
    per_sample = torch.stack([loss_fn(z.reshape(1)) for z in logit])  # the trainer's own losses
    (g_logit,) = torch.autograd.grad(per_sample.sum(), logit)
    assert curve.loss == pytest.approx(per_sample.detach().numpy(), rel=1e-12)
    assert curve.grad_logit == pytest.approx(g_logit.numpy(), rel=1e-9)
    dd = torch.tensor(d, dtype=torch.float64, requires_grad=True)
    expr = torch.log1p(-dd) if name.startswith("minimax") else -torch.log(dd)
    (g_d,) = torch.autograd.grad(expr.sum(), dd)
    assert curve.grad_d == pytest.approx(g_d.numpy(), rel=1e-12)


def test_minimax_gradient_vanishes_where_non_saturating_does_not():
    d = np.array([1e-4])
    mm, ns, zs = T.generator_loss_curves(d, d_real=0.8)
    assert mm.grad_logit[0] == pytest.approx(-1e-4, rel=1e-12)
    assert ns.grad_logit[0] == pytest.approx(-(1 - 1e-4), rel=1e-12)
    assert zs.loss[0] == pytest.approx(math.log(0.8) + math.log1p(-1e-4), rel=1e-12)
    assert zs.grad_logit[0] == mm.grad_logit[0]


def test_invalid_mixtures_are_refused():
    with pytest.raises(ValueError, match="sigmas"):
        T.Mixture1D((0.0,), (0.0,))
    with pytest.raises(ValueError, match="as many"):
        T.Mixture1D((0.0, 1.0), (1.0,))


def _fake_error_mpmath(q: T.Mixture1D, slope: float, offset: float) -> float:
    """−∫ p_g(x) log(1 − σ(w x + b)) dx at 80 digits: 1 − σ(t) is formed in mpmath, where it does
    not round to 0 for any t the page can reach, so this shares no code path with gan_core."""
    import mpmath

    mpmath.mp.dps = 80  # e^(−130) (the slider corners) still differs from 0 at 80 digits
    mu, sd = q.means[0], q.sigmas[0]

    def integrand(x):
        density = mpmath.npdf(x, mu, sd)
        d = 1 / (1 + mpmath.exp(-(slope * x + offset)))
        return density * mpmath.log(1 - d)

    return -float(mpmath.quad(integrand, [mu - 14 * sd, mu - 4 * sd, mu, mu + 4 * sd, mu + 14 * sd]))


@pytest.mark.parametrize("slope, offset, expected", [
    (-6.0, 1.0, 0.0129),  # the example: the page showed inf
    (-10.0, 10.0, None), (-10.0, -10.0, None), (10.0, 10.0, None), (10.0, -10.0, None),  # slider corners
    (-3.0, 1.0, None), (0.0, 0.0, math.log(2)),  # D = ½ everywhere: fake error log 2
])
def test_fake_error_is_finite_and_exact_for_a_confident_logistic_d(slope, offset, expected):
    p, q = G(0, 1), G(2, 0.7)  # the value page's default densities
    x = T.quadrature_grid(p, q)
    real, fake = T.value_terms_logit(slope * x + offset, p.pdf(x), q.pdf(x), x)
    reference = _fake_error_mpmath(q, slope, offset)
    assert -fake == pytest.approx(reference, rel=1e-7, abs=1e-12)
    if expected is not None:
        assert -fake == pytest.approx(expected, abs=5e-5)
    # the two terms add up to the V the page shows beside them
    assert real + fake == pytest.approx(float(T.logistic_value(slope, offset, p.pdf(x), q.pdf(x), x)), abs=1e-9)


def test_fake_error_is_finite_on_every_slope_of_the_slider():
    p, q = G(0, 1), G(2, 0.7)
    x = T.quadrature_grid(p, q)
    for slope in np.linspace(-10, 10, 401):  # the page's slope slider, step 0.05
        real, fake = T.value_terms_logit(slope * x + 1.0, p.pdf(x), q.pdf(x), x)
        assert math.isfinite(real) and math.isfinite(fake) and fake <= 0.0, slope


@pytest.mark.parametrize("alpha", [1.0, 0.9, 0.5])
def test_value_at_the_smoothed_d_star_by_hand_and_by_quad(alpha):
    """V(D*_α, G): at p_g = p_data it is log(α/2) + log(1 − α/2) (−1.3963 for α = 0.9, the issue's
    number; −log 4 for α = 1); elsewhere it equals scipy's adaptive quadrature of the definition."""
    p = G(0, 1)
    x = T.quadrature_grid(p)
    at_equilibrium = T.value_at_optimal_discriminator(p.pdf(x), p.pdf(x), x, alpha)
    assert at_equilibrium == pytest.approx(math.log(alpha / 2) + math.log(1 - alpha / 2), abs=1e-9)
    if alpha == 0.9:
        assert at_equilibrium == pytest.approx(-1.3963, abs=5e-5)
    q = G(1.5, 0.6)
    x = T.quadrature_grid(p, q)

    def integrand(t):
        a, b = float(p.pdf(t)), float(q.pdf(t))
        d = alpha * a / (a + b)
        # where 1 − d rounds to 0 (α = 1, b < 1e-16·a) b·log(1 − d) ≈ b·log(b/a) is below 1e-14: drop it
        return a * math.log(d) + (b * math.log(1 - d) if d < 1 else 0.0)

    reference = quad(integrand, -12, 9, epsabs=1e-12, limit=400, points=[0.0, 1.5])[0]
    assert T.value_at_optimal_discriminator(p.pdf(x), q.pdf(x), x, alpha) == pytest.approx(reference, abs=1e-7)
    if alpha == 1:
        assert reference == pytest.approx(T.c_from_jsd(T.jsd(p.pdf(x), q.pdf(x), x)), abs=1e-7)
