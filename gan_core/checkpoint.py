"""Checkpoint files: a whole run (config, weights, optimizers, RNG, counters) in one torch file.

Loading uses `torch.load(weights_only=True)`, so a file carrying a pickle payload is refused
before any of its code can run; then the config is validated and the tensors are checked
against the networks that config builds. Every failure is a CheckpointError with plain words.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO

import torch

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer

FORMAT = "gan-classroom-checkpoint/1"


class CheckpointError(ValueError):
    """The file is not a usable GAN Classroom checkpoint; the message says why."""


def save_checkpoint(trainer: Trainer, file: str | os.PathLike | BinaryIO) -> None:
    torch.save({"format": FORMAT, **trainer.state_dict()}, file)


def checkpoint_bytes(trainer: Trainer) -> bytes:
    buffer = io.BytesIO()
    save_checkpoint(trainer, buffer)
    return buffer.getvalue()


def load_checkpoint(file: str | os.PathLike | BinaryIO | bytes, target=None) -> Trainer:
    """A Trainer continuing the saved run. `target` overrides the data source (e.g. MNIST)."""
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    try:
        state = torch.load(file, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # unpickling refused, truncated zip, not a torch file at all
        raise CheckpointError(f"not a readable checkpoint file ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:200]})") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError("not a GAN Classroom checkpoint (format marker missing)")
    try:
        config = TrainConfig.from_dict(state["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"its settings are invalid: {exc}") from exc
    trainer = Trainer(config, target=target)
    try:
        trainer.load_state_dict(state)
    except ValueError as exc:
        raise CheckpointError(f"its weights do not fit the networks its settings describe: {exc}") from exc
    trainer.snapshots.clear()
    trainer.snapshot()  # rollback from here on returns to the loaded state, not to fresh weights
    return trainer
