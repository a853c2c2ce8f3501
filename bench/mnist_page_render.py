"""What one live redraw of the MNIST page costs, and how much it slows training.

    python bench/mnist_page_render.py [--seconds 10] [--preset 0]

Prints the wall time of each piece of a redraw (step views, D verdict, tile grids as inline
PNG HTML, the two history charts serialised as the browser gets them, a fixed-noise frame, one
digit-metric check), then iterations per second of the preset's trainer bare and while a viewer
thread redraws every 0.5 s (what ui.mnist.live does while a run plays). No Streamlit needed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

from gan_core.classifier import get_classifier
from classroom.image_progress import ImageProgress
from classroom.live import LiveRun
from gan_core.mnist_metrics import evaluate_digits
from classroom.presets import MNIST_PRESETS
from gan_core.step_probe import d_step_view, d_verdict, g_step_view
from gan_core.trainer import Trainer
from ui.canvas.charts import d_output_panel, loss_panel
from ui.canvas.scene import Scene
from ui.figures.digits import tile_grid_html


def training_scene_json(cols, events=()) -> str:
    """The MNIST page's training-charts canvas as sent (ui.mnist.progress_view.training_charts)."""
    return json.dumps(Scene(820, 250, [loss_panel((0, 0, 402, 250), cols, events),
                                       d_output_panel((418, 0, 402, 250), cols, events)]).to_data())

SHOWN = 12
REDRAW = 0.5


def timed(fn, repeat: int = 5) -> str:
    """Median wall and CPU milliseconds of fn(): on a shared, loaded machine the CPU time (this
    process's, all its threads) is the steadier figure."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(1000 * (time.perf_counter() - t0))
        cpus.append(1000 * (time.process_time() - c0))
    return f"{sorted(walls)[len(walls) // 2]:7.1f} ms wall {sorted(cpus)[len(cpus) // 2]:7.1f} ms CPU"


def redraw(trainer: Trainer, progress: ImageProgress) -> None:
    """The work of one redraw while playing (views, verdict, 4 grids, 2 charts, progress)."""
    g_view, verdict = g_step_view(trainer, SHOWN), d_verdict(trainer, SHOWN)
    for images, scores in ((verdict.real, verdict.p_real), (verdict.fake, verdict.p_fake),
                           (g_view.before, g_view.p_before), (g_view.after, g_view.p_after)):
        tile_grid_html(images, scores, [f"D={p:.2f}" for p in scores], scale=2)
    cols, events = trainer.history.columns(), list(trainer.events)
    training_scene_json(cols, events)
    progress.record_frame(trainer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per training-rate measurement")
    parser.add_argument("--preset", type=int, default=0, help="index into MNIST_PRESETS")
    args = parser.parse_args()
    torch.set_num_threads(2)
    preset = list(MNIST_PRESETS.values())[args.preset]
    print(f"preset: {preset.name}; torch threads: {torch.get_num_threads()}; "
          f"load average: {os.getloadavg()[0]:.1f}")
    trainer = Trainer(preset.config)
    trainer.train(20)
    clf = get_classifier()
    progress = ImageProgress(frame_every=1)

    trainer.step_d()
    print(f"d_step_view            {timed(lambda: d_step_view(trainer, SHOWN))}")
    trainer.step_g()
    print(f"g_step_view            {timed(lambda: g_step_view(trainer, SHOWN))}")
    print(f"d_verdict              {timed(lambda: d_verdict(trainer, SHOWN))}")
    view = g_step_view(trainer, SHOWN)
    html = tile_grid_html(view.before, view.p_before, ["D=0.00"] * SHOWN, scale=2)
    tile_grid = timed(lambda: tile_grid_html(view.before, view.p_before, ["D=0.00"] * SHOWN, scale=2))
    print(f"tile grid HTML (x1)    {tile_grid}"
          f"  ({len(html) / 1024:.1f} KiB)")
    trainer.train(60)
    cols = trainer.history.columns()
    print(f"2 charts as JSON       {timed(lambda: training_scene_json(cols))}"
          f"  ({len(trainer.history)} updates in history)")
    print(f"fixed-noise frame      {timed(lambda: ImageProgress(frame_every=1).record_frame(trainer))}")
    z = trainer.noise(500, torch.Generator().manual_seed(3))
    with torch.no_grad():
        fakes = trainer.generator(z)
    print(f"digit metrics (500)    {timed(lambda: evaluate_digits(fakes, clf), repeat=3)}")
    print(f"whole redraw           {timed(lambda: redraw(trainer, progress))}")

    bare = Trainer(preset.config)
    t0, c0, n = time.perf_counter(), time.process_time(), 0
    while time.perf_counter() - t0 < args.seconds:
        bare.step()
        n += 1
    bare_rate, bare_cpu = n / (time.perf_counter() - t0), 1000 * (time.process_time() - c0) / n

    run = LiveRun(Trainer(preset.config), idle_timeout=1e9)
    stop = threading.Event()

    def viewer():
        while not stop.wait(REDRAW):
            run.call(lambda t: redraw(t, progress) if t.history else None)

    thread = threading.Thread(target=viewer, daemon=True)
    run.play()
    thread.start()
    start_it, t0, c0 = run.trainer.iteration, time.perf_counter(), time.process_time()
    time.sleep(args.seconds)
    done = max(run.trainer.iteration - start_it, 1)
    watched_rate, watched_cpu = done / (time.perf_counter() - t0), 1000 * (time.process_time() - c0) / done
    stop.set()
    run.pause()
    print(f"training bare          {bare_rate:7.1f} it/s, {bare_cpu:6.1f} ms CPU per iteration")
    print(f"training + redraw/0.5s {watched_rate:7.1f} it/s, {watched_cpu:6.1f} ms CPU per iteration "
          "(training and redraws together)")


if __name__ == "__main__":
    main()
