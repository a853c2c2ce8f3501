"""Cost of the side-by-side page: a LockstepRun iteration against one Trainer iteration (same
config), and one live redraw (both runs' LabViews.compute + both plane figures + the comparison
chart), all in one process on the calling thread. Rounds alternate single/pair so machine noise
hits both alike; medians are printed. Figures depend on the machine's load: say so when quoting.

    python bench/side_by_side.py                       # ring8 defaults, label smoothing 0 vs 0.1
    python bench/side_by_side.py --rounds 8 --iters 50 --threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads: idle threads sleep
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

from gan_core.config import TrainConfig
from classroom.live import LiveRun
from classroom.lockstep import LockstepRun, Side
from gan_core.trainer import Trainer
from ui.canvas.plane_views import plane_panel
from ui.canvas.scene import Scene
from ui.side_by_side.pair import LAYERS, VIEW_SIZE, comparison_panels
from classroom.lab_views import LabViews


def per_iteration(step, iters: int) -> float:
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t0) / iters


def redraw_seconds(live: LiveRun, views: list[LabViews], iters_between: int) -> float:
    live.run_steps("both", iters_between)  # new data, so the redraw cannot reuse anything
    t0 = time.perf_counter()
    datas = [views[i].compute(Side(live, i)) for i in range(2)]
    box = (0, 0, VIEW_SIZE, VIEW_SIZE + 50)  # what the page's render() sends: both planes, the comparison
    scenes = [Scene(VIEW_SIZE, VIEW_SIZE + 50, [plane_panel(views[i].scene, datas[i].frame, box, LAYERS, "")])
              for i in range(2)] + [Scene(820, 250, comparison_panels(datas, ["A", "B"]))]
    for scene in scenes:
        json.dumps(scene.to_data())
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--iters", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    base = TrainConfig(target="ring8")
    single = Trainer(base)
    pair = LockstepRun(base, "label_smoothing", 0.0, 0.1)
    live, views = LiveRun(pair), [LabViews(), LabViews()]
    single.train(5), pair.step()  # warm-up (first calls allocate)
    redraw_seconds(live, views, 1)
    one, two, redraw = [], [], []
    for _ in range(args.rounds):
        one.append(per_iteration(single.step, args.iters))
        two.append(per_iteration(pair.step, args.iters))
        redraw.append(redraw_seconds(live, views, 25))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"config: ring8 defaults ({base.g_depth}x{base.g_width}, batch {base.batch_size}), "
          f"torch threads {args.threads}, {args.rounds} rounds x {args.iters} iterations")
    print(f"one Trainer iteration:      {m1 * 1e3:7.2f} ms  ({1 / m1:6.1f} it/s)")
    print(f"LockstepRun iteration (x2): {m2 * 1e3:7.2f} ms  ({1 / m2:6.1f} it/s per run), ratio {m2 / m1:.2f}")
    print(f"one side-by-side redraw:    {statistics.median(redraw) * 1e3:7.1f} ms median "
          f"(min {min(redraw) * 1e3:.1f}, max {max(redraw) * 1e3:.1f})")


if __name__ == "__main__":
    main()
