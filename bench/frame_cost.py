"""Web-server CPU per drawn frame of a live page, with the views computed where the run trains
against the views computed on the page's replica (issue 21, item 2).

    python bench/frame_cost.py [--seconds 15] [--fps 4] [--rounds 2] [--page toy_2d|mnist]

One run of the page's default config (the 2D lab: ring8; MNIST: the default preset) trains in a
local worker process (classroom.workers, as the app's default backend),
playing, while this process does `--fps` times a second what one live redraw of the page does on
the web server, one way or the other:
- host views: `run.view(...)` (the worker computes the data once per change and sends it) and the
  canvases' scenes with their JSON;
- replica views (the way before): bring the replica to the run's latest frame (`run.locked()`,
  which syncs the weights), compute the same data here on the replica, then the same scenes/JSON.
The figure is this process's CPU time (time.process_time: all its threads; the worker's CPU is not
counted, as it is not the web server's) per redraw, and the bytes per redraw that reached this
process from the worker (the frame or the view, pickled). Phases alternate `--rounds` times so
load drifts hit both. Streamlit's own cost per rerun (the fragment, the websocket) is not in it:
bench/browser_live.py's "server ms / redraw" measures the whole web process in Chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

from classroom.digit_views import DigitView
from classroom.lab_views import LabViews
from classroom.run_handle import RunHandle
from classroom.workers import WorkerPool
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from ui.figures.toy_2d import LAYERS
from ui.mnist.live import LAYOUT as MNIST_LAYOUT, grid_scene, histogram_scene
from ui.mnist.run import default_preset
from ui.toy_2d.live import LAYOUT, plane_scene, side_scene


class CountingLink:
    """The worker link, counting the bytes of each answer as pickled (what crossed the pipe)."""

    def __init__(self, link):
        self.link, self.bytes = link, 0

    def request(self, name, *args):
        answer = self.link.request(name, *args)
        self.bytes += len(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        return answer

    def __getattr__(self, name):
        return getattr(self.link, name)


def draw_2d(data) -> int:
    plane = plane_scene(data.backdrop, data, LAYERS, LAYOUT[False], teacher=False)
    side = side_scene(data, 300, 470, 12)
    return len(json.dumps(plane.to_data())) + len(json.dumps(side.to_data()))


def draw_mnist(view: dict) -> int:
    """The first screen's canvases as the page sends them (the digit grid and the digit histogram,
    ui.mnist.live) and the numbers."""
    size = MNIST_LAYOUT[False]
    scenes = (grid_scene(view, size), histogram_scene(view, size))
    return sum(len(json.dumps(scene.to_data())) for scene in scenes) + 200


PAGES = {  # page: (config, view name, what the page draws from the data, the view computed here)
    "toy_2d": (lambda: TrainConfig(target="ring8"), "toy_2d", draw_2d, LabViews),
    "mnist": (lambda: default_preset().config, "mnist", draw_mnist, DigitView),
}


def host_redraw(run, page: str, _views) -> int:
    _, name, draw, _ = PAGES[page]
    return draw(run.view(name))


def replica_redraw(run, page: str, views) -> int:
    # run.locked() syncs the replica (the run's weights) first, as the pages did before
    return PAGES[page][2](views.compute(run))


def phase(run, link: CountingLink, redraw, page: str, views, seconds: float, fps: float) -> dict:
    cpu0, t0, bytes0, n, sent = time.process_time(), time.monotonic(), link.bytes, 0, 0
    while time.monotonic() - t0 < seconds:
        due = t0 + n / fps
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        sent += redraw(run, page, views)
        run.touch()
        n += 1
    cpu = time.process_time() - cpu0
    return {"ms_per_redraw": 1000 * cpu / n, "received_kb": (link.bytes - bytes0) / n / 1024,
            "canvas_kb": sent / n / 1024, "redraws": n}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--fps", type=float, default=4.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="torch threads of this process (the replica's forwards)")
    ap.add_argument("--page", choices=sorted(PAGES), default="toy_2d")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    pool = WorkerPool(size=1)
    links = []

    def opener(plan, idle):
        links.append(CountingLink(pool.open(plan, idle)))
        return links[-1]

    config, _, _, view_kind = PAGES[args.page]
    run = RunHandle(Trainer(config()), opener, idle_timeout=120)
    try:
        run.play()
        time.sleep(2.0)
        results = {"host views": [], "replica views": []}
        for _ in range(args.rounds):
            for label, redraw in (("host views", host_redraw), ("replica views", replica_redraw)):
                results[label].append(phase(run, links[-1], redraw, args.page, view_kind(), args.seconds, args.fps))
        print(f"{args.page}, the page's default config, {args.fps:g} redraws/s for {args.seconds:g} s x "
              f"{args.rounds} rounds; load average {os.getloadavg()[0]:.1f}")
        print("| views | web-server CPU ms / redraw (median; rounds) | kB received / redraw | "
              "drawn kB / redraw (canvas JSON, PNG) |")
        print("|---|---|---|---|")
        for label, rows in results.items():
            each = ", ".join(f"{r['ms_per_redraw']:.1f}" for r in rows)
            print(f"| {label} | {statistics.median(r['ms_per_redraw'] for r in rows):.1f} ({each}) | "
                  f"{statistics.median(r['received_kb'] for r in rows):.1f} | "
                  f"{statistics.median(r['canvas_kb'] for r in rows):.1f} |")
    finally:
        run.close()
        pool.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
