"""Do the 2D presets keep their promises on seeds nobody tuned them on? (issue 20, item 1)

    python bench/preset_seeds.py [--presets SUBSTRING ...] [--seeds 10-19] [--iterations N]
                                 [--check-every N] [--threads 1]

The presets were searched on seeds 0-4; the defaults are the report run, on seeds 10-19. For each
preset and seed a headless gan_core.trainer.Trainer trains, and every CHECK_EVERY iterations the
VEEGAN / PacGAN protocol scores 2500 samples of the generator the views show (the weight average
when the preset keeps one, ema_decay > 0), drawn from a torch.Generator seeded apart from training
(looking never changes the run): a sample is high quality (HQ) if it lies within 3 sigma of its
nearest centre, and a mode is captured if it is the nearest centre of at least one HQ sample
(gan_core.metrics.mode_metrics; tests/gan_core/test_preset_seeds.py checks it against an
independent computation). Everything is counted in iterations, which the machine's load cannot
change: a seeded run is the same run on any machine and thread count.

Each preset's promise (PROMISES below) is what its page sentence says, in one of four shapes:
  stays     the condition holds at EVERY check through the horizon (a collapse stays collapsed);
            broken at the first check where it fails
  reaches   the condition holds at SOME check by the horizon (a cure spreads); met at the first
  holds     reached by `by` and every later check through the horizon keeps `hold` (best quality
            that does not fall apart again); broken at the first later check that fails `hold`
  ends      the condition holds at the last check, at the horizon (what a neutral run looks like)
Presets with the same config (the ring's plain GAN and its cure) share one run per seed.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from gan_core.config import TrainConfig  # noqa: E402
from gan_core.metrics import target_mode_metrics  # noqa: E402
from classroom.presets import TOY_PRESETS  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402

EVAL_SAMPLES = 2500  # the VEEGAN / PacGAN protocol
EVAL_SEED = 10_000  # + the run's seed: the evaluation noise, apart from training's
REPORT_SEEDS = tuple(range(10, 20))  # the presets were searched on seeds 0-4, never on these
PASS_FRACTION = 0.9  # a promise holds if it is kept on at least 9 of 10 seeds


@dataclass(frozen=True)
class Point:
    iteration: int
    modes: int
    n_modes: int
    hq: float  # fraction of the samples within 3 sigma of their nearest centre

    def text(self) -> str:
        return f"{self.modes}/{self.n_modes} {100 * self.hq:.1f}%"


Condition = Callable[[Point], bool]


def all_modes(hq: float) -> Condition:
    return lambda p: p.modes == p.n_modes and p.hq >= hq


def at_most_modes(k: int) -> Condition:
    return lambda p: p.modes <= k


def at_least_modes(k: int) -> Condition:
    return lambda p: p.modes >= k


def modes_and_hq(k: int, hq: float) -> Condition:
    """At least k modes captured and at least `hq` of the samples high quality, at one check."""
    return lambda p: p.modes >= k and p.hq >= hq


@dataclass(frozen=True)
class Promise:
    shape: str  # "stays", "reaches", "holds" or "ends" (the module docstring says what each means)
    words: str  # the promise in the page's words, for the table
    condition: Condition  # what must be true at a check
    horizon: int  # iterations
    by: int = 0  # "holds": the condition is reached by this iteration ...
    hold: Condition | None = None  # ... and this stays true at every later check
    check_every: int = 250  # iterations between checks

    def with_overrides(self, horizon: int | None, check_every: int | None) -> "Promise":
        scale = 1.0 if horizon is None else horizon / self.horizon
        return Promise(self.shape, self.words, self.condition, horizon or self.horizon,
                       int(self.by * scale), self.hold, check_every or self.check_every)


# The promises of the page sentences (classroom/presets.py, what_to_watch and tries). A change of a
# sentence's claim is a change here, and the other way round.
PROMISES: dict[str, Promise] = {
    "Ring of 8: mode collapse (G outruns D)": Promise(
        "stays", "at most 2 of 8 modes at every check", at_most_modes(2), horizon=10000),
    "Ring of 8: cure by a faster D (D learning rate 1e-3)": Promise(
        "reaches", "8/8 modes with >= 90 % HQ", all_modes(0.90), horizon=3000),
    "Ring of 8: plain GAN": Promise(
        "reaches", "all 8 modes captured", all_modes(0.0), horizon=3000),
    "Ring of 8: best quality (EMA + learning-rate decay)": Promise(
        "holds", "8/8 >= 95 % HQ by 3,000 it, then 8/8 >= 90 % at every check", all_modes(0.95),
        horizon=4500, by=3000, hold=all_modes(0.90)),
    # Not "25/25 >= 95 % by 4,000" (kept on 0 of 10 report seeds): seeds that lose modes early
    # never get them back; not ">= 90 % HQ by 10,000" either (kept on 7 of 10 with the half-life
    # of 6,000: two seeds sharpen too slowly), docs/BENCHMARKS.md, "Presets on untuned seeds".
    "Grid of 25: best quality (uniform noise + EMA + decay)": Promise(
        "reaches", ">= 23 of 25 modes with >= 80 % HQ", modes_and_hq(23, 0.80), horizon=10000),
    "Grid of 25: plain GAN": Promise(
        "ends", ">= 22 of 25 modes at the horizon", at_least_modes(22), horizon=6400, check_every=400),
}


@dataclass
class Run:
    config: TrainConfig
    seed: int
    points: list[Point] = field(default_factory=list)
    seconds: float = 0.0  # training and checking, this process

    def rate(self) -> float:
        return self.points[-1].iteration / self.seconds if self.points and self.seconds else 0.0


@dataclass(frozen=True)
class Verdict:
    passed: bool
    met: int | None  # iteration at which the promise was first met (reaches / holds)
    broken: int | None  # iteration at which it was broken (stays / holds / ends)
    shown: Point | None  # the point the table shows: where it was met or broken, else the last


def judge(promise: Promise, points: list[Point]) -> Verdict:
    """The promise against the checks up to its horizon."""
    points = [p for p in points if p.iteration <= promise.horizon]
    last = points[-1] if points else None
    if promise.shape == "stays":
        bad = next((p for p in points if not promise.condition(p)), None)
        return Verdict(bad is None, None, bad and bad.iteration, bad or last)
    if promise.shape == "reaches":
        hit = next((p for p in points if promise.condition(p)), None)
        return Verdict(hit is not None, hit and hit.iteration, None, hit or last)
    if promise.shape == "holds":
        hit = next((p for p in points if p.iteration <= promise.by and promise.condition(p)), None)
        if hit is None:
            return Verdict(False, None, None, last)
        bad = next((p for p in points if p.iteration > hit.iteration and not promise.hold(p)), None)
        return Verdict(bad is None, hit.iteration, bad and bad.iteration, bad or last)
    if promise.shape == "ends":
        ok = last is not None and last.iteration >= promise.horizon and promise.condition(last)
        return Verdict(ok, None, None if ok else (last and last.iteration), last)
    raise ValueError(f"unknown promise shape {promise.shape!r}")


def decided(promise: Promise, points: list[Point]) -> bool:
    """True when later checks cannot change the verdict: training this run further is wasted."""
    if not points:
        return False
    v = judge(promise, points)
    if promise.shape == "stays":
        return v.broken is not None
    if promise.shape == "reaches":
        return v.met is not None
    if promise.shape == "holds":
        return v.broken is not None or (v.met is None and points[-1].iteration >= promise.by)
    return False


def train(config: TrainConfig, seed: int, promises: list[Promise]) -> Run:
    """One seeded run, checked every `check_every` iterations until every promise on it is decided
    or the longest horizon is reached."""
    trainer = Trainer(config.replace(seed=seed))
    eval_rng = torch.Generator().manual_seed(EVAL_SEED + seed)
    run = Run(trainer.config, seed)
    every = min(p.check_every for p in promises)
    horizon = max(p.horizon for p in promises)
    t0 = time.perf_counter()
    while trainer.iteration < horizon and not all(decided(p, run.points) for p in promises):
        trainer.train(min(every, horizon - trainer.iteration))
        samples = trainer.sample(EVAL_SAMPLES, eval_rng).numpy()  # the shown G: EMA when kept
        m = target_mode_metrics(samples, trainer.target)
        run.points.append(Point(trainer.iteration, m.modes_captured, m.n_modes, m.hq_fraction))
    run.seconds = time.perf_counter() - t0
    return run


def table(name: str, promise: Promise, runs: list[Run]) -> list[str]:
    verdicts = [judge(promise, r.points) for r in runs]
    kept = sum(v.passed for v in verdicts)
    need = -(-PASS_FRACTION * len(runs) // 1)
    lines = [f"### {name}", "",
             f"Promise ({promise.shape}): {promise.words}; horizon {promise.horizon:,} iterations, "
             f"checked every {promise.check_every}.", "",
             "| seed | met at (it) | broken at (it) | modes | HQ % | at (it) | most modes | it/s | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run, v in zip(runs, verdicts):
        shown = v.shown
        most = max(p.modes for p in run.points) if run.points else 0
        lines.append(
            f"| {run.seed} | {v.met if v.met is not None else '-'} | "
            f"{v.broken if v.broken is not None else '-'} | "
            f"{shown.modes}/{shown.n_modes} | {100 * shown.hq:.1f} | {shown.iteration} | {most} | "
            f"{run.rate():.0f} | {'PASS' if v.passed else 'FAIL'} |")
    lines += ["", f"**Kept on {kept} of {len(runs)} seeds** "
              f"({'PASS' if kept >= need else 'FAIL'}: the target is at least {need:.0f} of {len(runs)}).", ""]
    return lines


def parse_seeds(text: str) -> list[int]:
    """'10-19' or '0,1,2' or '3'."""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out += list(range(int(lo), int(hi) + 1)) if hi else [int(lo)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--presets", nargs="*", default=[], help="only presets whose name contains one of these")
    ap.add_argument("--seeds", default=f"{REPORT_SEEDS[0]}-{REPORT_SEEDS[-1]}",
                    help="seeds, e.g. 10-19 (report) or 0-4 (search)")
    ap.add_argument("--iterations", type=int, default=None,
                    help="override every promise's horizon (its `by` scales with it)")
    ap.add_argument("--check-every", type=int, default=None, help="override the iterations between checks")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (results do not depend on it)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seeds = parse_seeds(args.seeds)
    chosen = {name: PROMISES[name].with_overrides(args.iterations, args.check_every)
              for name in PROMISES
              if not args.presets or any(s.lower() in name.lower() for s in args.presets)}
    missing = [n for n in chosen if n not in TOY_PRESETS]
    if missing:
        raise SystemExit(f"no such preset: {missing}")
    began, started, load = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), time.time(), os.getloadavg()[0]
    by_config: dict[TrainConfig, list[str]] = {}
    for name in chosen:  # presets with one config share one run per seed
        by_config.setdefault(TOY_PRESETS[name].config, []).append(name)
    runs: dict[str, list[Run]] = {name: [] for name in chosen}
    for config, names in by_config.items():
        for seed in seeds:
            run = train(config, seed, [chosen[n] for n in names])
            for n in names:
                runs[n].append(run)
                v = judge(chosen[n], run.points)
                print(f"{n} seed {seed}: {'PASS' if v.passed else 'FAIL'} met {v.met} broken {v.broken} "
                      f"{v.shown.text()} at {v.shown.iteration} [{run.seconds:.0f} s, "
                      f"load {os.getloadavg()[0]:.1f}]", flush=True)
    print()
    print(f"Command: `python bench/preset_seeds.py {shlex.join(sys.argv[1:])}`")
    print()
    for name in chosen:
        print("\n".join(table(name, chosen[name], runs[name])))
    print(f"{args.threads} torch thread(s), one process, from {began}; {os.cpu_count()} cores, 1-min load "
          f"average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; "
          f"{(time.time() - started) / 60:.1f} min.")


if __name__ == "__main__":
    main()
