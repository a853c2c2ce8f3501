"""Headless command line: train a GAN without the app, save a checkpoint, print one JSON object.

    python -m gan_core train --target ring8 --steps 2000 --seed 0 --set label_smoothing=0.1 --out run.pt

Exit codes: 0 done; 1 the run diverged (a NaN/inf loss or weight); 2 bad arguments (unknown
flag or setting, invalid value, unreadable checkpoint). Errors are one line on stderr, so a
script can show them as they are; stdout carries only the JSON result.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import torch

from gan_core.config import RebuildRequired, TrainConfig, field_types

MAX_STEPS = 10_000_000
METRIC_SAMPLES = 2500  # VEEGAN / PacGAN draw 2500 generator samples for their mode metrics
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class UsageError(Exception):
    """A bad argument found after parsing (a setting, a file): exit 2 with its message."""


class CliParser(argparse.ArgumentParser):
    """argparse that reports a usage error as ONE line on stderr (no usage block) and exits 2."""

    def error(self, message: str):
        self.exit(2, f"error: {one_line(message)}\n")


def one_line(message: str) -> str:
    return " ".join(str(message).split())


def build_parser() -> CliParser:
    parser = CliParser(prog="python -m gan_core", description="GAN Classroom's headless trainer.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=CliParser)
    train = commands.add_parser(
        "train", help="train a GAN, save a checkpoint, print JSON metrics",
        description="Train headless and print one JSON object (config, speed, final metrics).")
    train.add_argument("--target", help="toy target (ring8, grid25, moons, ...) or mnist")
    train.add_argument("--steps", type=int, default=2000,
                       help="iterations of Algorithm 1 to run (k D updates + 1 G update each)")
    train.add_argument("--seed", type=int, help="seed for weights, noise and data")
    train.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE",
                       help="any TrainConfig field (repeatable), e.g. --set batch_size=64; "
                            "label_smoothing=0.1 means real_label=0.9")
    train.add_argument("--out", help="write the checkpoint here (a .pt file)")
    train.add_argument("--load", help="continue the run saved in this checkpoint")
    train.add_argument("--threads", type=int, help="torch CPU threads (torch.set_num_threads)")
    train.add_argument("--samples", type=int, default=METRIC_SAMPLES,
                       help=f"generator samples for the final metrics (default {METRIC_SAMPLES})")
    return parser


# ---- arguments -> settings ------------------------------------------------------------------------

def parse_value(key: str, text: str):
    """Parse `text` by the type of TrainConfig field `key` (label_smoothing counts as a float)."""
    types = field_types()
    kind = float if key == "label_smoothing" else types.get(key)
    if kind is None:
        raise UsageError(f"unknown setting {key!r}; known: label_smoothing, {', '.join(types)}")
    word = text.strip()
    try:
        if kind is bool:
            if word.lower() in TRUE_WORDS + FALSE_WORDS:
                return word.lower() in TRUE_WORDS
            raise ValueError
        if kind is tuple:  # custom_points as JSON: [[x, y], ...]
            return json.loads(word)
        return kind(word)
    except ValueError:
        raise UsageError(f"{key} expects {_type_words(kind)}; got {text!r}") from None


def _type_words(kind: type) -> str:
    return {bool: "true or false", int: "an integer", float: "a number",
            tuple: "a JSON list of [x, y] pairs"}.get(kind, "text")


def parse_settings(args: argparse.Namespace) -> dict:
    """{field: value} from --target, --seed and every --set, in that order (later wins)."""
    changes: dict = {}
    if args.target is not None:
        changes["target"] = args.target
    if args.seed is not None:
        changes["seed"] = args.seed
    for item in args.settings:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE; got {item!r}")
        changes[key.strip()] = parse_value(key.strip(), text)
    if "label_smoothing" in changes and "real_label" in changes:
        raise UsageError("give label_smoothing or real_label, not both")
    return changes


def check_args(args: argparse.Namespace) -> None:
    if not 0 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps must be in [0, {MAX_STEPS}]; got {args.steps}")
    if not 1 <= args.samples <= 100_000:
        raise UsageError(f"--samples must be in [1, 100000]; got {args.samples}")
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise UsageError(f"--threads must be in [1, 256]; got {args.threads}")
    if args.out:  # refuse before training, not after minutes of it
        folder = os.path.dirname(os.path.abspath(args.out))
        if os.path.isdir(args.out) or not os.path.isdir(folder):
            raise UsageError(f"--out {args.out!r}: not a file path in an existing folder")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"--out {args.out!r}: folder is not writable")


def make_trainer(args: argparse.Namespace, changes: dict):
    """A fresh Trainer from the settings, or the --load checkpoint with live settings applied."""
    from gan_core.checkpoint import CheckpointError, load_checkpoint
    from gan_core.trainer import Trainer

    if not args.load:
        try:
            return Trainer(TrainConfig().replace(**changes))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    try:
        trainer = load_checkpoint(args.load)
    except (CheckpointError, OSError) as exc:
        raise UsageError(f"--load {args.load!r}: {exc}") from None
    try:
        trainer.update(**changes)
    except RebuildRequired as exc:
        raise UsageError(f"a loaded run keeps its networks, target and seed ({exc})") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return trainer


# ---- results ----------------------------------------------------------------------------------

def _finite_or_none(value):
    """JSON has no NaN or Infinity: a non-finite number becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def last_step_figures(trainer) -> dict:
    """Losses and D's outputs of the last D update and the last G update (null before any)."""
    last = {}
    for record in reversed(trainer.history):
        last.setdefault(record.kind, record)
        if len(last) == 2:
            break
    d, g = last.get("D"), last.get("G")
    figures = {"loss_d": None, "loss_d_real": None, "loss_d_fake": None, "penalty": None,
               "d_real": None, "d_fake": None, "d_accuracy": None, "loss_g": None}
    if d is not None:
        figures.update(loss_d=d.loss_d, loss_d_real=d.loss_d_real, loss_d_fake=d.loss_d_fake,
                       penalty=d.penalty, d_real=d.d_real, d_fake=d.d_fake, d_accuracy=d.d_accuracy)
    if g is not None:
        figures["loss_g"] = g.loss_g
    return figures


