"""The mathematics of Goodfellow et al. (2014) in one dimension, computed, not just quoted.

Everything here is pure NumPy/SciPy on a grid of x values, so every number a page shows can be
checked by hand or by an independent quadrature in the tests:

    V(D, G)  = ∫ p_data(x) log D(x) dx + ∫ p_g(x) log(1 − D(x)) dx          (real term + fake term)
    D*(x)    = (α p_data(x) + β p_g(x)) / (p_data(x) + p_g(x))   (labels α real, β fake; 1, 0: the paper's)
    C(G)     = max_D V(D, G) = V(D*, G) = −log 4 + 2 JSD(p_data ‖ p_g)
    JSD(p‖q) = ½ KL(p ‖ m) + ½ KL(q ‖ m),  m = (p + q) / 2

Integrals use Simpson's rule on an even-spaced grid (`integrate`); `max_value_pointwise` finds
max_D V by maximising the integrand at every x numerically (Newton on D's logit), without using
the D* formula, so that "C(G) = −log 4 + 2 JSD" on the page compares two different computations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.integrate import simpson
from scipy.special import expit, xlogy

LOG4 = math.log(4.0)  # −log 4 = C(G) at the global optimum p_g = p_data
SQRT_2PI = math.sqrt(2.0 * math.pi)


# ---- densities ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mixture1D:
    """p(x) = Σ_k w_k N(x; μ_k, σ_k²): a Gaussian (one component) or a mixture."""

    means: tuple
    sigmas: tuple
    weights: tuple = ()  # empty = equal weights

    def __post_init__(self) -> None:
        k = len(self.means)
        if k == 0 or len(self.sigmas) != k or (self.weights and len(self.weights) != k):
            raise ValueError(f"a mixture needs as many sigmas/weights as means; got {self!r}")
        if min(self.sigmas) <= 0 or (self.weights and min(self.weights) < 0):
            raise ValueError(f"sigmas must be > 0 and weights >= 0; got {self!r}")
        if self.weights and sum(self.weights) <= 0:
            raise ValueError("mixture weights must not all be 0")

    @classmethod
    def gaussian(cls, mean: float, sigma: float) -> "Mixture1D":
        return cls((float(mean),), (float(sigma),))

    @property
    def w(self) -> np.ndarray:
        w = np.ones(len(self.means)) if not self.weights else np.asarray(self.weights, float)
        return w / w.sum()

    def pdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)[..., None]  # (..., 1) against (K,) components
        mu, sd = np.asarray(self.means, float), np.asarray(self.sigmas, float)
        comp = np.exp(-0.5 * ((x - mu) / sd) ** 2) / (sd * SQRT_2PI)  # (..., K)
        return comp @ self.w

    def support(self, n_sigma: float = 10.0) -> tuple[float, float]:
        """An interval holding all but a negligible part of the mass (n_sigma per component)."""
        mu, sd = np.asarray(self.means, float), np.asarray(self.sigmas, float)
        return float((mu - n_sigma * sd).min()), float((mu + n_sigma * sd).max())


def quadrature_grid(*dists: Mixture1D, n: int = 20001, n_sigma: float = 12.0) -> np.ndarray:
    """Even grid covering every distribution's mass; n odd so Simpson's rule is exact on cubics."""
    lo = min(d.support(n_sigma)[0] for d in dists)
    hi = max(d.support(n_sigma)[1] for d in dists)
    return np.linspace(lo, hi, n | 1)


def integrate(y: np.ndarray, x: np.ndarray) -> float:
    """∫ y dx on an even grid by Simpson's rule (error ~ h⁴; 1e-10 on the grids used here)."""
    return float(simpson(y, x=x))


def kde_bandwidth(samples: np.ndarray, bandwidth: float | None = None, min_bandwidth: float = 1e-2) -> float:
    """Scott's rule h = 1.06·std·n^(−1/5) unless `bandwidth` is given, never below min_bandwidth."""
    s = np.asarray(samples, dtype=np.float64).ravel()
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError("kde needs a non-empty set of finite samples")
    h = bandwidth if bandwidth is not None else 1.06 * s.std() * s.size ** (-0.2)
    return max(float(h), min_bandwidth)


