"""gan_core.lab1d: the Figure-1 frame against an independent computation (exact kernel sum on a
much finer grid, D evaluated by the trainer), the z quantiles, and the estimate trace."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import norm

from gan_core import theory as T
from gan_core.lab1d import EstimateTrace, estimate_labels, figure1_frame, lab_config, z_quantiles
from gan_core.trainer import Trainer


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(lab_config("bimodal_1d", seed=3))
    trainer.train(60)
    return trainer


def test_frame_matches_an_independent_computation(trained):
    f = figure1_frame(trained)
    # the same 2000 samples the frame used (its own seeded stream), summed exactly on a fine grid
    samples = trained.sample(2000, generator=torch.Generator().manual_seed(trained.config.seed + 3)).numpy().ravel()
    x = np.linspace(samples.min() - 3, samples.max() + 3, 20001)
    x = np.linspace(min(x[0], -6.5), max(x[-1], 6.5), 20001)  # and all of the target's mass
    p_data = trained.target.density(x[:, None])
    p_g = T.kde(samples, x)
    d = trained.d_probability(torch.as_tensor(x, dtype=torch.float32)[:, None]).double().numpy()
    assert f.jsd == pytest.approx(T.jsd(p_data, p_g, x), abs=2e-3)
    assert f.value == pytest.approx(T.value(d, p_data, p_g, x), abs=2e-3)
    assert f.c_of_g == pytest.approx(-math.log(4) + 2 * f.jsd, abs=1e-12)
    # the drawn curves
    assert f.p_data == pytest.approx(trained.target.density(f.x[:, None]), rel=1e-12)
    assert f.p_g == pytest.approx(T.kde(samples, f.x), abs=1e-3 * f.p_g.max())
    mass = f.p_data + f.p_g
    lively = mass >= 1e-3 * mass.max()  # elsewhere neither density has mass: D* undefined (NaN)
    assert f.d_star[lively] == pytest.approx(f.p_data[lively] / mass[lively], abs=1e-12)
    assert np.isnan(f.d_star[~lively]).all() and (~lively).any()
    g_of_z = trained.generator(torch.as_tensor(f.z, dtype=torch.float32)[:, None]).detach().numpy().ravel()
    assert f.gz == pytest.approx(g_of_z, abs=1e-6)


def test_frame_is_deterministic_and_leaves_training_alone(trained):
    rng_state = trained.rng.get_state()
    a, b = figure1_frame(trained), figure1_frame(trained)
    assert a.jsd == b.jsd and a.value == b.value
    assert torch.equal(trained.rng.get_state(), rng_state)


def test_smoothed_frame_uses_the_real_label():
    trainer = Trainer(lab_config(label_smoothing=0.2))
    f = figure1_frame(trainer)
    assert f.real_label == pytest.approx(0.8)
    lively = np.isfinite(f.d_star)
    assert f.d_star[lively] == pytest.approx(0.8 * f.p_data[lively] / (f.p_data + f.p_g)[lively], abs=1e-12)


@pytest.mark.parametrize("loss", ["nonsaturating", "least_squares"])
def test_frame_d_star_reads_the_fake_label(loss):
    """D* = (α p + β q)/(p + q): with α 0.9 and β 0.2, 0.2 (not 0) where only G's samples lie."""
    trainer = Trainer(lab_config(loss=loss, real_label=0.9, fake_label=0.2))
    f = figure1_frame(trainer)
    p, q = f.p_data, f.p_g
    lively = np.isfinite(f.d_star)
    assert f.d_star[lively] == pytest.approx((0.9 * p + 0.2 * q)[lively] / (p + q)[lively], abs=1e-12)
    assert np.nanmin(f.d_star) == pytest.approx(0.2, abs=0.01)  # an untrained G leaves points of nearly only fakes
    assert f.optimum.formula == "D* = (0.9·p_data + 0.2·p_g)/(p_data + p_g)"


def test_frame_d_star_under_hinge_and_wgan_gp():
    f = figure1_frame(Trainer(lab_config(loss="hinge", real_label=0.9)))
    lively = np.isfinite(f.d_star)
    sign = np.sign(f.p_data - f.p_g)[lively]  # the hinge optimum ±1, drawn through σ as D is
    assert f.d_star[lively] == pytest.approx(1 / (1 + np.exp(-sign)), abs=1e-12)
    assert "0.9" not in f.optimum.formula
    f = figure1_frame(Trainer(lab_config(loss="wgan_gp")))
    assert f.d_star is None and not f.optimum.exists and math.isnan(f.value_d_star)


