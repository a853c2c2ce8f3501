"""Tensor helpers shared by the tests that compare trainers: cloned weights and optimizer state,
and whether two such lists are equal."""

import torch


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