def kde(samples: np.ndarray, x: np.ndarray, bandwidth: float | None = None,
        min_bandwidth: float = 1e-2) -> np.ndarray:
    """Gaussian kernel density of 1D `samples` at `x`: (1/n) Σ_i N(x; s_i, h²).

    h defaults to Scott's rule 1.06·std·n^(−1/5) (scipy's gaussian_kde uses the same factor
    n^(−1/5) times the std); `min_bandwidth` keeps a collapsed generator (all samples equal)
    from giving a zero-width, infinite density."""
    s = np.asarray(samples, dtype=np.float64).ravel()  # (n,)
    h = kde_bandwidth(s, bandwidth, min_bandwidth)
    z = (np.asarray(x, float)[:, None] - s[None, :]) / h  # (len(x), n)
    return np.exp(-0.5 * z * z).sum(1) / (s.size * h * SQRT_2PI)


def kde_binned(samples: np.ndarray, x: np.ndarray, bandwidth: float | None = None,
               min_bandwidth: float = 1e-2, per_bandwidth: int = 16) -> np.ndarray:
    """The same Gaussian kernel density as `kde`, fast enough to redraw live: samples are linearly
    binned onto a fine even grid (h/per_bandwidth apart), the bins are convolved with the Gaussian
    kernel by FFT, and the result is interpolated at x. Cost O(n + m log m) instead of O(n·len(x));
    tests check it against `kde` (error below 1e-3 of the peak)."""
    from scipy.signal import fftconvolve

    s = np.asarray(samples, dtype=np.float64).ravel()
    h = kde_bandwidth(s, bandwidth, min_bandwidth)
    x = np.asarray(x, float)
    lo, hi = min(x.min(), s.min()) - 5 * h, max(x.max(), s.max()) + 5 * h
    step = h / per_bandwidth
    m = int(np.ceil((hi - lo) / step)) + 1
    if m > 2_000_000:  # samples spread over an absurd range: fall back to the exact sum
        return kde(s, x, h, min_bandwidth)
    pos = (s - lo) / step  # fractional bin index of every sample
    left = np.floor(pos).astype(int)
    frac = pos - left
    counts = np.bincount(left, 1 - frac, minlength=m + 1) + np.bincount(left + 1, frac, minlength=m + 1)
    half = int(np.ceil(5 * per_bandwidth))
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / per_bandwidth) ** 2)
    dens = fftconvolve(counts, kernel, mode="same") / (s.size * h * SQRT_2PI)
    return np.maximum(np.interp(x, lo + step * np.arange(dens.size), dens), 0.0)  # FFT round-off < 0


# ---- the value function and the optimal discriminator -------------------------------------------

def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray, real_label: float = 1.0,
                          fake_label: float = 0.0) -> np.ndarray:
    """D*(x) = (α p_data + β p_g) / (p_data + p_g): the maximiser of the BCE objective with real
    label α and fake label β (α = 1, β = 0 is the paper's). Where both densities vanish D* is
    arbitrary; we use (α + β)/2 (gan_core.pointwise_optimum, which the labs draw, says "undefined")."""
    p, q = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p + q
    ratio = np.divide(p, total, out=np.full_like(total, 0.5), where=total > 0)
    return fake_label + (real_label - fake_label) * ratio


