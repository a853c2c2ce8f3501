"""Where a page's run trains: the one place that chooses, from the server's environment.

    GAN_CLASSROOM_BACKEND=workers   (default) local worker processes (classroom.workers)
    GAN_CLASSROOM_BACKEND=ray       Ray actors (classroom.ray_host); GAN_CLASSROOM_RAY_ADDRESS
                                    names the cluster (auto, or ray://head:10001; unset: a local Ray)
    GAN_CLASSROOM_BACKEND=threads   a thread of the web server's process (classroom.live.LiveRun):
                                    for a notebook, or to measure what the workers save

`open_run(trainer)` returns a handle with the same page API whichever it is (RunHandle or LiveRun).
"""

from __future__ import annotations

import os

from classroom.live import LiveRun, runs_playing_in_process
from classroom.run_handle import RunHandle, handles_playing

Run = LiveRun | RunHandle  # what a page holds: the same methods either way

BACKEND_ENV = "GAN_CLASSROOM_BACKEND"
BACKENDS = ("workers", "ray", "threads")


def backend() -> str:
    """The configured backend; an unknown name falls back to the default (a typo never stops a class)."""
    name = os.environ.get(BACKEND_ENV, "workers").strip().lower()
    return name if name in BACKENDS else "workers"


def runs_playing() -> int:
    """Runs playing on this server, every tab's together, wherever they train (live redraws
    slow down when many play: the web server has one interpreter for every tab's drawing)."""
    return runs_playing_in_process() + handles_playing()


def open_run(trainer, idle_timeout: float | None = None, kind: str | None = None):
    """A run of `trainer` (a Trainer or LockstepRun built on the page) on the configured backend."""
    kind = kind or backend()
    if kind == "threads":
        return LiveRun(trainer, idle_timeout=idle_timeout)
    if kind == "ray":
        from classroom.ray_host import ray_opener

        return RunHandle(trainer, ray_opener(), idle_timeout)
    from classroom.workers import shared_pool

    return RunHandle(trainer, shared_pool().open, idle_timeout)
