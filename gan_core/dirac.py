"""The Dirac-GAN of Mescheder, Geiger & Nowozin (2018), "Which training methods for GANs do
actually converge?": the smallest GAN whose training dynamics can be drawn.

Data p_data = δ_0, generator p_θ = δ_θ (one parameter θ), discriminator logit ψ·x (one parameter
ψ), so D(x) = σ(ψx) is the probability that x is real. The value function is

    V(θ, ψ) = log D(0) + log(1 − D(θ)) = f(0) + f(−ψθ),   f(t) = −log(1 + e^(−t)) = log σ(t).

(The paper writes L(θ, ψ) = f(ψθ) + f(0) with a discriminator that scores fakes high, i.e. its ψ
is our −ψ; the pictures are mirror images in ψ.) The only equilibrium is (θ, ψ) = (0, 0).

Each method defines an update direction v(θ, ψ) = (−∂L_G/∂θ, −∂L_D/∂ψ) (G and D both descend
their own losses); a gradient step of size h is (θ, ψ) + h v. Simultaneous steps move both at
once; alternating steps (Algorithm 1's order) move D first and then G against the new D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

EQUILIBRIUM = (0.0, 0.0)


@dataclass(frozen=True)
class Method:
    key: str
    name: str
    short: str  # for legends
    latex: str  # the objectives whose gradients `field` computes, as the page shows them
    note: str


METHODS = {
    m.key: m for m in (
        Method("gan", "GAN (minimax)", "GAN",
               r"\max_\psi\,\min_\theta\; \log\sigma(0) + \log(1-\sigma(\psi\theta))"
               r"\quad\Rightarrow\quad v = \big(\psi\,\sigma(\psi\theta),\; -\theta\,\sigma(\psi\theta)\big)",
               "Near (0, 0) the field is a pure rotation (Jacobian eigenvalues ±i/2): nothing pulls the "
               "path in, and a simultaneous step along a rotation moves outwards."),
        Method("nsgan", "NS-GAN (non-saturating G)", "NS-GAN",
               r"G:\ \min_\theta -\log\sigma(\psi\theta)\quad\Rightarrow\quad "
               r"v = \big(\psi\,(1-\sigma(\psi\theta)),\; -\theta\,\sigma(\psi\theta)\big)",
               "Same rotation at the equilibrium (σ(0) = ½ for both players): eigenvalues ±i/2, no "
               "pull inwards at a linear rate."),
        Method("wgan", "WGAN (clipped critic |ψ| ≤ c)", "WGAN",
               r"\max_{|\psi|\le c}\,\min_\theta\; \psi\cdot 0 - \psi\theta"
               r"\quad\Rightarrow\quad v = (\psi,\; -\theta),\ \ \psi \leftarrow \mathrm{clip}(\psi, -c, c)",
               "A pure rotation (critic D(x) = ψx, no sigmoid) everywhere; clipping only bounds ψ to [−c, c]."),
        Method("wgan_gp", "WGAN-GP", "WGAN-GP",
               r"D:\ \max_\psi -\psi\theta - \lambda(|\psi| - 1)^2\quad\Rightarrow\quad "
               r"v = \big(\psi,\; -\theta - 2\lambda(|\psi|-1)\,\mathrm{sign}\,\psi\big)",
               "The penalty pulls |ψ| towards 1, not to 0, so nothing pulls D to the equilibrium's ψ = 0. The "
               "field is kinked at ψ = 0 and vanishes at (θ, ψ) = (2λ, 0⁺) and (−2λ, 0⁻): rest points a "
               "path can stop at, 2λ away from the equilibrium."),
        Method("r1", "GAN + R1 penalty", "R1",
               r"D:\ \max_\psi \log\sigma(0) + \log(1-\sigma(\psi\theta)) - \tfrac{\gamma}{2}\psi^2"
               r"\quad\Rightarrow\quad v = \big(\psi\,\sigma(\psi\theta),\; "
               r"-\theta\,\sigma(\psi\theta) - \gamma\psi\big)",
               "γ/2·‖∇ₓD‖² on real data adds −γψ to D's update: for γ > 0 the eigenvalues at (0, 0) get a "
               "negative real part (−γ/2 while γ < 1), a pull inwards."),
        Method("consensus", "Consensus optimisation", "Consensus",
               r"v_c = v - \eta\, J^\top v,\quad J = \partial v / \partial(\theta,\psi)"
               r"\ \ (\text{descent on } \tfrac12\|v\|^2,\ v \text{ the GAN field})",
               "Mescheder et al. 2017: adds a pull towards points where the field vanishes."),
    )
}


@dataclass(frozen=True)
class DiracParams:
    gamma: float = 1.0  # R1 weight γ
    gp_weight: float = 1.0  # WGAN-GP λ
    clip: float = 1.0  # WGAN critic bound c on |ψ|
    consensus: float = 1.0  # consensus weight η


def _gan_field(theta, psi):
    s = expit(psi * theta)  # D(θ) = σ(ψθ), D's probability that the fake is real
    return psi * s, -theta * s


def gan_jacobian(theta, psi):
    """∂(v_θ, v_ψ)/∂(θ, ψ) of the GAN field, analytically; s = σ(ψθ), s' = s(1 − s)."""
    s = expit(psi * theta)
    ds = s * (1.0 - s)
    return np.array([[psi * psi * ds, s + psi * theta * ds],
                     [-s - theta * psi * ds, -theta * theta * ds]])


