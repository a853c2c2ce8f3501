"""Figure 1 of Goodfellow et al. (2014), computed from a live 1D trainer.

The paper's figure shows, on one x axis, the data density p_data (black, dotted), the generator's
density p_g (green), the discriminator D(x) (blue, dashed), and below it the z axis with lines
from z to x = G(z): where the lines bunch up, G squeezes noise and p_g is high. `figure1_frame`
computes all of it for the trainer's current G and D; p_data is exact (the target's mixture
density), p_g is a Gaussian kernel density of fresh generator samples. On the same grid it
estimates V(D, G), JSD(p_data ‖ p_g) and C(G) = −log 4 + 2·JSD (gan_core.theory).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm

from gan_core import theory
from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_1D
from gan_core.trainer import Trainer

# Defaults chosen so the Gaussian target visibly converges in well under a minute on a shared
# 2-core CPU (bench/toy_1d.py measures it): z ~ U(−1, 1) as in the paper's figure, z_dim 1 so
# G is a curve z -> x, small MLPs, batch 128. init "default" (PyTorch's random biases) because
# Xavier with zero biases puts every ReLU kink of a 1D network at 0, so D and G start as
# two-piece lines; R1 γ = 1 (a knob) keeps D from overshooting, without it G's spread keeps
# swinging (JSD between 0.02 and 0.5 for thousands of iterations in bench runs).
LAB_DEFAULTS = dict(z_dim=1, noise="uniform", g_depth=2, g_width=32, d_depth=2, d_width=32,
                    init="default", batch_size=128, lr_d=1e-3, lr_g=1e-3, loss="nonsaturating",
                    r1_gamma=1.0, snapshot_every=500)

PLOT_POINTS = 801  # the drawn curves
MIN_GRID, MAX_GRID = 801, 40001  # the estimate grid: at least 3 points per kernel bandwidth
MAX_REACH = 25.0  # the estimate grid never extends more than this beyond the target's window


def lab_config(target: str = "gaussian_1d", **changes) -> TrainConfig:
    """The 1D lab's TrainConfig for one of gan_core.distributions.TARGETS_1D."""
    if target not in TARGETS_1D:
        raise ValueError(f"the 1D lab needs a 1D target ({', '.join(TARGETS_1D)}); got {target!r}")
    return TrainConfig(target=target, **LAB_DEFAULTS).replace(**changes)  # replace() knows label_smoothing


def z_quantiles(noise: str, n: int) -> np.ndarray:
    """n values of z at equally spaced quantiles of p_z: each line of the figure carries the same
    probability, so the density of line ends on the x axis is p_g."""
    q = (np.arange(n) + 0.5) / n
    return 2.0 * q - 1.0 if noise == "uniform" else norm.ppf(q)


def z_range(noise: str) -> tuple[float, float]:
    """The part of the z axis the figure draws: all of U(−1, 1), or ±3 standard deviations."""
    return (-1.0, 1.0) if noise == "uniform" else (-3.0, 3.0)


@dataclass(frozen=True)
class Figure1Frame:
    iteration: int
    x: np.ndarray  # (PLOT_POINTS,) even grid over `view` for the drawn curves
    p_data: np.ndarray  # exact target density on x
    p_g: np.ndarray  # kernel density of G's samples on x
    d: np.ndarray  # D(x), the trainer's discriminator as a probability
    d_star: np.ndarray  # α p_data / (p_data + p_g), α = real label in use
    z: np.ndarray  # (n_lines,) z values of the mapping lines
    gz: np.ndarray  # (n_lines,) G(z)
    z_span: tuple  # drawn part of the z axis
    view: tuple  # x range worth drawing: the target's window widened to G's samples
    real_label: float
    value_real: float  # ∫ p_data log D
    value_fake: float  # ∫ p_g log(1 − D)
    jsd: float  # JSD(p_data ‖ p_g)
    grid_points: int  # size of the estimate grid the three numbers were integrated on

    @property
    def value(self) -> float:
        """V(D, G) for the trainer's D."""
        return self.value_real + self.value_fake

    @property
    def c_of_g(self) -> float:
        """C(G) = −log 4 + 2·JSD = V(D*, G) with D* unsmoothed."""
        return theory.c_from_jsd(self.jsd)


