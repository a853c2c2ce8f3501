"""RunHandle: a page's hold on a run that trains elsewhere (a local worker process, a Ray actor).

Pages talk to it in commands: play, pause, step D / G / both, update settings, rollback, replace
the trainer (a preset, a rebuild, a loaded checkpoint), slow motion, save a checkpoint. They read
the run through `trainer`, a replica in this process that takes the run's latest published frame
on `sync()` (classroom.replica); `call(fn)` and `locked()` sync first, then hand the replica to the
views. A read never reaches the run and never waits for more than the step in flight there.

The same methods exist on classroom.live.LiveRun (a run on a thread of this process), so pages
take either. A run whose host died (WorkerLost) keeps its replica, the last frame the page saw:
`lost` turns true, `stopped_reason` says what happened, and `restart()` starts it again from that
frame on a fresh host. When the handle is freed (its tab's session ended), its run is dropped
where it trained, memory and all.
"""

from __future__ import annotations

import contextlib
import threading
import time
import weakref
from typing import Callable, TypeVar

from classroom.live import default_idle_timeout
from classroom.replica import apply_frame, blueprint, history_cursor, trainers_of
from classroom.run_views import RunViews
from classroom.workers import RunGone, WorkerLost

T = TypeVar("T")

# How old a replica's frame may be before a read brings it up to date. A frame of the MNIST page is
# ~12 MB: one page run makes several reads, and syncing each of them moved 48-60 MB per slider move.
VIEW_FRESH = 0.15  # seconds, call() / locked(): below one live redraw interval (0.25 s)
SYNC_FRESH = 1.0  # seconds, `trainer`: status lines and widget values (settings, counters: no weights)
# The live views are computed where the run trains (classroom.run_views), so the replica's weights are
# brought over only for a page's own reads of the networks (call(), locked()) and at least this often
# by `trainer`: a lost run restarts from weights at most this old.
WEIGHTS_FRESH = 10.0  # seconds
TOUCH_EVERY = 2.0  # seconds: touches reach the run at most this often (each is a round trip)
STATUS_FRESH = 0.2  # seconds a status read is reused by `playing`, `rate`, ...

REHOSTED_WORDS = ("Nobody had touched this run for a long time, so its worker put it away; it goes on from "
                  "its last frame on this page (optimizer moments and rollback snapshots start afresh).")
LOST_WORDS = ("The process that trained this run stopped (killed, or out of memory), or stopped answering "
              "and was ended. Its last published frame is kept on this page: restart the run from it "
              "(optimizer moments start afresh).")


_open_handles: weakref.WeakSet = weakref.WeakSet()


def handles_playing() -> int:
    """Handles of this process whose run played at their last status (no round trips)."""
    return sum(bool(h._status["playing"]) for h in list(_open_handles))


class RunLost(RuntimeError):
    """A command for a run whose host is gone (restart it first)."""


