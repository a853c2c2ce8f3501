"""The 2D lab's grid computations, checked against hand-computed values and independent code."""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from gan_core.config import TrainConfig
from gan_core.distributions import gaussian_mixture, make_target
from classroom.mode_timeline import ModeTimeline
from gan_core.toy_fields import (GRID_RES, PlaneScene, binned_kde, blurred_density, generator_loss_gradient, kde,
                                 manifold_z, plane_grid)
from gan_core.trainer import Trainer


def test_kde_equals_a_mixture_centred_on_the_samples():
    rng = np.random.default_rng(0)
    samples, points = rng.normal(size=(40, 2)), rng.normal(size=(30, 2)) * 2
    h = 0.3
    # independent implementation: the mixture density of distributions.py with sigma = h
    expected = gaussian_mixture("kde", samples, h, "kde").density(points)
    assert kde(samples, points, h) == pytest.approx(expected, rel=1e-9)
    # one sample at the origin, evaluated there: 1 / (2 pi h^2)
    assert kde(np.zeros((1, 2)), np.zeros((1, 2)), 0.5)[0] == pytest.approx(1 / (2 * math.pi * 0.25), rel=1e-12)


def test_kde_float32_path_matches_float64_and_ignores_nan():
    rng = np.random.default_rng(1)
    samples, points = rng.normal(size=(512, 2)), rng.normal(size=(400, 2))  # > 100k pairs: float32
    expected = gaussian_mixture("kde", samples, 0.2, "kde").density(points)
    got = kde(np.vstack([samples, [[np.nan, 0.0]]]), points, 0.2)
    assert got == pytest.approx(expected, rel=1e-4, abs=1e-7)
    assert kde(np.full((3, 2), np.nan), points[:2], 0.2) == pytest.approx([0.0, 0.0], abs=0)


@pytest.mark.parametrize("spread", ["wide", "eight_tight_modes"])
def test_binned_kde_agrees_with_the_exact_kde(spread):
    rng = np.random.default_rng(2)
    if spread == "wide":
        samples = rng.normal(size=(512, 2)) * 1.5
    else:
        samples = np.repeat(rng.normal(size=(8, 2)) * 2, 64, axis=0) + rng.normal(size=(512, 2)) * 0.02
    xs, ys = np.linspace(-3, 3, 41), np.linspace(-2, 4, 41)
    _, _, points = plane_grid(((-3, 3), (-2, 4)), 41)
    exact = kde(samples, points, 0.18).reshape(41, 41)
    binned = binned_kde(samples, xs, ys, 0.18)
    assert binned.shape == (41, 41)
    assert np.abs(binned - exact).max() == pytest.approx(0, abs=0.04 * exact.max())
    # mass just outside the window still counts (padding), as in the exact estimate
    edge = binned_kde(np.array([[3.1, 0.0]]), xs, ys, 0.18)
    row = np.argmin(abs(ys))
    exact = kde(np.array([[3.1, 0.0]]), np.array([[3.0, ys[row]]]), 0.18)[0]
    assert edge[row, -1] == pytest.approx(exact, rel=0.05)


def test_blurred_mixture_density_widens_sigma():
    ring = make_target("ring8")
    pts = ring.centers[:1]
    wide = blurred_density(ring, pts, 0.1, real=np.zeros((1, 2)))
    s2 = ring.sigma**2 + 0.1**2  # N(mu, sigma^2) convolved with N(0, h^2)
    # at a centre: its own mode dominates (the others are ~1.5 apart): 1/8 * 1/(2 pi s2)
    assert wide[0] == pytest.approx(1 / 8 / (2 * math.pi * s2), rel=1e-6)


