"""t-SNE map benchmark: build time, page load with a cached map, placement of generated digits.

    python bench/tsne_map.py                 # full: build the map of the embedded 5k digits
    python bench/tsne_map.py --points 2000   # a smaller map when the machine is busy

Prints one line per figure (wall seconds, and CPU seconds of this process where it matters: on
a shared machine the wall time depends on the neighbours, the CPU time much less). Threads: 2
(openTSNE n_jobs=2, torch 2 threads). The map is built into a temporary cache directory, so the
build is always measured and data/cache is left alone; "page load" then reads that file back in
a fresh Python process, and through AppTest with the page pointed at it.
"""

from __future__ import annotations

import os

# Before numpy/torch/openTSNE load their OpenMP runtimes: idle threads sleep instead of spinning
# (see gan_core/embedding.py); the app sets the same in app.py.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from gan_core import embedding  # noqa: E402
from gan_core.mnist import load_mnist  # noqa: E402


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def timed(fn):
    w0, c0 = time.perf_counter(), cpu_seconds()
    out = fn()
    return out, time.perf_counter() - w0, cpu_seconds() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=None, help="digits on the map (default: all 5,000)")
    ap.add_argument("--place", type=int, default=1000, help="generated digits to place")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(2)
    print(f"threads: openTSNE n_jobs={embedding.N_JOBS}, torch {torch.get_num_threads()}; "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}; load average {os.getloadavg()[0]:.1f}")
    data = load_mnist()
    params = embedding.MapParams(n_points=args.points)
    cache = tempfile.mkdtemp(prefix="tsne_bench_")

    last = [time.perf_counter()]

    def progress(fraction, message):
        if time.perf_counter() - last[0] > 20:
            print(f"  ... {fraction:.0%} {message}", flush=True)
            last[0] = time.perf_counter()

    digit_map, wall, cpu = timed(lambda: embedding.load_or_build_map(data, params, cache, progress))
    print(f"map build: {len(digit_map):,} digits ({data.source}): {wall:.1f} s wall, {cpu:.1f} s CPU")

    # Page load with the cached map: a fresh process imports, reads MNIST and the map file.
    code = ("import time; t = time.perf_counter(); from gan_core import embedding; "
            "from gan_core.mnist import load_mnist; "
            f"m = embedding.load_or_build_map(load_mnist(), embedding.MapParams(n_points={args.points!r}), "
            f"{cache!r}); assert m.origin == 'read from cache'; "
            "print(f'{time.perf_counter() - t:.3f}')")
    loads = []
    for _ in range(args.repeats):
        t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime
        loads.append((time.perf_counter() - t0, float(out.stdout.strip().splitlines()[-1]), child_cpu))
    print(f"cached map, cold process: {statistics.median(w for w, _, _ in loads):.2f} s wall, "
          f"{statistics.median(c for _, _, c in loads):.2f} s CPU for the whole process (median of "
          f"{args.repeats}); {statistics.median(i for _, i, _ in loads):.2f} s wall of it importing and "
          "reading data + map")
    path = embedding.cache_path(digit_map.key, cache)
    rows = embedding.select_points(len(data), params)
    reads = [timed(lambda: embedding.read_map(path, digit_map.key, data.labels[rows]))[1] for _ in range(args.repeats)]
    print(f"reading the cached map file alone (validated): {statistics.median(reads) * 1000:.0f} ms wall")

    # Placement of generated digits: fakes of an MNIST generator (untrained DCGAN preset: the
    # time depends on the number of digits, not on how good they are).
    from gan_core.coverage import read_generated
    from gan_core.classifier import get_classifier
    from classroom.presets import MNIST_PRESETS
    from gan_core.trainer import Trainer

    trainer = Trainer(next(p for p in MNIST_PRESETS.values() if p.config.arch == "dcgan").config)
    read, wall, cpu = timed(lambda: read_generated(trainer, get_classifier(), args.place))
    print(f"draw + classify {args.place:,} fakes: {wall:.2f} s wall, {cpu:.2f} s CPU")
    runs = [timed(lambda: digit_map.place(read.images))[1:] for _ in range(args.repeats)]
    print(f"place {args.place:,} generated digits: median {statistics.median(w for w, _ in runs):.2f} s wall, "
          f"{statistics.median(c for _, c in runs):.2f} s CPU (of {args.repeats}; "
          f"{embedding.PLACE_ITERS} iterations)")

    # The page itself, through AppTest, reading this cached map.
    os.environ[embedding.CACHE_DIR_ENV] = cache
    if args.points is not None:
        os.environ["GAN_TSNE_MAP_POINTS"] = str(args.points)
    from streamlit.testing.v1 import AppTest

    for label in ("first", "second"):
        at = AppTest.from_file(os.path.join(ROOT, "views", "mode_coverage.py"), default_timeout=600)
        _, wall, _ = timed(at.run)
        assert not at.exception, at.exception
        print(f"AppTest page run ({label} in this process, incl. placing 1,000 fakes of the quick run): "
              f"{wall:.2f} s wall")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
