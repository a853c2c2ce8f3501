"""A copy of a trainer to look at: the views' forwards run on it after the run is let go.

A 2D frame's network part (D on the plane's grid, G's fixed fakes, the gradient field) takes ~5 ms
and a mode measurement (G on 2,500 samples) ~3 ms; held under the run's lock, they stopped the
training thread for that long at every redraw. Copying the small networks' weights takes ~0.05 ms,
so a view copies them while it holds the run and runs its forwards on the copy afterwards, while
the next steps train.

`TrainerTwin.copy_of(trainer)` is a shallow copy of the trainer whose generator, discriminator and
weight average are the twin's own networks (rebuilt when the trainer's are replaced or change
shape), with the weights and buffers of this moment, and whose view stream starts where the
trainer's is: views call the trainer's own methods on it (fixed_samples, sample, d_probability,
looking_at), and looking moves neither the run's weights nor any of its random streams. Everything
else (config, history, fixed noise, counters) is the trainer's, read as it was at the copy: read
the history while the run is held, as before.
"""

from __future__ import annotations

import copy

import torch

from gan_core.frozen import batch_norms


def _tensors(nets: list[torch.nn.Module]) -> list[torch.Tensor]:
    return [t for net in nets for t in (*net.parameters(), *net.buffers())]


class TrainerTwin:
    def __init__(self):
        self._sources: list[torch.Tensor] = []  # the trainer's tensors the copies were made from
        self._copies: list[torch.nn.Module] = []
        self._targets: list[torch.Tensor] = []  # the copies' tensors, in the order of _sources

    def copy_of(self, trainer):
        """The twin of `trainer` now; call it while the run is held between two steps."""
        nets = [trainer.generator, trainer.discriminator] + ([trainer.average.net] if trainer.average else [])
        sources = _tensors(nets)
        if len(sources) != len(self._sources) or any(a is not b for a, b in zip(sources, self._sources)):
            self._copies = [copy.deepcopy(net) for net in nets]  # a new trainer, or a net that changed
            self._targets, self._sources = _tensors(self._copies), sources
        with torch.no_grad():
            for target, source in zip(self._targets, sources):
                target.copy_(source)
        twin = copy.copy(trainer)
        twin.generator, twin.discriminator = self._copies[0], self._copies[1]
        twin.g_batch_norms, twin.d_batch_norms = batch_norms(twin.generator), batch_norms(twin.discriminator)
        if trainer.average is not None:
            twin.average = copy.copy(trainer.average)
            twin.average.net = self._copies[2]
        twin.view_rng = torch.Generator(device=trainer.view_rng.device)
        twin.view_rng.set_state(trainer.view_rng.get_state())
        return twin
