"""Sample quality of the 2D presets against wall time: modes captured and HQ % (VEEGAN / PacGAN).

    python bench/toy_quality.py [--quick] [--seeds 3] [--preset SUBSTRING ...] [--write]

Trains every collapse and cure preset of gan_core.presets.TOY_PRESETS (neutral ones too with
--all) headless on 2 torch threads (--threads), for several seeds. The training clock counts
only the time spent in Trainer.step(): each evaluation (2500 samples, gan_core.metrics) is excluded. Targets
(issue 3): a ring cure reaches 8/8 modes with >= 95 % HQ within 30 s; a grid cure 25/25 with
>= 95 % HQ within 120 s; the collapse preset captures <= 3 of 8 modes for a visible stretch of
its first 60 s. Prints one table row per preset and seed; --write replaces the "Toy quality"
section of docs/BENCHMARKS.md with the table and the exact command.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402

from gan_core.metrics import target_mode_metrics  # noqa: E402
from gan_core.presets import TOY_PRESETS, Preset  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402

EVAL_SAMPLES = 2500  # the VEEGAN / PacGAN protocol
HQ_TARGET = 0.95
SECTION = "## Toy quality"
# (training seconds of the whole run, seconds between evaluations, seconds shown in the table)
SCHEDULES = {
    ("ring8", "collapse"): (60.0, 2.0, (5, 10, 20, 30, 60)),
    ("ring8", "cure"): (30.0, 1.0, (5, 10, 20, 30)),
    ("grid25", "cure"): (120.0, 5.0, (15, 30, 60, 90, 120)),
}
DEFAULT_SCHEDULE = (30.0, 2.0, (10, 20, 30))
QUICK_SECONDS = {"ring8": 30.0, "grid25": 60.0}


@dataclass
class Point:
    seconds: float  # training clock when evaluated
    iteration: int
    modes: int
    n_modes: int
    hq: float  # fraction of samples within 3 sigma of their nearest centre


@dataclass
class Result:
    preset: Preset
    seed: int
    points: list[Point] = field(default_factory=list)

    def at(self, seconds: float) -> Point | None:
        """The last evaluation taken at or before `seconds` of training."""
        before = [p for p in self.points if p.seconds <= seconds + 1e-9]
        return before[-1] if before else None

    def first_hit(self) -> Point | None:
        """First evaluation with every mode captured and HQ >= 95 %."""
        return next((p for p in self.points if p.modes == p.n_modes and p.hq >= HQ_TARGET), None)

    def longest_collapse(self, max_modes: int = 3) -> tuple[float, float, float]:
        """(length, start, end) in training seconds of the longest run of consecutive
        evaluations that captured <= max_modes modes (counted from the evaluation before)."""
        best, start, prev = (0.0, 0.0, 0.0), None, 0.0
        for p in self.points:
            if p.modes <= max_modes:
                start = prev if start is None else start
                if p.seconds - start > best[0]:
                    best = (p.seconds - start, start, p.seconds)
            else:
                start = None
            prev = p.seconds
        return best


def schedule(preset: Preset, quick: bool) -> tuple[float, float, tuple]:
    total, every, shown = SCHEDULES.get((preset.config.target, preset.kind), DEFAULT_SCHEDULE)
    if quick:
        total = min(total, QUICK_SECONDS.get(preset.config.target, total))
        shown = tuple(s for s in shown if s <= total)
    return total, every, shown


def run_preset(preset: Preset, seed: int, total: float, every: float) -> Result:
    """Train `preset` with `seed` for `total` seconds of training clock, evaluating every `every`."""
    trainer = Trainer(preset.config.replace(seed=seed))
    eval_rng = torch.Generator().manual_seed(10_000 + seed)  # evaluation never touches training
    result, clock, next_eval = Result(preset, seed), 0.0, every
    while clock < total:
        t0 = time.perf_counter()
        trainer.step()
        clock += time.perf_counter() - t0
        if clock >= next_eval or clock >= total:
            m = target_mode_metrics(trainer.sample(EVAL_SAMPLES, eval_rng).numpy(), trainer.target)
            result.points.append(Point(clock, trainer.iteration, m.modes_captured, m.n_modes, m.hq_fraction))
            next_eval = (int(clock / every) + 1) * every
    return result


def cell(p: Point | None) -> str:
    return "-" if p is None else f"{p.modes}/{p.n_modes} {100 * p.hq:.1f}% ({p.iteration} it)"


def table(results: list[Result], quick: bool) -> list[str]:
    """Markdown rows: one per preset and seed, its shown checkpoints, and the verdict."""
    lines, last_header = [], None
    for r in results:
        total, _, shown = schedule(r.preset, quick)
        header = ("| preset | seed | " + " | ".join(f"{s:g} s" for s in shown) + " | verdict |")
        if header != last_header:
            lines += ["", header, "|" + "---|" * (len(shown) + 3)]
            last_header = header
        cells = [cell(r.at(s)) for s in shown]
        lines.append(f"| {r.preset.name} | {r.seed} | " + " | ".join(cells) + f" | {verdict(r, total)} |")
    return lines


def verdict(r: Result, total: float) -> str:
    end = r.points[-1]
    if r.preset.kind == "collapse":
        length, start, stop = r.longest_collapse()
        return (f"<= 3 modes for {length:.0f} s ({start:.0f}-{stop:.0f} s); "
                f"max modes {max(p.modes for p in r.points)}/{end.n_modes}")
    hit = r.first_hit()
    reached = (f"target first met at {hit.seconds:.1f} s ({hit.iteration} it)" if hit
               else f"target not met in {total:g} s")
    best = max(r.points, key=lambda p: (p.modes, p.hq))
    return f"{reached}; best {best.modes}/{best.n_modes} {100 * best.hq:.1f}% at {best.seconds:.0f} s"


def write_section(lines: list[str], command: str) -> None:
    path = os.path.join(ROOT, "docs", "BENCHMARKS.md")
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    body = "\n".join([SECTION, "", f"Command: `{command}`", ""] + lines).rstrip() + "\n"
    start = text.find(SECTION + "\n")
    if start < 0:
        text = text.rstrip() + "\n\n" + body
    else:
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + ("" if nxt < 0 else text[nxt:])
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one seed, ring 30 s and grid 60 s")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per cure preset (collapse: 1)")
    ap.add_argument("--preset", nargs="*", default=[], help="only presets whose name contains one of these")
    ap.add_argument("--all", action="store_true", help="include the neutral presets")
    ap.add_argument("--threads", type=int, default=2, help="torch threads (the issue's protocol: 2)")
    ap.add_argument("--write", action="store_true", help="replace the Toy quality section of docs/BENCHMARKS.md")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    presets = [p for p in TOY_PRESETS.values()
               if p.config.target in ("ring8", "grid25") and (args.all or p.kind != "neutral")
               and (not args.preset or any(s.lower() in p.name.lower() for s in args.preset))]
    seeds = 1 if args.quick else args.seeds
    load_before = os.getloadavg()[0]
    began = time.strftime('%Y-%m-%d %H:%M')
    started = time.time()
    results = []
    for preset in presets:
        total, every, _ = schedule(preset, args.quick)
        for seed in range(seeds if preset.kind == "cure" else 1):
            r = run_preset(preset, seed, total, every)
            results.append(r)
            print(f"{preset.name} seed {seed}: {verdict(r, total)}", flush=True)
    lines = table(results, args.quick)
    wall = time.time() - started
    notes = [
        "",
        f"Cells: modes captured / modes, HQ % of {EVAL_SAMPLES} samples (iterations done) at that "
        f"much training wall time on {args.threads} torch thread(s); evaluation time is excluded from the clock. "
        "Targets: ring cure 8/8 with >= 95 % HQ within 30 s; grid cure 25/25 with >= 95 % HQ "
        "within 120 s; collapse <= 3 of 8 modes for a visible stretch of its first 60 s.",
        f"Measured from {began} on {os.cpu_count()} CPU cores (1-min load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; the bench took "
        f"{wall / 60:.1f} min). A load average above the core count means other jobs shared the "
        "cores and the wall-time figures are pessimistic: read the iteration counts too.",
    ]
    print("\n".join(lines + notes))
    if args.write:
        write_section(lines + notes, "python bench/toy_quality.py " + " ".join(sys.argv[1:]))
        print("wrote the Toy quality section of docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
