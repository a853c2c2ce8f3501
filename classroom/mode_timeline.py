"""Mode metrics over time, measured while a run plays: modes captured, HQ % and the per-mode
histogram at most once every `every` iterations (a view asks often; this decides when it pays).

Samples come from the trainer's view stream, so measuring never changes the training run. A
rollback (iteration going backwards) drops the entries recorded after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.metrics import target_mode_metrics

EVAL_SAMPLES = 2500  # VEEGAN / PacGAN evaluate modes and HQ % on 2500 samples


@dataclass(frozen=True)
class ModePoint:
    iteration: int
    modes_captured: int
    hq_percent: float
    mode_counts: np.ndarray  # (K,) high-quality samples per mode


class ModeTimeline:
    def __init__(self, target, every: int = 25, max_points: int = 400, samples: int = EVAL_SAMPLES):
        self.target = target
        self.every = every
        self.max_points = max_points
        self.samples = samples
        self.points: list[ModePoint] = []

    @property
    def n_modes(self) -> int:
        return len(self.target.centers) if self.target.has_modes else 0

    def due(self, iteration: int) -> bool:
        if not self.target.has_modes:
            return False
        if self.points and iteration < self.points[-1].iteration:
            return True  # rolled back: re-measure from here
        return not self.points or iteration - self.points[-1].iteration >= self.every

    def sample_if_due(self, trainer) -> tuple[int, np.ndarray] | None:
        """(iteration, samples (n, 2)) when a measurement is due, else None (the part that needs
        the generator: call it with the trainer locked)."""
        if not self.due(trainer.iteration):
            return None
        return trainer.iteration, trainer.sample(self.samples).cpu().numpy()

    def record(self, iteration: int, samples: np.ndarray) -> ModePoint:
        while self.points and self.points[-1].iteration >= iteration:
            self.points.pop()  # after a rollback, forget the abandoned future
        m = target_mode_metrics(samples, self.target)
        point = ModePoint(iteration, m.modes_captured, 100.0 * m.hq_fraction, m.mode_counts)
        self.points.append(point)
        if len(self.points) > self.max_points:  # thin the past, keep the present sharp
            half = self.max_points // 2
            self.points = self.points[:-half:2] + self.points[-half:]
        return point

    def columns(self) -> dict[str, np.ndarray]:
        """{iteration (T,), modes_captured (T,), hq_percent (T,), mode_counts (K, T)}."""
        pts = self.points
        return {"iteration": np.array([p.iteration for p in pts], dtype=int),
                "modes_captured": np.array([p.modes_captured for p in pts], dtype=int),
                "hq_percent": np.array([p.hq_percent for p in pts], dtype=float),
                "mode_counts": (np.stack([p.mode_counts for p in pts], axis=1) if pts
                                else np.zeros((self.n_modes, 0), dtype=int))}