class _Linear(torch.nn.Module):
    def __init__(self, w, b, pack=1):
        super().__init__()
        self.pack = pack
        self.lin = torch.nn.Linear(len(w), 1)
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([w], dtype=torch.float32))
            self.lin.bias.fill_(b)

    def forward(self, x):
        return self.lin(x.reshape(x.shape[0] // self.pack, -1)).squeeze(1)


@pytest.mark.parametrize("pack", [1, 2])
def test_gradient_field_of_a_linear_discriminator(pack):
    w = [0.5, -1.0] * pack
    d = _Linear(w, 0.2, pack)
    trainer = SimpleNamespace(discriminator=d, config=SimpleNamespace(loss="nonsaturating"), device=torch.device("cpu"))
    pts = np.array([[0.0, 0.0], [1.0, 2.0], [-3.0, 0.5]])
    got = generator_loss_gradient(trainer, pts)
    w_sum = np.array([0.5, -1.0]) * pack  # a pack of copies moves together
    logit = pts @ w_sum + 0.2
    # G minimises softplus(-l): -d/dx = sigmoid(-l) * dl/dx
    expected = (1 / (1 + np.exp(logit)))[:, None] * w_sum
    assert got == pytest.approx(expected, rel=1e-5)
    assert d.lin.weight.grad is None  # D's weights were not touched


def test_minimax_field_is_weaker_where_d_rejects():
    d = _Linear([1.0, 0.0], 0.0)
    trainer = SimpleNamespace(discriminator=d, config=SimpleNamespace(loss="minimax"), device=torch.device("cpu"))
    pts = np.array([[-5.0, 0.0], [0.0, 0.0]])
    got = generator_loss_gradient(trainer, pts)
    # G minimises -softplus(l): -d/dx = sigmoid(l) w: saturates (tiny) where D says fake (l = -5)
    assert got[:, 0] == pytest.approx([1 / (1 + math.exp(5)), 0.5], rel=1e-5)


def test_manifold_z_shapes_and_spans():
    assert manifold_z(1, "uniform", points=5)[0, :, 0] == pytest.approx([-1, -0.5, 0, 0.5, 1])
    grid = manifold_z(2, "gaussian", lines=3, points=4)
    assert grid.shape == (6, 4, 2)
    assert grid[0, :, 1] == pytest.approx([-2.5] * 4)  # first row line: z2 fixed at -2.5
    assert grid[3, :, 0] == pytest.approx([-2.5] * 4)  # first column line: z1 fixed
    assert manifold_z(3, "gaussian") is None


def test_frame_heat_layout_matches_d_at_grid_points():
    trainer = Trainer(TrainConfig(target="ring8", batch_size=32, seed=3))
    trainer.train(3)
    scene = PlaneScene(trainer.target)
    frame = scene.frame(trainer)
    xs, ys, _ = plane_grid(scene.bounds, GRID_RES)
    i, j = 5, 30  # row i is y = ys[i], column j is x = xs[j]
    p = trainer.d_probability(torch.tensor([[xs[j], ys[i]]], dtype=torch.float32)).item()
    assert frame.heat[i, j] == pytest.approx(p, abs=1e-6)
    assert frame.fakes == pytest.approx(trainer.fixed_samples(512).numpy())
    assert frame.manifold.shape == (22, 41, 2)
    assert np.nanmin(frame.d_star) >= 0 and np.nanmax(frame.d_star) <= 1


def test_mode_timeline_measures_every_n_and_forgets_after_rollback():
    ring = make_target("ring8")
    timeline = ModeTimeline(ring, every=10)
    on_modes = np.repeat(ring.centers, 5, axis=0)  # 40 samples, 5 exactly on each centre
    one_mode = np.repeat(ring.centers[:1], 40, axis=0)
    assert timeline.record(0, on_modes).modes_captured == 8
    assert not timeline.due(9) and timeline.due(10)
    p = timeline.record(10, one_mode)
    assert (p.modes_captured, p.hq_percent) == (1, pytest.approx(100.0))
    timeline.record(20, on_modes)
    assert timeline.due(15)  # went backwards: a rollback
    timeline.record(15, one_mode)
    cols = timeline.columns()
    assert cols["iteration"].tolist() == [0, 10, 15]
    assert cols["mode_counts"].shape == (8, 3) and cols["mode_counts"][:, 0].tolist() == [5] * 8
