"""TrainingGate: how many live runs may train at the same moment in one server process.

With 30 students each pressing Play, 30 training threads would share a laptop's few cores (and
CPython's one interpreter lock) with the threads that draw every page: each redraw then waits
behind dozens of trainers and the dashboard feels frozen. The gate lets at most `slots` runs
train at once; the others queue first-come first-served and each run gives its slot back after a
short quantum, so every playing run advances in turn (fair share) and a core stays free for
drawing. Fewer threads fighting over the same cores also train more in total (bench/training_gate.py).

No Streamlit here. One gate per process (`shared_gate()`), sized by $GAN_CLASSROOM_TRAINING_SLOTS
or, by default, by the number of cores minus one (at least one).
"""

from __future__ import annotations

import collections
import math
import os
import threading

TRAINING_SLOTS_ENV = "GAN_CLASSROOM_TRAINING_SLOTS"  # runs training at once; 0 turns the gate off
DEFAULT_QUANTUM = 0.05  # seconds a run trains before it queues again: short enough to feel live


def default_slots() -> int:
    """$GAN_CLASSROOM_TRAINING_SLOTS if it is a whole number >= 0 (0: no limit), else cores - 1."""
    raw = os.environ.get(TRAINING_SLOTS_ENV, "")
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value >= 0:
        return value
    return max(1, (os.cpu_count() or 2) - 1)


class TrainingGate:
    """A fair (FIFO) counting semaphore whose waits can be cancelled by a stop event."""

    def __init__(self, slots: int, quantum: float = DEFAULT_QUANTUM):
        """slots: runs that may train at once (0: unlimited, the gate never blocks).
        quantum: seconds a run keeps its slot before it lets the next one in."""
        if slots < 0 or not math.isfinite(quantum) or quantum <= 0:
            raise ValueError(f"TrainingGate needs slots >= 0 and a positive quantum, got {slots}, {quantum}")
        self.slots = slots
        self.quantum = quantum
        self._cond = threading.Condition()
        self._queue: collections.deque[object] = collections.deque()
        self._active = 0

    @property
    def active(self) -> int:
        """Runs training right now."""
        return self._active

    @property
    def queued(self) -> int:
        """Runs waiting for a slot right now."""
        return len(self._queue)

    def acquire(self, stop: threading.Event | None = None, poll: float = 0.05) -> bool:
        """Wait for a slot in arrival order. Returns False (holding nothing) if `stop` is set first,
        so pausing a queued run never waits for the runs ahead of it."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            try:
                while not self._may_enter(ticket):
                    if stop is not None and stop.is_set():
                        return False
                    self._cond.wait(poll)
                if stop is not None and stop.is_set():
                    return False
                self._active += 1
                return True
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # the next in line may enter too (or see it moved up)

    def release(self) -> None:
        with self._cond:
            if self._active <= 0:
                raise RuntimeError("TrainingGate.release() without a matching acquire()")
            self._active -= 1
            self._cond.notify_all()

    def _may_enter(self, ticket: object) -> bool:
        if self.slots == 0:
            return True
        return self._active < self.slots and self._queue[0] is ticket


_shared: TrainingGate | None = None
_shared_lock = threading.Lock()


def shared_gate() -> TrainingGate:
    """The process's gate, created on first use from $GAN_CLASSROOM_TRAINING_SLOTS."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TrainingGate(default_slots())
        return _shared
