"""TurnLock: a run's lock that its trainer gives up between two steps to whoever waits for it.

Used by every run that trains on a thread beside the threads that ask it things: a hosted run
(classroom.run_host, in a worker process or a Ray actor) and a run on a thread of the web server
(classroom.live.LiveRun). A trainer thread steps under the run's lock, releases it and takes it again a few
microseconds later; a plain lock is not fair, so a command or a view asked from another thread
(a lane of a worker, a Ray actor's request) usually lost that race and waited several steps.
Measured on the MNIST page (py-spy on the web server, 20 s playing with label-smoothing moves):
an `update` waited ~190 ms, about three 60 ms steps, and every redraw's view waited as long.

With a TurnLock the trainer takes the lock through `for_step()`, which first lets every thread that
is already waiting have it; `with lock:` (the commands' and views' way) counts the thread as
waiting until it holds the lock. So a command waits for at most the one step in flight.
"""

from __future__ import annotations

import contextlib
import threading

MAX_GIVE_WAY = 1.0  # seconds a step waits for the waiters at most: a stream of askers cannot stop training


class TurnLock:
    def __init__(self):
        self._lock = threading.RLock()  # re-entrant: a command's answer packs under the lock it ran in
        self._turns = threading.Condition(threading.Lock())
        self._waiting = 0  # threads (other than the trainer) between asking for the lock and holding it

    def __enter__(self) -> "TurnLock":
        with self._turns:
            self._waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._turns:
                self._waiting -= 1
                self._turns.notify_all()
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()

    @contextlib.contextmanager
    def for_step(self):
        """The lock for one training step, taken after the threads waiting for it have had it."""
        with self._turns:
            self._turns.wait_for(lambda: self._waiting == 0, timeout=MAX_GIVE_WAY)
        with self._lock:
            yield

    @property
    def waiting(self) -> int:
        with self._turns:
            return self._waiting
