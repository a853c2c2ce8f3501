"""An image GAN's progress over training: fixed-noise frames and digit metrics, bounded in memory.

A view asks often (every redraw); this decides when it pays: a frame of G(fixed z) at most once
every `frame_every` iterations, a metric evaluation (a classifier reading generated digits) at
most once every `metric_every`. Seed 002 plots a grid every 50 iterations; here the frames stay
so a slider can scrub back through training.

Memory stays bounded: past `max_frames` frames (or `max_points` metric points) the older half is
thinned to every other entry, so the whole run stays visible at a coarser pace. A rollback
(iteration going backwards) drops what was recorded after it; a different trainer (reset,
rebuild, loaded checkpoint) starts a fresh record.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from gan_core.step_probe import fixed_frame, generate

METRIC_SEED_OFFSET = 3  # the metric z stream: seed + 3 (the trainer uses seed, seed + 1, seed + 2)


@dataclass(frozen=True)
class Frame:
    iteration: int
    images: np.ndarray  # (n, 28, 28) uint8


def _thin(items: list, limit: int) -> list:
    """Keep every other entry of the older half once `limit` is passed; the newest half stays."""
    if len(items) <= limit:
        return items
    half = limit // 2
    return items[:-half:2] + items[-half:]


class ImageProgress:
    def __init__(self, frame_every: int = 50, max_frames: int = 100, frame_size: int = 36,
                 metric_every: int = 200, metric_samples: int = 500, max_points: int = 200,
                 measure: Callable[[torch.Tensor], dict] | None = None):
        """measure(images (N, 1, 28, 28) in [-1, 1]) -> {name: float}; None records no metrics."""
        self.frame_every, self.max_frames, self.frame_size = frame_every, max_frames, frame_size
        self.metric_every, self.metric_samples, self.max_points = metric_every, metric_samples, max_points
        self.measure = measure
        self.frames: list[Frame] = []
        self.points: list[tuple[int, dict]] = []  # (iteration, {metric: value})
        self._owner = None  # weak reference to the trainer these records belong to
        self._generation = None  # or the host view's trainer count (take_view)

    # ---- bookkeeping ----------------------------------------------------------------------------
    def follow(self, trainer) -> None:
        """Start afresh for another trainer; forget the future after a rollback."""
        if self._owner is None or self._owner() is not trainer:
            self.frames, self.points, self._generation = [], [], None
            self._owner = weakref.ref(trainer)
        self._forget_after(trainer.iteration)

    def _forget_after(self, iteration: int) -> None:
        while self.frames and self.frames[-1].iteration > iteration:
            self.frames.pop()
        while self.points and self.points[-1][0] > iteration:
            self.points.pop()

    @staticmethod
    def _due(records: list, iteration: int, every: int, key) -> bool:
        return not records or iteration - key(records[-1]) >= every

    def frame_due(self, trainer) -> bool:
        return self._due(self.frames, trainer.iteration, self.frame_every, lambda f: f.iteration)

    def metric_due(self, trainer) -> bool:
        return self.measure is not None and self._due(self.points, trainer.iteration,
                                                      self.metric_every, lambda p: p[0])

    def metric_noise(self, trainer) -> torch.Tensor:
        """The same z at every evaluation, so the curve shows G changing, not a new draw."""
        gen = torch.Generator().manual_seed(trainer.config.seed + METRIC_SEED_OFFSET)
        return trainer.noise(self.metric_samples, gen)  # (N, z_dim)

    # ---- recording ------------------------------------------------------------------------------
    def record_frame(self, trainer) -> None:
        """Call between two steps (under the run's lock)."""
        self.follow(trainer)
        if self.frame_due(trainer):
            images = (fixed_frame(trainer, self.frame_size) * 255).round().astype(np.uint8)
            self.frames = _thin(self.frames + [Frame(trainer.iteration, images)], self.max_frames)

    def samples_for_metrics(self, trainer) -> tuple[int, torch.Tensor] | None:
        """(iteration, generated images) if a metric point is due; call under the lock. The
        measuring itself (add_metrics) can then run outside it, while training goes on."""
        self.follow(trainer)
        if not self.metric_due(trainer):
            return None
        return trainer.iteration, generate(trainer, self.metric_noise(trainer)).cpu()

    def add_metrics(self, iteration: int, images: torch.Tensor) -> dict:
        return self.add_values(iteration, self.measure(images))

    def add_values(self, iteration: int, measured: dict) -> dict:
        """Record measure()'s values for `iteration` (measured elsewhere, e.g. on another thread)."""
        values = {k: float(v) for k, v in measured.items()}
        while self.points and self.points[-1][0] >= iteration:
            self.points.pop()
        self.points = _thin(self.points + [(iteration, values)], self.max_points)
        return values

    def take_view(self, view: dict) -> None:
        """Record what is due from a view computed where the run trains (classroom.digit_views):
        its grid of G(fixed z) as a frame, its classifier reading as a metric point. `generation`
        counts the trainers the host's view followed: a new one starts a fresh record."""
        if self._generation != view["generation"]:
            self.frames, self.points, self._owner, self._generation = [], [], None, view["generation"]
        iteration = view["iteration"]
        self._forget_after(iteration)
        if self._due(self.frames, iteration, self.frame_every, lambda f: f.iteration):
            self.frames = _thin(self.frames + [Frame(iteration, view["grid"][:self.frame_size])], self.max_frames)
        if view["metrics"] is not None and (not self.points or self.points[-1][0] != view["metrics"][0]):
            self.points = _thin(self.points + [view["metrics"]], self.max_points)

    def update(self, run_call: Callable) -> None:
        """Record what is due. run_call(fn) runs fn(trainer) between two steps (LiveRun.call)."""
        due = run_call(lambda t: (self.record_frame(t), self.samples_for_metrics(t))[1])
        if due is not None:
            self.add_metrics(*due)

    # ---- reading --------------------------------------------------------------------------------
    def metric_columns(self) -> dict[str, np.ndarray]:
        """{"iteration": (T,), metric: (T,)} for the plot builders."""
        names = sorted({k for _, values in self.points for k in values})
        cols = {"iteration": np.array([it for it, _ in self.points], dtype=float)}
        for name in names:
            cols[name] = np.array([values.get(name, np.nan) for _, values in self.points], dtype=float)
        return cols

    def latest_metrics(self) -> tuple[int, dict] | None:
        return self.points[-1] if self.points else None
