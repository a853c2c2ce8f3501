"""Which presets each page offers, read from the preset tables (classroom.presets): one
place, so the 2D lab's preset picker and a class's "push a preset" offer the same list."""

from __future__ import annotations

from gan_core.distributions import TARGETS_2D
from classroom.presets import TOY_PRESETS, Preset


def lab_2d_presets() -> dict[str, Preset]:
    """The 2D lab's presets: a 2D target, not the MNIST architecture (the registry also holds the
    1D lab's)."""
    return {name: p for name, p in TOY_PRESETS.items()
            if p.config.target in TARGETS_2D and p.config.arch != "dcgan"}
