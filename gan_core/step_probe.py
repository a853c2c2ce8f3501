"""Looking inside single updates of an image GAN without changing the run.

    d_step_view(trainer, n)    after a D update: the real and fake batch D was trained on, with
                               the score D gave each image, the two loss terms and D's accuracy
    g_step_view(trainer, n)    after a G update: the same z through G before and after the update,
                               both scored by the (unchanged) D: the "misleading labels" at work
    latent_walk(trainer, ...)  G along a straight (or great-circle) path between two seeded z
    fixed_frame(trainer, n)    G(fixed z): progress frames comparable over time
    d_verdict(trainer, n)      D's current scores on fresh real and fake images (while playing,
                               when no single update can be caught between two steps)
    d_scores(trainer, x)       D's probability of "real" for each image

Every forward pass here is *quiet*: no grad, dropout off (so a score before and a score after an
update differ because of the update, not because of a new dropout mask), BatchNorm normalises
with the batch's own statistics as in training but its running averages are put back afterwards,
and the trainer's random streams are not touched. Call these between two steps (LiveRun.call).
Images come back as NumPy (n, 28, 28) float32 in [0, 1] (the data's [-1, 1] mapped linearly).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from gan_core import losses


@contextlib.contextmanager
def quiet(*nets: nn.Module):
    """No grad, dropout off, BatchNorm running statistics restored on exit."""
    dropouts = [m for net in nets for m in net.modules() if isinstance(m, nn.modules.dropout._DropoutNd)]
    modes = [m.training for m in dropouts]
    buffers = [(b, b.detach().clone()) for net in nets for b in net.buffers()]
    try:
        for m in dropouts:
            m.eval()
        with torch.no_grad():
            yield
    finally:
        for m, mode in zip(dropouts, modes):
            m.train(mode)
        with torch.no_grad():
            for buf, saved in buffers:
                buf.copy_(saved)


def to_unit_images(x: torch.Tensor) -> np.ndarray:
    """(B, 1, 28, 28) or (B, 784) in the data's [-1, 1] -> (B, 28, 28) float32 in [0, 1]."""
    x = x.detach().float().cpu().reshape(x.shape[0], 28, 28)
    return ((x + 1) / 2).clamp(0, 1).numpy()


def _per_image(scores: torch.Tensor, pack: int) -> torch.Tensor:
    """D judges packs of `pack` images (PacGAN); each image shows its pack's score."""
    return scores.repeat_interleave(pack) if pack > 1 else scores


def d_scores(trainer, x: torch.Tensor) -> np.ndarray:
    """D's probability that each image in x (B, ...) is real, quietly; (B,)."""
    d = trainer.discriminator
    pack = getattr(d, "pack", 1)
    x = x.to(trainer.device)
    if pack > 1:  # judge a pack made of copies of the same image
        x = x.repeat_interleave(pack, dim=0)
    with quiet(d):
        p = losses.probability(trainer.config.loss, d(x))  # (B,)
    return p.float().cpu().numpy()


def generate(trainer, z: torch.Tensor, average: bool | None = None) -> torch.Tensor:
    """G(z) quietly, by the G that views show (its weight average when there is one; average=False:
    the G being trained); (B, 1, 28, 28)."""
    g = trainer.shown_generator(average)
    with quiet(g):
        return g(z.to(trainer.device))


def _last_record(trainer, kind: str):
    """The history record of the latest update if it is of this kind (else None)."""
    if not trainer.history or trainer.last_batch.get("kind") != kind:
        return None
    record = trainer.history[-1]
    return record if record.kind == kind and record.update == trainer.updates else None


@dataclass(frozen=True)
class DStepView:
    update: int  # number of this update among all D and G updates
    iteration: int  # completed G updates when it happened
    real: np.ndarray  # (n, 28, 28) in [0, 1]: the first n real images of the batch
    fake: np.ndarray  # (n, 28, 28): the first n fakes, made by the frozen G
    p_real: np.ndarray  # (n,) D(x) for each shown real image, as D scored it in the update
    p_fake: np.ndarray  # (n,) D(G(z)) for each shown fake
    loss_real: float  # D's real-error term of the batch
    loss_fake: float  # D's fake-error term
    loss_d: float  # real + fake (+ penalty)
    accuracy: float  # fraction of the whole batch D classified correctly
    mean_real: float  # mean D(x) over the whole batch
    mean_fake: float  # mean D(G(z)) over the whole batch
    batch_size: int
    real_label: float  # the target D was pushed towards on real images (0.9 = smoothing 0.1)
    loss: str


def d_step_view(trainer, n: int = 16) -> DStepView | None:
    """What the latest update showed D, or None if the latest update was not a D update.
    The scores are the ones D computed in that update (before its weights moved)."""
    record = _last_record(trainer, "D")
    if record is None:
        return None
    batch, pack = trainer.last_batch, getattr(trainer.discriminator, "pack", 1)
    p_real = _per_image(batch["p_real"].detach(), pack)[:n].float().cpu().numpy()
    p_fake = _per_image(batch["p_fake"].detach(), pack)[:n].float().cpu().numpy()
    return DStepView(record.update, record.iteration, to_unit_images(batch["real"][:n]),
                     to_unit_images(batch["fake"][:n]), p_real, p_fake, record.loss_d_real,
                     record.loss_d_fake, record.loss_d, record.d_accuracy, record.d_real,
                     record.d_fake, record.batch_size, trainer.config.real_label, trainer.config.loss)


