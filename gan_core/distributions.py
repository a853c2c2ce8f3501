"""Toy target distributions (1D and 2D) with seeded sampling, mode centres and exact densities.

Every target samples with a caller-given `torch.Generator`, so a seeded trainer replays the same
data. Mixtures know their mode centres, spread and exact density, which the theory views need for
the optimal discriminator D* = p_data / (p_data + p_g) and the Jensen-Shannon divergence.
Moons, circles and the spiral follow scikit-learn's definitions (make_moons, make_circles,
make_swiss_roll) but are written in torch so they draw from the same seeded generator.
"""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Target(abc.ABC):
    """A distribution to learn. `centers`/`sigma`/`weights` are None where it has no modes."""

    name: str
    dim: int
    description: str
    bounds: tuple  # ((lo, hi),) per dimension: the plotting window
    centers: np.ndarray | None = None  # (K, dim) mode centres
    sigma: float | None = None  # standard deviation of every mode (isotropic)
    weights: np.ndarray | None = None  # (K,) mode probabilities, summing to 1

    @property
    def has_modes(self) -> bool:
        return self.centers is not None

    @property
    def has_density(self) -> bool:
        return self.centers is not None

    @abc.abstractmethod
    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """(n, dim) float32 samples of the target."""

    def density(self, x: np.ndarray) -> np.ndarray:
        """Exact density at points x of shape (N, dim); mixtures only."""
        raise ValueError(f"target {self.name!r} has no closed-form density")


@dataclass(frozen=True)
class GaussianMixture(Target):
    """Equal-variance isotropic Gaussian mixture: sum_k w_k N(x; mu_k, sigma^2 I)."""

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        weights = torch.as_tensor(self.weights, dtype=torch.float64)
        idx = torch.multinomial(weights, n, replacement=True, generator=generator)  # (n,)
        centers = torch.as_tensor(self.centers, dtype=torch.float32)  # (K, dim)
        noise = torch.randn(n, self.dim, generator=generator)  # (n, dim)
        return centers[idx] + self.sigma * noise

    def density(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, self.dim)  # (N, dim)
        sq = ((x[:, None, :] - self.centers[None, :, :]) ** 2).sum(-1)  # (N, K)
        norm = (2 * math.pi * self.sigma**2) ** (self.dim / 2)
        return (np.exp(-sq / (2 * self.sigma**2)) / norm) @ self.weights  # (N,)


def gaussian_mixture(name, centers, sigma, description, weights=None, margin=None) -> GaussianMixture:
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim == 1:
        centers = centers[:, None]
    k, dim = centers.shape
    w = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, float) / np.sum(weights)
    margin = 4 * sigma + 0.5 if margin is None else margin
    bounds = tuple((float(centers[:, j].min() - margin), float(centers[:, j].max() + margin))
                   for j in range(dim))
    return GaussianMixture(name=name, dim=dim, description=description, bounds=bounds,
                           centers=centers, sigma=float(sigma), weights=w)


def ring(n_modes: int = 8, radius: float = 2.0, sigma: float = 0.02, name: str = "ring8") -> GaussianMixture:
    """Modes at (cos 2pi k/n, sin 2pi k/n) * radius, angles with endpoint=False."""
    angles = np.linspace(0, 2 * np.pi, n_modes, endpoint=False)
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return gaussian_mixture(name, centers, sigma,
                            f"Ring of {n_modes} Gaussians, radius {radius}, sigma {sigma}",
                            margin=0.5 * radius)


def grid(side: int = 5, spacing: float = 2.0, sigma: float = 0.05, name: str = "grid25") -> GaussianMixture:
    """Modes at {-4, -2, 0, 2, 4}^2 for side 5 and spacing 2."""
    axis = (np.arange(side) - (side - 1) / 2) * spacing
    centers = np.array([(a, b) for a in axis for b in axis])
    return gaussian_mixture(name, centers, sigma,
                            f"Grid of {side * side} Gaussians, spacing {spacing}, sigma {sigma}",
                            margin=spacing / 2)


