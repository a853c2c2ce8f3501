"""Loss values against hand-computed numbers and torch's own binary cross-entropy."""

import math

import pytest
import torch
import torch.nn.functional as F

from gan_core import losses
from gan_core.models import MLPDiscriminator

# Logits 0 and log 3 are probabilities 1/2 and 3/4: easy to do by hand.
LOGITS = torch.tensor([0.0, math.log(3.0)])
P = (0.5, 0.75)


def test_d_bce_plain_labels_by_hand():
    terms = losses.d_loss_bce(LOGITS, LOGITS, 1.0, 0.0)
    real = -(math.log(0.5) + math.log(0.75)) / 2  # -mean log D(x)
    fake = -(math.log(0.5) + math.log(0.25)) / 2  # -mean log(1 - D(G(z)))
    assert terms.real.item() == pytest.approx(real, abs=1e-6)
    assert terms.fake.item() == pytest.approx(fake, abs=1e-6)
    assert terms.total.item() == pytest.approx(real + fake, abs=1e-6)
    assert real == pytest.approx(0.490414, abs=1e-6)  # the number itself, worked out on paper


def test_d_bce_smoothed_label_by_hand():
    a = 0.9  # one-sided label smoothing 0.1
    terms = losses.d_loss_bce(LOGITS, LOGITS, a, 0.0)
    real = -sum(a * math.log(p) + (1 - a) * math.log(1 - p) for p in P) / 2
    assert terms.real.item() == pytest.approx(real, abs=1e-6)
    assert real == pytest.approx(0.545345, abs=1e-6)  # (0.693147 + 0.397543) / 2


def test_d_bce_matches_torch_bce_with_logits():
    gen = torch.Generator().manual_seed(0)
    d_real, d_fake = torch.randn(64, generator=gen) * 3, torch.randn(64, generator=gen) * 3
    for a, b in ((1.0, 0.0), (0.9, 0.0), (0.8, 0.1)):
        terms = losses.d_loss_bce(d_real, d_fake, a, b)
        ref_real = F.binary_cross_entropy_with_logits(d_real, torch.full((64,), a))
        ref_fake = F.binary_cross_entropy_with_logits(d_fake, torch.full((64,), b))
        assert terms.real.item() == pytest.approx(ref_real.item(), abs=1e-6)
        assert terms.fake.item() == pytest.approx(ref_fake.item(), abs=1e-6)
        # and against the probability form, independent of torch's fused kernel
        p = torch.sigmoid(d_real.double())
        manual = -(a * p.log() + (1 - a) * (1 - p).log()).mean().item()
        assert terms.real.item() == pytest.approx(manual, abs=1e-5)


def test_generator_losses_by_hand():
    # minimax: mean log(1 - D) = (log 0.5 + log 0.25) / 2
    assert losses.g_loss_minimax(LOGITS).item() == pytest.approx(
        (math.log(0.5) + math.log(0.25)) / 2, abs=1e-6)
    # non-saturating: -mean log D = -(log 0.5 + log 0.75) / 2
    assert losses.g_loss_nonsaturating(LOGITS).item() == pytest.approx(
        -(math.log(0.5) + math.log(0.75)) / 2, abs=1e-6)
    # the non-saturating loss is BCE with "misleading" real labels on the fakes
    ref = F.binary_cross_entropy_with_logits(LOGITS, torch.ones(2))
    assert losses.g_loss_nonsaturating(LOGITS).item() == pytest.approx(ref.item(), abs=1e-6)


def test_zero_sum_form_minimax():
    # J_G = -J_D up to the real term, which G cannot change: J_D = real + fake, J_G = -fake
    terms = losses.d_loss_bce(LOGITS, LOGITS)
    assert losses.g_loss_minimax(LOGITS).item() == pytest.approx(-terms.fake.item(), abs=1e-6)


def test_saturating_gradient_vanishes_where_nonsaturating_does_not():
    logit = torch.tensor([-8.0], requires_grad=True)  # D confidently rejects the fake
    (g_sat,) = torch.autograd.grad(losses.g_loss_minimax(logit), logit)
    (g_ns,) = torch.autograd.grad(losses.g_loss_nonsaturating(logit), logit)
    s = 1 / (1 + math.exp(8.0))  # sigmoid(-8)
    assert g_sat.item() == pytest.approx(-s, abs=1e-7)  # d/dl log(1 - sigmoid l) = -sigmoid l
    assert g_ns.item() == pytest.approx(-(1 - s), abs=1e-6)  # d/dl -log sigmoid l = sigmoid l - 1


def test_least_squares_hinge_wasserstein_by_hand():
    d_real, d_fake = torch.tensor([1.0, 0.0]), torch.tensor([0.5, -2.0])
    ls = losses.d_loss_least_squares(d_real, d_fake, 1.0, 0.0)
    assert ls.real.item() == pytest.approx(0.5 * (0 + 1) / 2, abs=1e-7)
    assert ls.fake.item() == pytest.approx(0.5 * (0.25 + 4) / 2, abs=1e-7)
    assert losses.g_loss_least_squares(d_fake).item() == pytest.approx(0.5 * (0.25 + 9) / 2, abs=1e-7)
    hinge = losses.d_loss_hinge(d_real, d_fake)
    assert hinge.real.item() == pytest.approx((0 + 1) / 2, abs=1e-7)
    assert hinge.fake.item() == pytest.approx((1.5 + 0) / 2, abs=1e-7)
    w = losses.d_loss_wasserstein(d_real, d_fake)
    assert (w.real.item(), w.fake.item()) == pytest.approx((-0.5, -0.75), abs=1e-7)
    assert losses.g_loss_critic(d_fake).item() == pytest.approx(0.75, abs=1e-7)