@torch.no_grad()
def figure1_frame(trainer: Trainer, n_samples: int = 2000, n_lines: int = 48) -> Figure1Frame:
    """Everything Figure 1 draws, for the trainer's current networks (call it between steps)."""
    target, cfg = trainer.target, trainer.config
    if getattr(target, "dim", None) != 1 or cfg.z_dim != 1:
        raise ValueError("Figure 1 needs a 1D target and z_dim = 1")
    # the same z every frame (a stream of its own): a paused run redraws the same p_g, and the
    # curve moves only because G moved, never because of fresh sampling noise
    frame_rng = torch.Generator().manual_seed(cfg.seed + 3)
    samples = trainer.sample(n_samples, generator=frame_rng).cpu().numpy().ravel()  # (n_samples,)
    if not np.isfinite(samples).all():
        raise ValueError("the generator produced non-finite samples")
    (lo, hi), = target.bounds
    s_lo, s_hi = np.percentile(samples, [0.5, 99.5])
    view = (float(min(lo, s_lo)), float(max(hi, s_hi)))
    # Estimates: an even grid over (almost) all of G's mass, never running off to infinity, with
    # at least 3 points per kernel bandwidth so a narrow (collapsing) p_g is still integrated well.
    h = theory.kde_bandwidth(samples)
    g_lo, g_hi = max(samples.min() - 5 * h, lo - MAX_REACH), min(samples.max() + 5 * h, hi + MAX_REACH)
    e_lo, e_hi = min(lo, g_lo), max(hi, g_hi)
    n = int(np.clip(3 * (e_hi - e_lo) / h, MIN_GRID, MAX_GRID)) | 1  # odd for Simpson's rule
    grid = np.linspace(e_lo, e_hi, n)
    x = np.linspace(view[0], view[1], PLOT_POINTS)
    both = np.concatenate([grid, x])
    p_data_both = target.density(both[:, None])
    p_g_both = theory.kde_binned(samples, both, h)
    d_both = trainer.d_probability(torch.as_tensor(both, dtype=torch.float32)[:, None]).double().cpu().numpy()
    d_both = np.clip(d_both, 1e-12, 1 - 1e-12)  # float32 sigmoid can round to exactly 0 or 1
    est = slice(0, n)
    real, fake = theory.value_terms(d_both[est], p_data_both[est], p_g_both[est], grid)
    plot = slice(n, None)
    p_data, p_g = p_data_both[plot], p_g_both[plot]
    z = z_quantiles(cfg.noise, n_lines)
    gz = trainer.generator(torch.as_tensor(z, dtype=torch.float32)[:, None].to(trainer.device))
    return Figure1Frame(
        iteration=trainer.iteration, x=x, p_data=p_data, p_g=p_g, d=d_both[plot],
        d_star=theory.optimal_discriminator(p_data, p_g, cfg.real_label),
        z=z, gz=gz.cpu().numpy().ravel(), z_span=z_range(cfg.noise), view=view,
        real_label=cfg.real_label, value_real=real, value_fake=fake,
        jsd=theory.jsd(p_data_both[est], p_g_both[est], grid), grid_points=n)


class EstimateTrace:
    """V, JSD and −log 4 + 2·JSD at the iterations a view looked at the run (bounded).

    A frame from an earlier iteration than the last one means the run was reset or rolled
    back: the trace starts again, so the curve never mixes two runs."""

    FIELDS = ("iteration", "value", "jsd", "c_of_g")

    def __init__(self, maxlen: int = 2000):
        self.rows: deque[tuple] = deque(maxlen=maxlen)

    def add(self, frame: Figure1Frame) -> None:
        if self.rows and frame.iteration < self.rows[-1][0]:
            self.rows.clear()
        if self.rows and frame.iteration == self.rows[-1][0]:
            self.rows.pop()  # same iteration seen again (a D step): keep the newest numbers
        self.rows.append((frame.iteration, frame.value, frame.jsd, frame.c_of_g))

    def columns(self) -> dict[str, np.ndarray]:
        """{field: array}, the shape ui.plots.history_figure reads."""
        data = np.array(self.rows, dtype=float).reshape(-1, len(self.FIELDS))
        return {f: data[:, i] for i, f in enumerate(self.FIELDS)}
