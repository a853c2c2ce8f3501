"""Figure 1 of Goodfellow et al. (2014), computed from a live 1D trainer.

The paper's figure shows, on one x axis, the data density p_data (black, dotted), the generator's
density p_g (green), the discriminator D(x) (blue, dashed), and below it the z axis with lines
from z to x = G(z): where the lines bunch up, G squeezes noise and p_g is high. `figure1_frame`
computes all of it for the trainer's current G and D; p_data is exact (the target's mixture
density), p_g is a Gaussian kernel density of fresh generator samples, and D* is the pointwise
optimum for the loss and labels in use (gan_core.pointwise_optimum). On the same grid it
estimates V(D, G), JSD(p_data ‖ p_g) and C(G) = −log 4 + 2·JSD (gan_core.theory).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import norm

from gan_core import losses, theory
from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_1D
from gan_core.pointwise_optimum import OptimumRule, optimum_rule, pointwise_optimum
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
MIN_GRID, MAX_GRID = 801, 40001  # points of the estimate grid, all pieces together
POINTS_PER_WIDTH = 3  # grid points per kernel bandwidth (or per target σ, if narrower)
KERNEL_REACH = 7.0  # a sample's kernel mass beyond 7 bandwidths is 3e-12: nothing left to count
DATA_REACH = 8.0  # the target's mass beyond 8 σ of every mode is 1e-15


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
    # D* for the loss and labels in use, on D's drawn scale, for the G that D trains against (with a
    # weight average: the trained G, not the average p_g shows); NaN where neither density has
    # mass; None where the loss has no pointwise optimum (WGAN-GP)
    d_star: np.ndarray | None
    z: np.ndarray  # (n_lines,) z values of the mapping lines
    gz: np.ndarray  # (n_lines,) G(z)
    z_span: tuple  # drawn part of the z axis
    view: tuple  # x range worth drawing: the target's window widened to G's samples
    real_label: float
    value_real: float  # ∫ p_data log D
    value_fake: float  # ∫ p_g log(1 − D)
    jsd: float  # JSD(p_data ‖ p_g)
    grid_points: int  # size of the estimate grid the three numbers were integrated on
    g_mass: float = 1.0  # ∫ p_g over the estimate grid: how much of G's mass the numbers saw
    value_d_star: float = float("nan")  # V(D*, G) for the BCE D* with the labels in use (= C(G) at 1, 0)
    optimum: OptimumRule = optimum_rule("nonsaturating")  # what d_star is
    averaged: bool = False  # p_g and the mapping are the weight average's (config.ema_decay)

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
    # Estimates: even grids over every interval where p_data or p_g has mass, however far G's
    # samples lie from the target (nothing is cut off), with empty gaps between them skipped.
    h = theory.kde_bandwidth(samples)
    grids = estimate_grids(samples, h, data_spans(target))
    grid = np.concatenate(grids)
    n = grid.size
    x = np.linspace(view[0], view[1], PLOT_POINTS)
    both = np.concatenate([grid, x])
    p_data_both = target.density(both[:, None])
    p_g_both = theory.kde_binned(samples, both, h)
    out = trainer.d_output(torch.as_tensor(both, dtype=torch.float32)[:, None]).double().cpu().numpy()
    d_both = losses.probability(cfg.loss, torch.as_tensor(out)).numpy()
    pieces = np.cumsum([0] + [g.size for g in grids])
    real = fake = jsd = g_mass = value_d_star = 0.0
    for a, b in zip(pieces[:-1], pieces[1:]):  # each piece is its own Simpson integral
        part, xs = slice(a, b), grid[a:b]
        if cfg.loss == "least_squares":  # raw output read as a probability: clip into (0, 1)
            terms = theory.value_terms(np.clip(d_both[part], 1e-12, 1 - 1e-12), p_data_both[part], p_g_both[part], xs)
        else:  # log D and log(1 − D) from the logit: exact even where D rounds to 0 or 1
            terms = theory.value_terms_logit(out[part], p_data_both[part], p_g_both[part], xs)
        real, fake = real + terms[0], fake + terms[1]
        jsd += theory.jsd(p_data_both[part], p_g_both[part], xs)
        g_mass += theory.integrate(p_g_both[part], xs)
        value_d_star += theory.value_at_optimal_discriminator(p_data_both[part], p_g_both[part], xs,
                                                              cfg.real_label, cfg.fake_label)
    plot = slice(n, None)
    p_data, p_g = p_data_both[plot], p_g_both[plot]
    averaged = trainer.average is not None
    p_faced = p_g  # D* is for the G that D trains against: with a weight average, not the one drawn
    if averaged:
        faced = trainer.sample(n_samples, generator=torch.Generator().manual_seed(cfg.seed + 3), average=False)
        faced = faced.cpu().numpy().ravel()
        if np.isfinite(faced).all():
            p_faced = theory.kde_binned(faced, x, theory.kde_bandwidth(faced))
        else:
            p_faced = np.full_like(p_g, np.nan)
    optimum = pointwise_optimum(cfg.loss, p_data, p_faced, cfg.real_label, cfg.fake_label)
    bce = cfg.loss in ("minimax", "nonsaturating")  # V(D*, G) is the BCE value at the BCE D*
    z = z_quantiles(cfg.noise, n_lines)
    with trainer.looking_at(trainer.shown_generator()) as g:
        gz = g(torch.as_tensor(z, dtype=torch.float32)[:, None].to(trainer.device))
    return Figure1Frame(
        iteration=trainer.iteration, x=x, p_data=p_data, p_g=p_g, d=d_both[plot],
        d_star=optimum.drawn,
        z=z, gz=gz.cpu().numpy().ravel(), z_span=z_range(cfg.noise), view=view,
        real_label=cfg.real_label, value_real=real, value_fake=fake, jsd=jsd, grid_points=n,
        g_mass=g_mass, value_d_star=value_d_star if bce else float("nan"), optimum=optimum.rule,
        averaged=averaged)


def data_spans(target) -> list[tuple[float, float, float]]:
    """(lo, hi, σ) intervals holding all of the target's mass: DATA_REACH σ around every mode of a
    Gaussian mixture, else its drawing window."""
    (lo, hi), = target.bounds
    centers, sigma = getattr(target, "centers", None), getattr(target, "sigma", None)
    spans = [(lo, hi, sigma or (hi - lo) / 100)]
    if centers is not None and sigma:
        spans += [(float(c) - DATA_REACH * sigma, float(c) + DATA_REACH * sigma, sigma)
                  for c in np.asarray(centers, float).ravel()]
    return spans


def estimate_grids(samples: np.ndarray, bandwidth: float, spans: list) -> list[np.ndarray]:
    """Even grids (odd sizes, for Simpson's rule) over the disjoint intervals where the density
    estimates live: every sample ± KERNEL_REACH bandwidths and every data span, overlapping
    intervals merged. The gaps between them hold neither density, so integrals over the pieces
    add up to integrals over the whole line, wherever G has put its samples. Spacing: bandwidth /
    POINTS_PER_WIDTH (finer near a narrower target mode); MIN_GRID..MAX_GRID points in all."""
    s = np.sort(np.asarray(samples, float).ravel())
    reach = KERNEL_REACH * bandwidth
    starts = np.concatenate([s - reach, [a for a, _, _ in spans]])
    ends = np.concatenate([s + reach, [b for _, b, _ in spans]])
    order = np.argsort(starts)
    starts, ends = starts[order], np.maximum.accumulate(ends[order])  # furthest reach so far
    first = np.r_[True, starts[1:] > ends[:-1]]  # an interval that no earlier one reaches opens a piece
    last = np.r_[first[1:], True]
    merged = list(zip(starts[first].tolist(), ends[last].tolist()))
    total = sum(b - a for a, b in merged)
    narrowest = min([bandwidth] + [sd for _, _, sd in spans])
    count = np.clip(POINTS_PER_WIDTH * total / narrowest, MIN_GRID, MAX_GRID)
    spacing = total / count
    return [np.linspace(a, b, max(int(np.ceil((b - a) / spacing)), 8) | 1) for a, b in merged]


def paper_d_star(rule: OptimumRule) -> bool:
    """True when the drawn D* is the 2014 paper's p_data/(p_data + p_g): BCE with labels 1 and 0."""
    return rule.loss in ("minimax", "nonsaturating") and (rule.real_label, rule.fake_label) == (1.0, 0.0)


def estimate_labels(rule: OptimumRule) -> dict[str, str]:
    """Legend names of the estimate curves that say what each one is. −log 4 + 2·JSD is C(G) =
    V(D*, G) for the paper's D* only; with other labels the drawn BCE D* is (α p + β q)/(p + q)
    and its V is the separate value_d_star curve, so the C(G) name must not claim to be it."""
    a, b = rule.real_label, rule.fake_label
    star = f" (the drawn D* at α = {a:g}" + (f", β = {b:g})" if b else ")")
    return {"value": "V(D, G)",
            "c_of_g": "C(G) = −log 4 + 2·JSD = V(D*, G)" if paper_d_star(rule)
            else "C(G) = −log 4 + 2·JSD (the paper's D*, labels 1 and 0)",
            "value_d_star": f"V(D*, G){star}",
            "jsd": "JSD(p_data ‖ p_g)"}


class EstimateTrace:
    """V, JSD and −log 4 + 2·JSD at the iterations a view looked at the run (bounded).

    A frame from an earlier iteration than the last one means the run was reset or rolled
    back: the trace starts again, so the curve never mixes two runs."""

    FIELDS = ("iteration", "value", "jsd", "c_of_g", "value_d_star")

    def __init__(self, maxlen: int = 2000):
        self.rows: deque[tuple] = deque(maxlen=maxlen)

    def add(self, frame: Figure1Frame) -> None:
        if self.rows and frame.iteration < self.rows[-1][0]:
            self.rows.clear()
        if self.rows and frame.iteration == self.rows[-1][0]:
            self.rows.pop()  # same iteration seen again (a D step): keep the newest numbers
        self.rows.append((frame.iteration, frame.value, frame.jsd, frame.c_of_g, frame.value_d_star))

    def columns(self) -> dict[str, np.ndarray]:
        """{field: array}, the shape ui.canvas.charts.history_panel reads."""
        data = np.array(self.rows, dtype=float).reshape(-1, len(self.FIELDS))
        return {f: data[:, i] for i, f in enumerate(self.FIELDS)}
