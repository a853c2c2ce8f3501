"""Runs by id, across the server's tabs: a reloaded tab (F5) finds its run again.

A browser reload starts a new Streamlit session, and a session's state dies with it. The pages
therefore register each run here under an unguessable id and keep that id in the address bar;
the new session resolves it and attaches the very same run handle, still training.

Everything in a URL is public, so an id alone opens nothing: each run is kept with its owner key
(a secret of the browser that started it, kept in a cookie by the pages), and `get` gives the run
only to the same key. Anyone else who opens the link gets its setup on a run of their own.

The index holds runs weakly: a run lives as long as some tab's session holds it. A reloaded tab's
old session is kept by Streamlit for its reconnection window (server.disconnectedSessionTTL, 120 s
by default), which is when the new tab finds it; when the old session is freed and no tab took
the run, the run and its memory go with it. Also bounded: a run nobody touched for `ttl` seconds
is forgotten, and at most `capacity` runs are kept (the least recently touched goes first).
Forgetting only drops this index's entry: a tab that still holds the run registers it again when
it next asks.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
import weakref

from classroom.live import positive_env_number
from classroom.service import Run
from classroom.one_per_process import one_per_process

CAPACITY_ENV, TTL_ENV = "GAN_CLASSROOM_MAX_RUNS", "GAN_CLASSROOM_RUN_TTL"
DEFAULT_CAPACITY = 32  # a class of ~30 tabs, one training page each
DEFAULT_TTL = 600.0  # seconds: a teacher may close the laptop lid between two lessons


class RunRegistry:
    def __init__(self, capacity: int | None = None, ttl: float | None = None, clock=time.monotonic):
        self.capacity = int(capacity or positive_env_number(CAPACITY_ENV, DEFAULT_CAPACITY))
        self.ttl = float(ttl or positive_env_number(TTL_ENV, DEFAULT_TTL))
        self._clock = clock
        self._runs: dict[str, tuple[str, str, weakref.ref]] = {}  # id -> (kind, owner key, weak ref to the run)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._runs)

    def register(self, run: Run, kind: str, owner: str) -> str:
        """The run's id (a new one the first time), kept for `kind` (the page's run name) and the
        browser whose key is `owner`."""
        with self._lock:
            run_id = getattr(run, "run_id", None)
            if run_id is None:
                run_id = run.run_id = secrets.token_urlsafe(9)  # 12 URL-safe characters
            known = self._runs.get(run_id)
            if known is not None and known[1] != owner:  # a run keeps the owner it was registered with
                raise PermissionError("this run belongs to another browser")
            self._runs[run_id] = (kind, owner, weakref.ref(run))
            self._expire()
            self._evict(keep=run_id)
        return run_id

    def get(self, run_id: str | None, kind: str, owner: str) -> Run | None:
        """The live run with this id for a page of `kind`, if the browser whose key is `owner`
        started it; None when unknown, expired, of another page (a 2D lab id on the MNIST page) or
        of another browser."""
        if not run_id or not owner:
            return None
        with self._lock:
            self._expire()
            entry = self._runs.get(run_id)
        if entry is None or entry[0] != kind or not hmac.compare_digest(entry[1], owner):
            return None
        run = entry[2]()
        return None if run is None or run.closed else run  # a closed run has let go of its trainer

    def _age(self, ref: weakref.ref) -> float:
        run = ref()
        return float("inf") if run is None else self._clock() - run.last_touch

    def _expire(self) -> None:
        for run_id, (_, _, ref) in list(self._runs.items()):
            run = ref()
            # untouched too long, freed with its last session, or closed (its tab is gone)
            if run is None or run.closed or self._age(ref) > self.ttl:
                del self._runs[run_id]

    def _evict(self, keep: str) -> None:
        while len(self._runs) > self.capacity:
            oldest = max((rid for rid in self._runs if rid != keep), key=lambda rid: self._age(self._runs[rid][2]))
            del self._runs[oldest]


@one_per_process
def shared_registry() -> RunRegistry:
    """The server process's registry (every tab's runs)."""
    return RunRegistry()
