"""What the class-mode runtime tests share: keys, presets, a settable clock, a run with numbers the
test sets, and how the gallery stores a config."""

import dataclasses
import json

import numpy as np

from gan_core.config import TrainConfig
from classroom.presets import TOY_PRESETS

TEACHER, OTHER_TEACHER = "teacher-A-" + "a" * 22, "teacher-B-" + "b" * 22
ADA, BOB, CY = "student-ada-" + "1" * 20, "student-bob-" + "2" * 20, "student-cy-" + "3" * 20
RING = "Ring of 8: plain GAN"
GRID = "Grid of 25: plain GAN"


class Clock:
    def __init__(self, now: float = 1_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeRun:
    """A run as a page holds it, with numbers set by the test."""

    def __init__(self, config: TrainConfig, iteration=0, modes=None, hq=None, playing=False, n_modes=8,
                 modes_at=None):
        """modes_at: the iteration the modes were measured at (None: the run's iteration, when measured)."""
        self.config, self.iteration, self.modes, self.hq, self.n_modes = config, iteration, modes, hq, n_modes
        self.modes_at = modes_at
        self._playing, self.closed = playing, False
        self.fakes = np.arange(512, dtype=np.float32).reshape(256, 2) / 100 + iteration
        self.reads = 0

    def view(self, name: str) -> dict:
        assert name == "summary"
        self.reads += 1
        return {"iteration": self.iteration, "updates": 2 * self.iteration, "config": self.config,
                "n_modes": self.n_modes, "modes_captured": self.modes, "hq_percent": self.hq,
                "modes_at": self.modes_at if self.modes_at is not None or self.modes is None else self.iteration,
                "fakes": self.fakes, "target": self.config.target}

    @property
    def playing(self) -> bool:
        return self._playing

    def play(self) -> None:
        self._playing = True

    def pause(self, wait: bool = True) -> None:
        self._playing = False


def as_stored(config: TrainConfig) -> dict:
    """A config's settings as the gallery gives them, live or stored alike, written out by hand: its
    fields as JSON (lists for tuples), real_label named as label smoothing (1 - real_label), without
    the server's bookkeeping (device, history, snapshots)."""
    settings = json.loads(json.dumps(dataclasses.asdict(config)))
    settings["label_smoothing"] = round(1.0 - settings.pop("real_label"), 12)
    for server_field in ("device", "history_len", "snapshot_every", "snapshots_kept"):
        del settings[server_field]
    return settings


def ring(**changes) -> TrainConfig:
    return TOY_PRESETS[RING].config.replace(**changes)
