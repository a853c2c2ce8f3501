"""gan_core.inactive_settings against training itself: a setting listed as inactive must leave the
weights bit-identical after a few iterations, and every live setting not listed must move them
(issue 12 item 6), for every loss and both optimizers."""

import pytest
import torch

from gan_core.config import LIVE_FIELDS, LOSSES, TrainConfig
from gan_core.inactive_settings import inactive_settings, labels_apply
from gan_core.trainer import Trainer

BASE = dict(target="ring8", g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=4)
# a second value for every live setting (the first is TrainConfig's default or BASE's)
OTHER = {"batch_size": 16, "lr_d": 2e-3, "lr_g": 2e-3, "adam_beta1": 0.9, "adam_beta2": 0.9,
         "sgd_momentum": 0.9, "d_steps": 2, "gp_weight": 1.0, "r1_gamma": 1.0, "real_label": 0.9,
         "fake_label": 0.1, "noise": "uniform", "ema_decay": 0.99, "lr_half_life": 100, "instance_noise": 0.1}


def _weights_after(config: TrainConfig, iterations: int = 3) -> list[torch.Tensor]:
    """G's, D's and the shown G's weights: the EMA of G's weights changes no training weight,
    only what the views show (trainer.shown_generator(): the average when there is one)."""
    t = Trainer(config)
    t.train(iterations)  # ≥ 2: Adam's first step is lr·sign(g) whatever β is; momentum acts from step 2
    return [p.detach().clone() for net in (t.generator, t.discriminator, t.shown_generator()) for p in net.parameters()]


def test_every_live_setting_but_the_loss_has_a_second_value():
    assert set(OTHER) == set(LIVE_FIELDS) - {"loss"}


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
@pytest.mark.parametrize("loss", LOSSES)
def test_listed_settings_change_nothing_and_the_others_change_training(loss, optimizer):
    base = TrainConfig(**BASE, loss=loss, optimizer=optimizer)
    reference = _weights_after(base)
    inactive = inactive_settings(base)
    for field, value in OTHER.items():
        changed = _weights_after(base.replace(**{field: value}))
        identical = all(torch.equal(a, b) for a, b in zip(reference, changed))
        assert identical == (field in inactive), (
            f"{field} under {loss}/{optimizer}: {'no effect' if identical else 'changes training'}, "
            f"but inactive_settings says {inactive.get(field, 'active')!r}")
        if field in inactive:
            assert inactive[field].startswith("No effect") and len(inactive[field]) > 30  # a reason, not a flag


@pytest.mark.parametrize("loss", LOSSES)
def test_label_smoothing_follows_real_label(loss):
    inactive = inactive_settings(TrainConfig(loss=loss))
    assert ("label_smoothing" in inactive) == ("real_label" in inactive) == (not labels_apply(loss))
    assert labels_apply(loss) == (loss in ("minimax", "nonsaturating", "least_squares"))
