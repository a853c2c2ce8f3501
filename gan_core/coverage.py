"""Mode coverage in one shape for every lesson: which modes the generator draws, how often, and
which it never draws, for MNIST digits (read by the digit classifier) and for the 2D toys' mixture
modes (gan_core.metrics.mode_metrics). One `Coverage` record, one sentence style, one set of plots
(ui/figures/coverage.py), so both pages speak the same language.

Definitions: p_gen = counts / counts.sum(); a mode is *covered* when at least one sample falls in
it; KL(p_gen || target) in nats (target: uniform over the 10 digits for MNIST, the mixture
weights for a toy). The digit numbers come from gan_core.mnist_metrics (digit_histogram,
kl_to_uniform, missing_digits_sentence); the toy numbers from ModeMetrics as they are. A generated
image that looks like no digit (gan_core.digit_likeness) is counted in no digit but as `not_digits`:
the classifier reads an untrained generator's noise as one digit, which is no collapse.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np
import torch

from gan_core.digit_likeness import DigitLikeness, digit_likeness
from gan_core.metrics import ModeMetrics, kl_divergence
from gan_core.mnist_metrics import N_DIGITS, digit_histogram, kl_to_uniform, missing_digits_sentence
from gan_core.step_probe import generate, to_unit_images

LOW_CONFIDENCE = 0.6  # a fake whose top digit gets less than this sits between modes
NOT_A_DIGIT = -1  # a judged digit for an image that looks like no digit (gan_core.digit_likeness)
BLANK = -2  # a judged digit for a blank image (less ink than any real digit); no digit either
SAMPLE_SEED = 7  # noise for map samples: the same z every time, so changes are G's, not luck


@dataclass(frozen=True)
class Coverage:
    names: tuple  # (K,) mode names as the UI says them: "digit 4", "mode 3"
    counts: np.ndarray  # (K,) generated samples counted in each mode
    target: np.ndarray  # (K,) the proportions a perfect generator would have (sum 1)
    kl: float  # KL(p_gen || target), nats; NaN when no sample looks like any mode yet
    sentence: str  # which modes are missing, in plain words
    not_digits: int = 0  # samples that look like no digit yet (gan_core.digit_likeness), in no count
    blanks: int = 0  # of the not_digits, the blank ones (less ink than any real digit)

    @property
    def n_modes(self) -> int:
        return len(self.counts)

    @property
    def n_samples(self) -> int:
        return int(self.counts.sum())

    @property
    def proportions(self) -> np.ndarray:
        total = self.counts.sum()
        return self.counts / total if total else np.zeros(len(self.counts))

    @property
    def covered(self) -> np.ndarray:
        return self.counts > 0  # (K,) bool

    @property
    def n_covered(self) -> int:
        return int(self.covered.sum())

    @property
    def missing(self) -> list[str]:
        return [name for name, c in zip(self.names, self.covered) if not c]


def join_words(words: list[str]) -> str:
    """'4', '4 or 9', '1, 4 or 9'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def modes_sentence(counts, names) -> str:
    """The toy twin of missing_digits_sentence: 'The generator never draws mode 3 or mode 7.'"""
    counts = np.asarray(counts)
    if counts.sum() == 0:
        return "No generated samples land on any mode yet."
    missing = [n for n, c in zip(names, counts) if c == 0]
    if not missing:
        return f"The generator draws all {len(counts)} modes."
    if len(missing) == len(counts) - 1:
        only = next(n for n, c in zip(names, counts) if c > 0)
        return f"The generator draws only {only}: it has collapsed onto one mode."
    return f"The generator never draws {join_words(missing)}."


def digit_coverage(digits=None, counts=None, not_digits: int = 0, blanks: int = 0) -> Coverage:
    """Coverage of generated digits, from judged digits (N,) (judged_digits: NOT_A_DIGIT or BLANK
    for an image that looks like no digit) or per-digit counts (10,) plus `not_digits` (`blanks`
    of them blank)."""
    if counts is None:
        digits = np.asarray(digits, dtype=np.int64).ravel()
        counts, not_digits = digit_histogram(digits[digits >= 0]), int((digits < 0).sum())
        blanks = int((digits == BLANK).sum())
    counts = np.asarray(counts, dtype=np.int64)
    if counts.shape != (N_DIGITS,):
        raise ValueError(f"digit counts must have shape (10,); got {counts.shape}")
    kl = kl_to_uniform(counts) if counts.sum() or not not_digits else float("nan")  # no digits: no histogram
    return Coverage(tuple(f"digit {d}" for d in range(N_DIGITS)), counts, np.full(N_DIGITS, 1 / N_DIGITS),
                    kl, missing_digits_sentence(counts, not_digits=not_digits, blanks=blanks), int(not_digits),
                    int(blanks))


