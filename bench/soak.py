"""Soak: a lesson's worth of simulated play on the 2D lab, with memory sampled.

One session (AppTest of app.py switched to views/toy_2d.py) alternates what a class does: the
run plays in a worker process of the run service (as after pressing Play) while the page redraws every --redraw
seconds (as the live fragment does), and every few minutes a slider moves (label smoothing,
batch size), which the trainer records as an event. Every --sample seconds the resident memory of
this process (the web server's side: the page and the run's replica; /proc/self/status, after a
garbage collection) and of the worker processes, the history length and the snapshot count are
printed. At the end: growth from the first sample after warm-up to the end,
and growth over the last half (flat when everything is bounded).

    python bench/soak.py --minutes 60          # the full hour
    python bench/soak.py --minutes 5           # a short run (record it as such)

Memory stays bounded by TrainConfig.history_len (records; the History ring drops the oldest) and
snapshots_kept; the page's own caches are bounded windows. --history-len sets a smaller bound
so a short run reaches the plateau too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from gan_core.config import TrainConfig  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402
from load_sessions import rss_mib, worker_facts  # noqa: E402  (bench/ is on sys.path when run as a script)

APP = os.path.join(ROOT, "app_pages.py")  # the pages (app.py adds the web server around them)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--redraw", type=float, default=1.0, help="seconds between page redraws")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between memory samples")
    parser.add_argument("--history-len", type=int, default=TrainConfig().history_len)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the growth baseline")
    args = parser.parse_args()
    torch.set_num_threads(1)

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("views/toy_2d.py").run()
    run = at.session_state["_live_runs"]["2D lab"]
    run.replace_trainer(Trainer(TrainConfig(target="ring8", history_len=args.history_len)))
    run.idle_timeout = 3600  # AppTest cannot tick the fragment timer that touches the run
    at.run()
    run.play()

    start = time.monotonic()
    end = start + args.minutes * 60
    next_sample, next_knob = start, start + 120
    knob_values = [(0.1, 128), (0.0, 256), (0.2, 64), (0.0, 512)]
    samples, redraws, redraw_time, exceptions, knob_moves = [], 0, 0.0, 0, 0
    print(f"soak: {args.minutes:g} min, redraw every {args.redraw:g} s, history_len {args.history_len}")
    print(f"{'min':>6} {'RSS MiB':>8} {'worker MiB':>10} {'iteration':>10} {'history':>8} {'snapshots':>9} "
          f"{'events':>6} {'redraws':>8}")
    row_format = "{:6.1f} {:8.0f} {:10.0f} {:10d} {:8d} {:9d} {:6d} {:8d}"  # one sample: the columns above
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_knob:
            smoothing, batch = knob_values[knob_moves % len(knob_values)]
            at.slider(key="toy_knob_label_smoothing").set_value(smoothing)
            at.select_slider(key="toy_knob_batch_size").set_value(batch)
            knob_moves += 1
            next_knob += 120
        r0 = time.perf_counter()
        at.run()
        redraw_time += time.perf_counter() - r0
        redraws += 1
        exceptions += bool(at.exception)
        if not run.playing:  # a divergence or an error paused it: a teacher would press Play
            run.play()
        if now >= next_sample:
            t = run.trainer
            row = ((now - start) / 60, rss_mib(), worker_facts()["rss_mib"], t.iteration, len(t.history),
                   len(t.snapshots), len(t.events), redraws)
            samples.append(row)
            print(row_format.format(*row), flush=True)
            next_sample += args.sample
        time.sleep(max(0.0, args.redraw - (time.perf_counter() - r0)))
    run.pause()
    t = run.trainer
    final = ((time.monotonic() - start) / 60, rss_mib(), worker_facts()["rss_mib"], t.iteration, len(t.history),
             len(t.snapshots), len(t.events), redraws)
    samples.append(final)
    print(row_format.format(*final))
    base = next((s for s in samples if s[0] * 60 >= args.warmup), samples[0])
    half = next((s for s in samples if s[0] >= final[0] / 2), base)
    print(f"iterations {t.iteration:,} ({t.iteration / (final[0] * 60):.0f}/s), redraws {redraws} "
          f"(mean {redraw_time / max(redraws, 1) * 1000:.0f} ms), slider moves {knob_moves}, exceptions {exceptions}")
    print(f"RSS growth after warm-up ({base[0]:.1f} min -> end): web server {final[1] - base[1]:+.1f} MiB, "
          f"worker {final[2] - base[2]:+.1f} MiB; over the second half ({half[0]:.1f} min -> end): "
          f"web server {final[1] - half[1]:+.1f} MiB, worker {final[2] - half[2]:+.1f} MiB; "
          f"history {len(t.history)} of at most {t.config.history_len}, snapshots {len(t.snapshots)} "
          f"of at most {t.config.snapshots_kept}")


if __name__ == "__main__":
    main()
