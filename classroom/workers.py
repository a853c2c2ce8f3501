"""Local worker processes: where the runs train when nothing else is configured.

A pool of `cores - 1` processes (at least one; $GAN_CLASSROOM_WORKERS overrides), each hosting
many runs (classroom.run_host.HostedRun) and stepping its playing runs in turn, one iteration
each, answering commands between two iterations. Thirty students therefore cost a few copies of
torch, not thirty, and the web server's process never trains: a page rerun competes with no
training for the interpreter lock.

The web server talks to a worker over a pipe, one request at a time (a lock per worker): a
request is (run id, command, arguments), the answer (ok, result, status). A worker that dies
(killed, out of memory) closes its pipe; the waiting request sees that at once and raises
WorkerLost, the pool starts a fresh process in its place for new runs, and the runs it hosted
are reported lost on their pages (classroom.run_handle). A worker exits when the web server's
end of its pipe closes, so no process outlives the server.
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
from multiprocessing.connection import Connection

from classroom.live import positive_env_number
from classroom.one_per_process import one_per_process

WORKERS_ENV = "GAN_CLASSROOM_WORKERS"
LEASE_ENV = "GAN_CLASSROOM_RUN_LEASE"
DEFAULT_LEASE = 3600.0  # seconds a paused run nobody touches is kept in its worker
IDLE_POLL = 0.5  # seconds a worker with nothing playing waits for a request
SWEEP_EVERY = 10.0  # seconds between two looks for runs past their lease


class WorkerLost(RuntimeError):
    """The process that trained this run is gone (killed, or out of memory)."""


class RunGone(KeyError):
    """The worker no longer hosts this run: nobody touched it for its lease (a tab closed without
    the web server noticing), so it was put away; its page can host it again from its replica."""


# ---- the worker process ----------------------------------------------------------------------------

def _answer(runs: dict, request: tuple) -> tuple:
    from classroom.run_host import HostedRun
    from classroom.replica import build

    run_id, name, args = request
    try:
        if name == "create":  # args: blueprint, idle timeout
            runs[run_id] = HostedRun(build(args[0]), args[1])
            return ("ok", None, runs[run_id].status())
        if name == "drop":
            runs.pop(run_id, None)
            return ("ok", None, None)
        if name == "worker":  # facts about this process, for tests and benchmarks
            return ("ok", worker_facts(runs), None)
        run = runs.get(run_id)
        if run is None:
            raise RunGone(run_id)
        result = run.handle(name, *args)
        return ("ok", result, run.status())
    except Exception as exc:  # the page gets the very exception (or its words, if it cannot travel)
        status = runs[run_id].status() if run_id in runs else None
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return ("error", exc, status)


def worker_facts(runs: dict) -> dict:
    return {"pid": os.getpid(), "runs": len(runs), "playing": sum(r.playing for r in runs.values()),
            "rss_mib": resident_mib(), "has_streamlit": "streamlit" in sys.modules}


def resident_mib(pid: int | str = "self") -> float:
    """Resident memory of a process in MiB (Linux /proc; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def send(conn: Connection, message) -> None:
    """Plain pickle, by value: multiprocessing's own pickler would hand tensors over as shared
    memory, which needs the two processes to share a multiprocessing authentication key."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def receive(conn: Connection):
    return pickle.loads(conn.recv_bytes())


def put_away_untouched(runs: dict, lease: float, now: float) -> None:
    """Drop the paused runs nobody has touched for `lease` seconds (playing ones pause themselves
    after their idle timeout first): what a page that vanished without a goodbye leaves here."""
    for run_id, run in list(runs.items()):
        if not run.playing and now - run.last_touch > lease:
            del runs[run_id]


def serve(conn, threads: int = 1) -> None:
    """The worker's loop: answer every waiting request, else one iteration of the next playing run."""
    import torch

    torch.set_num_threads(threads)  # one core per worker: small networks train faster on one thread
    lease = positive_env_number(LEASE_ENV, DEFAULT_LEASE)
    runs: dict = {}
    turn = itertools.count()
    next_sweep = time.monotonic() + SWEEP_EVERY
    while True:
        now = time.monotonic()
        if now >= next_sweep:
            put_away_untouched(runs, lease, now)
            next_sweep = now + SWEEP_EVERY
        waits = [w for w in (r.seconds_to_next_step(now) for r in runs.values()) if w is not None]
        timeout = min(waits) if waits else IDLE_POLL
        try:
            if conn.poll(timeout):  # packed before the next step: a frame holds the trainer's own tensors
                send(conn, _answer(runs, receive(conn)))
                continue
        except (EOFError, OSError):  # the web server went away: so does this worker
            return
        playing = [r for r in runs.values() if r.playing]
        if playing:  # one iteration of one run, then look for requests again: answers come quickly
            playing[next(turn) % len(playing)].step_once()


# ---- the web server's side -------------------------------------------------------------------------

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LocalWorker:
    """One worker process and the pipe to it; requests take turns (one lock).

    Started as `python -m classroom.workers FD THREADS`, a fresh interpreter, not through
    multiprocessing: its spawn would first re-run the parent's __main__, which inside Streamlit is
    the page script being run (app.py), in every worker. Fork is no option either: the web server
    has threads, and a forked child would copy their locks."""

    def __init__(self, threads: int = 1):
        self._conn, child = multiprocessing.Pipe()  # a socket pair; the worker gets its end as a descriptor
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (PROJECT_ROOT, os.environ.get("PYTHONPATH")))))
        self.process = subprocess.Popen([sys.executable, "-m", "classroom.workers", str(child.fileno()), str(threads)],
                                        pass_fds=(child.fileno(),), cwd=PROJECT_ROOT, env=env)
        child.close()  # only the worker holds its end: its death closes the pipe for us
        self._lock = threading.Lock()
        self.runs = 0  # runs hosted (for placing new ones)
        self.dead = False
        self._to_drop: list[str] = []  # runs of freed handles, dropped before the next request

    def request(self, run_id: str, name: str, *args):
        """(result, status) of a command; raises WorkerLost when the process is gone."""
        with self._lock:
            while self._to_drop:
                self._exchange(self._to_drop.pop(), "drop", ())
            kind, result, status = self._exchange(run_id, name, args)
        if kind == "error":
            raise result
        return result, status

    def _exchange(self, run_id: str, name: str, args: tuple) -> tuple:
        if self.dead:
            raise WorkerLost("the worker process is gone")
        try:
            send(self._conn, (run_id, name, args))
            return receive(self._conn)
        except (EOFError, OSError) as exc:
            self.dead = True
            why = exc or "pipe closed"
            raise WorkerLost(f"the worker process (pid {self.process.pid}) stopped: {why}") from exc

    def drop_later(self, run_id: str) -> None:
        """Forget a run at the next request. Safe from a garbage collector's finalizer, which may
        run on a thread that is inside request() already (so it must not take the lock)."""
        self._to_drop.append(run_id)
        self.runs -= 1

    def stop(self) -> None:
        with self._lock:
            self.dead = True
            self._conn.close()  # the worker's loop sees the pipe close and returns
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


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
            self.worker.runs -= 1
        except WorkerLost:
            pass

    def release(self) -> None:
        """close(), from a finalizer: done with the worker's next request."""
        self.worker.drop_later(self.run_id)