def field(method: str, theta, psi, params: DiracParams = DiracParams()):
    """Update direction (v_θ, v_ψ) of `method` at (θ, ψ); works on scalars and arrays."""
    theta, psi = np.asarray(theta, float), np.asarray(psi, float)
    if method == "gan":
        return _gan_field(theta, psi)
    if method == "nsgan":
        s = expit(psi * theta)
        return psi * (1.0 - s), -theta * s
    if method == "wgan":
        return psi, -theta
    if method == "wgan_gp":
        return psi, -theta - 2.0 * params.gp_weight * (np.abs(psi) - 1.0) * np.sign(psi)
    if method == "r1":
        v_theta, v_psi = _gan_field(theta, psi)
        return v_theta, v_psi - params.gamma * psi
    if method == "consensus":
        v = np.stack(_gan_field(theta, psi))  # (2, ...)
        jac = gan_jacobian(theta, psi)  # (2, 2, ...)
        jtv = np.einsum("ji...,j...->i...", jac, v)  # Jᵀ v = ∇ ½‖v‖²
        return v[0] - params.consensus * jtv[0], v[1] - params.consensus * jtv[1]
    raise ValueError(f"unknown Dirac-GAN method {method!r}; choose from {', '.join(METHODS)}")


def _project(method: str, psi: float, params: DiracParams) -> float:
    return float(np.clip(psi, -params.clip, params.clip)) if method == "wgan" else psi


def trajectory(method: str, start: tuple[float, float], step_size: float, steps: int,
               alternating: bool = False, params: DiracParams = DiracParams()) -> np.ndarray:
    """(steps + 1, 2) array of (θ, ψ) from `start` under gradient steps of size h = step_size.

    simultaneous: (θ, ψ) ← (θ, ψ) + h v(θ, ψ)
    alternating:  ψ ← ψ + h v_ψ(θ, ψ), then θ ← θ + h v_θ(θ, ψ_new)   (D first, as Algorithm 1)
    A run that leaves every plotting range (|θ| or |ψ| > 1e6) is cut short there (NaN after)."""
    out = np.full((steps + 1, 2), np.nan)
    theta, psi = map(float, start)
    psi = _project(method, psi, params)
    out[0] = theta, psi
    for i in range(1, steps + 1):
        if alternating:
            psi = _project(method, psi + step_size * float(field(method, theta, psi, params)[1]), params)
            theta = theta + step_size * float(field(method, theta, psi, params)[0])
        else:
            v_theta, v_psi = field(method, theta, psi, params)
            theta, psi = theta + step_size * float(v_theta), _project(method, psi + step_size * float(v_psi), params)
        if not (abs(theta) < 1e6 and abs(psi) < 1e6):
            break
        out[i] = theta, psi
    return out


def distance_to_equilibrium(path: np.ndarray) -> np.ndarray:
    """Euclidean distance of each (θ, ψ) to the equilibrium (0, 0)."""
    return np.hypot(path[:, 0] - EQUILIBRIUM[0], path[:, 1] - EQUILIBRIUM[1])


