"""Classifier-based quality metrics for generated digits (the MNIST lessons and the benchmark).

Public API (stable):
    digit_histogram(digits) -> (10,) int counts         kl_to_uniform(counts) -> nats
    missing_digits(counts, min_fraction=0.0) -> [digit]  missing_digits_sentence(counts) -> str
    gaussian_stats(features) -> (mean, cov)              frechet_distance(mu1, cov1, mu2, cov2)
    real_feature_stats(classifier=None) -> (mean, cov)   of the embedded 5k real digits, cached
    evaluate_digits(images, classifier=None) -> DigitMetrics   images (B, 1, 28, 28) in [-1, 1]
    evaluate_generator(trainer, n=1000, seed=0) -> DigitMetrics   fresh fakes from a trainer,
        drawn with their own seeded noise so that measuring never changes the run (with a
        LiveRun, call it inside run.locked() so the training thread is not mid-step)

Definitions. The classifier labels each generated image with its most likely digit. digits
covered = digits that receive at least one image; KL(p_gen || U) = sum_k p_k log(10 p_k), with
0 log 0 = 0 (0 for a perfectly even histogram, log 10 = 2.303 when one digit takes everything);
mean confidence = mean over images of the classifier's top probability; the Frechet distance
||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2)) compares Gaussians fitted to the
classifier's 128-d penultimate features of real and generated digits (the MNIST analogue of FID;
lower is better, 0 for identical statistics). It shrinks with more samples, so compare values
computed from the same number of fakes.

Only images that look like digits are counted as one (gan_core.digit_likeness: as close to a real
digit as unseen real digits are); the rest are `not_digits`, in no digit's count. The classifier
names a digit even for an untrained generator's noise, and counting those readings called noise a
collapse. Blank images (less ink than any real digit) are `blanks`, counted among the not_digits:
the classifier reads an empty canvas as 1, and 100 blanks read as a collapse onto 1. With no
digit-like image at all, KL is NaN: there is no digit histogram to compare yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import torch

from gan_core.classifier import DigitClassifier, get_classifier
from gan_core.digit_likeness import digit_likeness
from gan_core.mnist import load_embedded

N_DIGITS = 10


def digit_histogram(digits) -> np.ndarray:
    """Counts per digit 0..9 of an array of predicted digits; (10,) int64."""
    digits = np.asarray(digits, dtype=np.int64).ravel()
    return np.bincount(digits, minlength=N_DIGITS)[:N_DIGITS]


def kl_to_uniform(counts) -> float:
    """KL(p || uniform over 10 digits) in nats, p = counts / sum; 0 log 0 = 0. Empty -> log 10."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() <= 0:
        return float(np.log(N_DIGITS))
    p = counts / counts.sum()
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] * N_DIGITS)))


def missing_digits(counts, min_fraction: float = 0.0) -> list[int]:
    """Digits whose share of the images is at most min_fraction (0: never drawn at all)."""
    counts = np.asarray(counts, dtype=np.float64)
    total = max(counts.sum(), 1.0)
    return [k for k in range(N_DIGITS) if counts[k] / total <= min_fraction]


def _join(digits: list[int]) -> str:
    words = [str(d) for d in digits]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def missing_digits_sentence(counts, min_fraction: float = 0.0, not_digits: int = 0, blanks: int = 0) -> str:
    """Plain words for a lesson: 'The generator never draws 4 or 9.' (rare ones with min_fraction).
    `counts` are the images that look like digits; `not_digits` the ones that do not (gan_core.
    digit_likeness), `blanks` of them blank (less ink than any real digit): while they are the
    majority, no collapse is claimed, since noise or an empty canvas is no digit."""
    n_digits = int(np.asarray(counts).sum())
    total = n_digits + int(not_digits)
    if total == 0:
        return "No generated digits to judge yet."
    if n_digits == 0 and blanks == total:
        return (f"All {total:,} generated images are blank (less ink than any real digit): the generator "
                "draws blanks, not digits, so no digit is covered or missing.")
    if n_digits == 0:
        blank_txt = f" {blanks:,} are blank (less ink than any real digit), the rest lie" if blanks else " each lies"
        return (f"None of the {total:,} generated images looks like a digit yet:{blank_txt} farther "
                "from every real digit than real digits lie from one another. The generator has not "
                "learned digits, so no digit is covered or missing yet.")
    blank_note = f", {blanks:,} of them blank" if blanks else ""
    if 2 * not_digits > total:
        drawn = [k for k in range(N_DIGITS) if counts[k] > 0]
        return (f"{not_digits:,} of {total:,} generated images are not digits yet{blank_note}, so it is too "
                f"early to speak of collapse; the {n_digits:,} that look like digits read as {_join(drawn)}.")
    sentence = _covered_sentence(counts, min_fraction)
    return sentence + (f" ({not_digits:,} of {total:,} images are not digits yet{blank_note}.)" if not_digits else "")


def _covered_sentence(counts, min_fraction: float) -> str:
    missing = missing_digits(counts, min_fraction)
    if not missing:
        return "The generator draws all ten digits."
    verb = "never draws" if min_fraction == 0 else f"rarely draws (at most {min_fraction:.0%} each)"
    if len(missing) == N_DIGITS - 1:
        only = next(k for k in range(N_DIGITS) if k not in missing)
        return f"The generator draws only {only}: it has collapsed onto one digit."
    return f"The generator {verb} {_join(missing)}."


