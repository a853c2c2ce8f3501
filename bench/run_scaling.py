"""Run scaling: where the 2D lab's runs train, measured side by side in one process.

    python bench/run_scaling.py                  # 1, 2, 4 runs; threads vs local workers (+ Ray if installed)
    python bench/run_scaling.py --seconds 6 --workers 1 2 --no-ray

1. Total iterations per second of N concurrent 2D-lab runs (the page's default config: ring of 8,
   default networks) for N = 1, 2, 4: on threads of this process (classroom.live.LiveRun, as the
   app trained before the run service: with the server's TrainingGate, and with no gate), on the
   local worker pool (classroom.workers, --workers processes), and on Ray actors
   (ray.init(num_cpus=cores)) when `ray` is installed. Each figure is the median of --rounds
   windows of --seconds; every backend runs in the same process, one after another.
2. A page rerun never pauses training: one run plays while this process does a burst of slider
   moves on the real page (AppTest of app.py on views/toy_2d.py: each move is a full script rerun
   that sends the change and redraws); the run's rate during the burst over its rate just before.
3. Memory per extra idle run: --idle runs opened and left paused; the growth of this process's
   resident set (the replicas) and of the workers' (the runs), per run.
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

from classroom.live import LiveRun  # noqa: E402
from classroom.run_handle import RunHandle  # noqa: E402
from classroom.training_gate import TrainingGate  # noqa: E402
from classroom.workers import WorkerPool, resident_mib  # noqa: E402
from gan_core.config import TrainConfig  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402

CONFIG = TrainConfig(target="ring8")  # the 2D lab's default run


def iterations(run) -> int:
    run.sync()
    return run.trainer.iteration


def total_rate(runs: list, seconds: float, rounds: int) -> float:
    """Median over rounds of the iterations per second of all runs together, all playing."""
    for run in runs:
        run.play()
    time.sleep(1.0)  # warm-up: first steps allocate
    rates = []
    for _ in range(rounds):
        start, t0 = sum(iterations(r) for r in runs), time.perf_counter()
        end = t0 + seconds
        while time.perf_counter() < end:  # keep the runs watched (idle timeout) without redrawing
            for run in runs:
                run.touch()
            time.sleep(0.2)
        rates.append((sum(iterations(r) for r in runs) - start) / (time.perf_counter() - t0))
    for run in runs:
        run.pause()
    return statistics.median(rates)


def backends(worker_counts: list[int], with_ray: bool):
    """(name, open(trainer) -> run, close()) for each backend measured."""
    yield "threads, server's gate", lambda t: LiveRun(t, idle_timeout=3600), lambda: None
    no_gate = TrainingGate(0)
    yield "threads, no gate", lambda t: LiveRun(t, idle_timeout=3600, gate=no_gate), lambda: None
    for n in worker_counts:
        pool = WorkerPool(size=n)
        yield f"local workers ({n})", lambda t, pool=pool: RunHandle(t, pool.open, idle_timeout=3600), pool.shutdown
    if with_ray:
        import ray

        from classroom.ray_host import ray_opener

        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        opener = ray_opener()
        yield f"Ray actors (num_cpus={os.cpu_count()})", lambda t: RunHandle(t, opener, idle_timeout=3600), ray.shutdown


def scaling(counts: list[int], worker_counts: list[int], with_ray: bool, seconds: float, rounds: int) -> dict:
    table = {}
    for name, open_run, close in backends(worker_counts, with_ray):
        row = {}
        for n in counts:
            runs = [open_run(Trainer(CONFIG.replace(seed=i))) for i in range(n)]
            row[n] = total_rate(runs, seconds, rounds)
            for run in runs:
                run.close()
            del runs
            gc.collect()
        table[name] = row
        close()
        print(f"{name:32s} " + "  ".join(f"{n} runs {row[n]:7.0f} it/s ({row[n] / row[counts[0]] / n * counts[0]:.2f})"
                                         for n in counts), flush=True)
    return table


def rerun_burst(backend: str, moves: int, quiet_seconds: float) -> dict:
    """Training rate of the page's run before and during `moves` slider moves (full reruns)."""
    from streamlit.testing.v1 import AppTest

    os.environ["GAN_CLASSROOM_BACKEND"] = backend
    at = AppTest.from_file(os.path.join(ROOT, "app_pages.py"), default_timeout=120).run()
    at.switch_page("views/toy_2d.py").run()
    run = at.session_state["_live_runs"]["2D lab"]
    run.idle_timeout = 3600
    run.play()
    time.sleep(1.0)
    start, t0 = iterations(run), time.perf_counter()
    time.sleep(quiet_seconds)
    quiet = (iterations(run) - start) / (time.perf_counter() - t0)
    start, t0 = iterations(run), time.perf_counter()
    for i in range(moves):
        at.slider(key="toy_knob_label_smoothing").set_value(round(0.05 * (i % 6), 2)).run()
    burst_seconds = time.perf_counter() - t0
    during = (iterations(run) - start) / burst_seconds
    run.pause()
    run.close()
    return {"backend": backend, "quiet": quiet, "during": during, "moves": moves,
            "rerun_ms": 1000 * burst_seconds / moves, "exception": bool(at.exception)}


def idle_memory(n: int, workers: int) -> dict:
    pool = WorkerPool(size=workers)
    first = [RunHandle(Trainer(CONFIG), pool.open, idle_timeout=3600)]  # starts the workers, imports all
    gc.collect()
    server0 = resident_mib()
    workers0 = sum(w.request("", "worker")[0]["rss_mib"] for w in pool.workers())
    runs = [RunHandle(Trainer(CONFIG.replace(seed=i)), pool.open, idle_timeout=3600) for i in range(n)]
    gc.collect()
    server1 = resident_mib()
    workers1 = sum(w.request("", "worker")[0]["rss_mib"] for w in pool.workers())
    for run in runs + first:
        run.close()
    pool.shutdown()
    return {"runs": n, "server_per_run": (server1 - server0) / n, "workers_per_run": (workers1 - workers0) / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--workers", type=int, nargs="+", default=[max(1, (os.cpu_count() or 2) - 1), 2],
                        help="worker pool sizes to measure (default: the app's, cores - 1, and 2)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--idle", type=int, default=20)
    args = parser.parse_args()
    try:
        import ray  # noqa: F401

        with_ray = not args.no_ray
    except ImportError:
        with_ray = False
    workers = sorted(set(args.workers))
    print(f"machine: {os.cpu_count()} cores; 2D-lab default config; median of {args.rounds} x {args.seconds:g} s")
    print("1. total iterations/s of N concurrent runs (in brackets: per run, relative to one run alone)")
    scaling(args.counts, workers, with_ray, args.seconds, args.rounds)
    print(f"2. one playing run's iterations/s before and during {args.moves} slider moves on the page (full reruns)")
    for backend in ("threads", "workers"):
        b = rerun_burst(backend, args.moves, quiet_seconds=3.0)
        print(f"   {backend:8s}: quiet {b['quiet']:6.0f} it/s, during the burst {b['during']:6.0f} it/s "
              f"({b['during'] / b['quiet']:.2f}); a rerun took {b['rerun_ms']:.0f} ms; exception {b['exception']}")
    m = idle_memory(args.idle, workers[0])
    print(f"3. memory per extra idle run ({m['runs']} opened): web server {m['server_per_run']:.2f} MiB (replica), "
          f"workers {m['workers_per_run']:.2f} MiB (the run)")


if __name__ == "__main__":
    main()
