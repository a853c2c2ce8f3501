"""The Dirac-GAN (Mescheder et al. 2018) from its vector fields: hand-computed steps, the fields as
torch.autograd gradients of the objectives the page shows, and the paper's qualitative results.

Reading of the issue's R1 criterion ("distance < 1e-3 from (1, 1)"): start at (θ, ψ) = (1, 1),
end within 1e-3 of the equilibrium (0, 0) after 500 steps of size 0.2 with γ = 1.
"""

import math

import numpy as np
import pytest
import torch

from gan_core import dirac


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def test_gan_field_at_hand_points():
    assert dirac.field("gan", 1.0, 0.0) == pytest.approx((0.0, -0.5))
    s = sigmoid(2.0)
    assert dirac.field("gan", 2.0, 1.0) == pytest.approx((s, -2 * s))
    assert dirac.field("wgan", 0.3, -0.7) == pytest.approx((-0.7, -0.3))


def _autograd_field(method, theta, psi, p=dirac.DiracParams(gamma=0.7, gp_weight=2.0)):
    """(−∂L_G/∂θ, −∂L_D/∂ψ) from the objectives written in dirac.METHODS' LaTeX."""
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    ps = torch.tensor(psi, dtype=torch.float64, requires_grad=True)
    logsig = torch.nn.functional.logsigmoid
    value = logsig(torch.zeros((), dtype=torch.float64)) + logsig(-ps * th)  # log σ(0) + log(1 − σ(ψθ))
    if method == "gan":
        loss_g, loss_d = value, -value
    elif method == "nsgan":
        loss_g, loss_d = -logsig(ps * th), -value
    elif method == "wgan":
        loss_g, loss_d = -ps * th, ps * th
    elif method == "wgan_gp":
        loss_g, loss_d = -ps * th, ps * th + p.gp_weight * (ps.abs() - 1) ** 2
    elif method == "r1":
        loss_g, loss_d = value, -value + p.gamma / 2 * ps**2
    (g_theta,) = torch.autograd.grad(loss_g, th, retain_graph=True)
    (g_psi,) = torch.autograd.grad(loss_d, ps)
    return -float(g_theta), -float(g_psi)


@pytest.mark.parametrize("method", ["gan", "nsgan", "wgan", "wgan_gp", "r1"])
@pytest.mark.parametrize("point", [(1.0, 1.0), (-0.4, 2.3), (1.7, -0.6)])
def test_fields_are_the_gradients_of_the_shown_objectives(method, point):
    params = dirac.DiracParams(gamma=0.7, gp_weight=2.0)
    assert dirac.field(method, *point, params) == pytest.approx(_autograd_field(method, *point), abs=1e-12)


def test_consensus_uses_the_true_jacobian():
    theta, psi, eps = 0.8, -1.3, 1e-6
    jac = dirac.gan_jacobian(theta, psi)
    fd = np.column_stack([
        (np.array(dirac.field("gan", theta + eps, psi)) - np.array(dirac.field("gan", theta - eps, psi))) / (2 * eps),
        (np.array(dirac.field("gan", theta, psi + eps)) - np.array(dirac.field("gan", theta, psi - eps))) / (2 * eps),
    ])
    assert jac == pytest.approx(fd, abs=1e-8)
    v = np.array(dirac.field("gan", theta, psi))
    eta = 0.5
    expected = v - eta * jac.T @ v
    assert dirac.field("consensus", theta, psi, dirac.DiracParams(consensus=eta)) == pytest.approx(tuple(expected))


def test_first_steps_by_hand():
    s = sigmoid(1.0)
    sim = dirac.trajectory("gan", (1.0, 1.0), 0.2, 1)
    assert sim[1] == pytest.approx((1 + 0.2 * s, 1 - 0.2 * s))
    alt = dirac.trajectory("gan", (1.0, 1.0), 0.2, 1, alternating=True)
    psi1 = 1 - 0.2 * s  # D moves first ...
    theta1 = 1 + 0.2 * psi1 * sigmoid(psi1 * 1.0)  # ... then G against the new D
    assert alt[1] == pytest.approx((theta1, psi1))


def test_simultaneous_gan_steps_move_away_from_equilibrium():
    dist = dirac.distance_to_equilibrium(dirac.trajectory("gan", (1.0, 1.0), 0.1, 500))
    assert np.all(np.diff(dist) > 0)  # every single step increases the distance
    assert dist[-1] > 1.5 * dist[0]


def test_alternating_gan_steps_cycle_at_roughly_constant_distance():
    path = dirac.trajectory("gan", (1.0, 1.0), 0.1, 1000, alternating=True)
    dist = dirac.distance_to_equilibrium(path)
    assert dist.min() > 0.95 * dist[0]
    assert dist.max() < 1.05 * dist[0]
    angle = np.unwrap(np.arctan2(path[:, 1], path[:, 0]))
    assert abs(angle[-1] - angle[0]) > 4 * math.pi  # it really goes round, more than twice


@pytest.mark.parametrize("alternating", [False, True])
def test_r1_converges_from_1_1(alternating):
    path = dirac.trajectory("r1", (1.0, 1.0), 0.2, 500, alternating, dirac.DiracParams(gamma=1.0))
    assert dirac.distance_to_equilibrium(path)[-1] < 1e-3
    # and without the penalty, the same run does not converge
    plain = dirac.trajectory("r1", (1.0, 1.0), 0.2, 500, alternating, dirac.DiracParams(gamma=0.0))
    assert dirac.distance_to_equilibrium(plain)[-1] > 0.5


def test_wgan_clipping_and_wgan_gp_do_not_converge():
    wgan = dirac.trajectory("wgan", (1.0, 3.0), 0.1, 400, params=dirac.DiracParams(clip=0.5))
    assert np.abs(wgan[:, 1]).max() == pytest.approx(0.5)
    assert dirac.distance_to_equilibrium(wgan)[-1] > 0.4
    gp = dirac.trajectory("wgan_gp", (1.0, 1.0), 0.1, 500, alternating=True)
    assert dirac.distance_to_equilibrium(gp)[-200:].min() > 0.5


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown Dirac-GAN method"):
        dirac.field("sgd", 0.0, 0.0)
