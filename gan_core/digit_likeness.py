"""Is a generated image a digit at all, before we ask which digit it is?

The digit classifier has only ever seen digits, so it names one for anything: an untrained
generator's grey noise reads as "8" with confidence 1.00, and counting those readings reported an
untrained generator as "collapsed onto one digit". So an image counts as a digit only when it lies
as close to some real digit as unseen real digits do:

    nearest(x)  = min over the reference digits r of ||x - r||   (pixels in [-1, 1], 784 numbers)
    threshold   = MARGIN x the QUANTILE of nearest(x) over real digits the reference does not hold
    x is a digit  <=>  nearest(x) <= threshold

The reference is the 4,000 embedded digits the classifier trained on, the calibration its 1,000
held-out digits (gan_core.classifier's split), so the threshold is measured on real digits the
reference has never seen. Measured here: held-out real digits lie 2.7-16.1 from their nearest
reference digit (99%: 14.7, threshold 18.3); an untrained generator's images 26-28 (MLP and DCGAN
alike); blends of two real digits 5.7-14.9, so they stay digits (the map's "between modes").

Why pixels and not the classifier's own 128-d features: in feature space that noise lies 12-16
from its nearest real digit, inside the real digits' own range (9-16); the classifier maps noise
among the digits, which is exactly the failure being corrected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from gan_core.classifier import RECIPE, split_indices
from gan_core.mnist import MnistData, load_embedded

QUANTILE = 0.99  # of the held-out real digits' nearest-reference distance
MARGIN = 1.25  # room for a generator's slightly blurrier digits; noise lies at twice the quantile
CHUNK = 1000  # images per distance block: (1000, 4000) floats at a time


@dataclass(frozen=True)
class DigitLikeness:
    reference: torch.Tensor  # (R, 784) real digits in [-1, 1]
    threshold: float  # pixel distance to the nearest reference digit beyond which an image is no digit

    def nearest_distance(self, images) -> np.ndarray:
        """(N,) distance of each image (N, 1, 28, 28), (N, 28, 28) or (N, 784), pixels in [-1, 1],
        to its nearest reference digit."""
        x = torch.as_tensor(images, dtype=torch.float32).detach().cpu().reshape(len(images), -1)  # (N, 784)
        ref = self.reference
        ref_sq = (ref * ref).sum(1)  # (R,)
        out = []
        for i in range(0, len(x), CHUNK):
            block = x[i:i + CHUNK]  # (b, 784)
            # ||a - r||^2 = ||a||^2 - 2 a.r + ||r||^2: one matrix product, ~8x faster than cdist here
            sq = (block * block).sum(1, keepdim=True) - 2 * block @ ref.T + ref_sq  # (b, R)
            out.append(sq.min(1).values.clamp_min(0).sqrt())
        return torch.cat(out).numpy().astype(np.float64) if out else np.zeros(0)

    def is_digit(self, images) -> np.ndarray:
        """(N,) bool: the image lies as close to a real digit as unseen real digits do."""
        return self.nearest_distance(images) <= self.threshold


def build_digit_likeness(data: MnistData, quantile: float = QUANTILE, margin: float = MARGIN) -> DigitLikeness:
    """The reference and threshold from `data` split as the classifier splits it (train / held out)."""
    train, held_out = split_indices(len(data), RECIPE["heldout"], RECIPE["seed"])
    pixels = torch.from_numpy(np.ascontiguousarray(data.images, dtype=np.float32)) * 2 - 1  # (N, 28, 28)
    reference = pixels[train].reshape(len(train), -1)  # (R, 784)
    calibration = DigitLikeness(reference, float("inf")).nearest_distance(pixels[held_out])
    return DigitLikeness(reference, float(margin * np.quantile(calibration, quantile)))


@lru_cache(maxsize=1)
def digit_likeness() -> DigitLikeness:
    """The embedded digits' judge, built once per process (about a second); read-only after."""
    return build_digit_likeness(load_embedded())