def test_frame_d_star_with_an_ema_is_for_the_trained_g():
    """D trains against the trained G: with an average of G's weights, D* comes from the trained G's
    samples (the same z), while p_g drawn is the average's."""
    trainer = Trainer(lab_config(ema_decay=0.999))
    trainer.train(150)
    f = figure1_frame(trainer)
    faced = trainer.sample(2000, generator=torch.Generator().manual_seed(trainer.config.seed + 3), average=False)
    q = T.kde_binned(faced.numpy().ravel(), f.x, T.kde_bandwidth(faced.numpy().ravel()))
    mass = f.p_data + q
    lively = mass >= 1e-3 * mass.max()
    assert f.averaged and f.d_star[lively] == pytest.approx(f.p_data[lively] / mass[lively], abs=1e-12)
    shown = f.p_data / (f.p_data + f.p_g)  # what it was: D* for the average's p_g
    assert np.nanmax(np.abs(shown - f.d_star)) > 0.05  # the two G's differ enough to tell apart


def test_z_quantiles():
    assert z_quantiles("uniform", 4) == pytest.approx([-0.75, -0.25, 0.25, 0.75])
    z = z_quantiles("gaussian", 5)
    assert z == pytest.approx(norm.ppf([0.1, 0.3, 0.5, 0.7, 0.9]))
    assert z[2] == 0.0 and z[0] == pytest.approx(-1.2815515655446004)


def test_estimate_trace_restarts_after_a_reset(trained):
    f = figure1_frame(trained)
    trace = EstimateTrace()
    trace.add(f)
    trace.add(f)  # the same iteration twice keeps one row
    assert list(trace.columns()["iteration"]) == [f.iteration]
    fresh = figure1_frame(Trainer(lab_config("bimodal_1d", seed=3)))  # iteration 0 < 60: a reset
    trace.add(fresh)
    cols = trace.columns()
    assert list(cols["iteration"]) == [0]
    assert cols["jsd"][0] == pytest.approx(fresh.jsd)


def test_lab_config_refuses_a_2d_target():
    with pytest.raises(ValueError, match="1D target"):
        lab_config("ring8")
    assert lab_config("trimodal_1d").z_dim == 1


# ---- all of G's mass counts, however far G has wandered (issue 12 item 3) ----------------------

def _independent_terms(trainer, samples: np.ndarray):
    """(∫ p_data log D, ∫ p_g log(1 − D), with p_g the Scott-bandwidth kernel density of `samples`):
    the real term by scipy's Simpson rule on a fine grid around each mode, the fake term as the mean over
    samples of E_{x ~ N(s, h²)} log(1 − D(x)) by 40-point Gauss–Hermite; log σ from D's logit."""
    from scipy.integrate import simpson
    from scipy.special import log_expit

    def logit(x):
        return trainer.d_output(torch.as_tensor(np.atleast_1d(x), dtype=torch.float32)[:, None]).double().numpy()

    target = trainer.target
    real = 0.0
    for w, c in zip(target.weights, np.asarray(target.centers).ravel()):
        sd = target.sigma
        # a fixed 4001-point Simpson rule per mode (D is float32, too rough for adaptive quad's tolerances)
        xs = np.linspace(c - 12 * sd, c + 12 * sd, 4001)
        real += w * simpson(norm.pdf(xs, c, sd) * log_expit(logit(xs)), x=xs)
    h = max(1.06 * samples.std() * samples.size ** (-0.2), 1e-2)
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)  # ∫ f(t) e^(−t²/2) dt
    points = samples[:, None] + h * nodes[None, :]  # (n, 40)
    fake = float((log_expit(-logit(points.ravel())).reshape(points.shape) @ weights).mean() / math.sqrt(2 * math.pi))
    return real, fake


@pytest.mark.parametrize("shift", [30.0, 1e4])
def test_frame_counts_g_mass_far_outside_the_target_window(shift):
    t = Trainer(lab_config())
    with torch.no_grad():
        t.generator.head[0].bias += shift  # every sample lands ~shift away from N(1, 0.5²)
    f = figure1_frame(t)
    samples = t.sample(2000, generator=torch.Generator().manual_seed(t.config.seed + 3)).numpy().ravel().astype(float)
    assert samples.min() > 20  # disjoint supports: JSD = log 2 and C(G) = 0 exactly
    assert f.jsd == pytest.approx(math.log(2), abs=1e-5)
    assert f.c_of_g == pytest.approx(0.0, abs=2e-5)
    assert f.g_mass == pytest.approx(1.0, abs=1e-5)
    real, fake = _independent_terms(t, samples)
    assert f.value_real == pytest.approx(real, abs=1e-6)
    assert f.value_fake == pytest.approx(fake, rel=1e-4, abs=1e-5)
    assert f.grid_points <= 40001


