"""Which settings have no effect under a configuration, and why: the one rule every control and
every sentence about labels reads, so a slider never accepts a value the training ignores.

    inactive_settings(config) -> {field: reason}     e.g. {"gp_weight": "…only WGAN-GP uses it…"}

Keys are TrainConfig field names plus "label_smoothing" (the alias of real_label the controls
use). tests/gan_core/test_inactive_settings.py checks the rule by training: changing a setting listed here
leaves the weights bit-identical, changing one not listed moves them.
"""

from __future__ import annotations

from gan_core.config import TrainConfig

# Losses whose discriminator objective has no real/fake labels (gan_core.losses): the critic
# scores of WGAN-GP and the fixed margins ±1 of the hinge loss. Labels are read only by BCE
# (minimax, non-saturating) and least squares.
LOSSES_WITHOUT_LABELS = {
    "wgan_gp": "the WGAN-GP critic loss −E[D(x)] + E[D(G(z))] has no labels",
    "hinge": "the hinge loss E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))] has fixed margins, no labels",
}


def labels_apply(loss: str) -> bool:
    """True when D's loss reads the real and fake labels (so smoothing changes training)."""
    return loss not in LOSSES_WITHOUT_LABELS


def inactive_settings(config: TrainConfig) -> dict[str, str]:
    """{setting: why it has no effect} for the settings `config` ignores: labels under WGAN-GP
    and hinge, the gradient penalty λ outside WGAN-GP, Adam's β under SGD, momentum under Adam."""
    inactive: dict[str, str] = {}
    if not labels_apply(config.loss):
        why = LOSSES_WITHOUT_LABELS[config.loss]
        inactive["real_label"] = inactive["label_smoothing"] = f"No effect with loss {config.loss}: {why}."
        inactive["fake_label"] = f"No effect with loss {config.loss}: {why}."
    if config.loss != "wgan_gp":
        inactive["gp_weight"] = (f"No effect with loss {config.loss}: the gradient penalty λ is part of the "
                                 "WGAN-GP loss only (R1 γ is the penalty for the other losses).")
    if config.optimizer == "sgd":
        inactive["adam_beta1"] = inactive["adam_beta2"] = "No effect: the optimizer is SGD, Adam's β are unused."
    else:
        inactive["sgd_momentum"] = "No effect: the optimizer is Adam (its β₁ plays momentum's part)."
    return inactive
