"""LiveRun: train on a background thread while a UI (or a notebook) watches and retunes.

The app trains its runs in worker processes (classroom.service, classroom.run_handle); LiveRun is
the in-process backend with the same page API: for a notebook, GAN_CLASSROOM_BACKEND=threads, and
bench/run_scaling.py's comparison.

Streamlit kills a training loop inside the page script at every widget change, so training lives
here instead: one daemon thread per run calls trainer.step() while `playing`; views and widget
callbacks touch the trainer only through `call()` / `with run.locked()`, between two steps.
No Streamlit here: the page side only calls these methods.

Nothing is lost on a slider move (update() between steps) or a page switch (the object lives in
the session). A run that nobody has looked at for `idle_timeout` seconds pauses and its thread
ends, so a closed browser tab stops costing CPU and its memory can be freed with its session.
Playing runs of one process take turns through a TrainingGate (classroom.training_gate), so many
tabs training at once share the cores fairly and leave one free for drawing pages.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from typing import Callable, TypeVar

from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer
from classroom.replica import trainers_of
from classroom.training_gate import TrainingGate, shared_gate
from classroom.turn_lock import TurnLock

T = TypeVar("T")

IDLE_TIMEOUT_ENV = "GAN_CLASSROOM_IDLE_TIMEOUT"  # seconds; tests and servers set it, e.g. 5
DEFAULT_IDLE_TIMEOUT = 60.0


LOOP_THREAD_NAME = "gan-live-run"
RATE_WINDOW = 0.5  # seconds of play over which the iterations-per-second figure is measured

# run_steps(what): "d" one discriminator update, "g" one generator update, "both" one iteration
STEPS = {"d": lambda t: [t.step_d()], "g": lambda t: [t.step_g()], "both": lambda t: t.step()}


class RateMeter:
    """Iterations per second while playing, over windows of RATE_WINDOW seconds."""

    def __init__(self):
        self.rate = 0.0
        self._start, self._count = time.perf_counter(), 0

    def count(self, iterations: int = 1) -> None:
        self._count += iterations
        now = time.perf_counter()
        if now - self._start >= RATE_WINDOW:
            self.rate = self._count / (now - self._start)
            self._start, self._count = now, 0


def runs_playing_in_process() -> int:
    """Live runs playing in this process, every tab's together (what shares the CPU)."""
    return sum(t.name == LOOP_THREAD_NAME and t.is_alive() for t in threading.enumerate())


SERVER_REDRAWS_PER_SECOND = 8.0  # live redraws the whole server aims at when many runs play
MAX_REDRAW_INTERVAL = 5.0  # seconds: a crowded server still redraws each tab this often


def redraw_interval(base: float, playing: int) -> float:
    """Seconds between one tab's live redraws: `base` while few runs play, stretched when many do
    so all tabs together ask for about SERVER_REDRAWS_PER_SECOND redraws. Drawing and training
    share one interpreter lock: 20 tabs redrawing 4 times a second leave none of it for training."""
    crowded = playing / SERVER_REDRAWS_PER_SECOND
    return max(base, min(crowded, MAX_REDRAW_INTERVAL))


