"""Toy targets: the literature's geometry, exact densities (against scipy), seeded sampling."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from gan_core.distributions import TARGETS, TARGETS_1D, TARGETS_2D, make_target, ring


def test_ring_centres_use_endpoint_false_angles():
    t = TARGETS["ring8"]
    angles = 2 * math.pi * np.arange(8) / 8  # 0, 45, ..., 315 degrees: no duplicate at 360
    expected = 2.0 * np.stack([np.cos(angles), np.sin(angles)], 1)
    assert t.centers == pytest.approx(expected, abs=1e-12)
    assert len({tuple(np.round(c, 9)) for c in t.centers}) == 8
    assert (t.sigma, t.weights.sum()) == pytest.approx((0.02, 1.0))
    assert ring(radius=1.0, sigma=0.01).centers[2] == pytest.approx([0.0, 1.0], abs=1e-12)


def test_grid_centres_are_minus4_to_4_squared():
    t = TARGETS["grid25"]
    expected = {(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in np.round(t.centers).astype(int)} == expected
    assert t.centers == pytest.approx(np.round(t.centers), abs=1e-12)
    assert t.sigma == pytest.approx(0.05)


@pytest.mark.parametrize("name", TARGETS_1D)
def test_1d_densities_integrate_to_one_and_match_scipy(name):
    t = TARGETS[name]
    lo, hi = t.centers.min() - 10 * t.sigma, t.centers.max() + 10 * t.sigma
    points = sorted(t.centers[:, 0])
    total, _ = integrate.quad(lambda x: t.density(np.array([[x]]))[0], lo, hi, points=points, limit=200)
    assert total == pytest.approx(1.0, abs=1e-8)
    xs = np.linspace(lo, hi, 101)[:, None]
    ref = sum(w * stats.norm.pdf(xs[:, 0], c[0], t.sigma) for w, c in zip(t.weights, t.centers))
    assert t.density(xs) == pytest.approx(ref, rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_2d_densities_integrate_to_one_and_match_scipy(name):
    t = TARGETS[name]
    # Integrate each mode's 8-sigma box on a grid of step sigma/8: the midpoint rule is
    # exponentially accurate for a Gaussian, and the modes' boxes do not overlap.
    h = t.sigma / 8
    offsets = (np.arange(-64, 64) + 0.5) * h
    gx, gy = np.meshgrid(offsets, offsets)
    box = np.stack([gx.ravel(), gy.ravel()], 1)  # (128^2, 2)
    total = sum(t.density(c + box).sum() * h * h for c in t.centers)
    assert total == pytest.approx(1.0, abs=1e-6)
    pts = t.centers[:5] + np.array([[0.01, -0.02], [0.0, 0.0], [0.03, 0.01], [-0.05, 0.0], [0.2, 0.2]])
    ref = sum(w * stats.multivariate_normal(c, t.sigma**2 * np.eye(2)).pdf(pts)
              for w, c in zip(t.weights, t.centers))
    assert t.density(pts) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("name", [k for k, v in TARGETS.items() if v is not None])
def test_seeded_sampling_is_reproducible(name):
    t = TARGETS[name]
    a = t.sample(500, torch.Generator().manual_seed(7))
    b = t.sample(500, torch.Generator().manual_seed(7))
    c = t.sample(500, torch.Generator().manual_seed(8))
    assert a.shape == (500, t.dim) and a.dtype == torch.float32
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


def test_mixture_samples_have_the_right_spread_and_weights():
    t = TARGETS["ring8"]
    x = t.sample(40_000, torch.Generator().manual_seed(0)).double().numpy()
    idx = ((x[:, None, :] - t.centers[None]) ** 2).sum(-1).argmin(1)
    resid = x - t.centers[idx]
    # sample sd of 80,000 residual coordinates: standard error 0.02 / sqrt(160,000) = 5e-5
    assert resid.std() == pytest.approx(0.02, abs=5e-4)
    # each mode 1/8: binomial standard error sqrt(1/8 * 7/8 / 40,000) = 0.0017, allow 4 of them
    assert np.bincount(idx, minlength=8) / len(x) == pytest.approx(np.full(8, 1 / 8), abs=0.007)


def test_noiseless_moons_lie_on_their_half_circles():
    moons = TARGETS["moons"].__class__(name="m", dim=2, description="", bounds=(), noise=0.0)
    x = moons.sample(2000, torch.Generator().manual_seed(0)).double().numpy() + [0.5, 0.25]
    upper = np.hypot(x[:, 0], x[:, 1])  # make_moons: outer moon on the unit circle about (0, 0)
    lower = np.hypot(x[:, 0] - 1, x[:, 1] - 0.5)  # inner moon on the unit circle about (1, 0.5)
    on_one = np.minimum(np.abs(upper - 1), np.abs(lower - 1))
    assert on_one.max() == pytest.approx(0.0, abs=1e-5)


def test_custom_points_and_lists():
    t = make_target("custom", ((0.0, 0.0), (1.0, 2.0)))
    assert t.centers == pytest.approx(np.array([[0, 0], [1, 2]]))
    with pytest.raises(ValueError, match="finite"):
        make_target("custom", ((0.0, float("nan")),))
    with pytest.raises(ValueError, match="unknown target"):
        make_target("ring9")
    assert "ring8" in TARGETS_2D and "gaussian_1d" in TARGETS_1D and "ring8" not in TARGETS_1D
    with pytest.raises(ValueError, match="no closed-form density"):
        TARGETS["moons"].density(np.zeros((1, 2)))
