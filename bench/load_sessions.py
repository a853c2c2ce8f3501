"""Many students at once: N sessions of the 2D lab (AppTest instances of app.py, each switched to
views/toy_2d.py, each with its own session_state), all training at the same time in the run
service's worker processes (classroom.workers; the web server's process holds only replicas),
then closed. Prints the figures docs/BENCHMARKS.md ("Load") records:

    python bench/load_sessions.py                        # 20 sessions, 8 s of concurrent training
    python bench/load_sessions.py --sessions 30 --train-seconds 15

Each session gets its own seed and label smoothing through the page's own slider (a widget
change, as a student makes it); the check afterwards is that every session's trainer is a
distinct object with exactly its own settings and weights that match a fresh run of its own seed
only. Memory is the process's resident set (/proc/self/status), read after a full garbage
collection: at the start (after one warm-up session has imported everything), with all sessions
open, and after they are closed; the workers' resident sets beside it. Page redraws (AppTest
reruns) go one after another (AppTest drives one script run at a time); training runs in the
workers meanwhile, each stepping its playing runs in turn.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from gan_core.config import TrainConfig  # noqa: E402
from classroom.service import runs_playing  # noqa: E402
from classroom.workers import shared_pool  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402

APP = os.path.join(ROOT, "app_pages.py")  # the pages (app.py adds the web server around them)
PAGE = "views/toy_2d.py"
SMALL = dict(target="ring8", g_width=32, d_width=32, g_depth=2, d_depth=2, batch_size=64)


def rss_mib() -> float:
    gc.collect()
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def live_objects(kind) -> int:
    gc.collect()
    return sum(type(o) is kind for o in gc.get_objects())


def worker_facts() -> dict:
    """Runs hosted, runs playing and resident MiB, summed over the pool's worker processes."""
    facts = [w.request("", "worker")[0] for w in shared_pool().workers()]
    return {"workers": len(facts), "runs": sum(f["runs"] for f in facts),
            "playing": sum(f["playing"] for f in facts), "rss_mib": sum(f["rss_mib"] for f in facts)}