def positive_env_number(name: str, default: float) -> float:
    """$name if it holds a finite positive number, else `default` (a server setting never crashes
    the app: a typo falls back)."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


def default_idle_timeout() -> float:
    """$GAN_CLASSROOM_IDLE_TIMEOUT if it holds a positive number of seconds, else 60."""
    return positive_env_number(IDLE_TIMEOUT_ENV, DEFAULT_IDLE_TIMEOUT)


class LiveRun:
    def __init__(self, trainer: Trainer, idle_timeout: float | None = None, gate: TrainingGate | None = None):
        """idle_timeout: seconds without touch() after which play pauses by itself (None: from
        $GAN_CLASSROOM_IDLE_TIMEOUT, default 60). gate: how many runs of the process train at
        once (None: the process's shared gate)."""
        self.trainer = trainer
        self.gate = shared_gate() if gate is None else gate
        self.idle_timeout = default_idle_timeout() if idle_timeout is None else idle_timeout
        self.delay = 0.0  # seconds to wait between iterations: slow motion for the class
        self.error: NonFiniteError | None = None  # why play stopped itself, shown by the UI
        self.stopped_reason = ""  # plain words for the last automatic pause
        self.rate = 0.0  # measured iterations per second while playing
        self._lock = TurnLock()  # the loop lets a waiting view or command have it before its next step
        # One stop flag per play: an old loop that is still finishing its step (after
        # pause(wait=False)) must neither keep running after play() nor stop the new loop.
        self._stop = threading.Event()
        self._stop.set()
        self._thread: threading.Thread | None = None
        self.last_touch = time.monotonic()
        self._views = None  # classroom.run_views.RunViews, made on the first view asked

    # ---- access -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self):
        """Hold the trainer between two steps (the loop waits at its next step)."""
        with self._lock:
            yield self.trainer

    def call(self, fn: Callable[[Trainer], T]) -> T:
        with self.locked() as trainer:
            return fn(trainer)

    def view(self, name: str, part: int = 0):
        """The view `name` (classroom.run_views), computed here once per change of the run (its
        counters, settings and trainer)."""
        from classroom.run_views import RunViews

        if self._views is None:
            self._views = RunViews()
        with self.locked() as trainer:
            histories = tuple(len(t.history) for t in trainers_of(trainer))  # a side-by-side pair has two
            stamp = (id(trainer), trainer.updates, trainer.iteration, trainer.config, histories)
        return self._views.read(name, part, trainer, self.locked, stamp, not self.playing)

    # ---- the page API shared with classroom.run_handle.RunHandle (a run in a worker) -------------
    lost = False  # a thread of this process cannot be lost without the page

    def sync(self) -> None:
        """Nothing to bring over: the views read the trainer itself."""

    @property
    def settings_stamp(self):
        """Changes when the run's settings change, from this tab or another on the same run: here
        the settings themselves (RunHandle's is the host's count of changes)."""
        return self.trainer.config

    def update(self, **changes) -> dict:
        return self.call(lambda t: t.update(**changes))

    def rollback(self) -> int:
        iteration = self.call(lambda t: t.rollback())
        self.error, self.stopped_reason = None, ""
        return iteration

    def checkpoint(self) -> bytes:
        from gan_core.checkpoint import checkpoint_bytes

        return self.call(checkpoint_bytes)

    def snapshot_samples(self, n: int) -> list:
        from gan_core.coverage import snapshot_samples

        return self.call(lambda t: snapshot_samples(t, n))

    @property
    def closed(self) -> bool:
        return self.trainer is None

    def close(self) -> None:
        """Stop, and let go of the trainer (widget callbacks of a closed tab may hold this run until
        Streamlit frees the session, but no longer its memory). The loop checks its stop flag under
        the lock before each step, so it never meets the missing trainer."""
        self.pause(wait=False)
        with self._lock:
            self.trainer = None

    def touch(self) -> None:
        """Somebody is watching: keeps play alive (see idle_timeout)."""
        self.last_touch = time.monotonic()

    # ---- stepping -----------------------------------------------------------------------------
    def run_steps(self, what: str = "both", n: int = 1) -> list:
        """Synchronous steps (step buttons, tests): "d", "g" or "both" (one Algorithm 1 iteration).
        A diverging step sets `error` and re-raises NonFiniteError."""
        fn = STEPS[what]
        records = []
        with self.locked() as trainer:
            try:
                for _ in range(n):
                    records += fn(trainer)
            except NonFiniteError as exc:
                self.error = exc
                raise
        return records

    # ---- play / pause ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def play(self) -> None:
        if self.playing:
            return
        self.error, self.stopped_reason = None, ""
        self.touch()
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(stop,), name=LOOP_THREAD_NAME, daemon=True)
        self._thread.start()

    def pause(self, wait: bool = True) -> None:
        self._stop.set()
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def replace_trainer(self, trainer: Trainer) -> None:
        """Swap in a new trainer (reset, rebuild, loaded checkpoint) without a second thread. Why the
        old one stopped (a divergence, nobody watching) goes with it: it does not describe the new one."""
        was_playing = self.playing
        self.pause()
        with self.locked():
            self.trainer, self.error, self.stopped_reason = trainer, None, ""
        if was_playing:
            self.play()

    def _loop(self, stop: threading.Event) -> None:
        meter = RateMeter()
        while not stop.is_set():
            if time.monotonic() - self.last_touch > self.idle_timeout:
                self.stopped_reason = "paused because nobody was watching"
                break
            if not self.gate.acquire(stop):  # other runs of this server train first (fair share)
                break
            try:
                done, keep_going = self._train_quantum(stop)
            finally:
                self.gate.release()
            meter.count(done)
            self.rate = meter.rate
            if not keep_going:
                break
            if self.delay:
                stop.wait(self.delay)  # slow motion waits without holding a slot
        stop.set()
        if stop is self._stop:  # a newer play() owns the rate now
            self.rate = 0.0

    def _train_quantum(self, stop: threading.Event) -> tuple[int, bool]:
        """Steps until the gate's quantum is used up (one step in slow motion). Returns the
        iterations done and whether play goes on (False after a divergence or an error)."""
        done, end = 0, time.perf_counter() + self.gate.quantum
        while not stop.is_set():
            with self._lock.for_step():
                if stop.is_set():  # paused while this loop waited for the lock
                    break
                try:
                    self.trainer.step()
                except NonFiniteError as exc:
                    self.error = exc
                    self.stopped_reason = str(exc)
                    return done, False
                except Exception as exc:  # never die silently: the UI shows what happened
                    self.stopped_reason = f"training stopped: {type(exc).__name__}: {exc}"
                    return done, False
            done += 1
            if self.delay or time.perf_counter() >= end:
                break
        return done, True
