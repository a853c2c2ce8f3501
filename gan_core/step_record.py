"""What one update reports: the StepRecord of its numbers, how they are read off the tensors in
one go, and the error a non-finite number raises."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch


class NonFiniteError(FloatingPointError):
    """A loss, gradient or weight became NaN/inf. The failing update was not applied (or, for a
    weight, the trainer must be rolled back); `rollback()` restores the last finite snapshot."""

    def __init__(self, what: str, iteration: int, value: float):
        self.what, self.iteration, self.value = what, iteration, value
        super().__init__(f"{what} became {value} at iteration {iteration}: the run diverged "
                         f"(try a smaller learning rate, then roll back to the last good snapshot)")

    def __reduce__(self):  # pickled by its three fields: a worker process sends it to the page
        return type(self), (self.what, self.iteration, self.value)


@dataclass(frozen=True)
class StepRecord:
    """One update. Fields that do not apply to this kind of update are NaN."""

    kind: str  # "D" or "G"
    iteration: int  # completed G updates (iterations of Algorithm 1) after this update
    update: int  # updates of either kind so far, this one included
    batch_size: int
    loss_d_real: float  # D's real-error term
    loss_d_fake: float  # D's fake-error term
    penalty: float  # gradient penalty / R1 term added to D's loss (0 if none)
    loss_d: float  # real + fake + penalty
    loss_g: float
    d_real: float  # mean D(x), read as a probability
    d_fake: float  # mean D(G(z)); for a G update, as scored by D before G moves
    d_accuracy: float  # fraction of real and fake samples D classifies correctly
    grad_norm: float  # L2 norm of the gradient of the updated network
    lr: float  # learning rate this update used (the schedule's, when config.lr_half_life > 0)
    step_seconds: float  # wall time of this update
    elapsed: float  # training wall time since the run began


RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(StepRecord))
NAN = float("nan")


def optimized_params(opt: torch.optim.Optimizer) -> list[torch.Tensor]:
    """The parameters an optimizer updates: a plain list, cheaper per step than module.parameters()."""
    return [p for group in opt.param_groups for p in group["params"]]


def grad_norms(params) -> list[torch.Tensor]:
    """Per-tensor gradient L2 norms (0-d tensors), to be read together with the step's other numbers."""
    grads = [p.grad for p in params if p.grad is not None]
    return list(torch._foreach_norm(grads)) if grads else []


def read_numbers(values: list[torch.Tensor]) -> list[float]:
    """0-d tensors as Python numbers. On the CPU one .item() each is cheapest; on a GPU one
    stacked copy, so the step waits for the device once."""
    if values[0].device.type == "cpu":
        return [v.item() for v in values]
    return torch.stack([v.float() for v in values]).tolist()


def l2_of(norms: list[float]) -> float:
    """The L2 norm of all gradients from the per-tensor norms (inf/NaN stay inf/NaN)."""
    return math.sqrt(sum(n * n for n in norms))
