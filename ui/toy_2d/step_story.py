"""The sub-steps of one update, named in order with the real numbers of the update that just
ran (Trainer.last_batch and its StepRecord): what GAN Lab's slow-motion mode names, with values."""

from __future__ import annotations

import math

from gan_core.config import TrainConfig
from gan_core.inactive_settings import labels_apply

G_LOSS_WORDS = {
    "minimax": "log(1 − D(G(z))) (saturating)",
    "nonsaturating": "−log D(G(z)) (non-saturating: fakes labelled “real”)",
    "least_squares": "½(D(G(z)) − 1)²",
    "wgan_gp": "−D(G(z)) (critic score)",
    "hinge": "−D(G(z)) (critic score)",
}


def _pt(v) -> str:
    return "(" + ", ".join(f"{x:.2f}" for x in v[:2]) + ")"


def _prior(config: TrainConfig) -> str:
    return "N(0, I)" if config.noise == "gaussian" else "U(−1, 1)"


def _lr_words(record: dict, base_lr: float, config: TrainConfig) -> str:
    """The learning rate the update used (its record's), not the base rate the settings hold: with
    a half-life they differ (0.003 set, 0.00075 used at iteration 1,400 with half-life 700)."""
    used = record.get("lr", math.nan)
    if used is None or not math.isfinite(used):
        used = base_lr  # a record from before records carried the rate: only the constant rate is known
    if config.lr_half_life > 0:
        return f"lr {used:.3g}: the base {base_lr:g} on its half-life schedule of {config.lr_half_life:,} iterations"
    return f"lr {used:.3g}"


def step_story(numbers: dict, record: dict, config: TrainConfig) -> list[tuple[str, str]]:
    """[(sub-step name, what happened with numbers)] for the latest update.

    numbers: ui.toy_2d.render_data.batch_numbers(trainer.last_batch); record: the latest StepRecord
    as {field: value}. Empty when nothing has run yet (or right after a rollback)."""
    if not numbers or not record:
        return []
    b, kind = numbers["batch"], numbers["kind"]
    z = f"{b} noise vectors z ~ {_prior(config)} in {config.z_dim}D; the first is z = {_pt(numbers['z0'])}."
    if kind == "D":
        penalty = record.get("penalty", 0.0)
        penalty_txt = f" + penalty {penalty:.4f}" if penalty and not math.isnan(penalty) and penalty != 0 else ""
        # name the labels only where the loss reads them (WGAN-GP and hinge ignore them)
        labelled = labels_apply(config.loss)
        real_label_txt = f" (label {config.real_label:g})" if labelled else ""
        fake_label_txt = f" (label {config.fake_label:g})" if labelled else ""
        no_labels_txt = "" if labelled else f" (the {config.loss} loss uses no labels)"
        return [
            ("1. Sample z", z),
            ("2. G makes fakes", f"G (frozen, no gradient) maps them to fakes; the first lands at "
                                 f"{_pt(numbers['fake0'])}. A real batch of {b} is drawn too; "
                                 f"the first real point is {_pt(numbers['real0'])}."),
            ("3. D scores real and fake", f"mean D(x) = {numbers['p_real_mean']:.3f} on real, "
                                          f"mean D(G(z)) = {numbers['p_fake_mean']:.3f} on fakes "
                                          f"(accuracy {record['d_accuracy']:.0%})."),
            ("4. Loss terms", f"real error {record['loss_d_real']:.4f}{real_label_txt} + "
                              f"fake error {record['loss_d_fake']:.4f}{fake_label_txt}"
                              f"{penalty_txt} = D loss {record['loss_d']:.4f}{no_labels_txt}."),
            ("5. Gradients", f"backpropagation through D only: ‖∇ D's weights‖ = {record['grad_norm']:.4f}."),
            ("6. Update", f"{config.optimizer.upper()} moves D's weights ({_lr_words(record, config.lr_d, config)}); "
                        "G is unchanged."),
        ]
    return [
        ("1. Sample z", z),
        ("2. G makes fakes", f"G maps them to fakes, keeping the graph; the first lands at {_pt(numbers['fake0'])}."),
        ("3. D scores the fakes", f"D (frozen, just updated) gives mean D(G(z)) = {numbers['p_fake_mean']:.3f}. "
                                  "G never sees a real sample."),
        ("4. G's loss", f"{G_LOSS_WORDS[config.loss]} = {record['loss_g']:.4f}."),
        ("5. Gradients", f"backpropagation through D into G: ‖∇ G's weights‖ = {record['grad_norm']:.4f}."),
        ("6. Update", f"{config.optimizer.upper()} moves G's weights ({_lr_words(record, config.lr_g, config)}); "
                    "D is unchanged. Iteration done."),
    ]
