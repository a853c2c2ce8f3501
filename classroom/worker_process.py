"""Inside a local worker process: many runs (classroom.run_host.HostedRun), three kinds of thread.

- The reader (the main thread) takes requests off the pipe and hands each to its run's lane: a
  thread that answers that run's requests in order. Lanes of different runs answer at the same
  time, so a command waits at most for its own run's step in flight, never for a neighbour's
  (a pause of a light run beside an MNIST run used to wait for the MNIST steps: 45 s measured).
- The trainer steps the playing runs, one iteration at a time, always the run that has had the
  least of its time so far (FairShare): a 5 ms run beside a 500 ms run gets half the worker, a
  hundred iterations to the other's one, not one each.
- The heartbeat tells the web server every BEAT_EVERY seconds that this process is alive and how
  busy it is; a worker that stops sending it (stopped, hung) is ended by the server
  (classroom.workers.LocalWorker).

Started by the web server as `python -m classroom.worker_process FD THREADS`; it exits when the
server's end of the pipe closes.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from multiprocessing.connection import Connection

from classroom.worker_wire import BEAT_EVERY, HEARTBEAT, RunGone, dumps, receive, tagged

LEASE_ENV = "GAN_CLASSROOM_RUN_LEASE"
DEFAULT_LEASE = 3600.0  # seconds a paused run nobody touches is kept in its worker
IDLE_POLL = 0.5  # seconds the trainer waits when nothing plays (a command wakes it sooner)
SWEEP_EVERY = 10.0  # seconds between two looks for runs past their lease (at most half the lease)


class FairShare:
    """Which due run steps next: the one whose steps have used the fewest CPU seconds so far. A run
    that starts playing (or comes back from a slow-motion wait) starts level with the least served
    one, so it neither waits for the others to catch up nor gets a burst for the time it sat out."""

    def __init__(self):
        self.used: dict[str, float] = {}  # run id -> CPU seconds its steps have used while in the race

    def pick(self, due) -> str:
        for run_id in [r for r in self.used if r not in due]:
            del self.used[run_id]
        floor = min(self.used.values(), default=0.0)
        for run_id in due:
            self.used.setdefault(run_id, floor)
        return min(due, key=self.used.__getitem__)

    def charge(self, run_id: str, seconds: float) -> None:
        if run_id in self.used:
            self.used[run_id] += seconds


def put_away_untouched(runs: dict, lease: float, now: float) -> None:
    """Drop the paused runs nobody has touched for `lease` seconds (playing ones pause themselves
    after their idle timeout first): what a page that vanished without a goodbye leaves here."""
    for run_id, run in list(runs.items()):
        if not run.playing and now - run.last_touch > lease:
            del runs[run_id]


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


class Worker:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.runs: dict = {}  # run id -> HostedRun; changed under runs_lock, read from snapshots
        self.runs_lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._lanes: dict[str, collections.deque] = {}  # run id -> its requests not yet answered
        self._lanes_lock = threading.Lock()
        self._wake = threading.Event()  # a command may have started a run: the trainer looks again

    # ---- talking ----------------------------------------------------------------------------------
    def _reply(self, request_id: int, payload: bytes) -> None:
        with self._send_lock:
            self.conn.send_bytes(tagged(request_id, payload))

    def beat_forever(self) -> None:
        while True:
            with self.runs_lock:
                facts = {"runs": len(self.runs), "playing": sum(r.playing for r in self.runs.values())}
            try:
                self._reply(HEARTBEAT, dumps(facts))
            except OSError:  # the server went away; the reader ends the process
                return
            time.sleep(BEAT_EVERY)

    def read_forever(self) -> None:
        """Hand each request to its run's lane; return when the server's end of the pipe closes."""
        while True:
            try:
                request_id, run_id, name, args = receive(self.conn)
            except (EOFError, OSError):
                return
            with self._lanes_lock:
                lane = self._lanes.get(run_id)
                if lane is not None:
                    lane.append((request_id, name, args))
                    continue
                self._lanes[run_id] = collections.deque([(request_id, name, args)])
            threading.Thread(target=self._drain, args=(run_id,), name=f"lane-{run_id}", daemon=True).start()

    def _drain(self, run_id: str) -> None:
        while True:
            with self._lanes_lock:
                lane = self._lanes[run_id]
                if not lane:
                    del self._lanes[run_id]
                    return
                request_id, name, args = lane.popleft()
            payload = self.answer(run_id, name, args)
            try:
                self._reply(request_id, payload)
            except OSError:
                return
            self._wake.set()

    def answer(self, run_id: str, name: str, args: tuple) -> bytes:
        """The pickled (kind, result, status) of one request."""
        from classroom.replica import build
        from classroom.run_host import HostedRun

        run = None
        try:
            if name == "create":  # args: blueprint, idle timeout
                run = HostedRun(build(args[0]), args[1])
                with self.runs_lock:
                    self.runs[run_id] = run
                return dumps(("ok", None, run.status()))
            if name == "drop":
                with self.runs_lock:
                    self.runs.pop(run_id, None)
                return dumps(("ok", None, None))
            if name == "worker":  # facts about this process, for tests and benchmarks
                return dumps(("ok", self.facts(), None))
            run = self.runs.get(run_id)
            if run is None:
                raise RunGone(run_id)
            return run.answer(name, args, lambda answer: dumps(("ok", *answer)))
        except Exception as exc:  # the page gets the very exception (or its words, if it cannot travel)
            status = run.status() if run is not None else None
            try:
                return dumps(("error", exc, status))
            except Exception:
                return dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), status))

    def facts(self) -> dict:
        with self.runs_lock:
            runs = list(self.runs.values())
        return {"pid": os.getpid(), "runs": len(runs), "playing": sum(r.playing for r in runs),
                "rss_mib": resident_mib(), "has_streamlit": "streamlit" in sys.modules}

    # ---- training ---------------------------------------------------------------------------------
    def train_forever(self, lease: float) -> None:
        share = FairShare()
        sweep_every = min(SWEEP_EVERY, lease / 2)
        next_sweep = time.monotonic() + sweep_every
        while True:
            self._wake.clear()  # before looking: a command answered from now on wakes the wait below
            now = time.monotonic()
            with self.runs_lock:
                if now >= next_sweep:
                    put_away_untouched(self.runs, lease, now)
                    next_sweep = now + sweep_every
                waits = {run_id: run.seconds_to_next_step(now) for run_id, run in self.runs.items()}
                runs = dict(self.runs)
            due = [run_id for run_id, wait in waits.items() if wait == 0]
            if not due:
                later = [w for w in waits.values() if w is not None]
                self._wake.wait(min(later + [IDLE_POLL, max(0.0, next_sweep - now)]))
                continue
            run_id = share.pick(due)
            # this thread's CPU time, not the wall clock's: a small step's Python that waited for a
            # lane's pickling of a big frame (the interpreter lock) did not use the worker's time
            start = time.thread_time()
            runs[run_id].step_once()
            share.charge(run_id, time.thread_time() - start)


def serve(conn: Connection, threads: int = 1) -> None:
    """The worker: heartbeat first (before torch is imported), then the trainer, then read requests."""
    # A lane waiting to answer gets the interpreter within 1 ms of a training step's Python, not 5
    # (the default): commands answer sooner, and nothing is switched while no other thread waits.
    sys.setswitchinterval(0.001)
    worker = Worker(conn)
    threading.Thread(target=worker.beat_forever, name="heartbeat", daemon=True).start()
    import torch

    from classroom.live import positive_env_number

    torch.set_num_threads(threads)  # one core per worker: small networks train faster on one thread
    lease = positive_env_number(LEASE_ENV, DEFAULT_LEASE)
    threading.Thread(target=_or_exit, args=(worker.train_forever, lease), name="trainer", daemon=True).start()
    worker.read_forever()


def _or_exit(loop, *args) -> None:
    """Run a loop that must not end; if it fails, end the process, so the server reports its runs
    lost instead of a worker that answers but never trains again."""
    try:
        loop(*args)
    finally:
        import traceback

        traceback.print_exc()
        os._exit(1)


if __name__ == "__main__":  # python -m classroom.worker_process FD THREADS
    from classroom import worker_process  # this file again, by its name, as the server's pickles name it

    worker_process.serve(Connection(int(sys.argv[1])), threads=int(sys.argv[2]))
    os._exit(0)  # the server is gone; nothing here to save, and no daemon thread to wait for
