"""Helpers shared by the tests that compare trainers: a small toy config, cloned weights and
optimizer state, and whether two such lists (or whole runs) are equal."""

import torch

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer

SMALL = TrainConfig(g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=3)  # fast toy run


def params(net) -> list[torch.Tensor]:
    """One network's parameters, cloned."""
    return [p.detach().clone() for p in net.parameters()]


def weights(trainer) -> list[torch.Tensor]:
    """A trainer's G then D parameters, cloned."""
    return [*params(trainer.generator), *params(trainer.discriminator)]


def opt_tensors(opt) -> list[torch.Tensor]:
    """The tensors of an optimizer's state (Adam's moments), cloned."""
    return [v.clone() for s in opt.state.values() for v in s.values() if torch.is_tensor(v)]


def same(a, b) -> bool:
    """Two lists of tensors, equal element by element."""
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def tensors(net) -> dict[str, torch.Tensor]:
    """Parameters and buffers (spectral-norm u and v included), cloned."""
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def same_tensors(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def max_diff(a, b) -> float:
    return max(float((x.detach().double() - y.detach().double()).abs().max()) for x, y in zip(a, b))


def whole_run(t: Trainer) -> dict:
    """Everything that must match when two runs are the same run."""
    out = {f"g.{k}": v for k, v in tensors(t.generator).items()}
    out.update({f"d.{k}": v for k, v in tensors(t.discriminator).items()})
    if t.average is not None:
        out.update({f"avg.{k}": v for k, v in tensors(t.average.net).items()})
    for i, v in enumerate(opt_tensors(t.opt_g) + opt_tensors(t.opt_d)):
        out[f"opt.{i}"] = v
    out["rng"] = t.rng.get_state()
    return out


