"""Named, seeded settings for the lessons, each with a sentence on what to watch."""

from __future__ import annotations

from dataclasses import dataclass

from gan_core.config import TrainConfig


@dataclass(frozen=True)
class Preset:
    name: str
    config: TrainConfig
    what_to_watch: str
    kind: str = "neutral"  # "collapse", "cure" or "neutral": how the lesson uses it


# The 2D toys. Cures were chosen by short headless runs (bench/toy_quality.py measures them):
# both make D see several samples at once, so a generator that repeats itself is caught.
# Batch 512 halves the noise in G's gradient, which is what lets the fakes settle within
# 3 sigma (0.06 on the ring, 0.15 on the grid) of the centres.
_CURE = dict(loss="nonsaturating", batch_size=512, lr_d=1e-3, lr_g=1e-3, seed=0)

TOY_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("Ring of 8: plain GAN",
               TrainConfig(target="ring8", loss="nonsaturating", batch_size=256, seed=0),
               "A plain GAN on the ring of 8: watch the per-mode histogram as G chases D around "
               "the ring.", "neutral"),
        Preset("Ring of 8: mode collapse (G outruns D)",
               TrainConfig(target="ring8", loss="nonsaturating", batch_size=256, lr_d=1e-4,
                           lr_g=2e-3, seed=0),
               "G learns twenty times faster than D: all fakes bunch into one tight clump that "
               "hops from place to place around the ring as D catches up, and the mode histogram "
               "shows at most one bar at a time.", "collapse"),
        Preset("Ring of 8: cure by minibatch std",
               TrainConfig(target="ring8", minibatch_std=True, **_CURE),
               "D also sees how spread out the whole batch is, so a collapsed clump gives itself "
               "away: watch the fakes split into eight groups and every bar of the mode histogram "
               "come alive.", "cure"),
        Preset("Ring of 8: cure by PacGAN packing",
               TrainConfig(target="ring8", pack=2, **_CURE),
               "D judges fakes in pairs (PacGAN2), and two fakes from the same mode look "
               "suspicious together: watch G spread over all eight modes and then tighten onto "
               "them.", "cure"),
        Preset("Grid of 25: plain GAN",
               TrainConfig(target="grid25", loss="nonsaturating", batch_size=256, seed=0),
               "A plain GAN on the grid of 25, the baseline for the two cures below: compare its "
               "mode histogram and HQ % with theirs.", "neutral"),
        Preset("Grid of 25: cure by minibatch std",
               TrainConfig(target="grid25", minibatch_std=True, **_CURE),
               "The same minibatch-std cure on 25 modes: watch the warped z grid fold into 25 "
               "cells, one per mode, and the empty bars fill.", "cure"),
        Preset("Grid of 25: cure by PacGAN packing",
               TrainConfig(target="grid25", pack=2, **_CURE),
               "PacGAN2 on 25 modes: watch the mode histogram fill row by row as pairs of "
               "look-alike fakes are punished.", "cure"),
    )
}


# MNIST runs share these settings: 100-d Gaussian noise, tanh output for images in [-1, 1].
# Two rollback snapshots, not five: one snapshot of the seed MLP with its Adam state is ~34 MiB,
# and a class of 30 tabs must fit in the server's memory (docs/BENCHMARKS.md, "Load").
_MNIST = dict(target="mnist", z_dim=100, g_output="tanh", loss="nonsaturating", adam_beta1=0.5,
              snapshots_kept=2)

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
               TrainConfig(**_MNIST, arch="dcgan", g_width=32, d_width=32, g_activation="relu",
                           d_activation="leaky_relu", d_dropout=0.0, init="normal02",
                           batch_size=64, lr_d=5e-4, lr_g=5e-4, real_label=0.9, seed=0),
               "Convolutions know that nearby pixels belong together: all ten digits appear "
               "within a few hundred iterations and sharpen over the next thousand (the digit "
               "histogram evens out more slowly).", "cure"),
        Preset("collapsed MLP (G outruns D)",
               TrainConfig(**_MNIST, arch="seed_mlp", g_activation="leaky_relu",
                           d_activation="leaky_relu", d_dropout=0.0, init="xavier",
                           batch_size=64, lr_d=1e-4, lr_g=2e-3, real_label=1.0, seed=0),
               "G learns ten times faster than D: it finds a few digits D accepts and keeps "
               "drawing them. Watch the digit histogram pile onto a few bars.", "collapse"),
    )
}
