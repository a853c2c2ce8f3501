"""Local worker processes: where the runs train when nothing else is configured (the web server's side).

A pool of `cores - 1` processes (at least one; $GAN_CLASSROOM_WORKERS overrides), each hosting
many runs and training its playing runs in fair shares of its time (classroom.worker_process).
Thirty students therefore cost a few copies of torch, not thirty, and the web server's process
never trains: a page rerun competes with no training for the interpreter lock.

Many requests to one worker may be in flight at once (one per page thread): each waits for its
own answer, which a reader thread per worker hands over, so nobody holds a lock while a worker
thinks. A watchdog thread per worker ends one that sends nothing for HANG_AFTER seconds (stopped,
hung; it sends a heartbeat every half second) like a dead one. Either way the process is reaped,
its waiting requests raise WorkerLost at once, its runs are reported lost on their pages
(classroom.run_handle), and new runs go to other workers or a fresh one. A worker
exits when the web server's end of its pipe closes, so no process outlives the server.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import subprocess
import sys
import threading
import time

from classroom.live import positive_env_number
from classroom.one_per_process import one_per_process
from classroom.worker_process import resident_mib
from classroom.worker_wire import BEAT_EVERY, HEARTBEAT, RunGone, WorkerLost, send, untag

__all__ = ["LocalWorker", "RunGone", "WorkerLink", "WorkerLost", "WorkerPool", "resident_mib", "shared_pool"]

WORKERS_ENV = "GAN_CLASSROOM_WORKERS"
HANG_ENV = "GAN_CLASSROOM_WORKER_HANG"
DEFAULT_HANG_AFTER = 4.0  # seconds without a word (heartbeats come every 0.5 s) before a worker counts as hung
STARTUP_GRACE = 60.0  # seconds a starting worker may take to send its first heartbeat (a busy machine)
QUIET_AFTER = 1.5  # seconds without a heartbeat after which new runs go elsewhere


# ---- the web server's side -------------------------------------------------------------------------

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


WORKER_THREADS = 1  # torch threads of a worker process: small networks train faster on one

class _Waiter:
    """One request in flight: its answer (an untagged pickle), or lost."""

    def __init__(self):
        self.done = threading.Event()
        self.answer: memoryview | None = None


class LocalWorker:
    """One worker process, the pipe to it, and the reader thread that hands out its answers.

    Started as `python -m classroom.worker_process FD THREADS`, a fresh interpreter, not through
    multiprocessing: its spawn would first re-run the parent's __main__, which inside Streamlit is
    the page script being run (app.py), in every worker. Fork is no option either: the web server
    has threads, and a forked child would copy their locks."""

    def __init__(self, threads: int = WORKER_THREADS):
        self._conn, child = multiprocessing.Pipe()  # a socket pair; the worker gets its end as a descriptor
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (PROJECT_ROOT, os.environ.get("PYTHONPATH")))))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "classroom.worker_process", str(child.fileno()), str(threads)],
            pass_fds=(child.fileno(),), cwd=PROJECT_ROOT, env=env)
        child.close()  # only the worker holds its end: its death closes the pipe for us
        self.hang_after = positive_env_number(HANG_ENV, DEFAULT_HANG_AFTER)
        self.hosted: set[str] = set()  # runs placed here and not dropped (what placement counts)
        self.playing = 0  # runs playing here, as of the last heartbeat
        self.dead = False
        self.why_dead = ""
        self._started_at = time.monotonic()
        self._heard_at: float | None = None  # the last message of any kind
        self._stopping = False
        self._pending: dict[int, _Waiter] = {}
        self._pending_lock = threading.Lock()
        self._send_lock = threading.Lock()  # one message at a time on the pipe; never held while waiting
        self._ids = itertools.count(HEARTBEAT + 1)
        self._to_drop: list[str] = []  # runs of freed handles, dropped before the next request
        self._silent_for: float | None = None  # set by the watchdog when it ends a silent worker
        self._reader = threading.Thread(target=self._read_forever, name=f"gan-worker-{self.process.pid}",
                                        daemon=True)
        self._reader.start()
        threading.Thread(target=self._watch, name=f"gan-watchdog-{self.process.pid}", daemon=True).start()

    @property
    def runs(self) -> int:
        return len(self.hosted)

    def answering(self) -> bool:
        """Heard from lately (or still starting): new runs may go here."""
        if self.dead:
            return False
        if self._heard_at is None:
            return time.monotonic() - self._started_at < STARTUP_GRACE
        return time.monotonic() - self._heard_at < QUIET_AFTER

    # ---- requests --------------------------------------------------------------------------------
    def request(self, run_id: str, name: str, *args):
        """(result, status) of a command; raises WorkerLost when the process is gone or hung."""
        while self._to_drop:
            try:
                dropped = self._to_drop.pop()
            except IndexError:  # another request thread took the last one
                break
            self._call(dropped, "drop", ())
        kind, result, status = self._call(run_id, name, args)
        if name == "drop":
            self.hosted.discard(run_id)
        if kind == "error":
            if isinstance(result, RunGone):  # put away by its lease: it no longer counts here
                self.hosted.discard(run_id)
            raise result
        return result, status

    def _call(self, run_id: str, name: str, args: tuple) -> tuple:
        request_id, waiter = next(self._ids), _Waiter()
        with self._pending_lock:
            if self.dead:
                raise WorkerLost(self.why_dead)
            self._pending[request_id] = waiter
        try:
            with self._send_lock:  # a stopped worker's full pipe blocks here until the watchdog ends it
                if self.dead:
                    raise WorkerLost(self.why_dead)
                send(self._conn, (request_id, run_id, name, args))
        except OSError as exc:  # the process is going: the reader says why
            self._reader.join(timeout=self.hang_after + 10)
            raise WorkerLost(self.why_dead or f"the worker process (pid {self.process.pid}) stopped: {exc}") from exc
        except BaseException:  # e.g. arguments that cannot be pickled: nothing was sent
            with self._pending_lock:
                self._pending.pop(request_id, None)
            raise
        waiter.done.wait()  # the reader answers it, or fails it when the worker dies or hangs
        if waiter.answer is None:
            raise WorkerLost(self.why_dead)
        return pickle.loads(waiter.answer)

    def drop_later(self, run_id: str) -> None:
        """Forget a run at the next request. Safe from a garbage collector's finalizer, which may
        run on a thread that is inside request() already (so it takes no lock)."""
        self._to_drop.append(run_id)
        self.hosted.discard(run_id)

    # ---- the reader (answers, heartbeats) and the watchdog -------------------------------------------
    def _read_forever(self) -> None:
        try:
            while True:
                request_id, answer = untag(self._conn.recv_bytes())
                self._heard_at = time.monotonic()
                if request_id == HEARTBEAT:
                    self.playing = pickle.loads(answer)["playing"]
                    continue
                with self._pending_lock:
                    waiter = self._pending.pop(request_id, None)
                if waiter is not None:
                    waiter.answer = answer
                    waiter.done.set()
        except (EOFError, OSError) as exc:
            pid = self.process.pid
            self._die(f"the worker process (pid {pid}) sent nothing for {self._silent_for:g} s (stopped or hung), "
                      "so the server ended it" if self._silent_for is not None
                      else f"the worker process (pid {pid}) stopped: {exc or 'pipe closed'}")

    def _watch(self) -> None:
        """End a worker that has sent nothing (not even its heartbeat) for hang_after seconds; its
        pipe closes, and the reader, even one stuck in the middle of a message, reports it."""
        while not self.dead:
            time.sleep(BEAT_EVERY)
            since, limit = ((self._started_at, STARTUP_GRACE) if self._heard_at is None
                            else (self._heard_at, self.hang_after))
            if time.monotonic() - since > limit and not self.dead:
                self._silent_for = limit
                self.process.kill()  # SIGKILL ends a stopped (SIGSTOP) process too
                return

    def _die(self, why: str) -> None:
        """Mark dead, end and reap the process (no zombie stays), fail every waiting request."""
        with self._pending_lock:
            self.dead = True
            self.why_dead = "the server stopped this worker" if self._stopping else why
            waiting = list(self._pending.values())
            self._pending.clear()
        if self.process.poll() is None:
            self.process.kill()  # it closed its pipe but lingers: nothing more will come from it
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # stuck in the kernel; reaped by the next stop() or at exit
            pass
        for waiter in waiting:
            waiter.done.set()
        with self._send_lock:  # after the kill: a send blocked on the full pipe has failed by now
            self._conn.close()

    def stop(self) -> None:
        self._stopping = True
        if self.process.poll() is None:
            self.process.kill()  # the reader sees the pipe close, reaps it and fails what waits
        self._reader.join(timeout=15)


class WorkerLink:
    """A page's line to its run in a local worker."""

    def __init__(self, worker: LocalWorker, run_id: str):
        self.worker, self.run_id = worker, run_id

    def request(self, name: str, *args):
        return self.worker.request(self.run_id, name, *args)

    def close(self) -> None:
        """Free the run in the worker (its memory with it); nothing to do if the worker is gone."""
        try:
            self.worker.request(self.run_id, "drop")
        except WorkerLost:
            pass

    def release(self) -> None:
        """close(), from a finalizer: done with the worker's next request."""
        self.worker.drop_later(self.run_id)


