"""One object per server process, made on first use: the worker pool, the run registry, the
training gate. Every tab's session shares it; making it lazily keeps imports cheap (a notebook
that never opens a run never starts a worker)."""

from __future__ import annotations

import functools
import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def one_per_process(make: Callable[[], T]) -> Callable[[], T]:
    """A function that returns the same `make()` every time (made once, under a lock)."""
    made: list[T] = []
    lock = threading.Lock()

    @functools.wraps(make)
    def shared() -> T:
        with lock:
            if not made:
                made.append(make())
            return made[0]

    return shared
