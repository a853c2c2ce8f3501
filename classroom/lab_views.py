"""Everything one redraw of the 2D lab needs, gathered with the trainer locked for milliseconds.

`LabViews` keeps what outlives a redraw: the plane scene (per target) and the mode timeline (per
trainer); the history columns are the trainer's own (`trainer.history.columns()`, a copy). No
Streamlit calls, so the throughput bench and the tests use exactly what the page uses; the page
keeps one LabViews per tab in session state.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable

from classroom.service import Run
from gan_core.config import TrainConfig
from classroom.mode_timeline import ModeTimeline
from gan_core.toy_fields import PlaneFrame, PlaneScene

MODE_EVAL_EVERY = 25  # iterations between two mode measurements (2500 samples each)


@dataclass
class RenderData:
    frame: PlaneFrame
    history: dict  # trainer.history.columns()
    events: list  # (iteration, field, old, new)
    modes: dict  # ModeTimeline.columns()
    n_modes: int
    config: TrainConfig
    iteration: int
    updates: int
    rate: float  # iterations per second while playing
    last_batch: dict  # numbers of the latest update (see step_story)


class LabViews:
    def __init__(self, mode_every: int = MODE_EVAL_EVERY):
        self.mode_every = mode_every
        self.scene: PlaneScene | None = None
        self.timeline: ModeTimeline | None = None
        self._timeline_owner = None

    def _prepare(self, trainer) -> None:
        if self.scene is None or self.scene.target is not trainer.target:
            self.scene = PlaneScene(trainer.target, seed=trainer.config.seed)
        if self._timeline_owner is None or self._timeline_owner() is not trainer:
            self.timeline = ModeTimeline(trainer.target, every=self.mode_every)
            self._timeline_owner = weakref.ref(trainer)  # a closed tab's views must not keep its trainer

    def compute(self, run: Run, while_locked: Callable | None = None) -> RenderData:
        """`while_locked(trainer)`: anything else a redraw reads from the trainer, in the same
        hold of the lock (each hold waits for the step in flight: one wait, not two)."""
        with run.locked() as trainer:  # between two steps; everything here is quick
            if while_locked is not None:
                while_locked(trainer)
            self._prepare(trainer)
            part = self.scene.network_part(trainer)
            history = trainer.history.columns()
            drawn = self.timeline.sample_if_due(trainer)
            events = list(trainer.events)
            config, iteration, updates = trainer.config, trainer.iteration, trainer.updates
            last_batch = batch_numbers(trainer.last_batch)
        if drawn is not None:
            self.timeline.record(*drawn)
        return RenderData(frame=self.scene.finish(part), history=history, events=events,
                          modes=self.timeline.columns(), n_modes=self.timeline.n_modes, config=config,
                          iteration=iteration, updates=updates, rate=run.rate, last_batch=last_batch)


def batch_numbers(last_batch: dict) -> dict:
    """Plain numbers from Trainer.last_batch (tensors that the next step replaces)."""
    if not last_batch:
        return {}
    out = {"kind": last_batch["kind"], "batch": int(last_batch["z"].shape[0]),
           "z0": last_batch["z"][0].detach().tolist(), "fake0": last_batch["fake"][0].detach().flatten().tolist(),
           "p_fake_mean": float(last_batch["p_fake"].detach().mean())}
    if "real" in last_batch:
        out["real0"] = last_batch["real"][0].detach().flatten().tolist()
        out["p_real_mean"] = float(last_batch["p_real"].detach().mean())
    return out
