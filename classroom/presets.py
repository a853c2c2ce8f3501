"""Named, seeded settings for the lessons, each with a sentence on what to watch: the pages' preset tables,
kept in the classroom runtime (the engine, gan_core, trains whatever TrainConfig it is given)."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, fields

from classroom.sharing import preset_from_json
from gan_core.config import TrainConfig


@dataclass(frozen=True)
class Try:
    """A setting the class can move against a collapse, and what it did to the preset (measured)."""

    setting: str  # a TrainConfig field or alias ("label_smoothing", "batch_size", "pack", ...)
    finding: str  # one measured sentence: what it does to this preset (bench/toy_quality.py)


@dataclass(frozen=True)
class Preset:
    name: str
    config: TrainConfig
    what_to_watch: str
    kind: str = "neutral"  # "collapse", "cure", "quality" (best quality) or "neutral": how the lesson uses it
    cure_of: str = ""  # a cure: the name of the collapse preset it differs from in one setting
    cure_setting: str = ""  # a cure: that one TrainConfig field (differing_fields() checks it)
    cure_effect: str = ""  # a cure: what changing that setting does, in one sentence
    tries: tuple[Try, ...] = ()  # a collapse: settings the class can try, with what they did
    notes: tuple[str, ...] = ()  # read from a preset file: what its decoding refused or adjusted


def differing_fields(a: TrainConfig, b: TrainConfig) -> list[str]:
    """The TrainConfig fields whose values differ between `a` and `b`, in declaration order."""
    return [f.name for f in fields(TrainConfig) if getattr(a, f.name) != getattr(b, f.name)]


def cures_of(name: str, registry: dict[str, Preset] | None = None) -> list[Preset]:
    """The cure presets of the collapse preset `name`."""
    return [p for p in (registry or TOY_PRESETS).values() if p.kind == "cure" and p.cure_of == name]


# Words the page uses for the settings a cure or a try changes (tests check the page names them).
SETTING_WORDS = {
    "lr_d": "D learning rate", "lr_g": "G learning rate", "pack": "PacGAN packing",
    "minibatch_std": "minibatch std", "loss": "loss", "d_steps": "D steps",
    "batch_size": "batch size", "label_smoothing": "label smoothing", "real_label": "label smoothing",
}

# The 2D toys. Chosen by seeded headless runs counted in iterations; their promises are checked
# on seeds nobody searched on (10-19; searched on 0-4) by bench/preset_seeds.py, whose tables are in
# docs/BENCHMARKS.md ("Presets on untuned seeds"). Times quote the 2D lab's play rate at batch 256,
# 106 it/s on the quiet 2-core machine (docs/BENCHMARKS.md, "Toy quality by iterations").
# The collapse: D learns 50x slower than G (2e-5 vs 1e-3), so G always stands on the one spot D
# currently likes best. At 5e-5 (20x) D caught up within 19,100 iterations on 2 of 3 untuned seeds
# (issue 20). The cure is one setting: D's learning rate raised to G's, which makes it the plain
# GAN. PacGAN packing and minibatch std do not cure this collapse (searched, seed 0: with D this
# slow they give it evidence it cannot learn from in time), so they are not offered as cures of it.
_RING = dict(target="ring8", loss="nonsaturating", batch_size=256, seed=0)
_RING_COLLAPSE = "Ring of 8: mode collapse (G outruns D)"

TOY_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("Ring of 8: plain GAN",
               TrainConfig(**_RING, lr_d=1e-3, lr_g=1e-3),
               "A plain GAN on the ring of 8, D and G both learning at 1e-3: watch the per-mode "
               "histogram as G chases D around the ring until all eight bars stand: within 250-1,250 "
               "iterations (under 15 s of play) on 10 of 10 untuned seeds.", "neutral"),
        Preset(_RING_COLLAPSE,
               TrainConfig(**_RING, lr_d=2e-5, lr_g=1e-3),
               "G learns fifty times faster than D: all fakes bunch into one tight clump, most "
               "often between the modes, that drifts as D slowly catches up, and the mode histogram "
               "shows at most two bars. Measured: at most 2 of 8 modes at every check for 10,000 "
               "iterations (about 95 s of play) on 10 of 10 untuned seeds; longer was not measured "
               "at this D rate.", "collapse",
               tries=(
                   Try("label_smoothing", "Set to 0.1 or 0.3 before Play, it left the collapse as it was on 3 of 3 "
                           "seeds (at most 2 of 8 modes at any check in 6,400 iterations, about 60 s "
                           "of play), measured with D at 5e-5, before D was slowed to 2e-5: smoothing "
                           "tempers an overconfident D, and this D is not overconfident but slow."),
                   Try("batch_size", "Set to 64 or 1024 before Play, it left the collapse as it was on 3 of 3 "
                           "seeds (at most 2 of 8 modes at any check in about 60 s of play), measured "
                           "with D at 5e-5, before D was slowed to 2e-5: the batch changes how noisy "
                           "each step is, not how fast D learns."),
               )),
        Preset("Ring of 8: cure by a faster D (D learning rate 1e-3)",
               TrainConfig(**_RING, lr_d=1e-3, lr_g=1e-3),
               "Same run, but the D learning rate is 1e-3 like G's: D reshapes itself as fast as G "
               "moves, so the clump is punished wherever it lands. Watch it split: all eight modes "
               "with >= 90 % of fakes within 3 sigma after 1,500-2,500 iterations (15-24 s of play) "
               "on 10 of 10 untuned seeds. It can still wobble on the way.", "cure",
               cure_of=_RING_COLLAPSE, cure_setting="lr_d",
               cure_effect="D learns as fast as G, so D lowers its score under the clump before "
                           "G can pile onto the next spot, and G is pushed to spread out."),
        # Batch 512, not the ring's 256: at 256 one untuned seed in ten never found a mode and one
        # stopped at 94.4 % (docs/BENCHMARKS.md, "Presets on untuned seeds"); the larger batch was
        # searched on seeds 0-5 and kept its promise on all of them.
        Preset("Ring of 8: best quality (EMA + learning-rate decay)",
               TrainConfig(**{**_RING, "batch_size": 512}, lr_d=3e-3, lr_g=3e-3, ema_decay=0.99,
                           lr_half_life=700),
               "The views show G's weight average (EMA 0.99); both rates start at 3e-3 and halve "
               "every 700 iterations, 512 samples a step, so the players settle instead of circling. "
               "On 10 of 10 untuned seeds all 8 modes hold >= 95 % of fakes within 3 sigma by "
               "1,500-2,250 iterations (about 20 s of training on one core here) and keep >= 90 % "
               "to 4,500.", "quality"),
        Preset("Grid of 25: best quality (uniform noise + EMA + decay)",
               TrainConfig(target="grid25", loss="nonsaturating", batch_size=512, lr_d=2e-3, lr_g=2e-3,
                           noise="uniform", ema_decay=0.999, lr_half_life=6000,
                           minibatch_std=True, seed=0),
               "Uniform noise fills a square, which folds onto a 5 x 5 grid more easily than a round "
               "blob; batch 512, EMA 0.999, rates halving every 6,000 iterations and D's minibatch "
               "std hold the modes. On 9 of 10 untuned seeds >= 23 of 25 modes had >= 80 % of fakes "
               "within 3 sigma by 3,000-9,750 iterations (28-92 s of play), 7 of them >= 90 % by "
               "3,500-7,500 (33-71 s); the tenth lost modes.", "quality"),
        Preset("Grid of 25: plain GAN",
               TrainConfig(target="grid25", loss="nonsaturating", batch_size=256, lr_d=1e-3,
                           lr_g=1e-3, seed=0),
               "A plain GAN on the grid of 25, D and G at 1e-3. After 6,400 iterations (about a "
               "minute of play) it held 22-25 of 25 modes on 9 of 10 untuned seeds (20 on the tenth) "
               "with 49-92 % of samples within 3 sigma: expect modes missing and many fakes between "
               "modes. No collapse-"
               "and-cure pair is offered on the grid: none has been shown to work here.", "neutral"),
    )
}


# MNIST runs share these settings: 100-d Gaussian noise, tanh output for images in [-1, 1].
# Two rollback snapshots, not five: one snapshot of the seed MLP with its Adam state is ~34 MiB,
# and a class of 30 tabs must fit in the server's memory (docs/BENCHMARKS.md, "Load").
_MNIST = dict(target="mnist", z_dim=100, g_output="tanh", loss="nonsaturating", adam_beta1=0.5,
              snapshots_kept=2)

# The fast DCGAN the best-quality preset starts from (both below).
_DCGAN_32 = dict(**_MNIST, arch="dcgan", g_width=32, d_width=32, g_activation="relu", d_activation="leaky_relu",
                 d_dropout=0.0, init="normal02", batch_size=64, lr_d=5e-4, lr_g=5e-4, real_label=0.9, seed=0)

MNIST_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("seed tutorial MLP (label smoothing 0.9)",
               TrainConfig(**_MNIST, arch="seed_mlp", g_activation="leaky_relu",
                           d_activation="leaky_relu", d_dropout=0.3, init="xavier",
                           batch_size=64, lr_d=2e-4, lr_g=2e-4, real_label=0.9, seed=0),
               "The seed tutorials' MLP GAN: G 100-256-512-1024-784, D 784-1024-512-256-1 with "
               "dropout 0.3, Adam 2e-4, real labels 0.9. Blobs turn into strokes, then digits; "
               "watch which digits appear first.", "neutral"),
        # Width 32 (not 64) runs ~1.9x the iterations per CPU second, and without D's dropout
        # and with Adam 5e-4 it beat the 64-wide 2e-4 version at equal CPU time (docs/BENCHMARKS.md).
        Preset("DCGAN (fast, all ten digits)",
               TrainConfig(**_DCGAN_32),
               "Convolutions know that nearby pixels belong together: all ten digits appear "
               "within a few hundred iterations and sharpen over the next thousand (the digit "
               "histogram evens out more slowly).", "cure"),
        # The DCGAN above plus the settings that paid in the searches (docs/BENCHMARKS.md, "MNIST
        # best quality", "MNIST quality: time to the target" and its searches): D judges pairs of
        # images (PacGAN2), which evened out the digit histogram; the views show the average of G's
        # weights (EMA 0.999); R1 (gamma 1) keeps D smooth on real digits (KL to uniform <= 0.05 by
        # 240-300 CPU s where the preset without it was at 0.067-0.091); and Adam's beta1 0, beta2
        # 0.99 (the pairing StyleGAN2 uses with R1, "Fourth search") reach in ~16,000 iterations the
        # confidence DCGAN's beta1 0.5 reached in 20,000-40,000. Longer averages, other rates,
        # batch 128, a wider G or D, top-k G updates and translated inputs did not lift it.
        Preset("DCGAN: best quality (pairs for D + EMA of G + R1)",
               TrainConfig(**{**_DCGAN_32, "adam_beta1": 0.0}, adam_beta2=0.99, pack=2, ema_decay=0.999,
                           r1_gamma=1.0),
               "The fast DCGAN with D judging pairs of images (PacGAN2), so a G that repeats one digit "
               "is easy to catch, an R1 penalty that keeps D smooth around real digits, Adam with "
               "β₁ 0 and β₂ 0.99, and the samples drawn by the average of G's recent weights (EMA). "
               "On 8 of 8 seeds on the bench (one core; 5 of them never tuned on): all ten digits and an "
               "even digit histogram (KL to uniform 0.017-0.037) by 5,000 iterations; the classifier's "
               "confidence in G's digits is 0.87-0.89 by 10,000 iterations and 0.88-0.89 by 15,000 "
               "(real digits: 0.98); none reached 0.9 within 15,000.",
               "quality"),
        Preset("collapsed MLP (G outruns D)",
               TrainConfig(**_MNIST, arch="seed_mlp", g_activation="leaky_relu",
                           d_activation="leaky_relu", d_dropout=0.0, init="xavier",
                           batch_size=64, lr_d=1e-4, lr_g=2e-3, real_label=1.0, seed=0),
               "G learns ten times faster than D: it finds a few digits D accepts and keeps "
               "drawing them. Watch the digit histogram pile onto a few bars.", "collapse"),
    )
}

# The tables find_preset searches and the command line lists, in this order: the dicts themselves,
# so a preset added to one while the program runs is found.
PRESET_TABLES: tuple[dict[str, Preset], ...] = (TOY_PRESETS, MNIST_PRESETS)


def find_preset(text: str) -> Preset:
    """The preset `text` names. A path (an existing file, or a name ending in .json) is a preset file
    saved from a page's "Share this setup" box, decoded onto TrainConfig's defaults; its `notes` say
    what was refused or adjusted. Otherwise a name in PRESET_TABLES: the exact name, else the one
    equal to it ignoring case, else the one containing it ignoring case. None or several, or a file
    whose decoding refused everything and changed nothing: ValueError, naming the choices."""
    if os.path.isfile(text) or text.strip().casefold().endswith(".json"):
        return _read_preset_file(text)
    entries = [p for table in PRESET_TABLES for p in table.values()]
    key = text.strip().casefold()
    if not key:
        raise ValueError(f"no preset name given; presets: {_names(entries) or 'none'}")
    for matches in ([p for p in entries if p.name == text],
                    [p for p in entries if p.name.casefold() == key],
                    [p for p in entries if key in p.name.casefold()]):
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"preset {text!r} matches {len(matches)} presets: {_names(matches)}; "
                             "give more of the name")
    folded = {p.name.casefold(): p for p in entries}
    close = [folded[n] for n in difflib.get_close_matches(key, list(folded), n=5, cutoff=0.4)]
    if close:
        raise ValueError(f"no preset matches {text!r}; close: {_names(close)}")
    raise ValueError(f"no preset matches {text!r}; presets: {_names(entries) or 'none'}")


def _names(entries: list[Preset]) -> str:
    return ", ".join(repr(p.name) for p in entries)


def _read_preset_file(path: str) -> Preset:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as exc:
        raise ValueError(f"preset file {path!r}: {exc.strerror or exc}") from None
    base = TrainConfig()
    decoded = preset_from_json(data, base)
    # A refusal of the whole file leaves only errors and the base: training it would run the
    # defaults under the file's name. A file that also set something trains, its refusals noted.
    if decoded.errors and decoded.config == base:
        raise ValueError(f"preset file {path!r}: {'; '.join(decoded.errors)}")
    name = decoded.extras.get("name") or path
    return Preset(name, decoded.config, decoded.extras.get("what_to_watch", ""),
                  notes=tuple(m.text for m in decoded.messages))
