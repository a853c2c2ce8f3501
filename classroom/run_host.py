"""HostedRun: one run where it trains (a local worker process or a Ray actor), driven by commands.

The host owns the trainer. A driver (a local worker's trainer thread, classroom.worker_process, or
the Ray actor's thread) calls `step_once()` again and again; it trains one iteration when the run
is playing (and its slow motion delay has passed), and pauses the run by itself after a divergence,
an error, or when nobody has touched it for `idle_timeout` seconds. Everything else is a command,
answered between two steps: `handle(name, *args)` (see COMMANDS). `version` grows with every change
a page's replica must see, `epoch` whenever the history is rewritten (a rollback, a new trainer), so a
frame can carry only the history rows a replica lacks (classroom.replica).
"""

from __future__ import annotations

import time

from gan_core.checkpoint import checkpoint_bytes
from gan_core.coverage import snapshot_samples
from gan_core.step_record import NonFiniteError
from classroom.live import STEPS, RateMeter
from classroom.replica import build, frame_of, trainers_of
from classroom.run_views import RunViews
from classroom.turn_lock import TurnLock


class HostedRun:
    def __init__(self, trainer, idle_timeout: float):
        self.trainer = trainer
        self.idle_timeout = idle_timeout
        self.playing = False
        self.delay = 0.0  # seconds between iterations: slow motion for the class
        self.error: NonFiniteError | None = None
        self.stopped_reason = ""
        self.meter = RateMeter()
        self.version, self.epoch = 0, 0
        self.settings_version = 0  # grows when the settings change (an update, a new trainer), not with steps
        self.last_touch = time.monotonic()
        self._next_step_at = 0.0
        self.views = RunViews()  # computed here, where the weights are, for every page that looks
        # Held by a step and by a command until its answer is packed (workers and Ray actors answer
        # commands on other threads than they train on), so an answer never sees a half-taken step;
        # the trainer lets a waiting command have it before its next step (classroom.turn_lock).
        self.lock = TurnLock()

    # ---- training ---------------------------------------------------------------------------------
    def seconds_to_next_step(self, now: float) -> float | None:
        """None when not playing; 0 when a step is due; else how long slow motion waits."""
        if not self.playing:
            return None
        return max(0.0, self._next_step_at - now)

    def step_once(self) -> bool:
        """One iteration if playing and due; returns whether one was done."""
        with self.lock.for_step():
            now = time.monotonic()
            if not self.playing or now < self._next_step_at:
                return False
            if now - self.last_touch > self.idle_timeout:
                self._stop("paused because nobody was watching")
                return False
            try:
                self.trainer.step()
            except NonFiniteError as exc:
                self.error = exc
                self._stop(str(exc))
                return False
            except Exception as exc:  # never die silently: the page shows what happened
                self._stop(f"training stopped: {type(exc).__name__}: {exc}")
                return False
            finally:
                self.version += 1
            self.meter.count()
            if self.delay:
                self._next_step_at = now + self.delay
            return True

    @property
    def rate(self) -> float:
        return self.meter.rate if self.playing else 0.0

    def _stop(self, reason: str) -> None:
        self.playing, self.stopped_reason = False, reason

    # ---- commands ---------------------------------------------------------------------------------
    def status(self) -> dict:
        return {"playing": self.playing, "rate": self.rate, "error": self.error, "delay": self.delay,
                "stopped_reason": self.stopped_reason, "version": self.version, "epoch": self.epoch,
                "settings": self.settings_version}

    def answer(self, name: str, args: tuple, pack):
        """pack((result, status)) of command `name`: what a worker or actor sends back. A command is
        answered and packed under the run's lock (a frame holds the trainer's own tensors); a view
        takes the lock itself, only while it reads the networks, and its data are its own arrays,
        so the density arithmetic and the packing do not hold up training."""
        if name == "view":
            return pack((self.view(*args), self.status()))
        with self.lock:
            return pack((self.handle(name, *args), self.status()))

    def view(self, name: str, part: int, seen):
        """(stamp, data): the view `name` of trainer `part` (classroom.run_views); data is None when
        the asker's `seen` stamp is this one (it has the data already)."""
        with self.lock:
            stamp = (self.version, self.epoch)
        if seen is not None and tuple(seen) == stamp:
            return stamp, None
        return stamp, self.views.read(name, part, self.trainer, lambda: self.lock, stamp, not self.playing)

    def handle(self, name: str, *args):
        """Run command `name`; returns its result (exceptions go back to the page as they are)."""
        with self.lock:
            if name not in COMMANDS:
                raise ValueError(f"unknown run command {name!r}")
            if name not in READS:  # a command means somebody is watching; a read may be a poll
                self.last_touch = time.monotonic()
            return COMMANDS[name](self, *args)

    def _play(self) -> None:
        if not self.playing:
            self.error, self.stopped_reason = None, ""
            self.playing, self._next_step_at = True, 0.0
            self.meter = RateMeter()

    def _pause(self) -> None:
        self.playing = False

    def _set_delay(self, seconds: float) -> None:
        self.delay = max(0.0, float(seconds))

    def _steps(self, what: str, n: int) -> list:
        fn = STEPS[what]
        records = []
        try:
            for _ in range(int(n)):
                records += fn(self.trainer)
                self.version += 1
        except NonFiniteError as exc:
            self.error = exc
            raise
        return records

    def _update(self, changes: dict) -> tuple[dict, list, int]:
        """(what changed, each trainer's config now, the version they belong to): a playing page's
        replica takes the configs as they are, instead of asking for a frame after the update (a
        second wait for the step in flight), unless it already shows a later version's."""
        diff = self.trainer.update(**changes)
        self.version += 1
        self.settings_version += bool(diff)
        return diff, [t.config for t in trainers_of(self.trainer)], self.version

    def _rollback(self) -> int:
        iteration = self.trainer.rollback()
        self.version, self.epoch = self.version + 1, self.epoch + 1
        self.error, self.stopped_reason = None, ""  # the teacher's fix is in: the old failure is history
        return iteration

    def _replace(self, plan: tuple) -> None:
        self.trainer = build(plan)
        self.version, self.epoch = self.version + 1, self.epoch + 1
        self.settings_version += 1
        self.error, self.stopped_reason = None, ""

    def _frame(self, seen_version: int, seen_epoch: int, history_after: list[int], weights: bool = True):
        """(version, epoch, frame or None when the replica has seen this version); weights=False:
        the frame without the networks' weights (classroom.replica.frame_of)."""
        if seen_version == self.version and seen_epoch == self.epoch:
            return self.version, self.epoch, None
        after = history_after if seen_epoch == self.epoch else None
        return self.version, self.epoch, frame_of(self.trainer, after, weights)


READS = ("status", "frame", "checkpoint", "snapshot_samples")  # they neither change the run nor keep it playing

COMMANDS = {
    "status": lambda run: None,  # every answer carries the status
    "touch": lambda run: None,  # handle() already noted the touch
    "play": HostedRun._play,
    "pause": HostedRun._pause,
    "delay": HostedRun._set_delay,
    "steps": HostedRun._steps,
    "update": HostedRun._update,
    "rollback": HostedRun._rollback,
    "replace": HostedRun._replace,
    "frame": HostedRun._frame,
    "checkpoint": lambda run: checkpoint_bytes(run.trainer),  # optimizer and random streams live here
    "snapshot_samples": lambda run, n: snapshot_samples(run.trainer, n),  # snapshot weights live here
}
