"""Live throughput of the 2D lab: iterations/s while the views redraw, against a bare loop.

    python bench/live_throughput.py [--seconds 8] [--rounds 2] [--fps 4] [--threads 1]

Bare: Trainer.step() in a plain loop. Live: the same config trained by a LiveRun (the page's
background thread) while a second thread does, `--fps` times a second, exactly what one redraw of
the page does on the server: LabViews.compute() (trainer locked for the network part), the live
canvases' scenes (and, once a second like the page's second fragment, the secondary views) and
their JSON. Only Streamlit, the websocket and the browser are left out: bench/browser_live.py
measures those, and is the measure of "live" (issue 11). Bare and live phases alternate (`--rounds`
of each) so machine load drifts hit both; the ratio is live it/s over bare it/s. Target: ratio >= 0.7
at >= 4 redraws/s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

from gan_core.config import TrainConfig
from classroom.live import LiveRun
from gan_core.trainer import Trainer
from ui.figures.toy_2d import LAYERS
from ui.toy_2d.live import LAYOUT, SECONDARY_EVERY, plane_scene, secondary_scene, side_scene
from classroom.lab_views import LabViews


def scene_bytes(scene) -> int:
    """What the live canvas component sends for a scene (its JSON data); returns the size."""
    return len(json.dumps(scene.to_data()))


def page_redraw(views: LabViews, run: LiveRun, with_secondary: bool) -> int:
    """What one live redraw of the 2D lab does on the server (the data, the plane and side
    canvases, and the secondary canvas when its slower fragment is due); returns the bytes sent."""
    data = views.compute(run)
    size = (scene_bytes(plane_scene(data.backdrop, data, LAYERS, LAYOUT[False], teacher=False))
            + scene_bytes(side_scene(data, 300, 470, 12)))
    if with_secondary:
        size += scene_bytes(secondary_scene(data.backdrop, data, 13))
    return size


def bare_rate(config: TrainConfig, seconds: float) -> float:
    trainer = Trainer(config)
    trainer.train(5)  # warm-up: first steps allocate
    start, t0 = trainer.iteration, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.step()
    return (trainer.iteration - start) / (time.perf_counter() - t0)


def live_rate(config: TrainConfig, seconds: float, fps: float) -> dict:
    run = LiveRun(Trainer(config), idle_timeout=3600)
    views = LabViews()
    run.run_steps("both", 5)
    stop = threading.Event()
    redraws, redraw_seconds, redraw_cpu, sizes = [], [], [], []
    last_charts = [-1e9]

    def redraw_loop():
        period = 1.0 / fps
        next_at = time.perf_counter()
        while not stop.is_set():
            t0, c0 = time.perf_counter(), time.thread_time()
            secondary = t0 - last_charts[0] >= SECONDARY_EVERY  # the page's second, slower fragment
            sizes.append(page_redraw(views, run, secondary))
            if secondary:
                last_charts[0] = t0
            redraw_seconds.append(time.perf_counter() - t0)
            redraw_cpu.append(time.thread_time() - c0)  # this thread's CPU: independent of load
            redraws.append(t0)
            next_at += period
            stop.wait(max(0.0, next_at - time.perf_counter()))  # a timer like run_every, no drift

    run.play()
    painter = threading.Thread(target=redraw_loop, daemon=True)
    t0 = time.perf_counter()
    start = run.trainer.iteration
    painter.start()
    time.sleep(seconds)
    done, elapsed = run.trainer.iteration - start, time.perf_counter() - t0
    stop.set()
    painter.join()
    run.pause()
    return {"rate": done / elapsed, "redraws_per_s": len(redraws) / elapsed,
            "redraw_ms": 1000 * statistics.median(redraw_seconds) if redraw_seconds else float("nan"),
            "redraw_cpu_ms": 1000 * statistics.mean(redraw_cpu) if redraw_cpu else float("nan"),
            "kb_per_redraw": statistics.median(sizes) / 1000 if sizes else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    ap.add_argument("--rounds", type=int, default=2, help="bare/live pairs, alternating")
    ap.add_argument("--fps", type=float, default=4.0, help="redraws per second asked for")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (both phases)")
    ap.add_argument("--target", default="ring8")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--switch-interval", type=float, default=None,
                    help="sys.setswitchinterval for both phases (default: Python's 0.005 s)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    config = TrainConfig(target=args.target, batch_size=args.batch_size)
    print(f"config: target {config.target}, batch {config.batch_size}, G/D {config.g_depth}x{config.g_width} MLP, "
          f"torch threads {args.threads}, GIL switch interval {sys.getswitchinterval() * 1000:g} ms, "
          f"{args.rounds} x ({args.seconds:g} s bare + {args.seconds:g} s live)")
    bare, live = [], []
    for r in range(args.rounds):
        bare.append(bare_rate(config, args.seconds))
        live.append(live_rate(config, args.seconds, args.fps))
        print(f"round {r + 1}: bare {bare[-1]:.1f} it/s | live {live[-1]['rate']:.1f} it/s while redrawing "
              f"{live[-1]['redraws_per_s']:.2f}/s (median redraw {live[-1]['redraw_ms']:.0f} ms wall, "
              f"{live[-1]['redraw_cpu_ms']:.0f} ms CPU, "
              f"{live[-1]['kb_per_redraw']:.0f} kB of figure JSON)")
    bare_mean = statistics.mean(bare)
    live_mean = statistics.mean(x["rate"] for x in live)
    fps = statistics.mean(x["redraws_per_s"] for x in live)
    print(f"bare loop:  {bare_mean:.1f} it/s")
    print(f"live view:  {live_mean:.1f} it/s at {fps:.2f} redraws/s")
    cpu = statistics.mean(x["redraw_cpu_ms"] for x in live)
    print(f"redraw CPU: {cpu:.0f} ms each, {cpu * fps / 10:.0f}% of one core at {fps:.2f}/s")
    print(f"ratio live/bare: {live_mean / bare_mean:.2f}  (target >= 0.70 at >= 4 redraws/s)")


if __name__ == "__main__":
    main()
