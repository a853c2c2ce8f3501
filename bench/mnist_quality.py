"""MNIST sample quality against training time, per preset (headless, embedded 5k digits).

    python bench/mnist_quality.py                       # every MNIST preset, 180 s each, 2 threads
    python bench/mnist_quality.py --preset dcgan --seconds 60 --checkpoints 15 30 60
    python bench/mnist_quality.py --preset seed --set batch_size=128 lr_g=4e-4   # try a variant
    python bench/mnist_quality.py --preset "best quality" --seeds 3 --write   # the target, 3 seeds

At each checkpoint of *training* time (evaluation is off the clock) it prints digits covered (of
10), KL(p_gen || uniform) in nats, the classifier's mean confidence and the Frechet distance of
classifier features (real vs generated), from 1,000 fakes of fixed noise. It also prints the digit
classifier's held-out accuracy and how long its training took.

--clock wall (default) puts checkpoints on wall-clock training time, as the target is stated.
--clock cpu puts them on the process's CPU time instead: on a machine shared with other jobs, CPU
time with --threads 1 is the figure that does not depend on the neighbours.
Target for the best preset (issue 14): 10/10 digits, KL <= 0.05, mean confidence >= 0.9 within
180 s of wall-clock training on 2 threads, 3 seeds. --seeds N trains each preset on its seed and
the next N - 1 (with --set seed=S: on S and the next N - 1); each checkpoint row says whether it
meets the target; --until-target stops a seed there, to measure the time the target takes.
--also-ema D ... scores further weight averages of G (decay D) kept beside the run's own, from the
same training run (the average never feeds back into training).
--write puts the table in the "MNIST best quality" section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch

from gan_core.classifier import get_classifier, train_classifier
from gan_core.config import field_types
from gan_core.mnist import MnistTarget, load_embedded
from gan_core.mnist_metrics import evaluate_generator, real_feature_stats
from classroom.presets import MNIST_PRESETS
from gan_core.stabilizers import GeneratorAverage
from gan_core.trainer import Trainer


def parse_value(key: str, text: str):
    kind = field_types().get(key, str)
    if kind is bool:
        return text.lower() in ("1", "true", "yes")
    return kind(float(text)) if kind is int else kind(text)


def pick_presets(wanted: list[str]) -> list:
    if not wanted:
        return list(MNIST_PRESETS.values())
    chosen = []
    for w in wanted:
        hits = [p for name, p in MNIST_PRESETS.items() if w.lower() in name.lower()]
        if not hits:
            sys.exit(f"no MNIST preset matches {w!r}; presets: {', '.join(MNIST_PRESETS)}")
        chosen += hits
    return chosen


TARGET_KL, TARGET_CONFIDENCE = 0.05, 0.9
SECTION = "## MNIST best quality"


def meets_target(row: dict) -> bool:
    return (row["digits_covered"] == 10 and row["kl_uniform"] <= TARGET_KL
            and row["mean_confidence"] >= TARGET_CONFIDENCE)


def run_preset(preset, overrides: dict, checkpoints: list[float], clock: str, samples: int,
               target: MnistTarget, classifier, seed: int | None = None,
               until_target: bool = False, also_ema: tuple[float, ...] = ()) -> list[dict]:
    """One training run, scored at each checkpoint. also_ema: decays of further weight averages of
    G kept beside the run's own and scored on the same fakes' noise; the average never feeds back
    into training, so each column is what `--set ema_decay=D` gives, from the same run (a paired
    comparison at no extra training)."""
    config = preset.config.replace(**overrides, **({} if seed is None else {"seed": seed}))
    trainer = Trainer(config, target=target)
    averages = {d: GeneratorAverage(trainer.generator) for d in also_ema}  # from G's first weights, as the run's own
    rows, cpu, next_cp = [], 0.0, 0
    while next_cp < len(checkpoints):
        c0 = time.process_time()
        trainer.step()
        cpu += time.process_time() - c0
        for decay, average in averages.items():  # step() ends with G's one update: average after it,
            average.update(decay)  # off the clock, so checkpoints fall where a run without them has them
        spent = trainer.elapsed if clock == "wall" else cpu  # training time only
        if spent >= checkpoints[next_cp]:
            row = {"preset": preset.name, "seed": config.seed, "checkpoint_s": checkpoints[next_cp],
                   "train_wall_s": round(trainer.elapsed, 1), "train_cpu_s": round(cpu, 1),
                   "iterations": trainer.iteration}
            scored = [(None, row)] + [(d, {**row, "ema_decay": d}) for d in averages]
            for decay, r in scored:
                g = None if decay is None else averages[decay].net
                m = evaluate_generator(trainer, n=samples, seed=12345, classifier=classifier, generator=g)
                r.update(m.as_dict())
                shown = "" if decay is None else f"  [EMA {decay:g}]"
                print(f"  {checkpoints[next_cp]:>5.0f} s  it {trainer.iteration:>6}  "
                      f"wall {trainer.elapsed:6.1f}  cpu {cpu:6.1f}  digits {m.digits_covered:>2}/10  "
                      f"KL {m.kl_uniform:.3f}  conf {m.mean_confidence:.3f}  Frechet {m.frechet:7.2f}  "
                      f"counts {m.counts.tolist()}{'  TARGET MET' if meets_target(r) else ''}{shown}", flush=True)
            if averages:
                row["also_ema"] = {str(d): r for d, r in scored[1:]}
            rows.append(row)
            next_cp += 1
            if until_target and all(meets_target(r) for _, r in scored):
                break  # the time to the target is what this run measures (for every average scored)
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", nargs="*", default=[], help="substrings of preset names (default: all)")
    ap.add_argument("--seconds", type=float, default=180.0, help="training time per preset")
    ap.add_argument("--checkpoints", type=float, nargs="*", help="times to evaluate (default 30 60 90 120 180)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--samples", type=int, default=1000, help="fakes per evaluation")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="override config fields")
    ap.add_argument("--retrain-classifier", action="store_true",
                    help="time a fresh classifier training run instead of reading the cache")
    ap.add_argument("--classifier-cache", help="folder of the classifier cache (default data/cache)")
    ap.add_argument("--json", help="also write all rows to this file")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per preset: its own and the next ones")
    ap.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    ap.add_argument("--until-target", action="store_true",
                    help="stop each seed at its first checkpoint that meets the target (time to target)")
    ap.add_argument("--also-ema", type=float, nargs="*", default=[], metavar="DECAY",
                    help="also score weight averages of G with these decays, kept beside the run's own")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    checkpoints = sorted(args.checkpoints or [c for c in (30, 60, 90, 120, 180) if c < args.seconds] + [args.seconds])
    overrides = {k: parse_value(k, v) for k, v in (s.split("=", 1) for s in args.set)}

    if args.retrain_classifier:
        classifier = train_classifier(load_embedded())
    else:
        classifier = get_classifier(args.classifier_cache) if args.classifier_cache else get_classifier()
    print(f"digit classifier: held-out accuracy {classifier.heldout_accuracy:.4f} on 1,000 embedded "
          f"digits; training took {classifier.train_seconds:.1f} s ({classifier.origin})", flush=True)
    real_feature_stats(classifier)  # computed once, off every preset's clock
    target = MnistTarget(load_embedded())
    print(f"threads {args.threads}, clock {args.clock}, {args.samples} fakes per evaluation, "
          f"load average {os.getloadavg()[0]:.1f} at start", flush=True)

    all_rows, load0 = [], os.getloadavg()[0]
    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    first_seed = overrides.pop("seed", None)  # --set seed=N: the seeds start at N, not at the preset's
    for preset in pick_presets(args.preset):
        start = preset.config.seed if first_seed is None else first_seed
        for seed in range(start, start + args.seeds):
            print(f"\n{preset.name}, seed {seed}" + (f"  (overrides {overrides})" if overrides else ""), flush=True)
            all_rows += run_preset(preset, overrides, checkpoints, args.clock, args.samples, target, classifier,
                                   seed, args.until_target, tuple(args.also_ema))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    if args.write:
        from toy_quality import write_section  # the one writer of BENCHMARKS sections

        lines = table(all_rows) + ["", f"{args.threads} torch threads, clock {args.clock} (training time "
                                   f"only), {args.samples} fakes of fixed noise per evaluation, from {began}; "
                                   f"digit classifier held-out accuracy {classifier.heldout_accuracy:.4f}; "
                                   f"1-minute load average {load0:.1f} at the start, "
                                   f"{os.getloadavg()[0]:.1f} at the end."]
        write_section(lines, "python bench/mnist_quality.py " + shlex.join(argv or sys.argv[1:]), SECTION)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"classifier_accuracy": classifier.heldout_accuracy,
                       "classifier_train_s": classifier.train_seconds, "rows": all_rows}, fh, indent=1)


def table(rows: list[dict]) -> list[str]:
    lines = ["| preset | seed | checkpoint | iterations | digits | KL(p_gen, uniform) | mean confidence | "
             "Frechet | target |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['preset']} | {r['seed']} | {r['checkpoint_s']:g} s | {r['iterations']} | "
                     f"{r['digits_covered']}/10 | {r['kl_uniform']:.3f} | {r['mean_confidence']:.3f} | "
                     f"{r['frechet']:.1f} | {'met' if meets_target(r) else '-'} |")
    return lines


if __name__ == "__main__":
    main()
