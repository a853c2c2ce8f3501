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


def _autograd_field(method, theta, psi, p):
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
    assert dirac.field(method, *point, params) == pytest.approx(_autograd_field(method, *point, params), abs=1e-12)


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


# ---- every caption the page can show, checked against its own simulation (issue 12 item 2) -----

def _own_path(method, start, h, steps, alternating, params):
    """Gradient steps written out here (D first when alternating; WGAN's ψ clipped to [−c, c]),
    stopping where the path leaves |θ|, |ψ| < 1e6. Uses dirac.field, which
    test_fields_are_the_gradients_of_the_shown_objectives checks against autograd."""
    clip = (lambda v: min(max(v, -params.clip), params.clip)) if method == "wgan" else (lambda v: v)
    theta, psi = float(start[0]), clip(float(start[1]))
    points = [(theta, psi)]
    for _ in range(steps):
        if alternating:
            psi = clip(psi + h * float(dirac.field(method, theta, psi, params)[1]))
            theta = theta + h * float(dirac.field(method, theta, psi, params)[0])
        else:
            v_theta, v_psi = (float(v) for v in dirac.field(method, theta, psi, params))
            theta, psi = theta + h * v_theta, clip(psi + h * v_psi)
        if not (abs(theta) < 1e6 and abs(psi) < 1e6):
            return np.array(points), False
        points.append((theta, psi))
    return np.array(points), True


def _own_turns(points: np.ndarray) -> float:
    """Angle swept round (0, 0), step by step from cross and dot products (no unwrapping)."""
    a, b = points[:-1], points[1:]
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    dot = (a * b).sum(1)
    moving = (np.hypot(*a.T) > 0) & (np.hypot(*b.T) > 0)
    return abs(np.arctan2(cross, dot)[moving].sum()) / (2 * math.pi)


DEFAULT = dict(h=0.1, steps=500, start=(1.0, 1.0), params=dirac.DiracParams(gamma=1.0, gp_weight=1.0, clip=1.0,
                                                                           consensus=0.5))
SETTINGS = [  # the page's defaults, then every slider's ends and the WGAN-GP λ on both sides of 1
    {}, dict(h=0.01), dict(h=1.0), dict(steps=10), dict(steps=2000), dict(start=(-2.0, 2.0)),
    dict(start=(2.0, -0.1)), dict(start=(0.0, 0.0)), dict(start=(0.0, 1.5)),
    dict(params=dirac.DiracParams(gamma=0.0, gp_weight=0.0, clip=0.1, consensus=0.0)),
    dict(params=dirac.DiracParams(gamma=5.0, gp_weight=10.0, clip=2.0, consensus=2.0)),
    dict(params=dirac.DiracParams(gp_weight=0.5)), dict(params=dirac.DiracParams(gp_weight=0.9)),
    dict(params=dirac.DiracParams(gp_weight=2.0)), dict(params=dirac.DiracParams(gp_weight=1.0), h=0.5),
]