@dataclass(frozen=True)
class TwoMoons(Target):
    """scikit-learn's make_moons: two interleaving half circles plus Gaussian noise."""

    noise: float = 0.05

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        t = math.pi * torch.rand(n, generator=generator)  # (n,)
        upper = torch.rand(n, generator=generator) < 0.5  # (n,)
        x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
        y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
        pts = torch.stack([x, y], dim=1) - torch.tensor([0.5, 0.25])  # centre the pair at 0
        return pts + self.noise * torch.randn(n, 2, generator=generator)


@dataclass(frozen=True)
class ConcentricCircles(Target):
    """scikit-learn's make_circles: an outer unit circle and an inner one of radius `factor`."""

    factor: float = 0.5
    noise: float = 0.03

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        t = 2 * math.pi * torch.rand(n, generator=generator)
        r = torch.where(torch.rand(n, generator=generator) < 0.5, 1.0, self.factor)
        pts = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)
        return pts + self.noise * torch.randn(n, 2, generator=generator)


@dataclass(frozen=True)
class SwissRoll(Target):
    """scikit-learn's make_swiss_roll seen from above (its x and z), scaled into [-2, 2]."""

    noise: float = 0.04

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))  # (n,)
        pts = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 7.5  # |t| <= 4.5 pi
        return pts + self.noise * torch.randn(n, 2, generator=generator)


def custom_points(points, sigma: float = 0.05) -> GaussianMixture:
    """A mixture with one small Gaussian on each user-given (x, y) point."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0 or not np.isfinite(pts).all():
        raise ValueError("custom points must be a non-empty list of finite (x, y) pairs")
    return gaussian_mixture("custom", pts, sigma, f"Your {len(pts)} points, sigma {sigma}")


def _plain(cls, name, description, bounds, **kw) -> Target:
    return cls(name=name, dim=2, description=description, bounds=bounds, **kw)


TARGETS = {
    # 1D: the 2014 paper's Figure 1 and its multimodal cousins
    "gaussian_1d": gaussian_mixture("gaussian_1d", [1.0], 0.5, "One Gaussian N(1, 0.5^2)", margin=3.0),
    "bimodal_1d": gaussian_mixture("bimodal_1d", [-2.0, 2.0], 0.5, "Two Gaussians at -2 and 2, sigma 0.5"),
    "trimodal_1d": gaussian_mixture("trimodal_1d", [-3.0, 0.0, 3.0], 0.4,
                                    "Three Gaussians at -3, 0 and 3, sigma 0.4"),
    # 2D: the mode-collapse benchmarks of Unrolled GAN, VEEGAN and PacGAN, and the usual shapes
    "ring8": ring(),
    "grid25": grid(),
    "moons": _plain(TwoMoons, "moons", "Two moons (scikit-learn's make_moons, noise 0.05)",
                    ((-1.75, 1.75), (-1.25, 1.25))),
    "circles": _plain(ConcentricCircles, "circles", "Concentric circles, radii 1 and 0.5",
                      ((-1.5, 1.5), (-1.5, 1.5))),
    "swiss_roll": _plain(SwissRoll, "swiss_roll", "Swiss roll / spiral seen from above",
                         ((-2.0, 2.0), (-2.0, 2.0))),
    "custom": None,  # built from TrainConfig.custom_points by make_target()
}

TARGETS_1D = tuple(k for k, t in TARGETS.items() if t is not None and t.dim == 1)
TARGETS_2D = tuple(k for k, t in TARGETS.items() if t is None or t.dim == 2)


def make_target(name: str, custom=()) -> Target:
    """The toy target called `name`; "custom" builds one from the points in `custom`."""
    if name == "custom":
        return custom_points(custom)
    if name not in TARGETS:
        raise ValueError(f"unknown target {name!r}; choose from {', '.join(TARGETS)}")
    return TARGETS[name]
