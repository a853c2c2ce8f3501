"""What the 2D lab draws over the plane: D on a grid, G's gradient field, the generator manifold,
kernel density estimates and the optimal discriminator D* for the loss and labels in use
(gan_core.pointwise_optimum; for BCE with labels α, β: (α p_data + β p_g) / (p_data + p_g)).

`PlaneScene` holds what never changes during a run (the window, the grid, real samples and the
blurred target density); `scene.frame(trainer)` computes what does, touching the networks only
for a few milliseconds (callers hold the LiveRun lock for that) and doing the density arithmetic
in NumPy. No Streamlit here: the page, the tests and the throughput bench all call these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from gan_core import losses
from gan_core.distributions import GaussianMixture, Target
from gan_core.pointwise_optimum import OptimumRule, optimum_rule, pointwise_optimum

REAL_VIEW_SIZE = 600  # real samples drawn once per scene for the scatter
FAKE_VIEW_SIZE = 512  # fixed-noise fakes (the trainer keeps 512 fixed z)
TRAINED_VIEW_SIZE = 256  # with a weight average: the trained G's fakes drawn, the first of the same fixed z
ARROWS_AT_FAKES = 96  # fakes that get a gradient arrow (a prefix of the fixed ones)
GRID_RES = 41  # D heatmap, KDE and D* resolution per axis (plotly smooths the cells)
FIELD_RES = 15  # gradient-field arrows per axis
MANIFOLD_LINES = 11  # z grid lines per axis drawn through G
MANIFOLD_POINTS = 41  # points along each z line


def plane_grid(bounds, res: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Axis values xs (res,), ys (res,) and all grid points (res*res, 2), row-major over y
    (row i is y = ys[i]), which is the layout plotly's heatmap z[i][j] expects."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, res), np.linspace(y0, y1, res)
    gx, gy = np.meshgrid(xs, ys)  # (res, res) each, gx[i, j] = xs[j], gy[i, j] = ys[i]
    return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1)


def kde(samples: np.ndarray, points: np.ndarray, bandwidth: float) -> np.ndarray:
    """Gaussian kernel density estimate: mean_i N(x; s_i, h^2 I) at `points` (M, d) from
    `samples` (N, d), shape (M,). Non-finite samples are ignored; with none left it is 0."""
    samples = np.asarray(samples, np.float64)
    samples = samples[np.isfinite(samples).all(1)]
    points = np.asarray(points, np.float64)
    # float32 for the (M, N) kernel matrix: it is the costly part and a view needs no more
    dtype = np.float32 if len(points) * len(samples) > 100_000 else np.float64
    if len(samples) == 0:
        return np.zeros(len(points))
    d = points.shape[1]
    # |x - s|^2 = |x|^2 - 2 x.s + |s|^2 as one matrix product: (M, N) without a (M, N, d) array
    p, s = points.astype(dtype), samples.astype(dtype)
    # one coordinate at a time: (M, N) arrays and no BLAS call (a K=2 matmul is slower on a
    # busy machine than these element-wise passes)
    sq = np.zeros((len(p), len(s)), dtype=dtype)
    for j in range(d):
        sq += (p[:, j, None] - s[None, :, j]) ** 2
    kernel = np.exp(sq * dtype(-0.5 / bandwidth**2))
    return kernel.mean(1, dtype=np.float64) / (2 * math.pi * bandwidth**2) ** (d / 2)


def binned_kde(samples: np.ndarray, xs: np.ndarray, ys: np.ndarray, bandwidth: float,
               refine: int = 4) -> np.ndarray:
    """The Gaussian KDE of `samples` (N, 2) on the grid xs x ys, shape (len(ys), len(xs)), by
    binning onto a `refine` times finer padded grid and blurring it (scipy's gaussian_filter):
    a few ms instead of ~15 ms for 512 samples on 41 x 41, within ~3 % of kde()'s peak (binning
    adds step^2/12 to the kernel variance). The grid must be evenly spaced."""
    from scipy.ndimage import gaussian_filter  # scipy only where the lab needs it

    samples = np.asarray(samples, np.float64)
    samples = samples[np.isfinite(samples).all(1)]
    out = np.zeros((len(ys), len(xs)))
    if len(samples) == 0:
        return out
    dx, dy = (xs[1] - xs[0]) / refine, (ys[1] - ys[0]) / refine
    pad_x, pad_y = int(np.ceil(4 * bandwidth / dx)), int(np.ceil(4 * bandwidth / dy))
    # fine bin centres: every grid point is one of them; padding keeps mass from just outside
    fx = xs[0] + dx * np.arange(-pad_x, (len(xs) - 1) * refine + pad_x + 1)
    fy = ys[0] + dy * np.arange(-pad_y, (len(ys) - 1) * refine + pad_y + 1)
    edges_x = np.append(fx - dx / 2, fx[-1] + dx / 2)
    edges_y = np.append(fy - dy / 2, fy[-1] + dy / 2)
    hist, _, _ = np.histogram2d(samples[:, 1], samples[:, 0], bins=(edges_y, edges_x))  # rows = y
    blurred = gaussian_filter(hist, sigma=(bandwidth / dy, bandwidth / dx), mode="constant", truncate=4.0)
    density = blurred / (len(samples) * dx * dy)
    return density[pad_y::refine][:len(ys), pad_x::refine][:, :len(xs)]


def blurred_density(target: Target, points: np.ndarray, bandwidth: float, real: np.ndarray) -> np.ndarray:
    """p_data seen through the same Gaussian blur as the KDE of G's samples, so that D* is 1/2
    everywhere when G matches the target. Exact for mixtures (N(mu, sigma^2) blurred by h is
    N(mu, sigma^2 + h^2)); a KDE of real samples for shapes without a closed form."""
    if isinstance(target, GaussianMixture):
        wide = GaussianMixture(name=target.name, dim=target.dim, description=target.description,
                               bounds=target.bounds, centers=target.centers,
                               sigma=math.hypot(target.sigma, bandwidth), weights=target.weights)
        return wide.density(points)
    return kde(real, points, bandwidth)


def generator_loss_gradient(trainer, points: np.ndarray) -> np.ndarray:
    """-grad_x of G's loss through D at each point (N, 2): the direction D's gradient pushes a
    fake that sits at x (what G's update moves its outputs along). Per-point: the summed loss
    has, at each point, the gradient of that point's own loss (D judges points independently;
    with minibatch std the grid batch's spread enters D's verdict, as it does in training)."""
    d, loss = trainer.discriminator, trainer.config.loss
    x = torch.as_tensor(np.asarray(points), dtype=torch.float32, device=trainer.device)  # (N, 2)
    pack = getattr(d, "pack", 1)
    x = x.repeat_interleave(pack, dim=0).requires_grad_(True)  # (N * pack, 2): a pack of copies
    with torch.enable_grad():
        per_point = losses.generator_loss(loss, d(x)) * (x.shape[0] // pack)  # mean -> sum
        (grad,) = torch.autograd.grad(per_point, x)  # (N * pack, 2); D's weights untouched
    grad = grad.view(-1, pack, 2).sum(1)  # moving a point moves all its copies
    return (-grad).cpu().numpy()


def manifold_z(z_dim: int, noise: str, lines: int = MANIFOLD_LINES,
               points: int = MANIFOLD_POINTS) -> np.ndarray | None:
    """z values whose images draw G's manifold: (L, P, z_dim) polylines, or None above 2D.
    z_dim 1: one line across the prior; z_dim 2: `lines` rows and `lines` columns of a grid.
    The span covers the prior: U(-1, 1), or +-2.5 standard deviations for N(0, I)."""
    span = 1.0 if noise == "uniform" else 2.5
    t = np.linspace(-span, span, points)
    if z_dim == 1:
        return t[None, :, None]
    if z_dim != 2:
        return None
    levels = np.linspace(-span, span, lines)
    rows = np.stack([np.stack([t, np.full_like(t, v)], 1) for v in levels])  # z2 fixed per line
    cols = np.stack([np.stack([np.full_like(t, v), t], 1) for v in levels])  # z1 fixed per line
    return np.concatenate([rows, cols])


@dataclass
class PlaneFrame:
    """Everything one redraw of the 2D lab needs, as NumPy arrays."""

    iteration: int
    updates: int
    fakes: np.ndarray  # (F, 2) G(fixed z)
    heat: np.ndarray  # (GRID_RES, GRID_RES) D's probability on the grid
    field: np.ndarray  # (FIELD_RES**2, 2) -grad of G's loss on the field grid
    fake_arrows: np.ndarray  # (ARROWS_AT_FAKES, 2) the same at the first fakes
    manifold: np.ndarray | None  # (L, P, 2) G's image of the z grid lines, or None
    p_data: np.ndarray  # (GRID_RES, GRID_RES) blurred target density on the grid
    p_g: np.ndarray  # (GRID_RES, GRID_RES) KDE of the fakes on the same grid
    # (GRID_RES, GRID_RES) D* on D's drawn scale for the loss and labels in use and for the G that D
    # trains against (the trained G, also with a weight average); NaN where no density has mass;
    # None where the loss has no pointwise optimum (WGAN-GP)
    d_star: np.ndarray | None
    optimum: OptimumRule = optimum_rule("nonsaturating")  # what d_star is: formula, p_data = p_g level
    averaged: bool = False  # `fakes` (and the manifold) come from the average of G's weights (config.ema_decay)
    trained_fakes: np.ndarray | None = None  # (TRAINED_VIEW_SIZE, 2) the trained G on the same z, with an average


@dataclass(frozen=True)
class PlaneBackdrop:
    """What a page needs of a PlaneScene to draw its frames (a few kB, sent with each frame from
    where the run trains): the plane, the real samples, the field grid, how D* was estimated."""

    bounds: tuple
    real: np.ndarray  # (REAL_VIEW_SIZE, 2)
    field_points: np.ndarray  # (FIELD_RES**2, 2)
    exact_density: bool
    bandwidth: float


class PlaneScene:
    """The fixed parts of the 2D lab's views for one target."""

    def __init__(self, target: Target, seed: int = 0):
        self.target = target
        self.bounds = target.bounds
        span = max(hi - lo for lo, hi in self.bounds)
        # One blur for both densities: wide enough that 512 fakes give a smooth p_g, narrow
        # enough to keep the grid's modes (spacing 2) apart.
        self.bandwidth = 0.03 * span
        self.real = target.sample(REAL_VIEW_SIZE, torch.Generator().manual_seed(seed + 7)).numpy()
        self.xs, self.ys, self.grid_points = plane_grid(self.bounds, GRID_RES)
        self.field_xs, self.field_ys, self.field_points = plane_grid(self.bounds, FIELD_RES)
        density_real = target.sample(2000, torch.Generator().manual_seed(seed + 8)).numpy()
        self.p_data = blurred_density(target, self.grid_points, self.bandwidth, density_real)
        self.exact_density = target.has_density  # else p_data is itself a KDE of real samples
        self.backdrop = PlaneBackdrop(tuple(tuple(float(v) for v in b) for b in self.bounds),
                                      self.real.astype(np.float32), self.field_points.astype(np.float32),
                                      bool(self.exact_density), float(self.bandwidth))

    def network_part(self, trainer) -> dict:
        """The few milliseconds that need the networks (hold the LiveRun lock around this). With a
        weight average the fakes are the average's, and the trained G's come along for comparison."""
        fakes = trainer.fixed_samples(FAKE_VIEW_SIZE)  # (F, 2) by the G views show
        averaged = trainer.average is not None
        # D* is for the G that D is trained against: the trained G, not the average the views show
        faced = trainer.fixed_samples(FAKE_VIEW_SIZE, average=False).cpu().numpy() if averaged else None
        grid = torch.as_tensor(self.grid_points, dtype=torch.float32)  # (GRID_RES^2, 2)
        probs = trainer.d_probability(grid).cpu().numpy()  # (GRID_RES^2,)
        arrows_at = np.concatenate([self.field_points, fakes[:ARROWS_AT_FAKES].cpu().numpy()])
        grads = generator_loss_gradient(trainer, arrows_at)
        z_lines = manifold_z(trainer.config.z_dim, trainer.config.noise)
        manifold = None
        if z_lines is not None:
            z = torch.as_tensor(z_lines.reshape(-1, z_lines.shape[-1]), dtype=torch.float32)
            with trainer.looking_at(trainer.shown_generator()) as g:
                manifold = g(z.to(trainer.device)).cpu().numpy().reshape(*z_lines.shape[:2], 2)
        c = trainer.config
        return {"iteration": trainer.iteration, "updates": trainer.updates,
                "fakes": fakes.cpu().numpy(), "probs": probs, "grads": grads, "manifold": manifold,
                "optimum": optimum_rule(c.loss, c.real_label, c.fake_label), "averaged": averaged,
                "faced_fakes": faced}

    def frame(self, trainer, lock=None) -> PlaneFrame:
        """One redraw's data; `lock` (a context manager such as LiveRun.locked()) guards only the
        network part, so training waits for milliseconds, not for the density arithmetic."""
        if lock is None:
            return self.finish(self.network_part(trainer))
        with lock as locked_trainer:
            part = self.network_part(locked_trainer)
        return self.finish(part)

    def finish(self, part: dict) -> PlaneFrame:
        """The NumPy half of a frame, from network_part()'s output (no lock needed)."""
        n_field, shape = FIELD_RES**2, (GRID_RES, GRID_RES)
        grads = part["grads"]
        p_g = binned_kde(part["fakes"], self.xs, self.ys, self.bandwidth).ravel()
        faced = part.get("faced_fakes")
        p_faced = p_g if faced is None else binned_kde(faced, self.xs, self.ys, self.bandwidth).ravel()
        rule = part["optimum"]
        d_star = pointwise_optimum(rule.loss, self.p_data, p_faced, rule.real_label, rule.fake_label).drawn
        return PlaneFrame(
            iteration=part["iteration"], updates=part["updates"], fakes=part["fakes"],
            heat=part["probs"].reshape(shape), field=grads[:n_field], fake_arrows=grads[n_field:],
            manifold=part["manifold"], p_data=self.p_data.reshape(shape), p_g=p_g.reshape(shape),
            d_star=None if d_star is None else d_star.reshape(shape), optimum=rule,
            averaged=part.get("averaged", False),
            trained_fakes=None if faced is None else faced[:TRAINED_VIEW_SIZE])
