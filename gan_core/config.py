"""TrainConfig: every knob of a GAN run, validated, with its default. The one place defaults live."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "elu")
NOISE_PRIORS = ("gaussian", "uniform")
OPTIMIZERS = ("adam", "sgd")
LOSSES = ("minimax", "nonsaturating", "least_squares", "wgan_gp", "hinge")
INITS = ("xavier", "normal02", "default")
G_OUTPUTS = ("linear", "tanh", "sigmoid")
ARCHITECTURES = ("mlp", "seed_mlp", "dcgan")

# Fields that may change between steps without rebuilding models or optimizers.
LIVE_FIELDS = frozenset({
    "batch_size", "lr_d", "lr_g", "adam_beta1", "adam_beta2", "sgd_momentum", "d_steps",
    "loss", "gp_weight", "r1_gamma", "real_label", "fake_label", "noise",
    "ema_decay", "lr_half_life", "instance_noise",
})

# Limits that keep a classroom laptop alive; absurd values are refused, not attempted.
MAX_BATCH = 8192
MAX_WIDTH = 2048
MAX_DEPTH = 8
MAX_Z_DIM = 256
MAX_CUSTOM_POINTS = 5000
MAX_POINT_ABS = 100.0  # a drawn point's |x| and |y|: a toy plane (1e300 overflowed the target's statistics)

# The one table of numeric ranges (inclusive): _validate refuses values outside them, and
# classroom.sharing clamps shared settings into them. Integer fields are those whose default is an int.
FIELD_BOUNDS: dict[str, tuple] = {
    "z_dim": (1, MAX_Z_DIM),
    "g_depth": (1, MAX_DEPTH),
    "g_width": (1, MAX_WIDTH),
    "d_depth": (1, MAX_DEPTH),
    "d_width": (1, MAX_WIDTH),
    "d_dropout": (0.0, 0.9),
    "pack": (1, 16),
    "seed": (0, 2**31 - 1),
    "batch_size": (2, MAX_BATCH),
    "lr_d": (1e-7, 1.0),
    "lr_g": (1e-7, 1.0),
    "adam_beta1": (0.0, 0.9999),
    "adam_beta2": (0.0, 0.99999),
    "sgd_momentum": (0.0, 0.999),
    "d_steps": (1, 50),
    "gp_weight": (0.0, 1000.0),
    "r1_gamma": (0.0, 1000.0),
    "real_label": (0.5, 1.0),
    "ema_decay": (0.0, 0.9999),
    "lr_half_life": (0, 10_000_000),
    "instance_noise": (0.0, 2.0),
    "fake_label": (0.0, 0.5),
    "history_len": (10, 1_000_000),
    "snapshot_every": (1, 1_000_000),
    "snapshots_kept": (1, 100),
}
# Ranges of the aliases normalize_changes() accepts (label_smoothing s means real_label = 1 - s).
ALIAS_BOUNDS: dict[str, tuple] = {"label_smoothing": (0.0, 0.5)}

# Fields restricted to a fixed set of names ("target" is checked against
# gan_core.distributions.TARGETS plus "mnist"; see field_choices()).
FIELD_CHOICES: dict[str, tuple] = {
    "arch": ARCHITECTURES,
    "g_activation": ACTIVATIONS,
    "d_activation": ACTIVATIONS,
    "g_output": G_OUTPUTS,
    "init": INITS,
    "optimizer": OPTIMIZERS,
    "noise": NOISE_PRIORS,
    "loss": LOSSES,
}


class RebuildRequired(ValueError):
    """Raised by Trainer.update() for changes that need fresh models (architecture, seed, target)."""


@dataclass(frozen=True)
class TrainConfig:
    # --- data -------------------------------------------------------------------------------
    target: str = "ring8"  # a name from gan_core.distributions.TARGETS, or "mnist"
    custom_points: tuple = ()  # ((x, y), ...) for target "custom": a mixture centred on them
    # --- architecture (changing these needs a rebuild) ---------------------------------------
    arch: str = "mlp"  # "mlp" (uniform widths), "seed_mlp" (G 256-512-1024, D 1024-512-256), "dcgan" (28x28)
    z_dim: int = 2  # noise dimension; 2 lets the page draw G's warped z grid, MNIST uses 100
    g_depth: int = 3  # hidden layers in G
    g_width: int = 128  # units per hidden layer of G
    g_activation: str = "relu"
    g_output: str = "linear"  # G's output nonlinearity: linear for toys, tanh for images in [-1, 1]
    d_depth: int = 3  # hidden layers in D
    d_width: int = 128  # units per hidden layer of D
    d_activation: str = "leaky_relu"
    d_dropout: float = 0.0  # dropout after each hidden layer of D (the seed tutorials use 0.3)
    pack: int = 1  # PacGAN packing: D judges `pack` samples at once (1 = plain GAN)
    minibatch_std: bool = False  # append the minibatch standard deviation to D's last hidden layer
    spectral_norm: bool = False  # divide each of D's weight layers by its largest singular value (SNGAN)
    init: str = "xavier"  # "xavier" (TF seed), "normal02" (DCGAN's N(0, 0.02)), "default" (PyTorch's)
    optimizer: str = "adam"  # "adam" or "sgd"
    seed: int = 0  # seeds weights, noise and data sampling: same config + seed = same run
    device: str = "cpu"
    # --- live knobs (Trainer.update() changes these between steps) ----------------------------
    noise: str = "gaussian"  # noise prior: "gaussian" N(0, I) or "uniform" U(-1, 1)
    batch_size: int = 256  # samples of real and of fake data per update
    lr_d: float = 1e-3  # discriminator learning rate
    lr_g: float = 1e-3  # generator learning rate
    adam_beta1: float = 0.5  # DCGAN's advice: 0.5 instead of 0.9 steadies GAN training
    adam_beta2: float = 0.999
    sgd_momentum: float = 0.0
    d_steps: int = 1  # k of Algorithm 1: D updates per G update
    loss: str = "nonsaturating"  # minimax | nonsaturating | least_squares | wgan_gp | hinge
    gp_weight: float = 10.0  # lambda of the WGAN-GP gradient penalty (loss "wgan_gp" only)
    r1_gamma: float = 0.0  # R1 penalty gamma/2 * E||grad D(x_real)||^2; 0 disables it
    real_label: float = 1.0  # target for real samples; 0.9 = one-sided label smoothing of 0.1
    fake_label: float = 0.0  # target for fake samples; keep 0 (two-sided smoothing hurts)
    ema_decay: float = 0.0  # keep an exponential moving average of G's weights (e.g. 0.999); 0 = off
    lr_half_life: int = 0  # iterations over which both learning rates (and instance noise) halve; 0 = constant
    instance_noise: float = 0.0  # std of Gaussian noise added to every input D sees in training; 0 = off
    # --- bookkeeping --------------------------------------------------------------------------
    history_len: int = 20000  # per-update records kept; older ones are dropped
    snapshot_every: int = 200  # iterations between automatic rollback snapshots
    snapshots_kept: int = 5

    @property
    def label_smoothing(self) -> float:
        """One-sided label smoothing as the tutorials name it: real label = 1 - smoothing."""
        return round(1.0 - self.real_label, 12)

    def __post_init__(self) -> None:
        _validate(self)

    def replace(self, **changes: Any) -> "TrainConfig":
        """A validated copy with `changes`; accepts `label_smoothing=s` for `real_label=1-s`."""
        return dataclasses.replace(self, **normalize_changes(changes))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["custom_points"] = [list(p) for p in self.custom_points]
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        """Build from a dict (checkpoint, JSON preset); unknown keys are refused by name."""
        known = {f.name for f in dataclasses.fields(cls)}
        data = normalize_changes(dict(data))
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        return cls(**data)


def normalize_changes(changes: dict) -> dict:
    """Map aliases onto fields and coerce types (custom_points to tuples)."""
    changes = dict(changes)
    if "label_smoothing" in changes:
        s = changes.pop("label_smoothing")
        _check_number("label_smoothing", s, *ALIAS_BOUNDS["label_smoothing"])
        changes["real_label"] = round(1.0 - float(s), 12)
    if "custom_points" in changes:
        pts = changes["custom_points"]
        try:
            changes["custom_points"] = tuple((float(p[0]), float(p[1])) for p in pts)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"custom_points must be a list of (x, y) pairs, got {pts!r}") from exc
    return changes


def field_types() -> dict[str, type]:
    """Python type of each field's default: used to parse `--set key=value` and query strings."""
    return {f.name: type(getattr(TrainConfig(), f.name)) for f in dataclasses.fields(TrainConfig)}


