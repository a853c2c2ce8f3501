"""Headless command line: train a GAN without the app, save a checkpoint, print one JSON object.

    python -m classroom train --target ring8 --steps 2000 --seed 0 --set label_smoothing=0.1 --out run.pt
    python -m classroom train --preset "Ring of 8: plain GAN" --seconds 30 --threads 2
    python -m classroom train --preset toy_2d-preset.json --steps 5000
    python -m classroom train --list-presets

Settings apply in this order, later wins: the --preset's config (else TrainConfig's defaults),
then --target, then --seed, then each --set. A preset is read by classroom.presets.find_preset
only: a name in the pages' own tables, read when the command runs (a preset added there is found
here), or a preset file saved from a page's "Share this setup" box.

Exit codes: 0 done; 1 the run diverged (a NaN/inf loss or weight); 2 bad arguments (unknown
flag, setting or preset, invalid value, unreadable checkpoint or preset file). Errors are one
line on stderr, so a script can show them as they are; notes (what a preset file's decoding
refused or adjusted) are lines on stderr too; stdout carries only the JSON result.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import sys
import time

import torch

from classroom.presets import PRESET_TABLES, Preset, find_preset
from gan_core.config import RebuildRequired, TrainConfig, field_types
from gan_core.distributions import TARGETS_1D

MAX_STEPS = 10_000_000
DEFAULT_STEPS = 2000
MAX_SECONDS = 86_400.0  # --seconds: one day at most
METRIC_SAMPLES = 2500  # VEEGAN / PacGAN draw 2500 generator samples for their mode metrics
KNN_MAX_SAMPLES = 10_000  # knn_kl compares at most this many samples of each side
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class UsageError(Exception):
    """A bad argument found after parsing (a setting, a file): exit 2 with its message."""


class CliParser(argparse.ArgumentParser):
    """argparse that reports a usage error as ONE line on stderr (no usage block) and exits 2."""

    def error(self, message: str):
        self.exit(2, f"error: {one_line(message)}\n")


def one_line(message: str) -> str:
    return " ".join(str(message).split())


# ---- presets ------------------------------------------------------------------------------------

def page_of(config: TrainConfig) -> str:
    """The page that trains this config: "mnist", "toy_1d" or "toy_2d"."""
    if config.target == "mnist":
        return "mnist"
    return "toy_1d" if config.target in TARGETS_1D else "toy_2d"


def read_preset(text: str) -> Preset:
    """--preset: classroom.presets.find_preset, its refusal a usage error; what a preset file's
    decoding refused or adjusted is printed as notes on stderr (stdout stays one JSON object)."""
    try:
        preset = find_preset(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for note in preset.notes:
        print(f"note: {one_line(note)}", file=sys.stderr)
    return preset


KEY_FIELDS = ("target", "arch", "loss", "lr_d", "lr_g", "batch_size", "seed")
# Shown too where they differ from TrainConfig's default (they are what most lessons move).
NOTABLE_FIELDS = ("z_dim", "g_width", "d_width", "d_steps", "real_label", "pack", "minibatch_std",
                  "d_dropout", "r1_gamma", "optimizer", "noise", "ema_decay", "lr_half_life",
                  "instance_noise", "spectral_norm")


def key_settings(config: TrainConfig) -> str:
    """`target=ring8 arch=mlp ... seed=0`, then the notable fields that differ from the defaults."""
    default = TrainConfig()
    names = list(KEY_FIELDS) + [f for f in NOTABLE_FIELDS if getattr(config, f) != getattr(default, f)]
    return " ".join(f"{f}={getattr(config, f)}" for f in names)


def preset_listing() -> str:
    """One line per preset: page/kind, the name quoted for a shell, its key settings."""
    rows = [(f"{page_of(p.config)}/{p.kind}", shlex.quote(p.name), key_settings(p.config))
            for table in PRESET_TABLES for p in table.values()]
    if not rows:
        return "no presets"
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}" for a, b, c in rows)


class ListPresets(argparse.Action):
    """--list-presets: print the presets and exit 0 at once, like --help (other flags unread)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                         nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(preset_listing())
        parser.exit(0)


