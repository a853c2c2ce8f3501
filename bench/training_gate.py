"""Many live runs, no drawing: total iterations and fairness with and without the TrainingGate.

N LiveRuns (small 2D-lab networks, their own seeds) play at once for --seconds on their own
threads, as N students' tabs would; nothing redraws, so this isolates what the gate does to
training itself. Each gate size in --slots runs in turn, in one process, and the whole sweep
repeats --rounds times so machine noise hits every size alike. Printed per run: total
iterations, the slowest and fastest session (fairness: how far the unluckiest student lags).

    python bench/training_gate.py                     # 20 runs, slots 0 (no gate), 1, 2; 6 s each
    python bench/training_gate.py --runs 30 --slots 0 1 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

import torch  # noqa: E402

from gan_core.config import TrainConfig  # noqa: E402
from classroom.live import LiveRun  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402
from classroom.training_gate import TrainingGate  # noqa: E402
from load_sessions import SMALL  # noqa: E402  (the load test's per-session network)


def play_all(n_runs: int, seconds: float, slots: int) -> list[int]:
    gate = TrainingGate(slots)
    runs = [LiveRun(Trainer(TrainConfig(**SMALL, seed=i)), idle_timeout=3600, gate=gate) for i in range(n_runs)]
    for run in runs:
        run.play()
    time.sleep(seconds)
    for run in runs:
        run.pause()
    return [run.trainer.iteration for run in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--slots", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.runs} runs playing for {args.seconds:g} s, torch threads {args.threads}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    totals: dict[int, list[int]] = {s: [] for s in args.slots}
    for round_ in range(args.rounds):
        for slots in args.slots:
            its = play_all(args.runs, args.seconds, slots)
            totals[slots].append(sum(its))
            print(f"round {round_ + 1} slots {slots or 'none':>4}: total {sum(its):6d} iterations, "
                  f"per run min {min(its)} median {statistics.median(its):.0f} max {max(its)}", flush=True)
    base = statistics.median(totals[args.slots[0]])
    for slots in args.slots:
        med = statistics.median(totals[slots])
        print(f"slots {slots or 'none':>4}: median total {med:.0f} ({med / base:.2f}x slots {args.slots[0] or 'none'})")


if __name__ == "__main__":
    main()
