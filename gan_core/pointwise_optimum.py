"""D*: the discriminator's pointwise optimum for each loss and the labels it trains with.

If D could choose its output at every x on its own, the expected loss splits into one term per x,
weighted by p = p_data(x) and q = p_g(x); D* is the best output for that term. With real label a
and fake label b (config.real_label, config.fake_label):

  BCE (minimax, non-saturating)   max_D p[a log D + (1−a) log(1−D)] + q[b log D + (1−b) log(1−D)]
                                  D* = (a p + b q)/(p + q)   (2014 paper, Prop. 1: a = 1, b = 0)
  least squares (LSGAN targets)   min_D p (D − a)² + q (D − b)²     D* = (a p + b q)/(p + q)
  hinge (labels unused)           min_D p max(0, 1 − D) + q max(0, 1 + D): linear on [−1, 1],
                                  D* = +1 where p > q, −1 where p < q (any value in [−1, 1] at
                                  p = q: 0 is returned there)
  WGAN-GP (labels unused)         max_D p D − q D is unbounded at each x; only the gradient penalty,
                                  which ties neighbouring x together, bounds it. There is no
                                  pointwise optimum: the best critic is a 1-Lipschitz function.

Where neither density has mass every output is as good as any other: D* is undefined there (NaN),
and pictures draw it as "no data", never as a verdict of real or fake.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gan_core.config import LOSSES
from gan_core.inactive_settings import labels_apply
from gan_core.theory import optimal_discriminator

NO_MASS_FLOOR = 1e-3  # p_data + p_g below this share of its largest value on the grid: no mass


@dataclass(frozen=True)
class OptimumRule:
    """What D* is for one loss and its labels, before any density is known."""

    loss: str
    real_label: float  # the labels D trains with (kept for every loss; only BCE and LS read them)
    fake_label: float
    exists: bool  # False: no pointwise optimum (WGAN-GP)
    formula: str  # the drawn object in words, or the sentence saying there is none
    level: float | None  # D* (as drawn, see PointwiseOptimum.drawn) where p_data = p_g; None: no such line
    at_equilibrium: str  # D* when p_g = p_data everywhere, in words


def _label_formula(a: float, b: float) -> str:
    if b == 0:
        return "D* = p_data/(p_data + p_g)" if a == 1 else f"D* = {a:g}·p_data/(p_data + p_g)"
    return f"D* = ({a:g}·p_data + {b:g}·p_g)/(p_data + p_g)"


def optimum_rule(loss: str, real_label: float = 1.0, fake_label: float = 0.0) -> OptimumRule:
    """The rule behind D* for `loss` with the labels D trains with (ignored where the loss has none)."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    a, b = float(real_label), float(fake_label)
    if labels_apply(loss):  # BCE and least squares
        # where p = q, D* = (a + b)/2; with a = b D* is that constant everywhere and marks no boundary
        return OptimumRule(loss, a, b, True, _label_formula(a, b), (a + b) / 2 if a != b else None,
                           f"{(a + b) / 2:.3f}")
    if loss == "hinge":
        return OptimumRule(loss, a, b, True, "D* = sign(p_data − p_g), drawn σ(±1)", 0.5,
                           "any value in [−1, 1]")
    if loss == "wgan_gp":
        return OptimumRule(loss, a, b, False, "No pointwise D* under WGAN-GP: the critic's best is a "
                                              "1-Lipschitz function, not a value chosen at each x", None,
                           "none (no pointwise optimum)")
    raise ValueError(f"no pointwise optimum is known for the loss {loss!r}")


@dataclass(frozen=True)
class PointwiseOptimum:
    rule: OptimumRule
    output: np.ndarray | None  # D* as the loss reads D (BCE: the probability; LS, hinge: the raw output);
    #                            NaN where neither density has mass; None when there is no pointwise optimum

    @property
    def drawn(self) -> np.ndarray | None:
        """D* on the scale the labs draw D (losses.probability): the hinge's ±1 through the sigmoid."""
        if self.output is None or self.rule.loss != "hinge":
            return self.output
        return 1.0 / (1.0 + np.exp(-self.output))


def pointwise_optimum(loss: str, p_data, p_g, real_label: float = 1.0, fake_label: float = 0.0,
                      relative_floor: float = NO_MASS_FLOOR) -> PointwiseOptimum:
    """D* at each point of the densities `p_data`, `p_g` (same shape) for `loss` and its labels;
    NaN where p_data + p_g is below `relative_floor` times its largest value (no mass)."""
    rule = optimum_rule(loss, real_label, fake_label)
    if not rule.exists:
        return PointwiseOptimum(rule, None)
    p, q = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p + q
    floor = max(float(total.max(initial=0.0)) * relative_floor, math.ulp(0.0))
    if loss == "hinge":
        best = np.sign(p - q)
    else:
        best = optimal_discriminator(p, q, real_label, fake_label)
    return PointwiseOptimum(rule, np.where(total >= floor, best, np.nan))