def field_choices() -> dict[str, tuple]:
    """The allowed names of every choice field, "target" included."""
    from gan_core.distributions import TARGETS  # local: distributions imports nothing from here

    return {"target": tuple(TARGETS) + ("mnist",), **FIELD_CHOICES}


def _check_choice(name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _check_int(name: str, value: Any, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {value!r}")


def _check_number(name: str, value: Any, lo: float, hi: float) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not (lo <= float(value) <= hi):  # also rejects NaN
        raise ValueError(f"{name} must be a number in [{lo}, {hi}]; got {value!r}")


def _bounded(c: TrainConfig, name: str) -> None:
    """Check field `name` against its FIELD_BOUNDS range, as an integer if its default is one."""
    lo, hi = FIELD_BOUNDS[name]
    check = _check_int if isinstance(lo, int) else _check_number
    check(name, getattr(c, name), lo, hi)


def _validate(c: TrainConfig) -> None:
    choices = field_choices()
    _check_choice("target", c.target, choices["target"])
    if c.target == "custom" and len(c.custom_points) < 1:
        raise ValueError("custom_points must hold at least one (x, y) point for target 'custom'")
    if len(c.custom_points) > MAX_CUSTOM_POINTS:
        raise ValueError(f"custom_points holds {len(c.custom_points)} points; the limit is {MAX_CUSTOM_POINTS}")
    for point in c.custom_points:  # a NaN or 1-D point would only fail later, inside the Trainer
        if not (isinstance(point, (tuple, list)) and len(point) == 2
                and all(isinstance(v, (int, float)) and math.isfinite(v) for v in point)):
            raise ValueError(f"custom_points must hold finite (x, y) pairs; got {point!r}")
        if any(abs(v) > MAX_POINT_ABS for v in point):
            raise ValueError(f"custom_points must lie within ±{MAX_POINT_ABS:g}; got {point!r}")
    _check_choice("arch", c.arch, choices["arch"])
    if c.arch == "dcgan" and c.target != "mnist":
        raise ValueError(f"arch 'dcgan' needs 28x28 images (target 'mnist'); got target {c.target!r}")
    _bounded(c, "z_dim")
    for who in ("g", "d"):
        _bounded(c, f"{who}_depth")
        _bounded(c, f"{who}_width")
        _check_choice(f"{who}_activation", getattr(c, f"{who}_activation"), choices[f"{who}_activation"])
    _check_choice("g_output", c.g_output, choices["g_output"])
    _bounded(c, "d_dropout")
    _bounded(c, "pack")
    for name in ("minibatch_std", "spectral_norm"):
        if not isinstance(getattr(c, name), bool):
            raise ValueError(f"{name} must be true or false; got {getattr(c, name)!r}")
    _check_choice("init", c.init, choices["init"])
    _check_choice("optimizer", c.optimizer, choices["optimizer"])
    _bounded(c, "seed")
    if not isinstance(c.device, str) or not (c.device == "cpu" or c.device.startswith("cuda")):
        raise ValueError(f"device must be 'cpu' or 'cuda[:n]'; got {c.device!r}")
    _check_choice("noise", c.noise, choices["noise"])
    _bounded(c, "batch_size")
    if c.batch_size % c.pack:
        raise ValueError(f"batch_size {c.batch_size} must be a multiple of pack {c.pack}")
    for name in ("lr_d", "lr_g", "adam_beta1", "adam_beta2", "sgd_momentum", "d_steps"):
        _bounded(c, name)
    _check_choice("loss", c.loss, choices["loss"])
    for name in ("gp_weight", "r1_gamma", "real_label", "fake_label", "ema_decay", "lr_half_life",
                 "instance_noise", "history_len", "snapshot_every", "snapshots_kept"):
        _bounded(c, name)