def gaussian_stats(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean (F,) and unbiased covariance (F, F) of features (N, F), in float64."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need at least 2 feature vectors of shape (N, F); got shape {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False)


def _sqrt_psd(cov: np.ndarray) -> np.ndarray:
    """Symmetric square root of a covariance; tiny negative eigenvalues (round-off) become 0."""
    w, v = np.linalg.eigh((cov + cov.T) / 2)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1, cov1, mu2, cov2) -> float:
    """Frechet (2-Wasserstein) distance squared between N(mu1, cov1) and N(mu2, cov2).

    Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2): the inner matrix is symmetric PSD, so
    eigvalsh gives real eigenvalues and no complex round-off appears (scipy's sqrtm can)."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, np.float64)), np.atleast_2d(np.asarray(cov2, np.float64))
    root1 = _sqrt_psd(cov1)
    inner = root1 @ cov2 @ root1
    eig = np.linalg.eigvalsh((inner + inner.T) / 2)
    tr_cross = np.sum(np.sqrt(np.clip(eig, 0.0, None)))
    diff = mu1 - mu2
    return float(max(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * tr_cross, 0.0))


@lru_cache(maxsize=2)
def _real_stats(clf: DigitClassifier) -> tuple[np.ndarray, np.ndarray]:
    real = torch.from_numpy(load_embedded().images).unsqueeze(1) * 2 - 1  # (5000, 1, 28, 28)
    return gaussian_stats(clf.features(real).numpy())


def real_feature_stats(classifier: DigitClassifier | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Feature mean and covariance of the 5,000 embedded real digits (computed once)."""
    return _real_stats(classifier or get_classifier())


@dataclass(frozen=True)
class DigitMetrics:
    counts: np.ndarray  # (10,) generated images per predicted digit
    digits_covered: int  # digits with at least one image
    kl_uniform: float  # KL(p_gen || uniform over 10), nats
    mean_confidence: float  # mean top-class probability of the classifier
    frechet: float  # Frechet distance on penultimate features, real vs generated
    n_samples: int
    missing: list = field(default_factory=list)  # digits never drawn
    not_digits: int = 0  # images that look like no digit yet (gan_core.digit_likeness), in no count
    blanks: int = 0  # of the not_digits, the blank ones (less ink than any real digit)

    @property
    def sentence(self) -> str:
        return missing_digits_sentence(self.counts, not_digits=self.not_digits, blanks=self.blanks)

    def as_dict(self) -> dict:
        return {"digits_covered": self.digits_covered, "kl_uniform": self.kl_uniform,
                "mean_confidence": self.mean_confidence, "frechet": self.frechet,
                "n_samples": self.n_samples, "counts": self.counts.tolist(), "missing": list(self.missing),
                "not_digits": self.not_digits, "blanks": self.blanks}


def evaluate_digits(images: torch.Tensor, classifier: DigitClassifier | None = None) -> DigitMetrics:
    """All metrics for generated images (B, 1, 28, 28) in [-1, 1]; B >= 2 for the Frechet distance.
    Only images that look like digits (gan_core.digit_likeness) are counted as a digit: the
    classifier names a digit even for noise."""
    clf = classifier or get_classifier()
    images = torch.as_tensor(images, dtype=torch.float32).detach().cpu()
    logits = clf.logits(images)  # (B, 10)
    probs = torch.softmax(logits, dim=1)
    judge = digit_likeness()
    is_digit, is_blank = judge.is_digit(images), judge.is_blank(images)  # (B,) bool each
    counts = digit_histogram(probs.argmax(dim=1).numpy()[is_digit])
    feats = clf.features(images).numpy()  # (B, 128)
    mu_g, cov_g = gaussian_stats(feats)
    mu_r, cov_r = real_feature_stats(clf)
    return DigitMetrics(counts=counts, digits_covered=int((counts > 0).sum()),
                        kl_uniform=kl_to_uniform(counts) if is_digit.any() else float("nan"),
                        mean_confidence=float(probs.max(dim=1).values.mean()),
                        frechet=frechet_distance(mu_r, cov_r, mu_g, cov_g), n_samples=len(images),
                        missing=missing_digits(counts) if is_digit.any() else [],
                        not_digits=int((~is_digit).sum()), blanks=int(is_blank.sum()))


def evaluate_generator(trainer, n: int = 1000, seed: int = 0,
                       classifier: DigitClassifier | None = None,
                       generator: torch.nn.Module | None = None) -> DigitMetrics:
    """Metrics for n fresh fakes of an MNIST Trainer. The noise comes from its own generator
    seeded by `seed` (same z every call: curves over time compare like with like), and the
    trainer's RNG streams are left alone. `generator`: another copy of G to score (e.g. a weight
    average kept beside the run's own); by default the G that views show."""
    z = trainer.noise(n, torch.Generator().manual_seed(seed))  # (n, z_dim)
    # The G that views show (its weight average when kept); BatchNorm statistics left alone
    with trainer.looking_at(generator if generator is not None else trainer.shown_generator()) as g:
        fakes = torch.cat([g(z[i:i + 500]) for i in range(0, n, 500)])  # (n, 1, 28, 28)
    return evaluate_digits(fakes, classifier)