def open_session(seed: int):
    """One student's tab on the 2D lab, with a small network of its own seed."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page(PAGE).run()
    if at.exception:
        raise RuntimeError(f"the 2D lab raised: {at.exception}")
    run = at.session_state["_live_runs"]["2D lab"]
    run.replace_trainer(Trainer(TrainConfig(**SMALL, seed=seed)))
    at.run()
    return at


def lab_run(at):
    return at.session_state["_live_runs"]["2D lab"]


def smoothing_for(i: int) -> float:
    return round(0.05 * (i % 5), 2)  # 0, 0.05, ..., 0.2: neighbours differ


def measure(n_sessions: int = 20, train_seconds: float = 8.0) -> dict:
    torch.set_num_threads(1)
    warm = open_session(10_000)  # imports, caches and the first allocations are not per-session cost
    del warm
    start_rss, start_trainers = rss_mib(), live_objects(Trainer)
    start_workers = worker_facts()

    t0 = time.perf_counter()
    sessions = [open_session(seed=i) for i in range(n_sessions)]
    open_s = time.perf_counter() - t0
    for i, at in enumerate(sessions):  # each student moves the slider in their own tab
        at.slider(key="toy_knob_label_smoothing").set_value(smoothing_for(i)).run()
    runs = [lab_run(at) for at in sessions]
    open_rss = rss_mib()
    idle_redraws = []
    for at in sessions[:5]:  # the same redraw with nothing training: the floor for the figures below
        r0 = time.perf_counter()
        at.run()
        idle_redraws.append(time.perf_counter() - r0)

    for run in runs:
        run.idle_timeout = 3600  # AppTest cannot tick the fragment timer that touches a run
        run.play()
    playing = sum(r.playing for r in runs)
    playing_in_workers = worker_facts()
    redraws = []
    end = time.perf_counter() + train_seconds
    while time.perf_counter() < end:  # redraw the tabs in turn while all of them train
        for at in sessions:
            r0 = time.perf_counter()
            at.run()
            redraws.append(time.perf_counter() - r0)
            if time.perf_counter() >= end:
                break
    for run in runs:
        run.pause()
    iterations = [r.trainer.iteration for r in runs]
    playing_rss = rss_mib()

    # isolation: own trainer object, own settings, weights of its own seed
    distinct = len({id(r) for r in runs}) == len({id(r.trainer) for r in runs}) == n_sessions
    own_settings = all(r.trainer.config.seed == i and abs(r.trainer.config.label_smoothing - smoothing_for(i)) < 1e-9
                       for i, r in enumerate(runs))
    exceptions = sum(bool(at.exception) for at in sessions)
    fresh = [Trainer(TrainConfig(**SMALL, seed=i)) for i in range(2)]
    start_weights_differ = not torch.equal(next(fresh[0].generator.parameters()), next(fresh[1].generator.parameters()))
    del fresh

    del sessions, runs, run, at  # the loop variables too: `run` would keep the last trainer alive
    gc.collect()
    deadline = time.monotonic() + 20
    while worker_facts()["runs"] > start_workers["runs"] and time.monotonic() < deadline:
        time.sleep(0.1)  # freed handles drop their runs in the workers
    end_rss, end_trainers, end_workers = rss_mib(), live_objects(Trainer), worker_facts()
    return {
        "sessions": n_sessions, "train_seconds": train_seconds, "open_seconds": open_s,
        "playing": playing, "workers": playing_in_workers["workers"],
        "playing_in_workers": playing_in_workers["playing"],
        "iterations_min": min(iterations), "iterations_median": statistics.median(iterations),
        "iterations_total": sum(iterations),
        "redraws": len(redraws), "redraw_median_s": statistics.median(redraws) if redraws else float("nan"),
        "redraw_max_s": max(redraws) if redraws else float("nan"),
        "redraw_idle_median_s": statistics.median(idle_redraws),
        "distinct_trainers": distinct, "own_settings": own_settings, "exceptions": exceptions,
        "seeds_give_different_weights": start_weights_differ,
        "rss_start_mib": start_rss, "rss_open_mib": open_rss, "rss_playing_mib": playing_rss,
        "rss_end_mib": end_rss, "trainers_start": start_trainers, "trainers_end": end_trainers,
        "worker_rss_start_mib": start_workers["rss_mib"], "worker_rss_playing_mib": playing_in_workers["rss_mib"],
        "worker_rss_end_mib": end_workers["rss_mib"], "worker_runs_start": start_workers["runs"],
        "worker_runs_end": end_workers["runs"], "playing_end": runs_playing(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--train-seconds", type=float, default=8.0)
    args = parser.parse_args()
    report(measure(args.sessions, args.train_seconds))


def report(r: dict) -> None:
    print(f"{r['sessions']} sessions of the 2D lab opened in {r['open_seconds']:.1f} s "
          f"({r['open_seconds'] / r['sessions']:.2f} s each, two script runs + a slider change)")
    print(f"playing at once: {r['playing']} runs ({r['playing_in_workers']} playing in {r['workers']} worker "
          f"processes) for "
          f"{r['train_seconds']:.0f} s; iterations per session min {r['iterations_min']}, "
          f"median {r['iterations_median']:.0f}, total {r['iterations_total']}")
    print(f"page redraws while all trained: {r['redraws']}, median {r['redraw_median_s'] * 1000:.0f} ms, "
          f"max {r['redraw_max_s'] * 1000:.0f} ms (with nothing training: median "
          f"{r['redraw_idle_median_s'] * 1000:.0f} ms)")
    print(f"isolation: distinct trainers {r['distinct_trainers']}, each with its own seed and smoothing "
          f"{r['own_settings']}, exceptions {r['exceptions']}")
    print(f"RSS MiB: start {r['rss_start_mib']:.0f}, {r['sessions']} open {r['rss_open_mib']:.0f}, "
          f"after training {r['rss_playing_mib']:.0f}, closed {r['rss_end_mib']:.0f} "
          f"(closed - start = {r['rss_end_mib'] - r['rss_start_mib']:+.0f} MiB; per open session "
          f"{(r['rss_playing_mib'] - r['rss_start_mib']) / r['sessions']:.1f} MiB)")
    print(f"workers' RSS MiB: start {r['worker_rss_start_mib']:.0f}, playing {r['worker_rss_playing_mib']:.0f}, "
          f"closed {r['worker_rss_end_mib']:.0f} (per run while open "
          f"{(r['worker_rss_playing_mib'] - r['worker_rss_start_mib']) / r['sessions']:.1f} MiB)")
    print(f"Trainer objects (replicas) alive: start {r['trainers_start']}, after closing {r['trainers_end']}; "
          f"runs hosted by the workers: start {r['worker_runs_start']}, after closing {r['worker_runs_end']}; "
          f"runs still playing {r['playing_end']}")


if __name__ == "__main__":
    main()
