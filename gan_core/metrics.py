"""Sample-quality metrics for the toy targets, with the VEEGAN / PacGAN definitions.

A generated sample is *high quality* if it lies within 3 sigma of its nearest mode centre; a mode
is *captured* if it is the nearest centre of at least one high-quality sample. The per-mode
histogram counts high-quality samples per mode; KL and JS compare it with the target's mode
weights. For targets without modes (moons, circles, swiss roll), `knn_kl` estimates KL(p_real ||
p_gen) from nearest-neighbour distances, and `grid_js` gives JS on a grid (GAN Lab style); each
docstring states the score a perfect generator gets (its floor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

EPS = 1e-10
KNN_K = 5  # neighbours per point in knn_kl: k = 1 is noisier (floor within ±0.10 nats), 10 barely steadier
KNN_CELLS = 4_000_000  # distances held at a time (32 MB); rows per block = KNN_CELLS // points


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


def _kth_distance(x: torch.Tensor, points: torch.Tensor, k: int) -> torch.Tensor:
    """(N,) distance from each row of x to its k-th nearest row of `points` (k >= 1)."""
    out, rows = [], max(1, KNN_CELLS // max(len(points), 1))
    for i in range(0, len(x), rows):
        # direct differences, not the ||a||^2 - 2ab + ||b||^2 shortcut, which rounds near points to 0
        d = torch.cdist(x[i:i + rows], points, compute_mode="donot_use_mm_for_euclid_dist")
        out.append(d.topk(k, dim=1, largest=False).values[:, k - 1])
    return torch.cat(out)


def knn_kl(real, fake, k: int = KNN_K) -> float:
    """KL(p_real || p_gen) in nats from samples alone, by k-nearest-neighbour distances (Wang,
    Kulkarni and Verdú 2009, "Divergence estimation for multidimensional densities via k-nearest-
    neighbor distances"):

        KL ~ (d / n) sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1))

    for n real points in d dimensions and m generated ones: rho_k(i) is the distance from real
    point i to its k-th nearest other real point, nu_k(i) to its k-th nearest generated point.
    No grid, no constant for empty cells: a histogram KL on a 40 x 40 grid scored a perfect
    generator 0.45-0.68 nats, and its value moved with the constant that kept empty cells finite.

    Floor (what a perfect generator scores): a second independent sample of the target, 2,500
    points each, k = 5, five seeds per target, scored within ±0.03 nats of 0 (means -0.004 to
    0.006 on moons, circles and the swiss roll); being an estimate, it can dip just below 0. A
    generator collapsed onto one point scores about 7 nats, one onto half of the data about 2."""
    real = torch.as_tensor(np.asarray(real, np.float64).reshape(len(real), -1))
    fake = torch.as_tensor(np.asarray(fake, np.float64).reshape(len(fake), -1))
    real, fake = real[torch.isfinite(real).all(1)], fake[torch.isfinite(fake).all(1)]
    n, m, d = len(real), len(fake), real.shape[1]
    if n <= k or m < k:
        raise ValueError(f"knn_kl needs more than k = {k} real and at least k generated points; got {n} and {m}")
    rho = _kth_distance(real, real, k + 1)  # the nearest "other" real point: the first is the point itself
    nu = _kth_distance(real, fake, k)
    return float(d * torch.log(nu / rho).mean() + np.log(m / (n - 1)))


def grid_js(fake, real, bounds, bins: int = 40) -> float:
    """JS(p_real, p_fake) in nats between the two samples' histograms on a bins^dim grid over
    `bounds` (what GAN Lab plots); samples outside the window fall in the edge bins. Floor: two
    independent samples of 2,500 points of moons, circles or the swiss roll score 0.037-0.042
    (a histogram's sampling noise); the most it can be is log 2 = 0.693."""
    fake = np.asarray(fake, float).reshape(len(fake), -1)
    real = np.asarray(real, float).reshape(len(real), -1)
    dim = real.shape[1]
    edges = [np.linspace(lo, hi, bins + 1) for lo, hi in bounds[:dim]]
    clip = [(e[0], e[-1] - 1e-9) for e in edges]

    def hist(x):
        x = np.stack([np.clip(x[:, j], *clip[j]) for j in range(dim)], 1)
        h, _ = np.histogramdd(x[np.isfinite(x).all(1)], bins=edges)
        return h.ravel()

    return js_divergence(hist(real), hist(fake))
