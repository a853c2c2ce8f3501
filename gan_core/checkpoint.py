"""Checkpoint files: a whole run (config, weights, optimizers, RNG, counters) in one torch file.

Loading uses `torch.load(weights_only=True)`, so a file carrying a pickle payload is refused
before any of its code can run; then the config is validated and the tensors are checked
against the networks that config builds. Every failure is a CheckpointError with plain words.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import zipfile
from typing import BinaryIO, Sequence

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


_GLOBAL = re.compile(r"GLOBAL ([\w.]{1,120})")


ZIP_MAGIC = b"PK\x03\x04"  # PyTorch saves a zip archive; every one starts with these bytes


def unreadable_reason(exc: Exception, file: BinaryIO | str | os.PathLike) -> str:
    """What is wrong with a file torch.load(weights_only=True) refused, in our own words.

    Torch's own message is never passed on: it tells the reader to retry with weights_only=False,
    i.e. to unpickle a file of unknown origin, which can run any code in it. A teacher must only
    hear what is wrong with the file."""
    head, whole_zip = _zip_facts(file)
    if not head:
        return "the file is empty"
    if isinstance(exc, pickle.UnpicklingError) and (found := _GLOBAL.search(str(exc))) is not None:
        return (f"it asks to rebuild the Python object {found.group(1)}, which a GAN Classroom checkpoint "
                "never holds (a file like this can run code when opened); it was refused before anything "
                "in it ran")
    if head == ZIP_MAGIC and not whole_zip:
        return "the file is cut short or damaged (an interrupted download?); save or download it again"
    if head == ZIP_MAGIC:
        return "it is a zip archive, but not a checkpoint saved by PyTorch (or its contents are damaged)"
    return "it is not a file saved by PyTorch (no tensors and settings could be read from it)"


def _zip_facts(file: BinaryIO | str | os.PathLike) -> tuple[bytes, bool]:
    """(the first 4 bytes, whether the whole file is a readable zip archive) of a file or path."""
    try:
        if not hasattr(file, "read"):
            with open(file, "rb") as f:
                return f.read(4), zipfile.is_zipfile(f)
        file.seek(0)
        head = file.read(4)
        return head, zipfile.is_zipfile(file)
    except (OSError, ValueError):
        return b"?", False


def load_checkpoint(file: str | os.PathLike | BinaryIO | bytes, target=None) -> Trainer:
    """A Trainer continuing the saved run. `target` overrides the data source (e.g. MNIST)."""
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(file)
    try:
        state = torch.load(file, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # unpickling refused, truncated zip, not a torch file at all
        raise CheckpointError(f"not a readable checkpoint file: {unreadable_reason(exc, file)}") from exc
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


def load_checkpoint_for(file: str | os.PathLike | BinaryIO | bytes, targets: Sequence[str], what: str) -> Trainer:
    """load_checkpoint for a page that trains only on `targets` (described to the user as `what`,
    e.g. "MNIST" or "a 1D target"): a valid run on any other target is refused by name, because
    the page could not draw it. Every page that accepts a checkpoint file loads it through here."""
    trainer = load_checkpoint(file)
    if trainer.config.target not in targets:
        raise CheckpointError(f"it holds a run on “{trainer.config.target}”, not on {what}")
    return trainer