def default_worker_count() -> int:
    return int(positive_env_number(WORKERS_ENV, max(1, (os.cpu_count() or 2) - 1)))


class WorkerPool:
    """`size` local worker processes; a new run goes to the answering one with the fewest runs
    playing (each playing run gets an equal share of its worker), then the fewest hosted."""

    def __init__(self, size: int | None = None, threads: int = WORKER_THREADS):
        self.size = size or default_worker_count()
        self.threads = threads
        self._workers: list[LocalWorker] = []
        self._lock = threading.Lock()  # held to choose and count, never across a request
        self._ids = itertools.count()

    def _place(self, run_id: str) -> LocalWorker:
        with self._lock:
            self._workers = [w for w in self._workers if not w.dead]  # a dead one is replaced below
            answering = [w for w in self._workers if w.answering()]
            if len(self._workers) < self.size or not answering:  # a silent one may be hung: a fresh one
                answering.append(LocalWorker(self.threads))
                self._workers.append(answering[-1])
            worker = min(answering, key=lambda w: (w.playing, w.runs))
            worker.hosted.add(run_id)  # counted now: a burst of new runs spreads out
            return worker

    def open(self, plan: tuple, idle_timeout: float) -> WorkerLink:
        """Host a new run built from a blueprint (classroom.replica.blueprint)."""
        run_id = f"run-{os.getpid()}-{next(self._ids)}"
        try:
            return self._create(run_id, plan, idle_timeout)
        except WorkerLost:  # its worker died or hung while building it: once more, on another
            return self._create(run_id, plan, idle_timeout)

    def _create(self, run_id: str, plan: tuple, idle_timeout: float) -> WorkerLink:
        worker = self._place(run_id)
        try:
            worker.request(run_id, "create", plan, idle_timeout)
        except BaseException:
            worker.hosted.discard(run_id)
            raise
        return WorkerLink(worker, run_id)

    def workers(self) -> list[LocalWorker]:
        with self._lock:
            return [w for w in self._workers if not w.dead]

    def shutdown(self) -> None:
        for worker in self.workers():
            worker.stop()


@one_per_process
def shared_pool() -> WorkerPool:
    """The web server's pool (every tab's runs)."""
    return WorkerPool()
