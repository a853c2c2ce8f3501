"""What classroom.classes hands to pages: a class, a member, a gallery row, and the error a page
says in words. Plain records, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class ClassError(ValueError):
    """What a page says when a class request cannot be done; str() is a sentence."""


@dataclass(frozen=True)
class ClassInfo:
    code: str  # 6 characters of CODE_ALPHABET
    title: str
    preset: str  # a class_presets() name, or "" for the page default
    preset_version: int  # grows with every push
    created: float  # unix time
    members: int  # members in the class now
    ended: float | None = None  # unix time it ended; None while open


@dataclass(frozen=True)
class Member:
    code: str
    pseudonym: str  # as typed (stripped); the UI escapes it
    slot: int  # 1, 2, ... in join order within the class


@dataclass
class GalleryRow:
    slot: int
    pseudonym: str
    page: str  # "2D lab" or "side by side"
    live: bool  # the run is open now (False: from the database, e.g. last lesson)
    playing: bool
    iteration: int
    modes_captured: int | None
    n_modes: int
    hq_percent: float | None
    settings: dict  # TrainConfig field -> value, as JSON reads it back (tuples as lists), live or stored alike
    differs: dict  # field -> value where settings differ from the class preset's config
    fakes: np.ndarray | None  # (<=256, 2) float32: G(fixed z) of the shown G
    target: str
