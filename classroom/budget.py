"""The server's budget for a setup that arrives from outside the page's own widgets: a link, a
preset file, an uploaded checkpoint, an architecture form. Each is checked here on its
TrainConfig, which costs nothing to build, before any network, optimizer or snapshot exists.

    check_network(config)             raises OverBudget (a ValueError) in words over MAX_PARAMETERS
    with_server_settings(config, own) -> (config with `own`'s bookkeeping, notes of what changed)

Two parts:
- the networks: G and D together hold at most MAX_PARAMETERS weights (the tutorials' MNIST MLP,
  the largest preset, has 2.9 million). A 28 kB checkpoint that describes 58.8 million weights
  cost the web server 489 MiB before this check.
- the bookkeeping (SERVER_FIELDS: device, history length, snapshot period and count) is the
  server's, not the file's or the link's: a checkpoint that asked for a snapshot every iteration,
  100 kept, grew its worker by 55 MiB an iteration. The page's own run says what this server uses.
"""

from __future__ import annotations

import dataclasses

from gan_core.config import TrainConfig

MAX_PARAMETERS = 5_000_000  # G + D weights; the tutorials' MNIST MLP has about 2.9 million
# Server-side bookkeeping, not lesson settings: a link, preset or checkpoint never sets them.
SERVER_FIELDS = ("device", "history_len", "snapshot_every", "snapshots_kept")


class OverBudget(ValueError):
    """The setup asks the server for more than a classroom setup may; the message says what."""


def parameter_count(config: TrainConfig) -> int:
    """Weights of G and D for `config`, counted on torch's meta device (no memory, no time)."""
    import torch

    from gan_core.distributions import TARGETS
    from gan_core.models import build_models

    target = TARGETS.get(config.target)
    shape = (1, 28, 28) if config.target == "mnist" else (target.dim if target is not None else 2,)
    with torch.device("meta"):
        nets = build_models(config, shape)
    return sum(p.numel() for net in nets for p in net.parameters())


def check_network(config: TrainConfig) -> int:
    """The weight count of `config`'s G and D; OverBudget when it exceeds MAX_PARAMETERS."""
    count = parameter_count(config)
    if count > MAX_PARAMETERS:
        raise OverBudget(f"its networks would hold {count:,} weights, more than the {MAX_PARAMETERS:,} "
                         f"this classroom server builds (G {config.g_depth}×{config.g_width}, "
                         f"D {config.d_depth}×{config.d_width}, z_dim {config.z_dim}, {config.arch})")
    return count


def with_server_settings(config: TrainConfig, own: TrainConfig) -> tuple[TrainConfig, list[str]]:
    """`config` with the bookkeeping of `own` (the page's run: the values this server uses), and
    one note per field that differed, e.g. "snapshots_kept 100 → 2"."""
    changed = {name: getattr(own, name) for name in SERVER_FIELDS if getattr(config, name) != getattr(own, name)}
    notes = [f"{name} {getattr(config, name)!r} → {value!r}" for name, value in changed.items()]
    return (dataclasses.replace(config, **changed) if changed else config), notes


def admit(config: TrainConfig, own: TrainConfig) -> tuple[TrainConfig, list[str]]:
    """A setup from outside, made to fit this server: OverBudget if its networks are too large,
    else the config with the page's own bookkeeping (with_server_settings) and the notes."""
    check_network(config)
    return with_server_settings(config, own)


def load_checkpoint_upload(data: bytes, targets: tuple[str, ...], what: str, own: TrainConfig):
    """(Trainer, notes) from an uploaded checkpoint for a page that trains on `targets` (`what`
    in words) and whose run is configured as `own`. Read and weighed before anything is built:
    gan_core.checkpoint refuses unreadable files, invalid settings, other targets and non-finite
    numbers, admit() networks over budget (each a CheckpointError in words); the notes say which
    of the file's server settings gave way to this server's."""
    from gan_core.checkpoint import load_checkpoint_for  # torch and the trainer: only when a file comes

    notes: list[str] = []

    def fit(config: TrainConfig) -> TrainConfig:
        config, changed = admit(config, own)
        notes.extend(changed)
        return config

    return load_checkpoint_for(data, targets, what, admit=fit), notes