def build_parser() -> CliParser:
    parser = CliParser(prog="python -m classroom", description="GAN Classroom's headless trainer.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     parser_class=CliParser)
    train = commands.add_parser(
        "train", help="train a GAN, save a checkpoint, print JSON metrics",
        description="Train headless and print one JSON object (config, speed, final metrics). "
                    "Settings apply in order, later wins: --preset, --target, --seed, --set.")
    train.add_argument("--list-presets", action=ListPresets,
                       help="print the page presets (page/kind, name, key settings) and exit")
    train.add_argument("--preset", metavar="NAME|FILE",
                       help="start from this page preset's settings: the exact name, or a part of "
                            "it that only one preset contains (any case); or a preset file (.json) "
                            "saved from a page's 'Share this setup' box; not with --load")
    train.add_argument("--target", help="toy target (ring8, grid25, moons, ...) or mnist")
    length = train.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int,
                        help="iterations of Algorithm 1 to run (k D updates + 1 G update each); "
                             f"default {DEFAULT_STEPS}")
    length.add_argument("--seconds", type=float, metavar="S",
                        help=f"train for S seconds of wall-clock time instead (0 < S <= {MAX_SECONDS:g}); "
                             "the clock is read between iterations, so the last one may overrun S "
                             "a little")
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
    if args.steps is not None and not 0 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps must be in [0, {MAX_STEPS}]; got {args.steps}")
    if args.seconds is not None and not 0 < args.seconds <= MAX_SECONDS:  # NaN fails too
        raise UsageError(f"--seconds must be in (0, {MAX_SECONDS:g}]; got {args.seconds:g}")
    if args.preset is not None and args.load:
        raise UsageError("give --preset or --load, not both (a loaded run keeps its own settings)")
    if args.preset is not None and not args.preset.strip():
        raise UsageError("--preset needs a name; --list-presets lists them")
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


def make_trainer(args: argparse.Namespace, changes: dict, preset: Preset | None = None):
    """A fresh Trainer from the preset's config (or the defaults) with the settings applied, or
    the --load checkpoint with live settings applied."""
    from gan_core.checkpoint import CheckpointError, load_checkpoint
    from gan_core.trainer import Trainer

    if not args.load:
        base = preset.config if preset is not None else TrainConfig()
        try:
            return Trainer(base.replace(**changes))
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
    d, g = trainer.history.last("D"), trainer.history.last("G")
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
        real, second_real = target.sample(n_samples, gen).numpy(), target.sample(n_samples, gen).numpy()
        figures["grid_js"] = metrics.grid_js(fake, real, target.bounds)
        n = min(n_samples, KNN_MAX_SAMPLES)  # k-NN distances cost n^2: 10,000 points take seconds
        if n > metrics.KNN_K:  # the floor: what a perfect generator (a second sample of the target) scores
            figures.update(knn_kl=metrics.knn_kl(real[:n], fake[:n]),
                           knn_kl_floor=metrics.knn_kl(real[:n], second_real[:n]))
        else:
            figures.update(knn_kl=float("nan"), knn_kl_floor=float("nan"))  # too few points: null
    return figures


def train_command(args: argparse.Namespace) -> int:
    from gan_core.checkpoint import save_checkpoint
    from gan_core.step_record import NonFiniteError

    check_args(args)
    preset = read_preset(args.preset) if args.preset is not None else None
    changes = parse_settings(args)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    trainer = make_trainer(args, changes, preset)
    start_iteration = trainer.iteration
    t0 = time.perf_counter()
    try:
        if args.seconds is None:
            trainer.train(DEFAULT_STEPS if args.steps is None else args.steps)
        else:  # whole iterations until the time is up: the clock is read between them
            while time.perf_counter() - t0 < args.seconds:
                trainer.step()
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
        "preset": preset.name if preset is not None else None,
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