def judged_digits(probs, images, likeness: DigitLikeness | None = None) -> np.ndarray:
    """(N,) the classifier's digit for each image (probs (N, 10)), or BLANK where the image
    (N, 1, 28, 28) in [-1, 1] is blank, or NOT_A_DIGIT where it looks like no digit: the
    classifier names a digit even for noise (and reads a blank page as 1)."""
    judge = likeness or digit_likeness()
    digits = np.asarray(probs).argmax(1)
    judged = np.where(judge.is_digit(images), digits, NOT_A_DIGIT)
    return np.where(judge.is_blank(images), BLANK, judged)


def toy_coverage(metrics: ModeMetrics, weights=None) -> Coverage:
    """Coverage of a 2D toy run from gan_core.metrics.mode_metrics (high-quality samples per mode)."""
    k = metrics.n_modes
    target = np.full(k, 1 / k) if weights is None else np.asarray(weights, float) / np.sum(weights)
    names = tuple(f"mode {i}" for i in range(k))
    return Coverage(names, np.asarray(metrics.mode_counts, dtype=np.int64), target, float(metrics.kl),
                    modes_sentence(metrics.mode_counts, names))


def toy_counts_coverage(counts, weights=None) -> Coverage:
    """The same from a per-mode histogram alone (e.g. classroom.mode_timeline.ModePoint.mode_counts),
    with ModeMetrics' KL: gan_core.metrics.kl_divergence, infinite when no sample is counted."""
    counts = np.asarray(counts, dtype=np.int64)
    k = len(counts)
    target = np.full(k, 1 / k) if weights is None else np.asarray(weights, float) / np.sum(weights)
    names = tuple(f"mode {i}" for i in range(k))
    kl = kl_divergence(counts, target) if counts.sum() else float("inf")
    return Coverage(names, counts, target, kl, modes_sentence(counts, names))


def real_digit_proportions(labels) -> np.ndarray:
    """(10,) share of each digit among real labels: the 'real' bars next to the generated ones."""
    counts = digit_histogram(labels).astype(float)
    return counts / max(counts.sum(), 1.0)


# ---- coverage over time --------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageTimeline:
    iterations: np.ndarray  # (T,)
    proportions: np.ndarray  # (T, K) share of samples per mode at each point
    n_covered: np.ndarray  # (T,) modes with at least one sample
    kl: np.ndarray  # (T,) KL(p_gen || target)
    names: tuple  # (K,)
    target: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (K,) the proportions KL compares with


def timeline(points: Iterable[tuple[int, Coverage]]) -> CoverageTimeline:
    """Stack (iteration, Coverage) points (sorted by iteration) into arrays for a plot."""
    points = sorted(points, key=lambda p: p[0])
    if not points:
        return CoverageTimeline(np.zeros(0), np.zeros((0, 0)), np.zeros(0, int), np.zeros(0), ())
    return CoverageTimeline(np.array([it for it, _ in points], dtype=float),
                            np.stack([c.proportions for _, c in points]),
                            np.array([c.n_covered for _, c in points]),
                            np.array([c.kl for _, c in points]), points[0][1].names, points[0][1].target)


def digit_shares_points(points: Iterable[tuple[int, dict]], n: int) -> list[tuple[int, Coverage]]:
    """A progress record's points (classroom.image_progress: (iteration, {"digit_k": share, ...,
    "not_digit": share, "blank": share})) as Coverage points; shares of `n` samples become counts again."""
    out = []
    for iteration, values in points:
        if not all(f"digit_{d}" in values for d in range(N_DIGITS)):
            continue
        counts = np.rint(np.array([values[f"digit_{d}"] for d in range(N_DIGITS)]) * n).astype(np.int64)
        not_digits = int(round(values.get("not_digit", 0.0) * n))
        blanks = int(round(values.get("blank", 0.0) * n))
        out.append((int(iteration), digit_coverage(counts=counts, not_digits=not_digits, blanks=blanks)))
    return out


