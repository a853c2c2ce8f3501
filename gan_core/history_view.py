"""Trainer history as columns, kept up to date incrementally for live charts.

`Trainer.history_columns()` rebuilds every column from every record (20 000 records x 15 fields);
doing that four times a second would steal the training thread's interpreter time. This cache
copies only the records added since the last call (under the caller's lock, a few dozen records)
and starts over when the history went backwards (rollback) or belongs to another trainer.
"""

from __future__ import annotations

import numpy as np

from gan_core.step_record import RECORD_FIELDS


class HistoryColumns:
    def __init__(self, capacity: int = 1024):
        self._trainer = None
        self._last_update = 0
        self._capacity = capacity
        self._buffers: dict[str, np.ndarray] = {}
        self._start = self._stop = 0  # the live slice of every buffer

    def _reset(self, trainer, records: list) -> None:
        self._trainer = trainer
        self._buffers = {f: np.empty(max(self._capacity, 2 * len(records)), dtype=_dtype(f))
                         for f in RECORD_FIELDS}
        self._start = self._stop = 0
        self._append(records, trainer.history.maxlen)

    def _append(self, records: list, maxlen: int | None) -> None:
        n = len(records)
        if not n:
            return
        size = self._stop - self._start
        if self._stop + n > len(self._buffers["update"]):  # compact, growing when needed
            keep = min(size, maxlen or size)
            cap = max(2 * (keep + n), self._capacity)
            for f, buf in self._buffers.items():
                new = np.empty(cap, dtype=buf.dtype)
                new[:keep] = buf[self._stop - keep:self._stop]
                self._buffers[f] = new
            self._start, self._stop = 0, keep
        for f, buf in self._buffers.items():
            buf[self._stop:self._stop + n] = [getattr(r, f) for r in records]
        self._stop += n
        self._last_update = records[-1].update
        if maxlen and self._stop - self._start > maxlen:
            self._start = self._stop - maxlen

    def refresh(self, trainer) -> int:
        """Pull new records from `trainer.history` (call it with the trainer locked, between two
        steps); returns how many were added."""
        history = trainer.history
        newest = history[-1].update if history else 0
        if trainer is not self._trainer or newest < self._last_update:
            self._reset(trainer, list(history))
            self._last_update = newest
            return len(history)
        new = []
        for record in reversed(history):  # newest first; stop at what we already hold
            if record.update <= self._last_update:
                break
            new.append(record)
        new.reverse()
        self._append(new, history.maxlen)
        return len(new)

    def columns(self) -> dict[str, np.ndarray]:
        """{field: (N,) array}, equal to Trainer.history_columns() at the last refresh (views
        into the buffers: read them, do not write)."""
        return {f: buf[self._start:self._stop] for f, buf in self._buffers.items()}

    def __len__(self) -> int:
        return self._stop - self._start


def _dtype(field: str):
    if field == "kind":
        return "<U1"
    if field in ("iteration", "update", "batch_size"):
        return np.int64
    return np.float64