class RunHandle:
    def __init__(self, trainer, opener: Callable, idle_timeout: float | None = None):
        """trainer: the run's first trainer, built on the page; it becomes the replica.
        opener(blueprint, idle_timeout) hosts the run and returns its link (request(), close())."""
        self._replica = trainer
        self._synced_at = 0.0  # the last sync with weights
        self._light_at = 0.0  # the last sync of any kind
        self.idle_timeout = default_idle_timeout() if idle_timeout is None else idle_timeout
        self.last_touch = time.monotonic()
        self.lost = False
        self._note = ""  # why the run was hosted again, until the teacher acts on it
        self._opener = opener
        self._lock = threading.RLock()  # the replica changes only under it
        self._status: dict = {"playing": False, "rate": 0.0, "error": None, "stopped_reason": "", "delay": 0.0,
                              "version": -1, "epoch": -1, "settings": -1}
        self._status_at = 0.0
        self._touched_at = 0.0
        self._seen = (-1, -1)  # the run's (version, epoch) the replica's weights show
        self._seen_light = (-1, -1)  # ... its settings, counters and history
        self._settings_taken_at = -1  # the run's version (not its settings count) whose settings the replica shows
        self._views: dict[tuple[str, int], tuple] = {}  # (name, part) -> (stamp, data) last received
        self._lost_views = RunViews()  # a lost run's views, computed here on its last frame
        self._open(trainer)
        _open_handles.add(self)

    def _open(self, trainer) -> None:
        self._link = self._opener(blueprint(trainer), self.idle_timeout)
        self._finalizer = weakref.finalize(self, self._link.release)  # a freed handle frees its run
        self._seen = self._seen_light = (0, 0)  # the replica is the trainer the run was built from
        self._settings_taken_at = 0

    # ---- talking to the run ---------------------------------------------------------------------
    def _request(self, name: str, *args):
        if self.lost:
            raise RunLost(self.stopped_reason)
        try:
            try:
                result, status = self._link.request(name, *args)
            except RunGone:  # put away after its lease: host it again from the replica, then ask again
                with self._lock:
                    self._finalizer.detach()
                    self._open(self._replica)
                result, status = self._link.request(name, *args)
                self._note = REHOSTED_WORDS
        except WorkerLost as exc:
            self._lose(str(exc))
            raise RunLost(self._status["stopped_reason"]) from None
        if status is not None:
            self._status, self._status_at = status, time.monotonic()
        return result

    def _lose(self, what_happened: str = "") -> None:
        """The run's host is gone; `what_happened` (the host link's words: a killed worker, an actor
        Ray could not place) is said after the general sentence."""
        self.lost = True
        words = LOST_WORDS + (f" What was seen: {what_happened.rstrip('.')}." if what_happened else "")
        self._status = dict(self._status, playing=False, rate=0.0, stopped_reason=words)

    def _fresh_status(self) -> dict:
        if not self.lost and time.monotonic() - self._status_at > STATUS_FRESH:
            with contextlib.suppress(RunLost):
                self._request("status")
        return self._status

    # ---- reading ----------------------------------------------------------------------------------
    @property
    def trainer(self):
        """The replica, its settings, counters and history at most SYNC_FRESH seconds old and its
        weights at most WEIGHTS_FRESH: read it, never step or change it (commands do that). Reads
        of the networks, or several reads that must agree: `call()` or `locked()`."""
        now = time.monotonic()
        if now - self._light_at > SYNC_FRESH:
            self.sync(weights=self._still() or now - self._synced_at > WEIGHTS_FRESH)
        return self._replica

    def _still(self) -> bool:
        """The run was paused at its last answer: its weights are brought over whole (once: a paused
        run does not change), so a paused run's replica is exactly the run (checkpoints of a lost
        run, a run hosted again after its lease)."""
        return not self._status["playing"]

    def _sync_if_older(self, seconds: float) -> None:
        if time.monotonic() - self._synced_at > seconds:
            self.sync()

    def sync(self, weights: bool = True) -> None:
        """Bring the replica to the run's latest published frame (cheap when nothing changed);
        weights=False: all of it but the networks' weights."""
        if self.lost:
            return
        with self._lock:
            with contextlib.suppress(RunLost):  # a lost run keeps showing its last frame
                seen = self._seen if weights else self._seen_light
                version, epoch, parts = self._request("frame", *seen, history_cursor(self._replica), weights)
                if parts is not None:
                    apply_frame(self._replica, parts)
                    self._settings_taken_at = version
                self._seen_light = (version, epoch)
                self._light_at = time.monotonic()
                if weights:
                    self._seen, self._synced_at = (version, epoch), self._light_at

    def view(self, name: str, part: int = 0):
        """The view `name` of the run (classroom.run_views), computed where the run trains: the
        page draws it without running a network. Received again only when the run changed. A lost
        run's views are computed here on its last frame."""
        if self.lost:
            with self._lock:
                return self._lost_views.read(name, part, self._replica, lambda: self._lock, self._seen)
        stamp, data = self._views.get((name, part), (None, None))
        try:
            stamp, fresh = self._request("view", name, part, stamp)
        except RunLost:
            return self.view(name, part)
        if fresh is not None:
            data = fresh
            self._views[(name, part)] = (stamp, data)
        return data

    @contextlib.contextmanager
    def locked(self):
        """The replica, at a frame at most VIEW_FRESH seconds old, held still while a view reads it."""
        self._sync_if_older(VIEW_FRESH)
        with self._lock:
            yield self._replica

    def call(self, fn: Callable[..., T]) -> T:
        with self.locked() as trainer:
            return fn(trainer)

    def touch(self) -> None:
        """Somebody is watching: keeps play alive (see idle_timeout)."""
        self.last_touch = now = time.monotonic()
        if now - self._touched_at > min(TOUCH_EVERY, self.idle_timeout / 4) and not self.lost:
            self._touched_at = now
            with contextlib.suppress(RunLost):
                self._request("touch")

    @property
    def playing(self) -> bool:
        return bool(self._fresh_status()["playing"])

    @property
    def rate(self) -> float:
        return float(self._fresh_status()["rate"])

    @property
    def error(self):
        return self._fresh_status()["error"]

    @property
    def stopped_reason(self) -> str:
        return self._fresh_status()["stopped_reason"] or self._note

    @property
    def settings_stamp(self) -> int:
        """Changes when the run's settings change, from this tab or another on the same run."""
        return int(self._fresh_status()["settings"])

    @property
    def delay(self) -> float:
        return float(self._status["delay"])

    @delay.setter
    def delay(self, seconds: float) -> None:
        if float(seconds) != self.delay:  # pages set it on every rerun
            with contextlib.suppress(RunLost):
                self._request("delay", float(seconds))

    # ---- commands -----------------------------------------------------------------------------------
    def play(self) -> None:
        self.touch()
        self._request("play")
        self._note = ""

    def pause(self, wait: bool = True) -> None:
        """Stop training (the host has stopped when this returns; `wait` is LiveRun's)."""
        if not self.lost:
            self._request("pause")
            self.sync()  # the replica shows where the run stopped

    def run_steps(self, what: str = "both", n: int = 1) -> list:
        """Synchronous steps: "d", "g" or "both"; NonFiniteError when one diverges."""
        try:
            return self._request("steps", what, n)
        finally:
            self.sync(weights=self._still())

    def update(self, **changes) -> dict:
        """Live settings ({field: (old, new)} of what changed); raises what Trainer.update raises."""
        diff, configs, version = self._request("update", changes)
        if self._still():
            self.sync()
        else:  # playing: the widgets show the new settings at once; views and the next sync bring the rest
            with self._lock:
                # Two tabs of one browser can hold this handle (a reload reattaches it): of two
                # updates sent at once, the older may be answered last; it must not set the newer back.
                if version > self._settings_taken_at:
                    for trainer, config in zip(trainers_of(self._replica), configs):
                        trainer.config = config
                    self._settings_taken_at = version
        return diff

    def rollback(self) -> int:
        iteration = self._request("rollback")
        self.sync(weights=self._still())
        return iteration

    def replace_trainer(self, trainer) -> None:
        """A new trainer for this run (same handle, same id); playing goes on if it was. RunLost if
        its host is gone, found now or before: the page offers the restart from the last frame, as
        for every other command (a Reset would otherwise throw that frame away unasked)."""
        with self._lock:
            self._request("replace", blueprint(trainer))
            self._replica, self._note = trainer, ""
            self._views.clear()
            self._seen = self._seen_light = (self._status["version"], self._status["epoch"])
            self._settings_taken_at = self._status["version"]

    def checkpoint(self) -> bytes:
        """The run's checkpoint file (gan_core.checkpoint), made where its optimizers live."""
        return self._request("checkpoint")

    def snapshot_samples(self, n: int) -> list:
        """gan_core.coverage.snapshot_samples of the run (its snapshots' weights stay with it)."""
        return self._request("snapshot_samples", n)

    def restart(self, trainer=None) -> None:
        """Host the run again (after its host died), from `trainer` or the last frame seen."""
        with self._lock:
            self._finalizer.detach()
            if trainer is not None:
                self._replica = trainer
            self._open(self._replica)
            self.lost = False
            self._status = dict(self._status, playing=False, rate=0.0, error=None, stopped_reason="")

    @property
    def closed(self) -> bool:
        return self._replica is None

    def close(self) -> None:
        """Drop the run where it trains now (a garbage-collected handle's run goes later), and the
        replica with it: widget callbacks of a closed tab's session may hold this handle until
        Streamlit frees that session, but no longer its memory. Nothing is to be read after this."""
        if self._finalizer.detach() is not None:
            self._link.close()
        with self._lock:
            self._replica = None
        _open_handles.discard(self)
