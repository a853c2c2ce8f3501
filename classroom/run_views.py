"""Views computed where a run trains: a page asks its run for a view by name and gets plain data.

A page used to compute its views on the web server, on a replica synced from the run's weights:
G and D forwards for every drawn frame in the one process that serves every tab (issue 21: ~23 ms
of web-server CPU per 2D frame, one web process drew ~44 frames/s for the whole class). Now the run's
host (a local worker process, a Ray actor, or the web server itself for a run on a thread) keeps a
RunViews beside the trainer and answers `view(name, part)`: it computes the view once per change of
the run (its stamp) and hands the same data to every tab that asks, so ten tabs watching one run cost
one computation. Looking never changes the run: the views use their own random streams and hold the
trainer only between two steps.

Views, by name (VIEW_KINDS): "toy_2d", the 2D lab's redraw (classroom.lab_views.RenderData);
"toy_1d", the 1D lab's Figure 1 and charts (Figure1View); "mnist", the MNIST page's digit grid,
numbers and classifier reading, and "coverage@<map key>", the mode-coverage map's read fakes
placed on the page's t-SNE map (classroom.digit_views); "mnist_steps@playing|paused", the MNIST
page's batches tab (classroom.step_views); "summary", a run's few numbers and fakes
for a class gallery (RunSummary). `part` picks one trainer of a side-by-side pair
(classroom.lockstep), 0 for a single run.
"""

from __future__ import annotations

import contextlib
import threading
import weakref

import numpy as np

from classroom.digit_views import CoverageView, DigitView
from classroom.lab_views import LabViews, chart_columns
from classroom.mode_timeline import ModeTimeline
from classroom.replica import trainers_of
from classroom.step_views import StepViews
from gan_core.lab1d import figure1_frame
from gan_core.twin import TrainerTwin

SUMMARY_FAKES = 256  # points of a gallery thumbnail
SUMMARY_MODES_EVERY = 100  # iterations between two mode measurements of a summary (2,500 samples each)


class Hold:
    """One trainer of a run, held between two steps: what a view's compute() takes. `paused`: the
    run is not playing, so a view may finish slow work before it answers (nobody waits on a step
    behind it, and a paused page is not redrawn until somebody acts); playing, a view answers with
    what it has and finishes slow work later (classroom.digit_views: the classifier's reading)."""

    def __init__(self, hold_run, trainer_like, part: int, paused: bool = True):
        self._hold_run, self._trainer_like, self._part, self.paused = hold_run, trainer_like, part, paused

    @contextlib.contextmanager
    def locked(self):
        with self._hold_run():
            yield trainers_of(self._trainer_like)[self._part]


class RunSummary:
    """A run in a few numbers: iteration, modes captured and high-quality % (VEEGAN / PacGAN, on
    2,500 samples, measured every SUMMARY_MODES_EVERY iterations), and G(fixed z) for a thumbnail."""

    def __init__(self, mode_every: int = SUMMARY_MODES_EVERY):
        self.mode_every = mode_every
        self.timeline: ModeTimeline | None = None
        self._owner = None
        self.twin = TrainerTwin()

    def compute(self, source) -> dict:
        with source.locked() as trainer:
            if self._owner is None or self._owner() is not trainer:
                self.timeline = ModeTimeline(trainer.target, every=self.mode_every, max_points=2)
                self._owner = weakref.ref(trainer)
            twin = self.twin.copy_of(trainer)
        drawn = self.timeline.sample_if_due(twin)  # the forwards on the twin, while the run trains
        fakes = twin.fixed_samples(SUMMARY_FAKES).detach().cpu().numpy().astype(np.float32)
        config, iteration, updates = twin.config, twin.iteration, twin.updates
        if drawn is not None:
            self.timeline.record(*drawn)
        modes = self.timeline.columns()
        measured = len(modes["iteration"]) > 0 and self.timeline.n_modes > 0
        return {"iteration": iteration, "updates": updates, "config": config, "target": config.target,
                "n_modes": self.timeline.n_modes,
                "modes_captured": int(modes["modes_captured"][-1]) if measured else None,
                "hq_percent": float(modes["hq_percent"][-1]) if measured else None,
                "modes_at": int(modes["iteration"][-1]) if measured else None, "fakes": fakes}


class Figure1View:
    """The 1D lab's redraw: Figure 1 of the paper (gan_core.lab1d.Figure1Frame) and the charts'
    history; `error` says why Figure 1 cannot be drawn (a 2D noise, a diverged G) instead."""

    def __init__(self):
        self.twin = TrainerTwin()

    def compute(self, source) -> dict:
        with source.locked() as trainer:
            twin = self.twin.copy_of(trainer)
            events, history = list(trainer.events), chart_columns(trainer.history.columns())
        try:  # the forwards on the twin, while the run trains
            frame, error = figure1_frame(twin), None
        except ValueError as exc:
            frame, error = None, str(exc)
        return {"frame": frame, "error": error, "events": events, "history": history,
                "iteration": twin.iteration, "updates": twin.updates, "config": twin.config}


VIEW_KINDS = {"toy_2d": LabViews, "toy_1d": Figure1View, "mnist": DigitView, "coverage": CoverageView,
              "mnist_steps": StepViews, "summary": RunSummary}
# "coverage@<map key>": the fakes placed on that t-SNE map too; "mnist_steps@playing|paused"
VIEWS_WITH_ARGUMENT = ("coverage", "mnist_steps")


class RunViews:
    """The views of one run, each computed at most once per stamp of the run (any value that changes
    whenever the run does: a host's (version, epoch), a thread run's counters)."""

    def __init__(self):
        self._views: dict[tuple[str, int], list] = {}  # (name, part) -> [view, stamp, data]
        self._lock = threading.Lock()  # two tabs asking at once compute once

    def read(self, name: str, part: int, trainer_like, hold_run, stamp, paused: bool = True):
        """The view's data for the run now (recomputed only if `stamp` changed since it was last
        computed). hold_run(): a context manager that holds the run between two steps (its lock)
        while the view reads the trainer. paused: the run is not playing (see Hold)."""
        kind, _, argument = name.partition("@")  # "coverage@<map key>": a view of one of the page's things
        if kind not in VIEW_KINDS or (argument and kind not in VIEWS_WITH_ARGUMENT):
            raise ValueError(f"unknown view {name[:80]!r}")
        if not 0 <= part < len(trainers_of(trainer_like)):
            raise ValueError(f"this run has no part {part}")
        with self._lock:
            entry = self._views.get((name, part))
            if entry is None:
                view = VIEW_KINDS[kind](argument) if argument else VIEW_KINDS[kind]()
                entry = self._views[(name, part)] = [view, None, None]
            if entry[1] != stamp or entry[2] is None:
                entry[2], entry[1] = entry[0].compute(Hold(hold_run, trainer_like, part, paused)), stamp
            return entry[2]