@pytest.mark.parametrize("method", list(dirac.METHODS))
@pytest.mark.parametrize("setting", range(len(SETTINGS)))
def test_every_caption_says_what_the_simulated_paths_do(method, setting):
    s = {**DEFAULT, **SETTINGS[setting]}
    for alternating in (False, True):
        shown = dirac.trajectory(method, s["start"], s["h"], s["steps"], alternating, s["params"])
        own, finite = _own_path(method, s["start"], s["h"], s["steps"], alternating, s["params"])
        assert shown[: len(own)] == pytest.approx(own, rel=1e-12, abs=1e-12)  # the drawn path is the path
        o = dirac.path_outcome(shown)
        sentence = dirac.describe_outcome(o)
        dist = np.hypot(own[:, 0], own[:, 1])
        start, end = dist[0], dist[-1]
        tail = own[-max(2, len(own) // 10):]
        if not finite:
            assert o.kind == "leaves" and f"after {len(own) - 1} steps" in sentence
            continue
        assert o.kind != "leaves"
        if o.kind == "converges":
            assert end <= max(1e-3 * start, 1e-9)
        else:
            assert end > 1e-3 * start  # any other word means it did not reach the equilibrium
        if o.kind == "rests":  # it stopped, and where it stopped the field vanishes: a rest point
            assert np.abs(tail - tail[-1]).max() < 1e-6 * max(1.0, end)
            assert np.hypot(*dirac.field(method, *own[-1], s["params"])) < 1e-5
            assert f"({own[-1, 0]:.2f}, {own[-1, 1]:.2f})" in sentence
        if o.kind == "away":
            assert end > 1.05 * start
        if o.kind == "towards":
            assert end < 0.95 * start
        if o.kind == "around":
            assert 0.95 * start <= end <= 1.05 * start
            assert f"between {dist.min():.3g} and {dist.max():.3g}" in sentence
        if o.kind != "converges":
            assert f"{start:.3g} → {end:.3g}" in sentence
        turns = _own_turns(own)
        assert o.turns == pytest.approx(turns, abs=1e-6)
        assert ("going round it" in sentence) == (turns >= 1 and o.kind not in ("converges",))
        if "going round it" in sentence:
            assert f"{turns:.1f} times" in sentence
    page = dirac.caption(method, dirac.trajectory(method, s["start"], s["h"], s["steps"], False, s["params"]),
                         dirac.trajectory(method, s["start"], s["h"], s["steps"], True, s["params"]))
    assert page.startswith(dirac.METHODS[method].note) and "keeps circling" not in page


def test_wgan_gp_caption_at_the_page_default_says_it_stops_at_2_lambda():
    """The issue's case: λ = 1, start (1, 1), h = 0.1, 500 steps: both schemes stop at (2λ, 0⁺),
    2.0 from the equilibrium, without circling."""
    p = dirac.DiracParams(gp_weight=1.0)
    sim, alt = (dirac.trajectory("wgan_gp", (1, 1), 0.1, 500, a, p) for a in (False, True))
    text = dirac.caption("wgan_gp", sim, alt)
    assert text.count("come to rest at (θ, ψ) = (2.00, 0.00)") == 2 and "going round" not in text
    assert sim[-1] == pytest.approx([2.0, 0.0], abs=1e-9) and alt[-1] == pytest.approx([2.0, 0.0], abs=1e-9)


def _numerical_jacobian(method, params, point=(0.0, 0.0), eps=1e-6):
    cols = []
    for k in range(2):
        step = np.zeros(2)
        step[k] = eps
        plus = np.array(dirac.field(method, *(np.array(point) + step), params), float)
        minus = np.array(dirac.field(method, *(np.array(point) - step), params), float)
        cols.append((plus - minus) / (2 * eps))
    return np.column_stack(cols)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 1.0, 5.0])
def test_the_notes_claims_about_each_field_hold(gamma):
    p = dirac.DiracParams(gamma=gamma)
    for method in ("gan", "nsgan"):  # "eigenvalues ±i/2" at the equilibrium
        eig = np.linalg.eigvals(_numerical_jacobian(method, p))
        assert sorted(eig.imag) == pytest.approx([-0.5, 0.5], abs=1e-6) and eig.real == pytest.approx([0, 0], abs=1e-6)
    eig = np.linalg.eigvals(_numerical_jacobian("r1", p))  # "real part −γ/2" (γ < 1: complex pair)
    if gamma < 1:
        assert eig.real == pytest.approx([-gamma / 2] * 2, abs=1e-6)
    else:
        assert max(eig.real) < 0
    for lam in (0.3, 1.0, 10.0):  # "vanishes at (2λ, 0⁺) and (−2λ, 0⁻)"
        q = dirac.DiracParams(gp_weight=lam)
        assert np.hypot(*dirac.field("wgan_gp", 2 * lam, 1e-12, q)) < 1e-9
        assert np.hypot(*dirac.field("wgan_gp", -2 * lam, -1e-12, q)) < 1e-9