def field_grid(method: str, lim: float, n: int = 15, params: DiracParams = DiracParams()):
    """(θ grid, ψ grid, v_θ, v_ψ) on an n×n grid over [−lim, lim]², for arrows."""
    axis = np.linspace(-lim, lim, n)
    theta, psi = np.meshgrid(axis, axis)
    v_theta, v_psi = field(method, theta, psi, params)
    return theta, psi, np.asarray(v_theta, float), np.asarray(v_psi, float)


# ---- what a path did, in words the page can show (every claim measured on the path itself) ------

@dataclass(frozen=True)
class PathOutcome:
    """What one trajectory did, measured: the page's caption is written from these numbers."""

    kind: str  # "converges" | "rests" (stops away from (0, 0)) | "leaves" (cut short) | "away" | "towards" | "around"
    start: float  # distance to the equilibrium at step 0
    end: float  # distance at the last finite step
    low: float  # smallest and largest distance along the way
    high: float
    last: tuple  # (θ, ψ) at the last finite step
    turns: float  # times the path went round the equilibrium (angle swept / 2π)
    steps: int  # finite steps taken


CONVERGED = 1e-3  # the distance fell below this fraction of the start (or 1e-9 absolute)
AT_REST = 1e-6  # over the last tenth of the steps the point moved less than this (times max(1, end))
SAME_DISTANCE = 0.05  # "around": the end distance within 5% of the start


def path_outcome(path: np.ndarray) -> PathOutcome:
    """Measure a `trajectory`: start/end/min/max distance, turns round (0, 0), and whether it came
    to rest (moved < AT_REST over its last tenth) or left every range (NaN rows)."""
    ok = np.isfinite(path).all(1)
    finite = path[ok]
    dist = distance_to_equilibrium(finite)
    angle = np.unwrap(np.arctan2(finite[:, 1], finite[:, 0]))
    swept = np.where(dist[:-1] * dist[1:] > 0, np.diff(angle), 0.0)  # no angle at (0, 0) itself
    turns = float(abs(swept.sum()) / (2 * np.pi))
    start, end = float(dist[0]), float(dist[-1])
    tail = finite[-max(2, len(finite) // 10):]
    moved = float(np.abs(tail - tail[-1]).max())
    if not ok.all():
        kind = "leaves"
    elif end <= max(CONVERGED * start, 1e-9):
        kind = "converges"
    elif moved < AT_REST * max(1.0, end):
        kind = "rests"
    elif end > (1 + SAME_DISTANCE) * start:
        kind = "away"
    elif end < (1 - SAME_DISTANCE) * start:
        kind = "towards"
    else:
        kind = "around"
    return PathOutcome(kind, start, end, float(dist.min()), float(dist.max()),
                       (float(finite[-1, 0]), float(finite[-1, 1])), turns, int(ok.sum()) - 1)


def describe_outcome(o: PathOutcome) -> str:
    """One sentence about a measured path; every number in it is a field of `o`."""
    laps = f", going round it {o.turns:.1f} times" if o.turns >= 1 else ""
    if o.kind == "leaves":
        return f"leave every range (|θ| or |ψ| > 10⁶) after {o.steps} steps"
    if o.kind == "converges" and o.start == 0:
        return "stay at the equilibrium, where they start"
    if o.kind == "converges":
        return f"converge to the equilibrium: distance {o.start:.3g} → {o.end:.1e}"
    if o.kind == "rests":
        return (f"come to rest at (θ, ψ) = ({o.last[0]:.2f}, {o.last[1]:.2f}), not at the equilibrium: "
                f"distance {o.start:.3g} → {o.end:.3g}{laps}")
    if o.kind == "away":
        return f"move away from the equilibrium: distance {o.start:.3g} → {o.end:.3g}{laps}"
    if o.kind == "towards":
        return f"approach the equilibrium without reaching it: distance {o.start:.3g} → {o.end:.3g}{laps}"
    return (f"neither approach nor leave the equilibrium: distance {o.start:.3g} → {o.end:.3g}, between "
            f"{o.low:.3g} and {o.high:.3g} on the way{laps}")


def caption(method: str, simultaneous: np.ndarray, alternating: np.ndarray) -> str:
    """The page's caption: what the method's field does (true for every parameter), then what the
    two paths drawn with the settings shown actually did (measured, not predicted)."""
    return (f"{METHODS[method].note} With these settings, simultaneous steps "
            f"{describe_outcome(path_outcome(simultaneous))}; alternating steps "
            f"{describe_outcome(path_outcome(alternating))}.")
