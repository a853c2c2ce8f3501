"""Sample-quality metrics for the toy targets, with the VEEGAN / PacGAN definitions.

A generated sample is *high quality* if it lies within 3 sigma of its nearest mode centre; a mode
is *captured* if it is the nearest centre of at least one high-quality sample. The per-mode
histogram counts high-quality samples per mode; KL and JS compare it with the target's mode
weights. For targets without modes, `grid_divergences` estimates KL/JS on a grid (GAN Lab style).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-10


@dataclass(frozen=True)
class ModeMetrics:
    modes_captured: int
    n_modes: int
    hq_fraction: float  # fraction of samples within 3 sigma of their nearest centre
    mode_counts: np.ndarray  # (K,) high-quality samples per mode
    kl: float  # KL(mode histogram || target mode weights), nats
    js: float  # JS(mode histogram, target mode weights), nats

    def as_dict(self) -> dict:
        return {"modes_captured": self.modes_captured, "n_modes": self.n_modes,
                "hq_percent": 100.0 * self.hq_fraction, "kl": self.kl, "js": self.js,
                "mode_counts": self.mode_counts.tolist()}


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in nats over a discrete support; EPS keeps empty bins finite."""
    p = np.asarray(p, float) + EPS
    q = np.asarray(q, float) + EPS
    p, q = p / p.sum(), q / q.sum()
    return float(np.sum(p * np.log(p / q)))


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """JS(p, q) = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2; between 0 and log 2."""
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    p, q = p / max(p.sum(), EPS), q / max(q.sum(), EPS)
    m = (p + q) / 2
    return 0.5 * _kl_exact(p, m) + 0.5 * _kl_exact(q, m)


def _kl_exact(p: np.ndarray, q: np.ndarray) -> float:
    mask = p > 0  # 0 log 0 = 0; q > 0 wherever p > 0 because q is a mixture containing p
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def nearest_centres(samples: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of the nearest centre, distance to it) for each sample; samples (N, dim)."""
    sq = ((samples[:, None, :] - centers[None, :, :]) ** 2).sum(-1)  # (N, K)
    idx = sq.argmin(1)
    return idx, np.sqrt(sq[np.arange(len(samples)), idx])


def mode_metrics(samples, centers, sigma: float, weights=None) -> ModeMetrics:
    """Modes captured, high-quality fraction and mode histogram of `samples` (N, dim)."""
    samples = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    centers = np.asarray(centers, dtype=np.float64)
    k = len(centers)
    weights = np.full(k, 1.0 / k) if weights is None else np.asarray(weights, float)
    finite = np.isfinite(samples).all(1)
    idx, dist = nearest_centres(samples[finite], centers)
    hq = dist <= 3 * sigma
    counts = np.bincount(idx[hq], minlength=k)
    hq_fraction = float(hq.sum() / max(len(samples), 1))
    captured = int((counts > 0).sum())
    # With no high-quality sample the histogram is empty: the divergence is its maximum.
    kl = kl_divergence(counts, weights) if counts.sum() else float("inf")
    js = js_divergence(counts, weights) if counts.sum() else float(np.log(2))
    return ModeMetrics(captured, k, hq_fraction, counts, kl, js)


def target_mode_metrics(samples, target) -> ModeMetrics:
    return mode_metrics(samples, target.centers, target.sigma, target.weights)


def grid_divergences(fake, real, bounds, bins: int = 40) -> dict:
    """KL(p_real || p_fake) and JS of the two samples' histograms on a bins^dim grid over
    `bounds` (what GAN Lab plots). Samples outside the window fall in the edge bins."""
    fake = np.asarray(fake, float).reshape(len(fake), -1)
    real = np.asarray(real, float).reshape(len(real), -1)
    dim = real.shape[1]
    edges = [np.linspace(lo, hi, bins + 1) for lo, hi in bounds[:dim]]
    clip = [(e[0], e[-1] - 1e-9) for e in edges]

    def hist(x):
        x = np.stack([np.clip(x[:, j], *clip[j]) for j in range(dim)], 1)
        h, _ = np.histogramdd(x[np.isfinite(x).all(1)], bins=edges)
        return h.ravel()

    p_real, p_fake = hist(real), hist(fake)
    return {"kl": kl_divergence(p_real, p_fake), "js": js_divergence(p_real, p_fake)}
