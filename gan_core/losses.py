"""GAN losses as pure functions of D's raw outputs (logits for the log-loss family).

Every discriminator loss returns its "real error" and "fake error" terms separately (the seed
tutorials' wording); label values are arguments read at every call, so one-sided label smoothing
changes the very next step. Minimising these losses is what the optimisers do; the docstrings give
the objective each one implements.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F


class DLoss(NamedTuple):
    real: torch.Tensor  # scalar: the real-error term
    fake: torch.Tensor  # scalar: the fake-error term

    @property
    def total(self) -> torch.Tensor:
        return self.real + self.fake


# ---- the log-loss family of the 2014 paper ---------------------------------------------------

def d_loss_bce(d_real: torch.Tensor, d_fake: torch.Tensor, real_label: float = 1.0,
               fake_label: float = 0.0) -> DLoss:
    """D maximises V = E[log D(x)] + E[log(1 - D(G(z)))]; as a loss, binary cross-entropy:

    real = -E[a log D(x) + (1 - a) log(1 - D(x))]          a = real_label (0.9 = smoothing 0.1)
    fake = -E[b log D(G(z)) + (1 - b) log(1 - D(G(z)))]   b = fake_label (normally 0)
    With a = 1, b = 0 the sum is -V. d_real, d_fake are logits: D(x) = sigmoid(logit).
    """
    real = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, real_label))
    fake = F.binary_cross_entropy_with_logits(d_fake, torch.full_like(d_fake, fake_label))
    return DLoss(real, fake)


def g_loss_minimax(d_fake: torch.Tensor) -> torch.Tensor:
    """G minimises E[log(1 - D(G(z)))], the saturating loss of the minimax game.

    log(1 - sigmoid(l)) = -softplus(l). Its gradient vanishes when D confidently rejects fakes
    (D(G(z)) -> 0), which is exactly the situation early in training."""
    return -F.softplus(d_fake).mean()


def g_loss_nonsaturating(d_fake: torch.Tensor) -> torch.Tensor:
    """G minimises -E[log D(G(z))] (the 2014 paper's advice): the "misleading label" trick,
    G is trained as if its fakes were labelled real. -log sigmoid(l) = softplus(-l)."""
    return F.softplus(-d_fake).mean()


# ---- least squares (LSGAN, Mao et al. 2017) ----------------------------------------------------

def d_loss_least_squares(d_real: torch.Tensor, d_fake: torch.Tensor, real_label: float = 1.0,
                         fake_label: float = 0.0) -> DLoss:
    """D minimises 1/2 E[(D(x) - a)^2] + 1/2 E[(D(G(z)) - b)^2] with raw (unsquashed) outputs."""
    return DLoss(0.5 * ((d_real - real_label) ** 2).mean(), 0.5 * ((d_fake - fake_label) ** 2).mean())


def g_loss_least_squares(d_fake: torch.Tensor, target: float = 1.0) -> torch.Tensor:
    """G minimises 1/2 E[(D(G(z)) - c)^2], c = 1: pull fakes to where D says "real"."""
    return 0.5 * ((d_fake - target) ** 2).mean()


# ---- Wasserstein (WGAN-GP, Gulrajani et al. 2017) and hinge (Miyato et al. 2018) ----------------

def d_loss_wasserstein(d_real: torch.Tensor, d_fake: torch.Tensor) -> DLoss:
    """The critic maximises E[D(x)] - E[D(G(z))]; as a loss: real = -E[D(x)], fake = E[D(G(z))]."""
    return DLoss(-d_real.mean(), d_fake.mean())


def d_loss_hinge(d_real: torch.Tensor, d_fake: torch.Tensor) -> DLoss:
    """D minimises E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return DLoss(F.relu(1 - d_real).mean(), F.relu(1 + d_fake).mean())


def g_loss_critic(d_fake: torch.Tensor) -> torch.Tensor:
    """G minimises -E[D(G(z))] (WGAN and hinge generators)."""
    return -d_fake.mean()


# ---- penalties ------------------------------------------------------------------------------

def _per_packed_input(t: torch.Tensor, pack: int) -> torch.Tensor:
    """(B, ...) samples -> (B / pack, pack * features): the inputs D actually judges. With PacGAN
    packing one input of D is `pack` consecutive samples, so a gradient w.r.t. "x" is a gradient
    w.r.t. that whole packed vector, and its norm is taken over all of it."""
    return t.reshape(t.shape[0] // pack, -1)


def gradient_penalty(discriminator, real: torch.Tensor, fake: torch.Tensor,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """E[(||grad_x D(x_hat)||_2 - 1)^2] at x_hat = eps x + (1 - eps) G(z), eps ~ U(0, 1).

    x is one input of D: with pack > 1 (discriminator.pack) a packed input of `pack` samples, so
    eps is drawn once per packed input and the norm is over the whole packed gradient (the
    1-Lipschitz constraint is on D as a function of what it reads). Per sample, a D with
    ||grad|| = 1 on its packed input would read as ||grad|| = 1/sqrt(pack) and be penalised."""
    pack = getattr(discriminator, "pack", 1)
    shape = (real.shape[0] // pack,) + (1,) * (real.dim() - 1)
    eps = torch.rand(shape, generator=generator, device=real.device).repeat_interleave(pack, dim=0)  # (B, 1, ...)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = discriminator(x_hat)  # (B / pack,)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)  # (B, ...)
    return ((_per_packed_input(grad, pack).norm(dim=1) - 1) ** 2).mean()


def r1_penalty(d_real: torch.Tensor, real: torch.Tensor, gamma: float, pack: int = 1) -> torch.Tensor:
    """gamma/2 E[||grad_x D(x)||^2] on real data (Mescheder et al. 2018); `real` requires grad.

    The expectation is over D's inputs: with pack > 1, packed inputs of `pack` samples, each
    contributing the squared norm of its whole packed gradient (averaging per sample would divide
    gamma by pack)."""
    (grad,) = torch.autograd.grad(d_real.sum(), real, create_graph=True)
    return 0.5 * gamma * _per_packed_input(grad, pack).pow(2).sum(1).mean()


# ---- what each named loss means for D's output ------------------------------------------------

def probability(loss: str, d_out: torch.Tensor) -> torch.Tensor:
    """D's output read as "probability that x is real" (the log-loss family: sigmoid of logits;
    least squares: the raw output; Wasserstein and hinge critics: sigmoid, only as a score)."""
    return d_out if loss == "least_squares" else torch.sigmoid(d_out)


def decision_threshold(loss: str) -> float:
    """Raw-output value above which D calls a sample real."""
    return 0.5 if loss == "least_squares" else 0.0


def discriminator_loss(loss: str, d_real: torch.Tensor, d_fake: torch.Tensor,
                       real_label: float, fake_label: float) -> DLoss:
    if loss in ("minimax", "nonsaturating"):
        return d_loss_bce(d_real, d_fake, real_label, fake_label)
    if loss == "least_squares":
        return d_loss_least_squares(d_real, d_fake, real_label, fake_label)
    if loss == "wgan_gp":
        return d_loss_wasserstein(d_real, d_fake)
    if loss == "hinge":
        return d_loss_hinge(d_real, d_fake)
    raise ValueError(f"unknown loss {loss!r}")


def generator_loss(loss: str, d_fake: torch.Tensor) -> torch.Tensor:
    if loss == "minimax":
        return g_loss_minimax(d_fake)
    if loss == "nonsaturating":
        return g_loss_nonsaturating(d_fake)
    if loss == "least_squares":
        return g_loss_least_squares(d_fake)
    if loss in ("wgan_gp", "hinge"):
        return g_loss_critic(d_fake)
    raise ValueError(f"unknown loss {loss!r}")
