"""What one redraw pays for the run's history as chart columns: the old rebuild vs History.columns().

Before issue 13 the trainer kept a deque of StepRecords and `Trainer.history_columns()` rebuilt
every column from every record (one np.array per field over `getattr` of each record) under the
run's lock, on every redraw of the MNIST, 1D and side-by-side pages. gan_core.history.History
keeps the columns themselves (a ring buffer), so columns() copies one or two slices per field.

Both are timed on the same records: real ones from a short toy run, repeated with their update
numbers counted on to fill --records (the History has wrapped, so columns() joins two slices).
Also the append each update pays (deque.append vs History.append). Medians of --repeat runs.

    python bench/history_columns.py                 # 20 000 records (TrainConfig().history_len)
    python bench/history_columns.py --records 100000
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from collections import deque

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gan_core.config import TrainConfig
from gan_core.history import History
from gan_core.step_record import RECORD_FIELDS
from gan_core.trainer import Trainer


def rebuild_columns(history: deque) -> dict[str, np.ndarray]:
    """The old Trainer.history_columns(), as it was written."""
    rows = list(history)
    return {f: np.array([getattr(r, f) for r in rows]) for f in RECORD_FIELDS}


def timed(fn, repeat: int) -> float:
    """Median seconds of one call."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=TrainConfig().history_len)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    n = args.records
    print(f"records: {n:,}; load average: {os.getloadavg()[0]:.2f}")

    trainer = Trainer(TrainConfig(target="ring8", batch_size=64, history_len=n))
    seed = []
    for _ in range(50):
        seed += trainer.step()
    extra = n // 3  # overfill so the ring has wrapped, as in a long run
    records = [dataclasses.replace(seed[i % len(seed)], update=i + 1) for i in range(n + extra)]
    old, new = deque(maxlen=n), History(n)
    for r in records:
        old.append(r)
        new.append(r)
    a, b = rebuild_columns(old), new.columns()
    for f in RECORD_FIELDS:  # the same numbers either way
        assert a[f].dtype == b[f].dtype and np.array_equal(a[f], b[f], equal_nan=f != "kind"), f

    t_old = timed(lambda: rebuild_columns(old), args.repeat)
    t_new = timed(new.columns, max(args.repeat, 101))
    one = records[-1]
    k = 20_000
    t_app_old = timed(lambda: [old.append(one) for _ in range(k)], 5) / k
    t_app_new = timed(lambda: [new.append(one) for _ in range(k)], 5) / k
    print(f"columns, old rebuild (deque -> np.array per field) {t_old * 1e3:9.2f} ms")
    print(f"columns, History.columns() (slice copies)          {t_new * 1e3:9.3f} ms")
    print(f"ratio old / new                                    {t_old / t_new:9.0f} x")
    print(f"append per update: deque {t_app_old * 1e6:.2f} us, History {t_app_new * 1e6:.2f} us")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
