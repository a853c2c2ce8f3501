"""VEEGAN / PacGAN mode metrics on constructed samples, and KL / JS against scipy."""

import math

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy

from gan_core.distributions import TARGETS
from gan_core.metrics import grid_divergences, js_divergence, kl_divergence, mode_metrics, target_mode_metrics

RING = TARGETS["ring8"]
HQ_GAUSSIAN_2D = 1 - math.exp(-9 / 2)  # P(|x - mu| <= 3 sigma) for a 2D Gaussian: 0.98889


def test_perfect_ring_samples_capture_all_modes_with_989_percent_hq():
    samples = RING.sample(2500, torch.Generator().manual_seed(0)).numpy()
    m = target_mode_metrics(samples, RING)
    assert (m.modes_captured, m.n_modes) == (8, 8)
    # HQ is a binomial fraction of 2500 draws with p = 0.98889: standard error
    # sqrt(p (1 - p) / 2500) = 0.0021; 0.01 is almost 5 standard errors either side.
    assert m.hq_fraction == pytest.approx(HQ_GAUSSIAN_2D, abs=0.01)
    assert HQ_GAUSSIAN_2D == pytest.approx(0.98889, abs=1e-5)
    assert m.mode_counts.sum() == round(m.hq_fraction * 2500)
    assert m.kl == pytest.approx(kl_divergence(m.mode_counts, RING.weights), abs=1e-12)
    assert m.kl < 0.02  # a multinomial histogram of ~2470 draws is close to uniform


def test_samples_on_one_centre_capture_one_mode():
    samples = np.repeat(RING.centers[3:4], 2500, axis=0)
    m = target_mode_metrics(samples, RING)
    assert m.modes_captured == 1
    assert m.hq_fraction == pytest.approx(1.0, abs=0)
    assert m.mode_counts.tolist() == [0, 0, 0, 2500, 0, 0, 0, 0]
    assert m.kl == pytest.approx(math.log(8), abs=1e-6)  # KL(delta || uniform over 8) = log 8
    # JS(delta, uniform8) by hand: m = (9/16 at the mode, 1/16 elsewhere)
    js = 0.5 * math.log(1 / (9 / 16)) + 0.5 * (1 / 8 * math.log((1 / 8) / (9 / 16))
                                              + 7 / 8 * math.log((1 / 8) / (1 / 16)))
    assert m.js == pytest.approx(js, abs=1e-9)


def test_uniform_noise_over_the_square_has_the_hand_computed_low_hq():
    (lo, hi), _ = RING.bounds  # [-3, 3]^2: area 36
    n = 200_000
    rng = np.random.default_rng(0)
    samples = rng.uniform(lo, hi, size=(n, 2))
    m = target_mode_metrics(samples, RING)
    # 8 discs of radius 3 sigma = 0.06 inside the square: 8 pi 0.06^2 / 36 = 0.002513
    expected = 8 * math.pi * (3 * RING.sigma) ** 2 / (hi - lo) ** 2
    assert expected == pytest.approx(0.002513, abs=1e-6)
    # binomial standard error sqrt(p (1 - p) / n) = 1.1e-4; allow 5 of them
    assert m.hq_fraction == pytest.approx(expected, abs=5.6e-4)
    assert m.modes_captured == 8  # ~60 hits per disc: every mode is touched by chance


def test_no_hq_sample_gives_maximal_divergence_and_nonfinite_rows_count_as_misses():
    samples = np.array([[10.0, 10.0], [np.nan, 0.0], [np.inf, 1.0], RING.centers[0]])
    m = mode_metrics(samples, RING.centers, RING.sigma)
    assert (m.modes_captured, m.hq_fraction) == (1, pytest.approx(0.25))
    empty = mode_metrics(np.array([[10.0, 10.0]]), RING.centers, RING.sigma)
    assert empty.modes_captured == 0 and empty.kl == math.inf and empty.js == pytest.approx(math.log(2))


def test_1d_mode_metrics_accept_flat_samples():
    t = TARGETS["bimodal_1d"]
    m = target_mode_metrics(np.array([-2.0, -2.1, 2.0, 5.0]), t)
    assert (m.modes_captured, m.mode_counts.tolist()) == (2, [2, 1])
    assert m.hq_fraction == pytest.approx(0.75)


def test_kl_and_js_match_scipy():
    p = np.array([0.1, 0.4, 0.5])
    q = np.array([0.3, 0.3, 0.4])
    assert kl_divergence(p, q) == pytest.approx(entropy(p, q), abs=1e-8)
    assert js_divergence(p, q) == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-10)
    assert js_divergence([1, 0], [0, 1]) == pytest.approx(math.log(2), abs=1e-12)
    assert js_divergence([3, 1], [6, 2]) == pytest.approx(0.0, abs=1e-12)  # counts are normalised


def test_grid_divergences_by_hand():
    bounds = ((0.0, 2.0), (0.0, 2.0))
    real = np.array([[0.5, 0.5]] * 3 + [[1.5, 1.5]])  # bins: 3/4 in one cell, 1/4 in another
    fake = np.array([[0.5, 0.5], [1.5, 1.5]])  # 1/2, 1/2
    out = grid_divergences(fake, real, bounds, bins=2)
    kl = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert out["kl"] == pytest.approx(kl, abs=1e-8)
    assert out["js"] == pytest.approx(jensenshannon([0.75, 0.25], [0.5, 0.5]) ** 2, abs=1e-10)
    same = grid_divergences(real, real, bounds, bins=2)
    assert (same["kl"], same["js"]) == pytest.approx((0.0, 0.0), abs=1e-9)
    far = grid_divergences(np.array([[50.0, 50.0]]), np.array([[1.9, 1.9]]), bounds, bins=2)
    assert far["kl"] == pytest.approx(0.0, abs=1e-9)  # outside the window: clipped into the edge bin
