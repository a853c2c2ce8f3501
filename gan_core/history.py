"""A run's per-update records, kept as columns: the trainer appends, charts and exports read.

`History(maxlen)` stores every StepRecord field in its own numpy array (a ring buffer: "kind" as
a one-character string, counters as int64, numbers as float64) and keeps the newest `maxlen`
records. Appending writes one row (O(1); the arrays grow by doubling up to `maxlen`, so a short
run holds little memory). `columns()` hands out copies of the kept rows in order, one slice (or
two, once the ring has wrapped) per field: a memcpy, never a rebuild from Python objects.

Reading it as records still works for code that walks it (`for r in history`, `reversed`,
`history[-1]`, `len`, `tail(n)`, `last("D")`): each record is made from its row on demand.

No lock of its own: the trainer appends between steps, so read it between steps too (under the
run's lock, `LiveRun.call`/`locked()`). `columns()` returns copies, safe to use after the lock
is released. Not saved in checkpoints (the trainer's state_dict never held the history).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from gan_core.step_record import NAN, RECORD_FIELDS, StepRecord

INITIAL_ROWS = 1024  # rows allocated at first; doubled as the history fills, up to maxlen
INT_FIELDS = ("iteration", "update", "batch_size")


def field_dtype(field: str):
    """The column type of a StepRecord field (as np.array of the Python values would infer it)."""
    if field == "kind":
        return "<U1"
    if field in INT_FIELDS:
        return np.int64
    return np.float64


class History:
    def __init__(self, maxlen: int, initial_rows: int = INITIAL_ROWS):
        if maxlen < 1:
            raise ValueError(f"History needs room for at least one record, not {maxlen}")
        self.maxlen = int(maxlen)
        rows = max(1, min(self.maxlen, initial_rows))
        self._cols = {f: np.empty(rows, dtype=field_dtype(f)) for f in RECORD_FIELDS}
        self._update = self._cols["update"]  # read on every drop_after / last()
        self._kind = self._cols["kind"]
        self._start = 0  # buffer index of the oldest kept row
        self._len = 0

    # ---- writing ---------------------------------------------------------------------------------
    def append(self, record: StepRecord) -> None:
        """Keep `record` as the newest row; the oldest goes once maxlen rows are kept."""
        cap = len(self._update)
        if self._len == cap < self.maxlen:
            self._grow(min(self.maxlen, 2 * cap))
            cap = len(self._update)
        pos = self._start + self._len
        if pos >= cap:
            pos -= cap
        for f, col in self._cols.items():
            col[pos] = getattr(record, f)
        if self._len < cap:
            self._len += 1
        else:  # full: the row just written replaced the oldest
            self._start = pos + 1 if pos + 1 < cap else 0

    def extend(self, columns: dict[str, np.ndarray]) -> None:
        """Append many rows at once (columns as columns() gives them, oldest first): how a replica
        of a run in another process catches up with the rows recorded there since it last looked."""
        n = len(columns["update"])
        if n == 0:
            return
        if n >= self.maxlen:  # only the newest maxlen rows can stay
            columns = {f: col[n - self.maxlen:] for f, col in columns.items()}
            n = self.maxlen
            self._start = self._len = 0
        cap = len(self._update)
        if self._len + n > cap < self.maxlen:
            self._grow(min(self.maxlen, max(2 * cap, self._len + n)))
            cap = len(self._update)
        positions = (self._start + self._len + np.arange(n)) % cap
        for f, col in self._cols.items():
            col[positions] = columns[f]
        overflow = max(0, self._len + n - cap)
        self._len = min(cap, self._len + n)
        self._start = (self._start + overflow) % cap

    def _grow(self, rows: int) -> None:
        ordered = self.columns()
        self._cols = {}
        for f, col in ordered.items():
            new = np.empty(rows, dtype=col.dtype)
            new[:self._len] = col
            self._cols[f] = new
        self._update, self._kind = self._cols["update"], self._cols["kind"]
        self._start = 0

    def drop_after(self, update: int) -> int:
        """Forget the records of updates after `update` (a rollback); returns how many went."""
        dropped = 0
        while self._len and self._update[self._index(self._len - 1)] > update:
            self._len -= 1
            dropped += 1
        return dropped

    def clear(self) -> None:
        self._start = self._len = 0

    # ---- reading as columns -----------------------------------------------------------------------
    def columns(self) -> dict[str, np.ndarray]:
        """{field: (N,) array} of the kept records, oldest first: copies (one or two slices per
        field), so they stay as they are while training goes on."""
        return self._slice_columns(0, self._len)

    def tail_columns(self, n: int) -> dict[str, np.ndarray]:
        """columns() of the newest n records only."""
        n = max(0, min(int(n), self._len))
        return self._slice_columns(self._len - n, self._len)

    def columns_after(self, update: int) -> dict[str, np.ndarray]:
        """columns() of the records of updates after `update` only (what a replica lacks)."""
        ordered = self.columns()
        first = int(np.searchsorted(ordered["update"], update, side="right"))
        return {f: col[first:] for f, col in ordered.items()}

    def _slice_columns(self, first: int, stop: int) -> dict[str, np.ndarray]:
        """Rows first..stop-1 (0 = oldest kept) of every field, copied in order."""
        cap = len(self._update)
        a, b = self._start + first, self._start + stop
        if b <= cap:
            return {f: col[a:b].copy() for f, col in self._cols.items()}
        if a >= cap:
            return {f: col[a - cap:b - cap].copy() for f, col in self._cols.items()}
        return {f: np.concatenate((col[a:], col[:b - cap])) for f, col in self._cols.items()}

    # ---- reading as records -----------------------------------------------------------------------
    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def _index(self, i: int) -> int:
        j = self._start + i
        cap = len(self._update)
        return j - cap if j >= cap else j

    def _record_at(self, j: int) -> StepRecord:
        return _record([col[j].item() for col in self._cols.values()])

    def __getitem__(self, i: int) -> StepRecord:
        """The i-th kept record (0 = oldest, -1 = newest). Integers only: tail(n) for the newest n."""
        if isinstance(i, slice):
            raise TypeError("History takes integer indices; use tail(n) or columns() for a range")
        i = int(i)
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError(f"history index out of range ({self._len} records kept)")
        return self._record_at(self._index(i))

    def __iter__(self) -> Iterator[StepRecord]:
        """The kept records, oldest first, as they were when iteration began."""
        return self._records(self.columns())

    def __reversed__(self) -> Iterator[StepRecord]:
        """The kept records, newest first, made one at a time (cheap to stop early). Read it
        between steps: records appended meanwhile are not seen, and a wrapped-over row would be."""
        for i in range(self._len - 1, -1, -1):
            yield self._record_at(self._index(i))

    def tail(self, n: int) -> list[StepRecord]:
        """The newest n records (fewer if fewer are kept), oldest first."""
        return list(self._records(self.tail_columns(n)))

    def last(self, kind: str) -> StepRecord | None:
        """The newest record of this kind ("D" or "G"), or None if none is kept."""
        for i in range(self._len - 1, -1, -1):
            j = self._index(i)
            if self._kind[j] == kind:
                return self._record_at(j)
        return None

    @staticmethod
    def _records(columns: dict[str, np.ndarray]) -> Iterator[StepRecord]:
        for row in zip(*(col.tolist() for col in columns.values())):
            yield _record(row)

    def __repr__(self) -> str:
        return f"History({self._len} of at most {self.maxlen} records)"


def _record(values) -> StepRecord:
    """A StepRecord from one row; NaN comes back as step_record.NAN (the object the trainer put in
    fields that do not apply), so a record read back compares equal to the one appended."""
    return StepRecord(*(NAN if isinstance(v, float) and math.isnan(v) else v for v in values))
