"""Digit metrics on constructed inputs with known answers."""

import numpy as np
import pytest
import scipy.linalg

from gan_core.mnist_metrics import (digit_histogram, frechet_distance, gaussian_stats, kl_to_uniform,
                                    missing_digits, missing_digits_sentence)


def test_histogram_counts_each_digit():
    counts = digit_histogram([3, 3, 0, 9, 3, 0])
    np.testing.assert_array_equal(counts, [2, 0, 0, 3, 0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(digit_histogram([]), np.zeros(10))


def test_kl_of_one_hot_is_log_ten_and_of_uniform_is_zero():
    assert kl_to_uniform([0, 0, 0, 0, 7, 0, 0, 0, 0, 0]) == pytest.approx(np.log(10), abs=1e-12)
    assert kl_to_uniform(np.full(10, 13)) == pytest.approx(0.0, abs=1e-12)


def test_kl_of_two_equal_digits_is_log_five():
    # p = (1/2, 1/2, 0, ...): sum p log(10 p) = log 5
    assert kl_to_uniform([5, 0, 0, 0, 0, 0, 0, 0, 0, 5]) == pytest.approx(np.log(5), abs=1e-12)


def test_kl_matches_a_hand_computed_value():
    counts = np.array([2, 1, 1, 1, 1, 1, 1, 1, 1, 0], float)
    p = counts / counts.sum()
    expected = sum(pk * np.log(pk / 0.1) for pk in p if pk > 0)
    assert kl_to_uniform(counts) == pytest.approx(expected, abs=1e-12)
    assert kl_to_uniform(counts) == pytest.approx(0.2 * np.log(2) + 0.8 * np.log(1.0), abs=1e-12)


def test_missing_digits_and_their_sentence():
    counts = [5, 5, 5, 5, 0, 5, 5, 5, 5, 0]
    assert missing_digits(counts) == [4, 9]
    assert missing_digits_sentence(counts) == "The generator never draws 4 or 9."
    assert missing_digits_sentence([1, 0, 2, 0, 3, 0, 1, 1, 1, 1]) == "The generator never draws 1, 3 or 5."
    assert missing_digits_sentence(np.ones(10)) == "The generator draws all ten digits."
    assert "only 7" in missing_digits_sentence([0] * 7 + [4] + [0, 0])
    assert missing_digits([100, 1, 100, 100, 100, 100, 100, 100, 100, 100], min_fraction=0.01) == [1]


def test_frechet_closed_form_for_diagonal_gaussians():
    # Commuting covariances: d = |m1 - m2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2
    m1, m2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
    expected = 1 + 0 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + 0
    assert frechet_distance(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected, abs=1e-9)
    assert frechet_distance(m1, np.diag(a), m1, np.diag(a)) == pytest.approx(0.0, abs=1e-9)


def test_frechet_matches_scipy_sqrtm_for_full_covariances():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 6)), rng.normal(size=(6, 6))
    s1, s2 = a @ a.T + 0.1 * np.eye(6), b @ b.T + 0.1 * np.eye(6)
    m1, m2 = rng.normal(size=6), rng.normal(size=6)
    reference = np.sum((m1 - m2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)
    assert frechet_distance(m1, s1, m2, s2) == pytest.approx(reference, rel=1e-9)


def test_frechet_is_finite_and_zero_for_singular_equal_covariances():
    # Rank-1 covariance (fewer samples than dimensions): sqrtm struggles, the eigen route does not.
    v = np.arange(1.0, 5.0)
    s = np.outer(v, v)
    assert frechet_distance(np.zeros(4), s, np.zeros(4), s) == pytest.approx(0.0, abs=1e-6)


def test_gaussian_stats_match_numpy():
    x = np.random.default_rng(0).normal(size=(50, 3))
    mu, cov = gaussian_stats(x)
    np.testing.assert_allclose(mu, x.mean(0), atol=1e-12)
    np.testing.assert_allclose(cov, np.cov(x.T), atol=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        gaussian_stats(x[:1])


def test_frechet_of_sampled_gaussians_approaches_the_closed_form():
    rng = np.random.default_rng(1)
    x = rng.normal(loc=0.0, scale=1.0, size=(20000, 2))
    y = rng.normal(loc=[3.0, 0.0], scale=[2.0, 1.0], size=(20000, 2))
    d = frechet_distance(*gaussian_stats(x), *gaussian_stats(y))
    assert d == pytest.approx(9.0 + 1.0, abs=0.15)  # |dm|^2 = 9, (sqrt 4 - sqrt 1)^2 = 1