def test_estimate_grids_hold_all_of_both_densities():
    """A sample set spread over 15,000 units (a collapsed clump, stragglers far on both sides):
    the exact kernel density and the target density each integrate to 1 over the pieces."""
    from gan_core.lab1d import data_spans, estimate_grids
    from gan_core.distributions import make_target

    target = make_target("trimodal_1d")
    rng = np.random.default_rng(0)
    outliers = [30.0, 31.0, -5e3, 1e4, 1e4 + 0.5, 7.0, -2.9, 3.2, 55.0, 400.0]
    samples = np.concatenate([rng.normal(0.0, 0.01, 1990), outliers])
    h = 0.05
    grids = estimate_grids(samples, h, data_spans(target))
    for a, b in zip(grids, grids[1:]):
        assert a[-1] < b[0]  # disjoint pieces
    assert 801 <= sum(g.size for g in grids) <= 40001 and all(g.size % 2 == 1 for g in grids)
    g_mass = sum(T.integrate(T.kde(samples, g, h), g) for g in grids)
    data_mass = sum(T.integrate(target.density(g[:, None]), g) for g in grids)
    assert g_mass == pytest.approx(1.0, abs=1e-6)
    assert data_mass == pytest.approx(1.0, abs=1e-9)


# ---- what the estimate curves are called (issue 12 item 7) --------------------------------------

@pytest.mark.parametrize("alpha, beta", [(1.0, 0.0), (0.9, 0.0), (0.9, 0.2)])
def test_value_at_the_drawn_d_star_and_its_name(alpha, beta):
    t = Trainer(lab_config("bimodal_1d", seed=3, real_label=alpha, fake_label=beta))
    t.train(20)
    f = figure1_frame(t)
    samples = t.sample(2000, generator=torch.Generator().manual_seed(t.config.seed + 3)).numpy().ravel().astype(float)
    x = np.linspace(min(samples.min() - 3, -8.5), max(samples.max() + 3, 8.5), 40001)
    p, q = t.target.density(x[:, None]), T.kde(samples, x)  # exact kernel sum on a finer grid
    d_star = (alpha * p + beta * q) / (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):  # V at the drawn D*, by its definition;
        fake = np.where(d_star < 1, q * np.log1p(-d_star), 0.0)  # where 1 − D* rounds to 0, q ≈ 0 too
        real = np.where(p > 0, p * np.log(d_star), 0.0)
    own = T.integrate(real + fake, x)
    assert f.value_d_star == pytest.approx(own, abs=2e-3)
    names = estimate_labels(f.optimum)
    if (alpha, beta) == (1, 0):
        assert f.value_d_star == pytest.approx(f.c_of_g, abs=1e-6)  # V(D*, G) = C(G) only when α = 1
        assert names["c_of_g"].endswith("= V(D*, G)")
    else:
        assert f.c_of_g - f.value_d_star > 5e-3  # they differ, so C(G)'s name must not claim V(D*, G)
        assert "V(D*, G)" not in names["c_of_g"] and "α = 0.9" in names["value_d_star"]
        assert ("β = 0.2" in names["value_d_star"]) == (beta == 0.2)


@pytest.mark.parametrize("loss", ["minimax", "nonsaturating", "least_squares", "wgan_gp", "hinge"])
def test_far_g_is_counted_under_every_loss(loss):
    t = Trainer(lab_config(loss=loss))
    with torch.no_grad():
        t.generator.head[0].bias += 30.0
    f = figure1_frame(t)
    assert f.jsd == pytest.approx(math.log(2), abs=1e-5) and f.g_mass == pytest.approx(1.0, abs=1e-5)
    assert math.isfinite(f.value)
    if loss != "least_squares":  # D = σ(raw output): V's terms by the independent computation
        generator = torch.Generator().manual_seed(t.config.seed + 3)
        samples = t.sample(2000, generator=generator).numpy().ravel().astype(float)
        real, fake = _independent_terms(t, samples)
        assert (f.value_real, f.value_fake) == pytest.approx((real, fake), rel=1e-4, abs=1e-5)
