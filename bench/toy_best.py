"""The 2D "best quality" presets on the wall clock (run by `python bench/toy_quality.py --quality`).

Targets (issue 14), VEEGAN / PacGAN protocol (2,500 samples; high quality = within 3 sigma of the
nearest centre; a mode is captured if it is nearest to at least one high-quality sample):
    ring of 8    8/8 modes with >= 95 % high quality within 30 s
    grid of 25   25/25 modes with >= 95 % high quality within 120 s
on 2 torch threads, 3 seeds each (the preset's seed and the next ones). The clock counts training
only: every QUALITY_EVAL_EVERY iterations the run stops the clock, draws the samples of the shown
generator (the weight average when the preset keeps one) from a generator seeded apart from
training, and scores them. Reported per run: the first evaluation meeting the target (training
seconds, iteration), the state at the deadline, and the lowest HQ % of any later evaluation before
the deadline (does the target hold once met?). Run on a quiet machine: the 1-minute load average
at the start and end is printed beside the figures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import torch

from gan_core.metrics import target_mode_metrics
from classroom.presets import TOY_PRESETS
from gan_core.trainer import Trainer

SECTION = "## Best quality (2D)"
DEADLINES = {"ring8": 30.0, "grid25": 120.0}  # seconds of training, as the targets are stated
HQ_TARGET = 0.95
THREADS = 2
EVAL_EVERY = 250  # iterations between evaluations (off the clock)
EVAL_SAMPLES = 2500


@dataclass
class Check:
    seconds: float  # training wall time so far
    iteration: int
    modes: int
    n_modes: int
    hq: float

    def meets(self) -> bool:
        return self.modes == self.n_modes and self.hq >= HQ_TARGET

    def text(self) -> str:
        return f"{self.modes}/{self.n_modes} {100 * self.hq:.1f}% ({self.seconds:.0f} s, {self.iteration} it)"


@dataclass
class QualityRun:
    name: str
    seed: int
    deadline: float
    checks: list[Check] = field(default_factory=list)

    def first_hit(self) -> Check | None:
        return next((c for c in self.checks if c.meets() and c.seconds <= self.deadline), None)

    def at_deadline(self) -> Check:
        return [c for c in self.checks if c.seconds <= self.deadline][-1]

    def lowest_after_hit(self) -> Check | None:
        hit = self.first_hit()
        later = [c for c in self.checks if hit and hit.seconds < c.seconds <= self.deadline]
        return min(later, key=lambda c: (c.modes == c.n_modes, c.hq)) if later else None

    def passed(self) -> bool:
        return self.first_hit() is not None


def measure(preset, seed: int) -> QualityRun:
    deadline = DEADLINES[preset.config.target]
    trainer = Trainer(preset.config.replace(seed=seed))
    eval_rng = torch.Generator().manual_seed(10_000 + seed)  # evaluation never touches training
    run = QualityRun(preset.name, seed, deadline)
    trained = 0.0
    while trained <= deadline:
        t0 = time.perf_counter()
        trainer.train(EVAL_EVERY)
        trained += time.perf_counter() - t0
        m = target_mode_metrics(trainer.sample(EVAL_SAMPLES, eval_rng).numpy(), trainer.target)
        run.checks.append(Check(trained, trainer.iteration, m.modes_captured, m.n_modes, m.hq_fraction))
    return run


def verdict(run: QualityRun) -> str:
    hit = run.first_hit()
    if hit is None:
        best = max((c for c in run.checks if c.seconds <= run.deadline), key=lambda c: (c.modes, c.hq))
        return f"FAIL: target not met by {run.deadline:g} s (best {best.text()})"
    low = run.lowest_after_hit()
    held = "" if low is None else f"; lowest after: {low.text()}"
    return f"PASS: first met at {hit.text()}{held}"


def quality_presets(only: list[str]) -> list:
    return [p for p in TOY_PRESETS.values() if p.kind == "quality"
            and (not only or any(s.lower() in p.name.lower() for s in only))]


def report(runs: list[QualityRun], load: tuple[float, float], began: str) -> list[str]:
    lines = ["| preset | seed | first met (training s, it) | at the deadline | lowest after the hit | verdict |",
             "|---|---|---|---|---|---|"]
    for r in runs:
        hit, low = r.first_hit(), r.lowest_after_hit()
        lines.append(f"| {r.name} | {r.seed} | {hit.text() if hit else '-'} | {r.at_deadline().text()} | "
                     f"{low.text() if low else '-'} | {'PASS' if r.passed() else 'FAIL'} |")
    lines.append("")
    for name in dict.fromkeys(r.name for r in runs):
        mine = [r for r in runs if r.name == name]
        ok = sum(r.passed() for r in mine)
        lines.append(f"- **{name}**: every mode with >= {100 * HQ_TARGET:.0f} % HQ within "
                     f"{mine[0].deadline:g} s on {ok}/{len(mine)} seeds ({'PASS' if ok == len(mine) else 'FAIL'})")
    policy = os.environ.get("OMP_WAIT_POLICY", "unset (OpenMP default)")
    lines += ["", f"{THREADS} torch threads (OMP_WAIT_POLICY {policy}), one process, from {began}; "
              f"evaluation every {EVAL_EVERY} "
              f"iterations off the clock ({EVAL_SAMPLES} samples of the shown generator); {os.cpu_count()} "
              f"cores, 1-minute load average {load[0]:.1f} at the start, {load[1]:.1f} at the end."]
    return lines


def run_quality(seeds: int, only: list[str], write: bool, command: str) -> None:
    from toy_quality import write_section  # the one writer of BENCHMARKS sections

    torch.set_num_threads(THREADS)
    load0, began = os.getloadavg()[0], time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    runs = []
    for preset in quality_presets(only):
        for seed in range(preset.config.seed, preset.config.seed + seeds):
            runs.append(measure(preset, seed))
            print(f"{preset.name} seed {seed}: {verdict(runs[-1])} [load {os.getloadavg()[0]:.1f}]", flush=True)
    lines = report(runs, (load0, os.getloadavg()[0]), began)
    print("\n".join(lines))
    if write:
        write_section(lines, command, SECTION)
        print(f"wrote the {SECTION[3:]} section of docs/BENCHMARKS.md")
