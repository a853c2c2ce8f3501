"""Two runs that differ in one setting, trained in lockstep: the side-by-side comparison.

    pair = LockstepRun(TrainConfig(target="grid25", seed=3), "label_smoothing", 0.0, 0.1)
    live = LiveRun(pair)        # classroom.live drives it like a Trainer: step(), step_d(), step_g()
    live.run_steps("both", 10)  # both runs advance by 10 iterations
    a, b = pair.trainers

Both trainers start from the same config and seed, so they get the same initial weights and the
same seeded noise and data streams (the same batches while the batch size is equal); the only
difference is `setting` (A gets value_a, B value_b).
Every step method steps A and then B, so neither gets ahead: after any completed call both are at
the same iteration. A diverging run raises NonFiniteError naming the run; the pair's rollback()
brings both back to the same snapshot.

`Side(live, i)` shows one run of the pair to code written for a LiveRun of one Trainer (the 2D
lab's ui.toy_2d.render_data.LabViews): locked() holds the pair's lock and yields that run's trainer.
"""

from __future__ import annotations

import contextlib

from gan_core.config import TrainConfig
from gan_core.step_record import NonFiniteError, StepRecord
from gan_core.trainer import Trainer

LABELS = ("A", "B")


class LockstepRun:
    """A Trainer-like pair: LiveRun, the transport buttons and the live knobs accept it."""

    def __init__(self, base: TrainConfig, setting: str, value_a, value_b):
        self.base, self.setting = base, setting
        self.values = (value_a, value_b)
        config_a = base.replace(**{setting: value_a})  # validates; raises ValueError on a bad value
        config_b = base.replace(**{setting: value_b})
        first = Trainer(config_a)
        # one target object for both: the same distribution, sampled from each run's own seeded stream
        self.trainers: tuple[Trainer, Trainer] = (first, Trainer(config_b, target=first.target))

    # ---- what LiveRun and the live controls read ------------------------------------------------
    @property
    def config(self) -> TrainConfig:
        """A's config: every setting but `setting` is the same in both runs."""
        return self.trainers[0].config

    @property
    def target(self):
        return self.trainers[0].target

    @property
    def iteration(self) -> int:
        return min(t.iteration for t in self.trainers)

    @property
    def updates(self) -> int:
        return min(t.updates for t in self.trainers)

    @property
    def snapshots(self) -> list[tuple[int, None]]:
        """The iterations both runs can roll back to (the divergence panel names the newest)."""
        common = set(it for it, _ in self.trainers[0].snapshots) & set(it for it, _ in self.trainers[1].snapshots)
        return [(it, None) for it in sorted(common)]

    # ---- stepping: A then B, so both always advance together ------------------------------------
    def _both(self, fn) -> list:
        out = []
        for label, trainer in zip(LABELS, self.trainers):
            try:
                out.append(fn(trainer))
            except NonFiniteError as exc:  # say which run blew up; the panel shows `what`
                raise NonFiniteError(f"run {label}'s {exc.what}", exc.iteration, exc.value) from exc
        return out

    def step_d(self) -> tuple[StepRecord, StepRecord]:
        return tuple(self._both(lambda t: t.step_d()))

    def step_g(self) -> tuple[StepRecord, StepRecord]:
        return tuple(self._both(lambda t: t.step_g()))

    def step(self) -> list[StepRecord]:
        """One iteration of Algorithm 1 in each run (each with its own k if k is the setting)."""
        records_a, records_b = self._both(lambda t: t.step())
        return records_a + records_b

    # ---- changes ------------------------------------------------------------------------------
    def update(self, **changes) -> dict:
        """A live change of a shared setting reaches both runs; the compared setting is refused
        (it is what tells the runs apart: choose its two values and restart instead)."""
        if self.setting in changes or (self.setting == "real_label" and "label_smoothing" in changes) \
                or (self.setting == "label_smoothing" and "real_label" in changes):
            raise ValueError(f"{self.setting} is the setting being compared; choose its two values above")
        for trainer in self.trainers:  # validate on a copy first, so a refusal changes neither run
            trainer.config.replace(**changes)
        diffs = [t.update(**changes) for t in self.trainers]
        return diffs[0]

    def rebuilt(self, **changes) -> "LockstepRun":
        """A fresh pair (new weights) with the same comparison (the transport's Reset)."""
        return LockstepRun(self.base.replace(**changes), self.setting, *self.values)

    def rollback(self) -> int:
        """Both runs back to the newest snapshot both still have with finite weights."""
        while True:
            reached = [t.rollback() for t in self.trainers]
            if reached[0] == reached[1]:
                return reached[0]
            later = self.trainers[0] if reached[0] > reached[1] else self.trainers[1]
            while later.snapshots and later.snapshots[-1][0] > min(reached):
                later.snapshots.pop()
            if not later.snapshots:  # nothing older left: both start again from fresh weights
                self.trainers = LockstepRun(self.base, self.setting, *self.values).trainers
                return 0


class Side:
    """Run `index` of a LiveRun that drives a LockstepRun, seen as a LiveRun of one Trainer."""

    def __init__(self, live, index: int):
        self.live, self.index = live, index

    @contextlib.contextmanager
    def locked(self):
        with self.live.locked() as pair:
            yield pair.trainers[self.index]

    def call(self, fn):
        with self.locked() as trainer:
            return fn(trainer)

    def view(self, name: str):
        return self.live.view(name, part=self.index)

    @property
    def trainer(self) -> Trainer:
        return self.live.trainer.trainers[self.index]

    @property
    def rate(self) -> float:
        return self.live.rate

    @property
    def playing(self) -> bool:
        return self.live.playing
