"""What one redraw of the 2D lab needs, computed where the run trains (classroom.run_views).

`LabViews` keeps what outlives a redraw: the plane scene (per target) and the mode timeline (per
trainer). It runs beside the trainer (in the worker process or Ray actor that trains the run, or on
the web server for a run on a thread) and holds the trainer only to copy its weights (a twin,
gan_core.twin) and its newest history: the forwards and the density arithmetic run while it trains.
What it returns is plain data (numpy arrays, numbers, the config) that travels to the page in one
message, a few tens of kB: the page draws it and never runs a network. The history travels thinned
(the charts draw 400 points a series).
"""

from __future__ import annotations

import weakref
import dataclasses
from dataclasses import dataclass

import numpy as np

from classroom.mode_timeline import ModeTimeline
from gan_core.config import TrainConfig
from gan_core.toy_fields import PlaneBackdrop, PlaneFrame, PlaneScene
from gan_core.twin import TrainerTwin

MODE_EVAL_EVERY = 25  # iterations between two mode measurements (2500 samples each)
HISTORY_ROWS_PER_KIND = 400  # D rows and G rows sent with a frame: the charts draw 400 points a series
# The history columns the live charts draw (ui.canvas.charts), sent as float32; the step story
# reads the newest record whole (RenderData.last_record).
CHART_FIELDS = ("iteration", "update", "kind", "loss_d", "loss_d_real", "loss_d_fake", "loss_g", "d_real", "d_fake",
                "d_accuracy", "lr")


@dataclass
class RenderData:
    frame: PlaneFrame
    history: dict  # the CHART_FIELDS of trainer.history.columns(), thinned (thinned_history)
    events: list  # (iteration, field, old, new)
    modes: dict  # ModeTimeline.columns()
    n_modes: int
    config: TrainConfig
    iteration: int
    updates: int
    last_batch: dict  # numbers of the latest update (see step_story)
    last_record: dict = dataclasses.field(default_factory=dict)  # the newest history row, every field
    rate: float = 0.0  # iterations per second while playing: the page fills it in from its run
    generation: int = 0  # counts the trainers the views followed: a new one (reset, preset) adds one
    backdrop: PlaneBackdrop | None = None  # the plane, its real samples: what the page draws frames on


def thinned_history(columns: dict, per_kind: int = HISTORY_ROWS_PER_KIND) -> dict:
    """The history columns with at most `per_kind` D rows and `per_kind` G rows, evenly spread and
    always with the newest of each kind and the newest row overall (the step story reads it).
    Thinning each kind apart keeps both: every second row of an alternating D, G history would be
    all D."""
    kinds = np.asarray(columns.get("kind", np.array([])))
    if len(kinds) <= 2 * per_kind:
        return columns
    keep = [len(kinds) - 1]
    for kind in np.unique(kinds):
        rows = np.flatnonzero(kinds == kind)
        keep.append(rows[np.unique(np.linspace(0, len(rows) - 1, min(per_kind, len(rows))).astype(int))])
    rows = np.unique(np.concatenate([np.atleast_1d(k) for k in keep]))
    return {name: np.asarray(values)[rows] for name, values in columns.items()}


def chart_columns(columns: dict) -> dict:
    """What the live charts draw of a history's columns: CHART_FIELDS, thinned, numbers as float32."""
    columns = thinned_history({f: columns[f] for f in CHART_FIELDS})
    return {f: v if v.dtype.kind in "US" or f in ("iteration", "update") else v.astype(np.float32)
            for f, v in columns.items()}


def compact(frame: PlaneFrame) -> PlaneFrame:
    """The frame with its float64 grids as float32: half the bytes, and more than a colour scale of
    255 levels or a point on a 600 px plane can show."""
    return dataclasses.replace(frame, **{name: value.astype(np.float32)
                                         for name, value in vars(frame).items()
                                         if isinstance(value, np.ndarray) and value.dtype == np.float64})


class LabViews:
    def __init__(self, mode_every: int = MODE_EVAL_EVERY):
        self.mode_every = mode_every
        self.scene: PlaneScene | None = None
        self.timeline: ModeTimeline | None = None
        self._timeline_owner = None
        self.generation = 0
        self.twin = TrainerTwin()

    def _prepare(self, trainer) -> None:
        if self.scene is None or self.scene.target is not trainer.target:
            self.scene = PlaneScene(trainer.target, seed=trainer.config.seed)
        if self._timeline_owner is None or self._timeline_owner() is not trainer:
            self.timeline = ModeTimeline(trainer.target, every=self.mode_every)
            self._timeline_owner = weakref.ref(trainer)  # a dropped trainer must not be kept by its views
            self.generation += 1

    def compute(self, source) -> RenderData:
        """source.locked(): a context manager holding the trainer between two steps and yielding it
        (LiveRun, classroom.run_views.Hold). Under it, only copies: the networks' weights (a twin)
        and the history's newest rows."""
        with source.locked() as trainer:
            self._prepare(trainer)
            twin = self.twin.copy_of(trainer)
            history = chart_columns(trainer.history.columns())
            last_record = {f: v[-1].item() for f, v in trainer.history.tail_columns(1).items()
                           } if len(trainer.history) else {}
            events = list(trainer.events)
            config, iteration, updates = trainer.config, trainer.iteration, trainer.updates
            last_batch = batch_numbers(trainer.last_batch)
        # the forwards run on the twin, while the run trains on (gan_core.twin)
        part = self.scene.network_part(twin)
        drawn = self.timeline.sample_if_due(twin)
        if drawn is not None:
            self.timeline.record(*drawn)
        return RenderData(frame=compact(self.scene.finish(part)), history=history, last_record=last_record,
                          events=events, modes=self.timeline.columns(), n_modes=self.timeline.n_modes, config=config,
                          iteration=iteration, updates=updates, last_batch=last_batch,
                          generation=self.generation, backdrop=self.scene.backdrop)


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
