"""The 2D toy presets: valid configs, reproducible by seed, and cures that beat the collapse."""

import numpy as np
import pytest
import torch

from gan_core.config import TrainConfig
from gan_core.metrics import target_mode_metrics
from gan_core.presets import TOY_PRESETS, Preset
from gan_core.trainer import Trainer

TOYS = [p for p in TOY_PRESETS.values() if p.config.target in ("ring8", "grid25")]
COLLAPSE = "Ring of 8: mode collapse (G outruns D)"
RING_CURES = ("Ring of 8: cure by minibatch std", "Ring of 8: cure by PacGAN packing")


def _weights(trainer: Trainer) -> list[torch.Tensor]:
    return [p.detach().clone() for net in (trainer.generator, trainer.discriminator)
            for p in net.parameters()]


def test_registry_has_a_collapse_and_two_different_cures_per_target():
    for target in ("ring8", "grid25"):
        cures = [p for p in TOYS if p.config.target == target and p.kind == "cure"]
        assert len(cures) >= 2
        # "different": one uses minibatch std, another PacGAN packing.
        assert {(p.config.minibatch_std, p.config.pack) for p in cures} == {(True, 1), (False, 2)}
    collapse = [p for p in TOYS if p.kind == "collapse"]
    assert [p.config.target for p in collapse] == ["ring8"]
    # The collapse sentence says "twenty times faster": keep the numbers honest.
    assert collapse[0].config.lr_g / collapse[0].config.lr_d == pytest.approx(20.0, rel=1e-9)


@pytest.mark.parametrize("preset", list(TOY_PRESETS.values()), ids=lambda p: p.name)
def test_preset_validates_round_trips_and_builds(preset: Preset):
    assert TOY_PRESETS[preset.name] is preset
    assert preset.kind in {"collapse", "cure", "neutral"}
    sentence = preset.what_to_watch.strip()
    assert 20 <= len(sentence) <= 400 and sentence.endswith(".")
    assert TrainConfig.from_dict(preset.config.to_dict()) == preset.config  # validates again
    trainer = Trainer(preset.config)
    dim = trainer.target.dim
    assert tuple(trainer.sample(7).shape) == (7, dim)
    records = trainer.step()
    assert [r.kind for r in records] == ["D"] * preset.config.d_steps + ["G"]
    assert trainer.iteration == 1


@pytest.mark.parametrize("name", [COLLAPSE, *RING_CURES, "Grid of 25: cure by PacGAN packing"])
def test_presets_replay_bit_identically_by_seed(name):
    config = TOY_PRESETS[name].config
    runs = []
    for seed in (config.seed, config.seed, config.seed + 1):
        t = Trainer(config.replace(seed=seed))
        t.train(5)
        runs.append(_weights(t))
    same, other = runs[0], runs[2]
    assert all(torch.equal(a, b) for a, b in zip(same, runs[1]))
    assert not all(torch.equal(a, b) for a, b in zip(same, other))


def _modes_by_iteration(name: str, checkpoints=(200, 250, 300)) -> list[int]:
    """Modes captured (2500 samples, VEEGAN protocol) after each checkpoint's iterations."""
    trainer = Trainer(TOY_PRESETS[name].config)
    eval_rng = torch.Generator().manual_seed(5)
    modes = []
    for it in checkpoints:
        trainer.train(it - trainer.iteration)
        samples = trainer.sample(2500, eval_rng).numpy()
        modes.append(target_mode_metrics(samples, trainer.target).modes_captured)
    return modes


@pytest.fixture(scope="module")
def collapse_modes() -> list[int]:
    return _modes_by_iteration(COLLAPSE)


@pytest.mark.slow
@pytest.mark.parametrize("cure", RING_CURES)
def test_cure_covers_more_modes_than_the_collapse_on_the_ring(cure, collapse_modes):
    cure_modes = _modes_by_iteration(cure)
    # Measured (seed 0, 1 thread): the collapse holds <= 1 mode at every checkpoint up to 600
    # iterations; the cures capture 4-8 of 8 at 200-300 iterations (a mode with a handful of
    # high-quality samples flickers between evaluations, hence the mean).
    assert max(collapse_modes) <= 2
    assert 5.0 <= np.mean(cure_modes) <= 8.0
    assert np.mean(cure_modes) - np.mean(collapse_modes) >= 3.5