def snapshot_samples(trainer, n: int = 500, seed: int = SAMPLE_SEED) -> list[tuple[int, torch.Tensor]]:
    """(iteration, n images) for each rollback snapshot the trainer keeps (trainer.snapshots),
    drawn with the same z for every snapshot by the G that views show (the weight average when
    kept). A copy of G gets each snapshot's weights; the trainer is not touched (call it between
    two steps: the snapshots deque may change when a step is taken)."""
    z = trainer.noise(n, torch.Generator().manual_seed(seed))  # (n, z_dim)
    shadow = copy.copy(trainer)  # shallow: only .generator is replaced below
    shadow.generator = copy.deepcopy(trainer.generator)
    out = []
    for iteration, state in list(trainer.snapshots):
        average = state.get("average")
        shadow.generator.load_state_dict(average["net"] if average else state["generator"])
        out.append((int(iteration), generate(shadow, z, average=False)))
    return out


def snapshot_coverage(samples: list[tuple[int, torch.Tensor]],
                      read_digits: Callable[[torch.Tensor], np.ndarray]) -> list[tuple[int, Coverage]]:
    """Coverage of each snapshot's samples (snapshot_samples); read_digits(images) gives judged
    digits (NOT_A_DIGIT for no digit)."""
    return [(iteration, digit_coverage(read_digits(images))) for iteration, images in samples]


# ---- generated digits, read and ready for the map -----------------------------------------------

@dataclass(frozen=True)
class ReadDigits:
    iteration: int  # the generator's iteration when they were drawn
    images: np.ndarray  # (N, 28, 28) float32 in [0, 1]
    probs: np.ndarray  # (N, 10) classifier probabilities
    coverage: Coverage
    is_digit: np.ndarray  # (N,) bool: looks like a digit at all (gan_core.digit_likeness)

    @property
    def digits(self) -> np.ndarray:
        return self.probs.argmax(1)  # (N,) what the classifier reads, digit-like or not

    @property
    def confidence(self) -> np.ndarray:
        return self.probs.max(1)  # (N,)

    @property
    def not_digits(self) -> np.ndarray:
        """Indices of fakes that look like no digit yet (counted in no digit)."""
        return np.flatnonzero(~self.is_digit)

    def between_modes(self, threshold: float = LOW_CONFIDENCE) -> np.ndarray:
        """Indices of digit-like fakes the classifier cannot place (top probability < threshold),
        least sure first: the 'love-children' that fall between two digit clusters."""
        idx = np.flatnonzero((self.confidence < threshold) & self.is_digit)
        return idx[np.argsort(self.confidence[idx], kind="stable")]

    def blend_caption(self, i: int) -> str:
        """'5 or 7 (48% / 41%)': the two digits a fake seems to mix."""
        top2 = np.argsort(self.probs[i])[::-1][:2]
        return f"{top2[0]} or {top2[1]} ({self.probs[i, top2[0]]:.0%} / {self.probs[i, top2[1]]:.0%})"


def read_generated(trainer, classifier, n: int = 1000, seed: int = SAMPLE_SEED) -> ReadDigits:
    """n fakes from fixed noise (seeded), drawn quietly (dropout off, BatchNorm statistics kept),
    judged digit-like or not and read by the digit classifier. Call under the run's lock when a
    LiveRun is playing."""
    return read_fakes(int(trainer.iteration), generate_fixed(trainer, n, seed), classifier)


def generate_fixed(trainer, n: int = 1000, seed: int = SAMPLE_SEED) -> torch.Tensor:
    """The n fakes read_generated reads (n, 1, 28, 28) in [-1, 1]: the part that needs the trainer."""
    z = trainer.noise(n, torch.Generator().manual_seed(seed))  # (n, z_dim)
    return torch.cat([generate(trainer, z[i:i + 500]) for i in range(0, n, 500)])


def read_fakes(iteration: int, fakes: torch.Tensor, classifier) -> ReadDigits:
    """Fakes (n, 1, 28, 28) in [-1, 1] judged digit-like or not and read by the classifier (no
    trainer needed: it can run while training goes on)."""
    probs = classifier.predict_proba(fakes).numpy().astype(np.float64)  # (n, 10)
    judged = judged_digits(probs, fakes)  # (n,)
    return ReadDigits(iteration, to_unit_images(fakes), probs, digit_coverage(judged), judged >= 0)
