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


TOY_PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("Ring of 8: plain GAN",
               TrainConfig(target="ring8", loss="nonsaturating", batch_size=256, seed=0),
               "A plain GAN on the ring of 8: watch the per-mode histogram as G chases D around "
               "the ring.", "neutral"),
    )
}
