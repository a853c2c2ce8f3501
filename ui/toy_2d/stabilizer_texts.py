"""The stabilisers, explained once: one paragraph each (what it does, why it helps), read by the
2D lab's Stabilisers tab and preset panel, and by the side-by-side page when a stabiliser is the
compared setting. Plain data, no Streamlit: tests read the same table.

    STABILIZERS["ema_decay"].paragraph     the student-level explanation
    stabilizer_for("lr_d")                 the entry a setting belongs to (two-time-scale), or None
    active_words(config)                   "EMA of G 0.99 · lr half-life 1,000" for the settings in use
"""

from __future__ import annotations

from dataclasses import dataclass

from gan_core.config import TrainConfig


@dataclass(frozen=True)
class Stabilizer:
    name: str  # what the page calls it
    fields: tuple[str, ...]  # the TrainConfig fields it is set by
    where: str  # where a teacher finds its control on the 2D lab
    paragraph: str  # one paragraph, student level: what it does and why it helps
    source: str  # the paper it comes from


STABILIZERS: dict[str, Stabilizer] = {s.fields[0]: s for s in (
    Stabilizer(
        "Exponential moving average (EMA) of G's weights", ("ema_decay",),
        "More settings → Stabilisers; beside the main view, “Show trained G too”",
        "The app keeps a second copy of the generator that is never trained: after every G update its "
        "weights move a little towards the trained G's, average ← d·average + (1 − d)·G, so with decay "
        "d = 0.99 it remembers roughly the last 1/(1 − d) = 100 updates. A GAN often does not settle on "
        "its equilibrium but circles around it, G chasing D and D chasing G; the average of points on a "
        "circle lies near its centre, so the averaged G is usually closer to the goal than the G being "
        "trained at any moment, and its samples are steadier and sharper. Training itself is unchanged "
        "(D only ever sees the trained G): the average is what the views, the metrics and the sample "
        "grids show. Turn on “Show trained G too” to see both sets of fakes on the same noise.",
        "Yazıcı et al. 2019, “The unusual effectiveness of averaging in GAN training”"),
    Stabilizer(
        "Learning-rate decay (half-life)", ("lr_half_life",),
        "More settings → Stabilisers; the schedule is the “Learning rates” chart under the main view",
        "Both learning rates shrink as training goes on: lr = base lr × 0.5^(iteration ÷ half-life), so "
        "with a half-life of 1,000 iterations they are half as large at iteration 1,000 and a quarter at "
        "2,000. Large steps early let G find the rough shape of the data quickly; small steps later let "
        "the two players settle instead of overshooting each other and circling the equilibrium. Too short "
        "a half-life freezes training before G has found every mode. Instance noise, when on, shrinks on "
        "the same curve. The learning-rate chart on the time axis shows the rates each update used.",
        "step decay as in most GAN training recipes; annealed noise: Sønderby et al. 2016"),
    Stabilizer(
        "Spectral normalisation of D", ("spectral_norm",),
        "Architecture & your own target → “Spectral normalisation of D” (a rebuild restarts the run)",
        "Every weight matrix of D is divided by its largest singular value, the most that layer can "
        "stretch any input (recomputed after every D update, to within 1 %). LeakyReLU never stretches "
        "either, so this page's D, built of such layers, is 1-Lipschitz: its logit cannot change faster "
        "than its input moves, and it cannot become a cliff that is 1 on the data and 0 a hair away from "
        "it. (Dropout, when on, scales by 1/(1 − p) while D trains.) A smooth D keeps its gradient bounded "
        "and pointing from the fakes towards the data, which is exactly the signal G learns from. On the "
        "MNIST page's DCGAN it is a brake, not a bound: a convolution sliding over an image can stretch it "
        "more than its weight matrix does (measured up to 1.6 for D's first, 1.45 for its second), and the "
        "BatchNorm after the second one multiplies channels by factors that grow as D trains (6 to 25 by "
        "iteration 200), so that D is not 1-Lipschitz. It changes D's architecture, so turning it on or "
        "off builds new networks.",
        "Miyato et al. 2018, “Spectral normalization for generative adversarial networks”"),
    Stabilizer(
        "Instance noise", ("instance_noise",),
        "More settings → Stabilisers",
        "Gaussian noise with the chosen standard deviation is added to every sample D sees in training, "
        "real and fake alike. Early on the real data and G's fakes can sit on thin, separate sets (each "
        "mode of the ring is a blob with standard deviation 0.02); a D can then separate them perfectly, and a perfect "
        "D's gradient says little about which way G should move. Blurred by the same noise, the two "
        "distributions overlap, D cannot be perfectly sure, and its gradient points G towards the data. "
        "The blur is the same for both sides, so G still wins only by matching the data; with a "
        "learning-rate half-life the noise fades on the same schedule and D ends up seeing sharp data.",
        "Sønderby et al. 2016; Arjovsky and Bottou 2017"),
    Stabilizer(
        "R1 penalty", ("r1_gamma",),
        "More settings → R1 penalty γ",
        "D's loss gains γ/2 times the mean squared length of D's gradient at the real samples. D is "
        "punished for being steep on the data, so at the equilibrium, where the fakes sit on the data, D "
        "is flat there and stops pushing; without it D and G can keep circling each other. Larger γ means "
        "a smoother D and slower but steadier training.",
        "Mescheder et al. 2018, “Which training methods for GANs do actually converge?”"),
    Stabilizer(
        "Two time-scales (separate learning rates for D and G)", ("lr_d", "lr_g"),
        "More settings → D learning rate, G learning rate",
        "D and G get their own learning rates. G learns only through D's gradient, so that gradient should "
        "describe today's G: a D that learns at least as fast as G (often faster) keeps up with where the "
        "fakes are. When G outruns D, G piles onto whatever spot D currently likes best and collapses "
        "(the ring's collapse preset); the two time-scale update rule (TTUR) is proven to converge, under "
        "assumptions, when D's learning rate is the larger one.",
        "Heusel et al. 2017, “GANs trained by a two time-scale update rule”"),
)}


def stabilizer_for(field: str) -> Stabilizer | None:
    """The stabiliser a setting belongs to (lr_g -> two time-scales), or None."""
    return next((s for s in STABILIZERS.values() if field in s.fields), None)


def active_words(config: TrainConfig) -> list[str]:
    """Short words for the stabilisers `config` switches on (the two learning rates aside)."""
    words = []
    if config.ema_decay > 0:
        words.append(f"EMA of G {config.ema_decay:g}")
    if config.lr_half_life > 0:
        words.append(f"lr half-life {config.lr_half_life:,}")
    if config.instance_noise > 0:
        words.append(f"instance noise {config.instance_noise:g}")
    if config.spectral_norm:
        words.append("spectral norm in D")
    if config.r1_gamma > 0:
        words.append(f"R1 γ {config.r1_gamma:g}")
    return words
