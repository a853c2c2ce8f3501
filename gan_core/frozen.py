"""How a network behaves while it is not the one being updated, or is only being looked at:
dropout off for views, BatchNorm statistics left alone. Context managers the trainer wraps
around each use."""

from __future__ import annotations

import contextlib

import torch


@contextlib.contextmanager
def dropout_off(*nets: torch.nn.Module):
    """Views read the networks without dropout: D(x) as a function of x, not of a random mask
    (only dropout layers switch; batch norm keeps its training behaviour)."""
    layers = [m for net in nets for m in net.modules()
              if isinstance(m, torch.nn.modules.dropout._DropoutNd) and m.training]
    for m in layers:
        m.train(False)
    try:
        yield
    finally:
        for m in layers:
            m.train(True)


def batch_norms(net: torch.nn.Module) -> list[torch.nn.Module]:
    """The BatchNorm layers of a network that keep running statistics (DCGAN's; MLPs have none)."""
    return [m for m in net.modules()
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm) and m.track_running_stats]


@contextlib.contextmanager
def frozen_batch_norm(layers: list[torch.nn.Module]):
    """A frozen network's BatchNorm keeps normalising by the batch (its training behaviour, so
    the forward pass is unchanged) but leaves running_mean, running_var and num_batches_tracked
    alone: only the network being updated, in its own step, moves them. Otherwise step_d would
    move G's statistics, step_g D's, and merely looking (sample, d_probability) would move both,
    so checkpoints and eval-mode outputs would depend on how often a page redrew."""
    for m in layers:
        m.track_running_stats = False  # with training=True: batch statistics, no buffer update
    try:
        yield
    finally:
        for m in layers:
            m.track_running_stats = True
