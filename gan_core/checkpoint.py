"""Checkpoint files: a whole run (config, weights, optimizers, RNG, counters) in one torch file.

Loading uses `torch.load(weights_only=True, map_location="cpu")`, so a file carrying a pickle
payload is refused before any of its code can run and a file saved on a GPU opens anywhere; then
the config is validated, every saved number is checked to be finite (a file of NaN weights would
train nothing and leave no snapshot to roll back to), and only then are the networks built and the
tensors checked against them. read_checkpoint does everything before the build, so a caller can
weigh the config first (classroom.budget: a 28 kB file may describe 58.8 million weights).
Every failure is a CheckpointError with plain words.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import zipfile
import math
from typing import BinaryIO, Callable, Sequence

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


def _non_finite_part(state: dict) -> str | None:
    """The first saved tensor or counter (by its place in the file) holding NaN or an infinity."""
    def walk(value, where: str) -> str | None:
        if isinstance(value, torch.Tensor):
            return where if value.is_floating_point() and not torch.isfinite(value).all() else None
        if isinstance(value, float):
            return None if math.isfinite(value) else where
        if isinstance(value, dict):
            items = value.items()
        elif isinstance(value, (list, tuple)):
            items = enumerate(value)
        else:
            return None
        return next((found for k, v in items if (found := walk(v, f"{where}.{k}")) is not None), None)

    parts = ("generator", "discriminator", "opt_g", "opt_d", "average", "counters")
    return next((found for part in parts if (found := walk(state.get(part), part)) is not None), None)


def read_checkpoint(file: str | os.PathLike | BinaryIO | bytes, device: str = "cpu") -> tuple[TrainConfig, dict]:
    """(config, state) of a checkpoint file, checked without building anything: readable with
    weights_only=True, our format, valid settings, every saved number finite. The config runs on
    `device` (the loading machine's choice, whatever device the file was saved from)."""
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
        saved = state["config"]
        if not isinstance(saved, dict):
            raise TypeError(f"expected a mapping of settings, got {type(saved).__name__}")
        config = TrainConfig.from_dict({**saved, "device": device})
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"its settings are invalid: {exc}") from exc
    if (part := _non_finite_part(state)) is not None:
        raise CheckpointError(f"it holds NaN or infinite values ({part}): a run that diverged cannot be "
                              "continued; load a checkpoint saved before it diverged")
    return config, state


def trainer_from_checkpoint(config: TrainConfig, state: dict, target=None) -> Trainer:
    """A Trainer with `config` continuing `state` (both from read_checkpoint)."""
    trainer = Trainer(config, target=target)
    try:
        trainer.load_state_dict(state)
    except ValueError as exc:
        raise CheckpointError(f"its weights do not fit the networks its settings describe: {exc}") from exc
    trainer.snapshots.clear()
    trainer.snapshot()  # rollback from here on returns to the loaded state, not to fresh weights
    return trainer


def load_checkpoint(file: str | os.PathLike | BinaryIO | bytes, target=None, device: str = "cpu") -> Trainer:
    """A Trainer continuing the saved run, on `device`. `target` overrides the data source (e.g. MNIST)."""
    return trainer_from_checkpoint(*read_checkpoint(file, device), target=target)


def load_checkpoint_for(file: str | os.PathLike | BinaryIO | bytes, targets: Sequence[str], what: str,
                        admit: Callable[[TrainConfig], TrainConfig] | None = None) -> Trainer:
    """load_checkpoint for a page that trains only on `targets` (described to the user as `what`,
    e.g. "MNIST" or "a 1D target"): a valid run on any other target is refused by name, because
    the page could not draw it. `admit(config)` returns the config to build or raises ValueError
    (a budget), before anything is built. Every page that accepts a checkpoint file loads it
    through here."""
    config, state = read_checkpoint(file)
    if config.target not in targets:
        raise CheckpointError(f"it holds a run on “{config.target}”, not on {what}")
    if admit is not None:
        try:
            config = admit(config)
        except ValueError as exc:
            raise CheckpointError(str(exc)) from exc
    return trainer_from_checkpoint(config, state)