def test_penalties_on_a_linear_critic_by_hand():
    # D(x) = w . x has gradient w everywhere: ||w|| = 5, so GP = (5 - 1)^2 = 16, R1 = gamma/2 * 25
    w = torch.tensor([3.0, 4.0])
    critic = lambda x: x @ w  # noqa: E731
    real, fake = torch.randn(8, 2), torch.randn(8, 2)
    gp = losses.gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    assert gp.item() == pytest.approx(16.0, abs=1e-5)
    x = real.clone().requires_grad_(True)
    assert losses.r1_penalty(critic(x), x, 2.0).item() == pytest.approx(25.0, abs=1e-5)


def test_dispatch_and_unknown_names():
    d_real, d_fake = torch.tensor([0.3]), torch.tensor([-0.2])
    assert losses.discriminator_loss("minimax", d_real, d_fake, 1.0, 0.0) == losses.d_loss_bce(d_real, d_fake)
    assert losses.probability("least_squares", d_fake).item() == pytest.approx(-0.2)
    assert losses.probability("hinge", torch.tensor([0.0])).item() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="unknown loss"):
        losses.generator_loss("bogus", d_fake)


# ---- penalties with PacGAN packing: per packed input, by definition (issue 12 item 4) -----------

class PackedLinearCritic(torch.nn.Module):
    """D(packed x) = w · (x_1, ..., x_pack) + b: its gradient w.r.t. each packed input is w."""

    def __init__(self, w: torch.Tensor, pack: int):
        super().__init__()
        self.w, self.pack = w, pack

    def forward(self, x):
        return x.reshape(x.shape[0] // self.pack, -1) @ self.w + 0.3


@pytest.mark.parametrize("pack", [1, 2, 4, 16])
def test_penalties_of_a_packed_linear_critic_match_hand_computed_values(pack):
    w = torch.randn(2 * pack, generator=torch.Generator().manual_seed(pack), dtype=torch.float64)
    w = w * (1.02 / w.norm())  # ||grad D|| = 1.02 on every packed input
    critic = PackedLinearCritic(w, pack)
    real = torch.randn(8 * pack, 2, dtype=torch.float64)
    fake = torch.randn(8 * pack, 2, dtype=torch.float64) + 3
    gp = losses.gradient_penalty(critic, real, fake, torch.Generator().manual_seed(0))
    assert gp.item() == pytest.approx((1.02 - 1.0) ** 2, rel=1e-9)  # 0.0004, whatever pack is
    x = real.clone().requires_grad_(True)
    r1 = losses.r1_penalty(critic(x), x, 3.0, pack)
    assert r1.item() == pytest.approx(0.5 * 3.0 * 1.02**2, rel=1e-9)  # γ/2·||w||², not divided by pack


def _per_pack_by_autograd(critic, x: torch.Tensor, pack: int) -> list[torch.Tensor]:
    """||grad D|| for each packed input separately: one leaf tensor per pack, D applied to it alone."""
    norms = []
    for chunk in x.detach().split(pack):
        leaf = chunk.clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(leaf).sum(), leaf)
        norms.append(grad.norm())
    return norms


@pytest.mark.parametrize("pack", [2, 4])
def test_penalties_of_a_packed_mlp_equal_the_per_packed_input_definition(pack):
    torch.manual_seed(0)
    critic = MLPDiscriminator((2,), 16, 2, "tanh", pack=pack).double()
    real = torch.randn(6 * pack, 2, dtype=torch.float64)
    # real == fake makes x_hat = real whatever eps is, so the definition needs no shared eps
    gp = losses.gradient_penalty(critic, real, real.clone(), torch.Generator().manual_seed(0))
    norms = torch.stack(_per_pack_by_autograd(critic, real, pack))
    assert gp.item() == pytest.approx(((norms - 1) ** 2).mean().item(), rel=1e-9)
    x = real.clone().requires_grad_(True)
    r1 = losses.r1_penalty(critic(x), x, 2.0, pack)
    assert r1.item() == pytest.approx((0.5 * 2.0 * norms**2).mean().item(), rel=1e-9)


def test_trainer_r1_with_pack_uses_the_per_packed_input_definition():
    from gan_core.config import TrainConfig
    from gan_core.trainer import Trainer
    import copy

    t = Trainer(TrainConfig(target="ring8", pack=4, r1_gamma=2.0, batch_size=32, d_width=16, g_width=16))
    d_before = copy.deepcopy(t.discriminator)
    real = t.real_batch(32, torch.Generator().manual_seed(9))
    record = t.step_d(real=real)
    norms = torch.stack(_per_pack_by_autograd(d_before, real, 4))
    assert record.penalty == pytest.approx((0.5 * 2.0 * norms**2).mean().item(), rel=1e-4)