def value_terms(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """(real term ∫ p_data log D, fake term ∫ p_g log(1 − D)); V(D, G) is their sum.

    The discriminator's "real error" and "fake error" (its binary cross-entropy terms) are
    minus these. xlogy makes 0·log 0 = 0 where a density vanishes. D given as a probability
    cannot tell 1 − 1e-20 from 1; when D's logit is known use `value_terms_logit`."""
    d = np.asarray(d, float)
    return integrate(xlogy(p_data, d), x), integrate(xlogy(p_g, 1.0 - d), x)


def value_integrands_logit(logit: np.ndarray, p_data: np.ndarray, p_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p_data·log D, p_g·log(1 − D)) at every x for D = σ(logit), both taken from the logit:
    log D = −log(1 + e^(−l)) and log(1 − D) = −log(1 + e^(l)). Going through D = σ(l) first
    loses log(1 − D): σ(l) rounds to 1.0 for l > 37, and a density of 1e-87 times log 0 is −inf,
    where the true contribution is a finite ≈ −1e-87·l."""
    t = np.asarray(logit, float)
    return (np.asarray(p_data, float) * -np.logaddexp(0.0, -t),
            np.asarray(p_g, float) * -np.logaddexp(0.0, t))


def value_terms_logit(logit: np.ndarray, p_data: np.ndarray, p_g: np.ndarray,
                      x: np.ndarray) -> tuple[float, float]:
    """`value_terms` for D = σ(logit), exact however confident D is (see value_integrands_logit)."""
    real, fake = value_integrands_logit(logit, p_data, p_g)
    return integrate(real, x), integrate(fake, x)


def value(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(D, G) = E_{p_data}[log D(x)] + E_{p_g}[log(1 − D(x))] by quadrature."""
    real, fake = value_terms(d, p_data, p_g, x)
    return real + fake


def smoothed_value(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray,
                   real_label: float) -> float:
    """What D maximises with one-sided label smoothing (real label α, fake label 0):
    ∫ p_data [α log D + (1 − α) log(1 − D)] + ∫ p_g log(1 − D)  (minus the BCE loss of D)."""
    d = np.asarray(d, float)
    p = np.asarray(p_data, float)
    real = xlogy(real_label * p, d) + xlogy((1.0 - real_label) * p, 1.0 - d)  # 0·log 0 = 0
    return integrate(real + xlogy(p_g, 1.0 - d), x)


def max_value_pointwise(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray, real_label: float = 1.0,
                        iterations: int = 80) -> tuple[np.ndarray, float]:
    """max_D of the (smoothed) value, found numerically: at every x, Newton's method on the logit l
    of D maximises  a log σ(l) + b log(1 − σ(l)),  a = α p_data, b = (1 − α) p_data + p_g.
    The formula for D* is not used; returns (the maximising D on the grid, the maximum value)."""
    p, q = np.asarray(p_data, float), np.asarray(p_g, float)
    a = real_label * p
    b = (1.0 - real_label) * p + q
    logit = np.zeros_like(a)
    live = (a + b) > 0
    for _ in range(iterations):
        d = expit(logit)
        grad = a * (1.0 - d) - b * d  # d/dl [a log σ(l) + b log(1 − σ(l))]
        hess = -(a + b) * d * (1.0 - d)  # < 0: the integrand is concave in l
        step = np.divide(grad, hess, out=np.zeros_like(grad), where=live & (hess < 0))
        logit = np.clip(logit - np.clip(step, -5.0, 5.0), -700.0, 700.0)  # damped Newton
    # the maximum, from the logit: log σ(l) = −log(1 + e^(−l)) stays finite where D rounds to 1
    best = integrate(-a * np.logaddexp(0.0, -logit) - b * np.logaddexp(0.0, logit), x)
    return expit(logit), best


def optimal_value(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray, real_label: float = 1.0) -> float:
    """The (smoothed) value at D*: with a = α p_data, b = (1 − α) p_data + p_g (so a + b = p_data +
    p_g and D* = a/(a + b)), it is ∫ a log(a/(a+b)) + b log(b/(a+b)). Written with the exact
    complement 1 − D* = b/(a+b), so tails where D* rounds to 1.0 still count correctly."""
    p, q = np.asarray(p_data, float), np.asarray(p_g, float)
    a, b = real_label * p, (1.0 - real_label) * p + q
    s = np.where(a + b > 0, a + b, 1.0)
    return integrate(xlogy(a, a / s) + xlogy(b, b / s), x)


def value_at_optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray,
                                   real_label: float = 1.0, fake_label: float = 0.0) -> float:
    """V(D*, G): the paper's (unsmoothed) V at D* = (α p_data + β p_g) / (p_data + p_g), the D drawn
    when training uses real label α and fake label β. For α = 1, β = 0 it is C(G) = −log 4 + 2 JSD;
    otherwise it is lower (at p_g = p_data, β = 0: log(α/2) + log(1 − α/2), −1.3963 for α = 0.9
    against −log 4 = −1.3863). D* and 1 − D* are written as ratios, (α p + β q)/(p + q) and
    ((1 − α) p + (1 − β) q)/(p + q), exact where D* → 0 or 1."""
    p, q = np.asarray(p_data, float), np.asarray(p_g, float)
    s = np.where(p + q > 0, p + q, 1.0)
    d_star = (real_label * p + fake_label * q) / s
    d_complement = ((1.0 - real_label) * p + (1.0 - fake_label) * q) / s
    return integrate(xlogy(p, d_star) + xlogy(q, d_complement), x)


