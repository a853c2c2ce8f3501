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
               "Rotates around the equilibrium: simultaneous steps spiral out, alternating ones circle."),
        Method("nsgan", "NS-GAN (non-saturating G)", "NS-GAN",
               r"G:\ \min_\theta -\log\sigma(\psi\theta)\quad\Rightarrow\quad "
               r"v = \big(\psi\,(1-\sigma(\psi\theta)),\; -\theta\,\sigma(\psi\theta)\big)",
               "Same rotation at the equilibrium (σ(0) = ½ for both players): simultaneous steps settle on a "
               "cycle, alternating ones creep inwards slowly, never at a linear rate."),
        Method("wgan", "WGAN (clipped critic |ψ| ≤ c)", "WGAN",
               r"\max_{|\psi|\le c}\,\min_\theta\; \psi\cdot 0 - \psi\theta"
               r"\quad\Rightarrow\quad v = (\psi,\; -\theta),\ \ \psi \leftarrow \mathrm{clip}(\psi, -c, c)",
               "A pure rotation (critic D(x) = ψx, no sigmoid); clipping does not make it converge."),
        Method("wgan_gp", "WGAN-GP", "WGAN-GP",
               r"D:\ \max_\psi -\psi\theta - \lambda(|\psi| - 1)^2\quad\Rightarrow\quad "
               r"v = \big(\psi,\; -\theta - 2\lambda(|\psi|-1)\,\mathrm{sign}\,\psi\big)",
               "The penalty pulls |ψ| to 1, not to 0: D never settles at ψ = 0, so the path keeps circling."),
        Method("r1", "GAN + R1 penalty", "R1",
               r"D:\ \max_\psi \log\sigma(0) + \log(1-\sigma(\psi\theta)) - \tfrac{\gamma}{2}\psi^2"
               r"\quad\Rightarrow\quad v = \big(\psi\,\sigma(\psi\theta),\; -\theta\,\sigma(\psi\theta) - \gamma\psi\big)",
               "γ/2·‖∇ₓD‖² on real data damps ψ: the spiral turns inward and converges."),
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
