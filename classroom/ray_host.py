"""Runs as Ray actors: the same run service for a class that outgrows one machine.

One actor per run hosts a classroom.run_host.HostedRun and trains it on a thread of its own while
it plays; commands arrive as actor calls and are answered between two steps. Pages hold the same
classroom.run_handle.RunHandle as with local workers; only the link differs.

    GAN_CLASSROOM_BACKEND=ray GAN_CLASSROOM_RAY_ADDRESS=auto streamlit run app.py

`ray` is optional (requirements-ray.txt). Without an address the app starts (or joins) a Ray on
this machine. Every machine of the cluster needs this project's code and requirements: the actors
import classroom and gan_core there.
"""

from __future__ import annotations

import os
import pickle
import threading
import time

from classroom.live import default_idle_timeout
from classroom.workers import WorkerLost

RAY_ADDRESS_ENV = "GAN_CLASSROOM_RAY_ADDRESS"
IDLE_WAIT = 0.05  # seconds the training thread sleeps while its run is paused
# A class's runs are mostly paused or watched, so an actor reserves a quarter of a CPU: four runs
# per core before Ray spreads them to other machines (a whole CPU each would cap a 16-core cluster
# at 16 students, and the 17th run would wait forever for a CPU).
CPUS_PER_RUN = 0.25
ANSWER_WITHIN = 60.0  # seconds: a run whose actor cannot be placed or answer is reported lost


class RunActor:
    """The body of the actor (ray.remote is applied in ray_opener, so importing this needs no Ray)."""

    def __init__(self, plan: tuple, idle_timeout: float, threads: int = 1):
        import torch

        from classroom.replica import build
        from classroom.run_host import HostedRun

        torch.set_num_threads(threads)
        self.run = HostedRun(build(plan), idle_timeout)
        self._alive = True
        threading.Thread(target=self._train, name="gan-ray-run", daemon=True).start()

    def _train(self) -> None:
        while self._alive:
            wait = self.run.seconds_to_next_step(time.monotonic())
            if wait is None or wait > 0:
                time.sleep(IDLE_WAIT if wait is None else min(wait, IDLE_WAIT))
            else:
                self.run.step_once()  # a waiting command takes the run's lock first (classroom.turn_lock)

    def request(self, name: str, args: tuple) -> bytes:
        """(result, status), pickled before the training thread can take its next step: a frame
        holds the trainer's own tensors (classroom.replica.frame_of)."""
        return self.run.answer(name, args, lambda answer: pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))

    def facts(self) -> dict:
        import sys

        from classroom.workers import resident_mib

        return {"pid": os.getpid(), "rss_mib": resident_mib(), "has_streamlit": "streamlit" in sys.modules}

    def stop(self) -> None:
        self._alive = False


class RayLink:
    """A page's line to its run's actor."""

    def __init__(self, actor):
        self.actor = actor

    def request(self, name: str, *args):
        import ray

        try:
            return pickle.loads(ray.get(self.actor.request.remote(name, args), timeout=ANSWER_WITHIN))
        except (ray.exceptions.RayActorError, ray.exceptions.ActorDiedError) as exc:
            raise WorkerLost(f"the Ray actor of this run died: {exc}") from exc
        except ray.exceptions.GetTimeoutError as exc:  # not placed (the cluster is full) or stuck
            self.close()
            raise WorkerLost(f"the Ray actor of this run did not answer within {ANSWER_WITHIN:.0f} s "
                             "(is the cluster full?)") from exc

    def close(self) -> None:
        import ray

        try:
            ray.kill(self.actor)
        except Exception:  # already gone, or Ray shut down first
            pass

    def release(self) -> None:
        """close(), from a finalizer: no call into Ray there; Ray ends an actor whose last handle
        is gone."""
        self.actor = None


_driver_lock = threading.Lock()


def connect() -> None:
    """Join the cluster at $GAN_CLASSROOM_RAY_ADDRESS (or a local Ray), once per process.

    ray.init runs on a thread of its own that never ends: Ray ties its driver to the thread that
    called ray.init, and the actors died with the page's script thread that had started it
    (measured: every run was lost right after the first page run)."""
    import ray

    with _driver_lock:
        if ray.is_initialized():
            return
        done, failure = threading.Event(), []

        def drive() -> None:
            try:
                address = os.environ.get(RAY_ADDRESS_ENV) or None
                # the actors import this project's packages: ship the working tree with them
                ray.init(address=address, ignore_reinit_error=True, log_to_driver=False,
                         runtime_env={"working_dir": _project_root(),
                                      "excludes": ["data/", ".git/", "bench/", "tests/"]} if address else None)
            except Exception as exc:  # said where the page asked for a run
                failure.append(exc)
            done.set()
            threading.Event().wait()  # keep the driver's thread alive for the process's lifetime

        threading.Thread(target=drive, name="gan-ray-driver", daemon=True).start()
        done.wait()
        if failure:
            raise failure[0]


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_actor_class = None
_actor_lock = threading.Lock()


def ray_opener():
    """opener(blueprint, idle_timeout) -> RayLink, for classroom.run_handle.RunHandle."""
    import ray

    global _actor_class
    connect()
    with _actor_lock:
        if _actor_class is None:  # threaded: commands are answered while the training thread runs
            _actor_class = ray.remote(num_cpus=CPUS_PER_RUN, max_concurrency=4)(RunActor)

    def open_actor(plan: tuple, idle_timeout: float | None = None) -> RayLink:
        actor = _actor_class.remote(plan, default_idle_timeout() if idle_timeout is None else idle_timeout)
        return RayLink(actor)

    return open_actor