def kl(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """KL(p ‖ q) = ∫ p log(p / q) by quadrature (q > 0 wherever p > 0 is the caller's promise)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    ratio = np.divide(p, q, out=np.ones_like(p), where=q > 0)
    return integrate(xlogy(p, ratio), x)


def jsd(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """JSD(p_data ‖ p_g) = ½ KL(p_data ‖ m) + ½ KL(p_g ‖ m), m = (p_data + p_g)/2; in [0, log 2]."""
    m = 0.5 * (np.asarray(p_data, float) + np.asarray(p_g, float))
    return 0.5 * kl(p_data, m, x) + 0.5 * kl(p_g, m, x)


def c_from_jsd(jsd_value: float) -> float:
    """Theorem 1 of the 2014 paper: C(G) = −log 4 + 2·JSD(p_data ‖ p_g)."""
    return -LOG4 + 2.0 * jsd_value


# ---- a discriminator the student can hold: D(x) = σ(w x + b) -------------------------------------

def logistic_d(x: np.ndarray, slope: float, offset: float) -> np.ndarray:
    """D(x) = σ(slope·x + offset)."""
    return expit(slope * np.asarray(x, float) + offset)


def logistic_value(slope, offset, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """V(σ(w x + b), G) for arrays of slopes w and offsets b (broadcast together); log σ(t) is
    computed as −log(1 + e^(−t)) so huge |t| stays finite."""
    w, b = np.broadcast_arrays(np.asarray(slope, float), np.asarray(offset, float))
    t = w[..., None] * x + b[..., None]  # (..., len(x)) logits
    log_d, log_1md = -np.logaddexp(0.0, -t), -np.logaddexp(0.0, t)
    return simpson(p_data * log_d + p_g * log_1md, x=x, axis=-1)


def value_plane(p_data, p_g, x, slopes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """V over the (slope, offset) plane: array (len(offsets), len(slopes)) for a contour plot."""
    w, b = np.meshgrid(np.asarray(slopes, float), np.asarray(offsets, float))
    return logistic_value(w, b, p_data, p_g, x)


def best_logistic(p_data, p_g, x, start=(0.0, 0.0)) -> tuple[float, float, float]:
    """(slope, offset, V) of the best logistic D, by BFGS on −V from `start`.

    V is concave in (w, b) (log σ is concave and the logit is linear in them), so the local
    maximum found is the global one over all logistic discriminators."""
    from scipy.optimize import minimize

    res = minimize(lambda v: -float(logistic_value(v[0], v[1], p_data, p_g, x)),
                   np.asarray(start, float), method="BFGS", options={"gtol": 1e-9})
    return float(res.x[0]), float(res.x[1]), -float(res.fun)


def gaussian_optimal_logit(mean_data: float, mean_g: float, sigma: float) -> tuple[float, float]:
    """For p_data = N(μ₁, σ²) and p_g = N(μ₂, σ²), log(p_data/p_g) is linear, so D* is logistic:
    D*(x) = σ(w x + b) with w = (μ₁ − μ₂)/σ², b = (μ₂² − μ₁²)/(2σ²)."""
    return (mean_data - mean_g) / sigma**2, (mean_g**2 - mean_data**2) / (2 * sigma**2)


# ---- the generator's three losses against D(G(z)) ------------------------------------------------

@dataclass(frozen=True)
class GeneratorLossCurve:
    """A generator loss as a function of d = D(G(z)) = σ(l), with its two derivatives."""

    name: str
    latex: str  # the formula shown on the page, the one `loss` computes
    loss: np.ndarray  # L(d)
    grad_d: np.ndarray  # dL/dd
    grad_logit: np.ndarray  # dL/dl, l = D's logit at the fake (what reaches G through backprop)


def generator_loss_curves(d_fake: np.ndarray, d_real: float = 0.5) -> list[GeneratorLossCurve]:
    """Minimax (saturating), non-saturating, and zero-sum J_G = −J_D at d = D(G(z)).

    minimax        L = log(1 − d)             dL/dd = −1/(1 − d)   dL/dl = −d
    non-saturating L = −log d                 dL/dd = −1/d         dL/dl = −(1 − d)
    zero-sum       L = log D(x) + log(1 − d)  dL/dd = −1/(1 − d)   dL/dl = −d
    (J_D = −log D(x) − log(1 − d) is D's BCE loss for one real and one fake; J_G = −J_D. G cannot
    change D(x), so J_G is the minimax curve shifted by log D(x) with the same gradients.)
    As d → 0 (D confidently rejects the fakes, early in training) the minimax gradient w.r.t.
    the logit, −d, vanishes, while the non-saturating one tends to −1."""
    d = np.asarray(d_fake, float)
    return [
        GeneratorLossCurve("minimax (saturating)", r"\log(1 - D(G(z)))",
                           np.log1p(-d), -1.0 / (1.0 - d), -d),
        GeneratorLossCurve("non-saturating", r"-\log D(G(z))",
                           -np.log(d), -1.0 / d, -(1.0 - d)),
        GeneratorLossCurve("zero-sum J_G = −J_D", r"\log D(x) + \log(1 - D(G(z)))",
                           math.log(d_real) + np.log1p(-d), -1.0 / (1.0 - d), -d),
    ]