def final_metrics(trainer, n_samples: int) -> dict:
    """Toy targets with modes: VEEGAN/PacGAN mode metrics; without: KL/JS on a grid (GAN Lab).
    MNIST: the last step's figures only (digit coverage needs the classifier of the MNIST pages)."""
    from gan_core import metrics

    figures = last_step_figures(trainer)
    target = trainer.target
    if trainer.config.target == "mnist":
        return figures
    fake = trainer.sample(n_samples).cpu().numpy()  # (N, dim)
    if target.has_modes:
        figures.update(metrics.target_mode_metrics(fake, target).as_dict())
    else:  # real samples from a stream of their own, so the training data stream is untouched
        gen = torch.Generator().manual_seed(trainer.config.seed + 3)
        real = target.sample(n_samples, gen).numpy()
        grid = metrics.grid_divergences(fake, real, target.bounds)
        figures.update(grid_kl=grid["kl"], grid_js=grid["js"])
    return figures


def train_command(args: argparse.Namespace) -> int:
    from gan_core.checkpoint import save_checkpoint
    from gan_core.step_record import NonFiniteError

    check_args(args)
    changes = parse_settings(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    trainer = make_trainer(args, changes)
    start_iteration = trainer.iteration
    t0 = time.perf_counter()
    try:
        trainer.train(args.steps)
    except NonFiniteError as exc:
        saved = ""
        if args.out:  # lose nothing: keep the last finite state for a retry with a smaller lr
            iteration = trainer.rollback()
            save_checkpoint(trainer, args.out)
            saved = f"; saved the last finite snapshot (iteration {iteration}) to {args.out}"
        print(f"error: {one_line(exc)}{saved}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - t0
    if args.out:
        save_checkpoint(trainer, args.out)
    steps = trainer.iteration - start_iteration
    result = {
        "config": trainer.config.to_dict(),
        "steps": steps,
        "iteration": trainer.iteration,
        "seconds": seconds,
        "iterations_per_s": steps / seconds if steps and seconds > 0 else None,
        "threads": torch.get_num_threads(),
        "checkpoint": args.out,
        "metrics": final_metrics(trainer, args.samples),
    }
    print(json.dumps(_finite_or_none(result), allow_nan=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit 2 inside
    try:
        return train_command(args)
    except UsageError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 2  # not reached: parser.error exits
