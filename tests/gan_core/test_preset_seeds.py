"""What bench/preset_seeds.py counts, checked against numbers computed here without it: the VEEGAN /
PacGAN scores of gan_core.metrics on samples whose answer is known in closed form, and the bench's
verdicts on hand-made checkpoint series. The presets' promises themselves are measured by the bench
(docs/BENCHMARKS.md, "Presets on untuned seeds"), not here."""

import math
import os
import sys

import numpy as np
import pytest
import torch

from gan_core.distributions import TARGETS
from gan_core.metrics import target_mode_metrics
from classroom.presets import TOY_PRESETS
from gan_core.trainer import Trainer
from page_support import ROOT

sys.path.insert(0, os.path.join(ROOT, "bench"))

import preset_seeds
from preset_seeds import Point, Promise, all_modes, at_most_modes, judge

# Within 3 sigma of the centre in 2D: the radius of an isotropic Gaussian is Rayleigh distributed,
# P(r <= 3 sigma) = 1 - exp(-9 / 2).
HQ_PERFECT = 1 - math.exp(-4.5)  # 0.98889


def _ring_by_hand(n: int, seed: int) -> np.ndarray:
    """n samples of the ring of 8 (radius 2, sigma 0.02), built here from its definition."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 8, n)
    angle = 2 * np.pi * k / 8
    centres = 2.0 * np.stack([np.cos(angle), np.sin(angle)], 1)
    return centres + 0.02 * rng.standard_normal((n, 2))


def test_ring_target_matches_its_definition():
    ring = TARGETS["ring8"]
    angle = 2 * np.pi * np.arange(8) / 8
    assert np.allclose(ring.centers, 2.0 * np.stack([np.cos(angle), np.sin(angle)], 1))
    assert ring.sigma == pytest.approx(0.02)


def test_a_perfect_ring_sample_captures_8_modes_with_the_closed_form_hq():
    n = 20_000
    m = target_mode_metrics(_ring_by_hand(n, seed=3), TARGETS["ring8"])
    assert m.modes_captured == 8 and m.n_modes == 8
    tolerance = 4 * math.sqrt(HQ_PERFECT * (1 - HQ_PERFECT) / n)  # 4 binomial standard errors
    assert HQ_PERFECT - tolerance <= m.hq_fraction <= HQ_PERFECT + tolerance
    # every mode gets its share of the high-quality samples (1/8 each, 4 standard errors)
    share = m.mode_counts / m.mode_counts.sum()
    assert np.all(np.abs(share - 1 / 8) <= 4 * math.sqrt(1 / 8 * 7 / 8 / m.mode_counts.sum()))


def test_every_sample_at_one_centre_is_one_mode_all_high_quality():
    grid = TARGETS["grid25"]
    samples = np.repeat(grid.centers[7:8], 2500, axis=0)
    m = target_mode_metrics(samples, grid)
    assert (m.modes_captured, m.hq_fraction) == (1, 1.0)
    assert m.mode_counts[7] == 2500 and m.mode_counts.sum() == 2500


def test_samples_just_inside_and_outside_3_sigma():
    ring = TARGETS["ring8"]
    inside = ring.centers + np.array([0.0, 2.99 * 0.02])  # one sample per mode, 2.99 sigma away
    outside = ring.centers * 0.5  # half way to the origin: far from every centre
    m = target_mode_metrics(np.concatenate([inside, outside]), ring)
    assert m.modes_captured == 8 and m.hq_fraction == pytest.approx(0.5)
    m_out = target_mode_metrics(ring.centers + np.array([0.0, 3.01 * 0.02]), ring)
    assert (m_out.modes_captured, m_out.hq_fraction) == (0, 0.0)


def test_the_bench_scores_the_generator_the_views_show():
    # ema_decay > 0: the bench's samples must be the weight average's, not the trained G's.
    preset = TOY_PRESETS["Ring of 8: best quality (EMA + learning-rate decay)"]
    trainer = Trainer(preset.config)
    trainer.train(30)
    z = trainer.noise(64, torch.Generator().manual_seed(1))
    with torch.no_grad():
        shown = trainer.average.net(z)
        trained = trainer.generator(z)
    drawn = trainer.sample(64, torch.Generator().manual_seed(1))
    assert torch.allclose(drawn, shown) and not torch.allclose(drawn, trained)


def _points(*modes_hq, every=250, n_modes=8):
    return [Point(every * (i + 1), m, n_modes, hq) for i, (m, hq) in enumerate(modes_hq)]


def test_stays_is_broken_at_the_first_check_that_fails():
    p = Promise("stays", "", at_most_modes(2), horizon=1000)
    assert judge(p, _points((1, .9), (2, .9), (1, .9), (2, .9))).passed
    v = judge(p, _points((1, .9), (3, .9), (1, .9), (2, .9)))
    assert (v.passed, v.broken) == (False, 500)
    # a break after the horizon does not count
    assert judge(p, _points((1, .9), (1, .9), (1, .9), (1, .9), (8, .9))).passed


def test_reaches_is_met_at_the_first_check_that_holds():
    p = Promise("reaches", "", all_modes(0.9), horizon=750)
    v = judge(p, _points((7, .95), (8, .89), (8, .91), (2, .1)))
    assert (v.passed, v.met, v.shown.iteration) == (True, 750, 750)
    assert not judge(p, _points((7, .95), (8, .89), (2, .1), (8, .99))).passed  # met only after 750


def test_holds_needs_the_hit_by_its_deadline_and_no_fall_after():
    p = Promise("holds", "", all_modes(0.95), horizon=1500, by=500, hold=all_modes(0.90))
    ok = judge(p, _points((8, .96), (8, .93), (8, .91), (8, .95), (8, .99), (8, .92)))
    assert (ok.passed, ok.met, ok.broken) == (True, 250, None)
    fell = judge(p, _points((5, .5), (8, .96), (8, .93), (1, .02), (8, .99), (8, .99)))
    assert (fell.passed, fell.met, fell.broken) == (False, 500, 1000)
    late = judge(p, _points((5, .5), (7, .9), (8, .96), (8, .99), (8, .99), (8, .99)))
    assert (late.passed, late.met) == (False, None)


def test_ends_reads_the_check_at_the_horizon():
    p = Promise("ends", "", preset_seeds.at_least_modes(22), horizon=500)
    assert judge(p, _points((10, .5), (23, .8), n_modes=25)).passed
    assert not judge(p, _points((24, .5), (21, .8), n_modes=25)).passed
    assert not judge(p, _points((24, .5), n_modes=25)).passed  # stopped before the horizon


def test_modes_and_hq_needs_both_at_the_same_check():
    grid = preset_seeds.modes_and_hq(23, 0.90)
    assert grid(Point(250, 23, 25, 0.90)) and grid(Point(250, 25, 25, 0.99))
    assert not grid(Point(250, 22, 25, 0.99)) and not grid(Point(250, 25, 25, 0.899))
    p = Promise("reaches", "", grid, horizon=750)
    # 25 modes at 80 % then 22 at 95 %: each half held once, never both at one check
    assert not judge(p, _points((25, .8), (22, .95), (24, .89), n_modes=25)).passed
    v = judge(p, _points((25, .8), (22, .95), (23, .91), n_modes=25))
    assert (v.passed, v.met) == (True, 750)


def test_every_2d_teaching_and_quality_preset_has_a_promise_to_check():
    toys = {n for n, p in TOY_PRESETS.items() if p.config.target in ("ring8", "grid25")}
    assert toys == set(preset_seeds.PROMISES)
