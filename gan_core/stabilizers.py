"""Knobs known to steady GAN training, each a small piece the trainer switches on by config:

    GeneratorAverage   an exponential moving average of G's weights (config.ema_decay)
    schedule_factor    learning-rate decay with a half-life in iterations (config.lr_half_life)
    with_instance_noise  Gaussian noise on every input D sees while training (config.instance_noise)
    add_spectral_norm  D's weight layers divided by their largest singular value (config.spectral_norm)

Why each helps, in one line: the average smooths G's oscillation around the equilibrium
(Yazici et al. 2019); a decaying step size lets the players settle instead of circling; instance
noise makes the real and fake distributions overlap so D's gradient points somewhere useful
(Sønderby et al. 2016); spectral normalisation keeps D 1-Lipschitz-ish, so its gradients stay
bounded and informative (Miyato et al. 2018).
"""

from __future__ import annotations

import contextlib
import copy

import torch
from torch import nn
from torch.nn.utils import parametrize

WARMUP_ITERATIONS = 20  # power-iteration steps when a layer is first normalised
EMA_WARMUP = 10  # the average's decay ramps (1 + n) / (10 + n) up to ema_decay: early G is forgotten fast


class GeneratorAverage:
    """ema <- d * ema + (1 - d) * G after every G update, d = min(decay, (1 + n) / (10 + n)).

    A copy of G that is never trained; BatchNorm statistics are copied, not averaged (they
    describe G's current batches). Views can show it instead of (or beside) the training G."""

    def __init__(self, generator: nn.Module):
        self.net = copy.deepcopy(generator)
        for p in self.net.parameters():
            p.requires_grad_(False)
        self.updates = 0
        self._pairs = list(zip(self.net.parameters(), generator.parameters()))
        self._buffers = list(zip(self.net.buffers(), generator.buffers()))

    def decay_now(self, decay: float) -> float:
        return min(decay, (1 + self.updates) / (EMA_WARMUP + self.updates))

    @torch.no_grad()
    def update(self, decay: float) -> None:
        weight = 1.0 - self.decay_now(decay)  # how far the average moves towards G
        averaged, current = zip(*self._pairs)
        torch._foreach_lerp_(list(averaged), list(current), weight)
        for mine, theirs in self._buffers:
            mine.copy_(theirs)
        self.updates += 1

    def state_dict(self) -> dict:
        return {"net": self.net.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        self.net.load_state_dict(state["net"])
        self.updates = int(state["updates"])


def schedule_factor(half_life: int, iteration: int) -> float:
    """The learning-rate multiplier at `iteration`: 0.5 ** (iteration / half_life); 1 when
    half_life is 0 (constant rates). Instance noise follows the same curve (annealed noise)."""
    return 1.0 if half_life <= 0 else 0.5 ** (iteration / half_life)


def with_instance_noise(x: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """x + N(0, std^2) per element, from the training stream; x itself when std is 0 (no draw,
    so runs without noise replay exactly as before)."""
    if std <= 0:
        return x
    return x + std * torch.randn(x.shape, generator=generator).to(x.device)


class SpectralNorm(nn.Module):
    """A parametrization: weight / sigma, sigma the largest singular value of the weight (as a
    matrix: out x everything else), estimated by one power-iteration step per D update.

    torch's own spectral_norm iterates at every forward in training mode, so merely drawing D's
    heatmap or scoring fakes in G's step would move it. Here only D's own update refreshes the
    estimate (inside `power_iteration`), so looking at D never changes the run."""

    def __init__(self, weight: torch.Tensor):
        super().__init__()
        rows, cols = weight.shape[0], weight[0].numel()
        self.register_buffer("u", nn.functional.normalize(torch.randn(rows), dim=0))
        self.register_buffer("v", nn.functional.normalize(torch.randn(cols), dim=0))
        self.refresh = False  # set by power_iteration(): the next forward refreshes u and v once
        with torch.no_grad():  # a settled estimate from the start, not a random one
            for _ in range(WARMUP_ITERATIONS):
                self._iterate(weight.reshape(rows, -1))

    def _iterate(self, matrix: torch.Tensor) -> None:
        self.v.copy_(nn.functional.normalize(matrix.t() @ self.u, dim=0))
        self.u.copy_(nn.functional.normalize(matrix @ self.v, dim=0))

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        matrix = weight.reshape(weight.shape[0], -1)  # (out, in * kh * kw)
        if self.refresh:
            self.refresh = False
            with torch.no_grad():
                self._iterate(matrix)
        sigma = torch.dot(self.u, matrix @ self.v)  # gradient flows through sigma, as in the paper
        return weight / sigma


def add_spectral_norm(net: nn.Module) -> nn.Module:
    """Spectrally normalise every Linear and Conv2d layer of `net` (after its initialisation)."""
    for m in list(net.modules()):
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            parametrize.register_parametrization(m, "weight", SpectralNorm(m.weight.detach()))
    return net


@contextlib.contextmanager
def power_iteration(net: nn.Module):
    """Refresh each spectral-norm estimate of `net` once, at its next forward pass (D's update only)."""
    norms = [m for m in net.modules() if isinstance(m, SpectralNorm)]
    for m in norms:
        m.refresh = True
    try:
        yield
    finally:
        for m in norms:
            m.refresh = False
