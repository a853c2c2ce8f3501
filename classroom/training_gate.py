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

from classroom.one_per_process import one_per_process

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
    """A fair (FIFO) counting semaphore whose waits can be cancelled by a stop event.

    A release hands its slot straight to the first waiter by setting that waiter's own event, so
    one thread wakes per hand-over. (A shared condition woke every waiting run each time; with a
    page redraw holding the interpreter lock, each of those wake-ups cost a thread switch and the
    slot stood idle for most of the quantum.)"""

    def __init__(self, slots: int, quantum: float = DEFAULT_QUANTUM):
        """slots: runs that may train at once (0: unlimited, the gate never blocks).
        quantum: seconds a run keeps its slot before it lets the next one in."""
        if slots < 0 or not math.isfinite(quantum) or quantum <= 0:
            raise ValueError(f"TrainingGate needs slots >= 0 and a positive quantum, got {slots}, {quantum}")
        self.slots = slots
        self.quantum = quantum
        self._lock = threading.Lock()
        self._queue: collections.deque[threading.Event] = collections.deque()  # waiters, first come first
        self._active = 0  # slots held, counting those handed to a waiter that has not woken yet

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
        with self._lock:
            if self._has_room() and not self._queue:
                self._active += 1
                return True
            ticket = threading.Event()
            self._queue.append(ticket)
        while not ticket.wait(poll):
            with self._lock:
                if ticket.is_set():  # handed over just now
                    break
                if stop is not None and stop.is_set():
                    self._queue.remove(ticket)
                    return False
                if self._has_room() and self._queue[0] is ticket:  # room made by a change of `slots`
                    self._queue.popleft()
                    self._active += 1
                    return True
        if stop is not None and stop.is_set():  # handed a slot while pausing: pass it on
            self.release()
            return False
        return True

    def release(self) -> None:
        with self._lock:
            if self._active <= 0:
                raise RuntimeError("TrainingGate.release() without a matching acquire()")
            if self._queue and (self.slots == 0 or self._active <= self.slots):
                self._queue.popleft().set()  # the slot goes to the first waiter: _active unchanged
            else:
                self._active -= 1

    def _has_room(self) -> bool:
        return self.slots == 0 or self._active < self.slots


@one_per_process
def shared_gate() -> TrainingGate:
    """The process's gate, created on first use from $GAN_CLASSROOM_TRAINING_SLOTS."""
    return TrainingGate(default_slots())