@dataclass(frozen=True)
class GStepView:
    update: int
    iteration: int  # completed G updates, this one included
    before: np.ndarray  # (n, 28, 28): G_before(z), the fakes G was trained on
    after: np.ndarray  # (n, 28, 28): G_after(z), the same z through the updated G
    p_before: np.ndarray  # (n,) D's score of each fake before G's update
    p_after: np.ndarray  # (n,) D's score of the same z's fake after it
    mean_before: float  # over the whole batch
    mean_after: float
    improved: float  # fraction of the batch whose score rose
    loss_g: float
    batch_size: int
    loss: str


def g_step_view(trainer, n: int = 16) -> GStepView | None:
    """The latest G update's fakes before and after it, scored by D; None if the latest update
    was not a G update. D did not change in a G update, so every change of score is G's doing:
    G was pushed towards what D calls real, as if its fakes had been labelled real."""
    record = _last_record(trainer, "G")
    if record is None:
        return None
    batch = trainer.last_batch
    before, z = batch["fake"], batch["z"]  # (B, 1, 28, 28), (B, z_dim)
    after = generate(trainer, z, average=False)  # (B, 1, 28, 28): whole batch, so BatchNorm sees the same batch
    p_before, p_after = d_scores(trainer, before), d_scores(trainer, after)
    return GStepView(record.update, record.iteration, to_unit_images(before[:n]),
                     to_unit_images(after[:n]), p_before[:n], p_after[:n], float(p_before.mean()),
                     float(p_after.mean()), float((p_after > p_before).mean()), record.loss_g,
                     record.batch_size, trainer.config.loss)


@dataclass(frozen=True)
class DVerdict:
    iteration: int
    real: np.ndarray  # (n, 28, 28) fresh real digits
    fake: np.ndarray  # (n, 28, 28) fresh fakes of the current G
    p_real: np.ndarray  # (n,) D's current score of each
    p_fake: np.ndarray
    accuracy: float  # fraction of the 2n images D classifies correctly (threshold 1/2)


def d_verdict(trainer, n: int = 16) -> DVerdict:
    """D's scores now on n real and n fake images drawn from a stream of their own (seeded by
    the iteration), so the trainer's streams and weights stay as they are."""
    gen = torch.Generator().manual_seed(trainer.config.seed * 1_000_003 + trainer.iteration)
    real = trainer.real_batch(n, gen)  # (n, 1, 28, 28)
    fake = generate(trainer, trainer.noise(n, gen))  # (n, 1, 28, 28)
    p_real, p_fake = d_scores(trainer, real), d_scores(trainer, fake)
    accuracy = float(((p_real > 0.5).mean() + (p_fake < 0.5).mean()) / 2)
    return DVerdict(trainer.iteration, to_unit_images(real), to_unit_images(fake), p_real, p_fake, accuracy)


@dataclass(frozen=True)
class LatentWalk:
    t: np.ndarray  # (S,) position along the path, 0 = z_a, 1 = z_b
    images: np.ndarray  # (S, 28, 28) in [0, 1]
    p_real: np.ndarray  # (S,) D's score of each image


def endpoint(trainer, seed: int) -> torch.Tensor:
    """A z from the run's noise prior, chosen by a seed of its own: (1, z_dim)."""
    return trainer.noise(1, torch.Generator().manual_seed(int(seed)))


def interpolate(z_a: torch.Tensor, z_b: torch.Tensor, steps: int, spherical: bool) -> torch.Tensor:
    """(steps, z_dim) points from z_a to z_b. Spherical (slerp) keeps the norm a Gaussian z
    typically has; a straight line passes through shorter, atypical z near the middle."""
    t = torch.linspace(0, 1, steps).unsqueeze(1)  # (S, 1)
    a, b = z_a.reshape(1, -1), z_b.reshape(1, -1)
    if spherical:
        cos = (a @ b.T / (a.norm() * b.norm())).clamp(-1, 1)  # (1, 1)
        omega = torch.acos(cos)
        if float(omega) > 1e-4:  # (nearly) parallel endpoints: the line is the arc
            return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
    return (1 - t) * a + t * b


def latent_walk(trainer, seed_a: int, seed_b: int, steps: int = 10, spherical: bool = False) -> LatentWalk:
    z = interpolate(endpoint(trainer, seed_a), endpoint(trainer, seed_b), steps, spherical)
    images = generate(trainer, z)  # (S, 1, 28, 28)
    return LatentWalk(np.linspace(0, 1, steps), to_unit_images(images), d_scores(trainer, images))


def fixed_frame(trainer, n: int = 36) -> np.ndarray:
    """G applied to the first n fixed z: (n, 28, 28) in [0, 1]."""
    return to_unit_images(generate(trainer, trainer.fixed_noise(n)))
