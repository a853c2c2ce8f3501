"""A class on one server: N tabs of the 2D lab all playing, each with its own drawing thread.

What a Streamlit server does when N students press Play: N training threads (LiveRun, through
the process's TrainingGate) and N session threads that rerun each tab's live fragment on its
timer. Here each "tab" is a painter thread doing exactly one live redraw of the 2D lab as
bench/live_throughput.py defines it (LabViews.compute with the trainer locked, the live canvases'
scenes, the secondary views once a second, their JSON), every `interval` seconds. Only the
websocket and the browsers are left out, so the browsers' own CPU does not muddy the figures.

Policies, each run in turn in one process (--rounds repeats the sweep):
    none/fixed     no gate, every tab redraws every 0.25 s (the page's own interval)
    gate/fixed     the TrainingGate (--slots), redraws every 0.25 s
    gate/adaptive  the gate, and the redraw interval classroom.live.redraw_interval gives for N
                   playing runs (what the page's live area uses)

Printed per policy: total iterations of all tabs and the slowest tab's; redraws per tab per
second; one redraw's wall time (median, 90th percentile): how long a student waits for a fresh view.

    python bench/classroom.py                      # 20 tabs, 8 s per policy, 2 rounds
    python bench/classroom.py --tabs 30 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

import torch  # noqa: E402

from gan_core.config import TrainConfig  # noqa: E402
from classroom.live import LiveRun, redraw_interval  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402
from classroom.training_gate import TrainingGate  # noqa: E402
from live_throughput import page_redraw  # noqa: E402
from load_sessions import SMALL  # noqa: E402
from ui.toy_2d.live import SECONDARY_EVERY  # noqa: E402
from classroom.lab_views import LabViews  # noqa: E402

PAGE_INTERVAL = 0.25  # views/toy_2d.py's live_area(every=0.25)


def paint(run: LiveRun, interval: float, stop: threading.Event, durations: list) -> None:
    """One tab's live fragment: redraw, then wait for the next tick of its timer."""
    views, last_charts = LabViews(), -1e9
    next_at = time.perf_counter()
    while not stop.is_set():
        t0 = time.perf_counter()
        secondary = t0 - last_charts >= SECONDARY_EVERY
        page_redraw(views, run, secondary)
        if secondary:
            last_charts = t0
        durations.append(time.perf_counter() - t0)
        next_at = max(next_at + interval, time.perf_counter())  # a late timer does not catch up
        stop.wait(next_at - time.perf_counter())


def classroom(tabs: int, seconds: float, slots: int, adaptive: bool) -> dict:
    gate = TrainingGate(slots)
    runs = [LiveRun(Trainer(TrainConfig(**SMALL, seed=i)), idle_timeout=3600, gate=gate) for i in range(tabs)]
    interval = redraw_interval(PAGE_INTERVAL, tabs) if adaptive else PAGE_INTERVAL
    stop, durations = threading.Event(), [[] for _ in runs]
    painters = [threading.Thread(target=paint, args=(run, interval, stop, d), daemon=True)
                for run, d in zip(runs, durations)]
    for run in runs:
        run.play()
    for painter in painters:
        painter.start()
    time.sleep(seconds)
    stop.set()
    for run in runs:
        run.pause()
    for painter in painters:
        painter.join(timeout=30)
    its = [run.trainer.iteration for run in runs]
    flat = sorted(x for d in durations for x in d)
    return {"interval": interval, "total": sum(its), "min": min(its),
            "redraws_per_tab_s": len(flat) / tabs / seconds,
            "redraw_median_ms": 1000 * statistics.median(flat) if flat else float("nan"),
            "redraw_p90_ms": 1000 * flat[int(0.9 * (len(flat) - 1))] if flat else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--slots", type=int, default=1, help="the gate's size for the gate policies")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{args.tabs} tabs of the 2D lab (G/D 2x32, batch 64) playing for {args.seconds:g} s per policy; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    policies = [("none/fixed", 0, False), ("gate/fixed", args.slots, False), ("gate/adaptive", args.slots, True)]
    for round_ in range(args.rounds):
        for name, slots, adaptive in policies:
            r = classroom(args.tabs, args.seconds, slots, adaptive)
            print(f"round {round_ + 1} {name:<14} redraw every {r['interval']:.2f} s: iterations total "
                  f"{r['total']:6d}, slowest tab {r['min']:4d}; redraws {r['redraws_per_tab_s']:.2f}/s per tab, "
                  f"one redraw median {r['redraw_median_ms']:.0f} ms, p90 {r['redraw_p90_ms']:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