def default_worker_count() -> int:
    return int(positive_env_number(WORKERS_ENV, max(1, (os.cpu_count() or 2) - 1)))


class WorkerPool:
    """`size` local worker processes; a new run goes to the one hosting the fewest."""

    def __init__(self, size: int | None = None, threads: int = 1):
        self.size = size or default_worker_count()
        self.threads = threads
        self._workers: list[LocalWorker] = []
        self._lock = threading.Lock()
        self._ids = itertools.count()

    def _placement(self) -> LocalWorker:
        with self._lock:
            self._workers = [w for w in self._workers if not w.dead]  # a dead one is replaced below
            if len(self._workers) < self.size:
                self._workers.append(LocalWorker(self.threads))
            return min(self._workers, key=lambda w: w.runs)

    def open(self, plan: tuple, idle_timeout: float) -> WorkerLink:
        """Host a new run built from a blueprint (classroom.replica.blueprint)."""
        worker = self._placement()
        run_id = f"run-{os.getpid()}-{next(self._ids)}"
        worker.request(run_id, "create", plan, idle_timeout)
        worker.runs += 1
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


if __name__ == "__main__":  # a worker process: python -m classroom.workers FD THREADS
    from classroom import workers  # this file again, by its name: what it pickles (RunGone) must unpickle there

    workers.serve(Connection(int(sys.argv[1])), threads=int(sys.argv[2]))
