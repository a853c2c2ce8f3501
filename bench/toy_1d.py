"""How fast the 1D lab (Figure 1) converges: JSD(p_data ‖ p_g) and V over wall-clock time.

    python bench/toy_1d.py [--target gaussian_1d] [--seconds 60] [--set key=value ...]

Prints one line per checkpoint (iteration, seconds, JSD, V(D,G), −log 4 + 2·JSD, mean D on the
data), the first time JSD fell below the threshold, and what one redraw of the lab costs: the
Figure-1 frame (gan_core.lab1d.figure1_frame) and building + serialising its plotly figure.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np
import torch

from gan_core.config import field_types
from gan_core.lab1d import figure1_frame, lab_config
from gan_core.trainer import Trainer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", default="gaussian_1d")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--every", type=int, default=250, help="iterations between checkpoints")
    ap.add_argument("--threshold", type=float, default=0.01, help="JSD (nats) that counts as converged")
    ap.add_argument("--set", nargs="*", default=[], help="TrainConfig overrides key=value")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--frames", type=int, default=20, help="redraws to time at the end (0: skip)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    types = field_types()
    changes = {k: types[k](v) for k, v in (s.split("=", 1) for s in args.set)}
    trainer = Trainer(lab_config(args.target, **changes))
    print(f"target={args.target} config overrides={changes}")
    print(f"{'iter':>6} {'train_s':>8} {'JSD':>8} {'V(D,G)':>8} {'C(G)':>8} {'meanD(data)':>11}")
    reached, train_s = None, 0.0
    while train_s < args.seconds:
        t0 = time.perf_counter()
        trainer.train(args.every)
        train_s += time.perf_counter() - t0
        f = figure1_frame(trainer)
        mean_d = float(np.sum(f.d * f.p_data) / np.sum(f.p_data))
        print(f"{trainer.iteration:6d} {train_s:8.1f} {f.jsd:8.4f} {f.value:8.4f} {f.c_of_g:8.4f} {mean_d:11.3f}")
        if reached is None and f.jsd < args.threshold:
            reached = (trainer.iteration, train_s)
    it_s = trainer.iteration / train_s
    print(f"iterations/s (training only): {it_s:.0f}")
    print(f"JSD < {args.threshold}: "
          + (f"at iteration {reached[0]} after {reached[1]:.1f} s" if reached else "not reached"))
    if args.frames:
        import json

        from ui.canvas.figure1 import figure1_panels  # imports streamlit: only for this part
        from ui.canvas.scene import Scene
        from ui.toy_1d.live import LAYOUT

        width, height = LAYOUT[False]["figure"], LAYOUT[False]["figure_height"]  # the 1440x900 screen's

        t0 = time.perf_counter()
        frames = [figure1_frame(trainer) for _ in range(args.frames)]
        t1 = time.perf_counter()
        sizes = [len(json.dumps(Scene(width, height, figure1_panels(f, width, height)).to_data()))
                 for f in frames]
        t2 = time.perf_counter()
        print(f"per redraw: frame {1000 * (t1 - t0) / args.frames:.1f} ms, canvas scene + JSON "
              f"{1000 * (t2 - t1) / args.frames:.1f} ms ({sizes[-1] / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
