"""Is a generated image a digit at all, before we ask which digit it is?

The digit classifier has only ever seen digits, so it names one for anything: an untrained
generator's grey noise reads as "8" with confidence 1.00, and counting those readings reported an
untrained generator as "collapsed onto one digit". So an image counts as a digit only when its ink
sits where a real digit's ink sits, as closely as for real digits the judge has never seen:

    thumb(x)    = x averaged over 4x4 pixel blocks: a 7x7 thumbnail (pixels in [-1, 1])
    nearest(x)  = min over the reference digits r of ||thumb(x) - thumb(r)||
    threshold   = MARGIN x the QUANTILE of nearest(x) over real digits the reference does not hold
    ink(x)      = the share of the canvas inked: mean of (x + 1) / 2
    min_ink     = the least ink of any reference digit / MARGIN
    x is blank    <=>  ink(x) < min_ink
    x is a digit  <=>  nearest(x) <= threshold and x is not blank

Why the ink floor: a blank page lies close to the thinnest real 1s (an all-black image at 1.26,
the threshold at 2.23), so without it 100 blank images read as "The generator draws only 1: it
has collapsed onto one digit". The least-inked of the 4,000 reference digits, a 1, inks 3.0 % of
the canvas; held-out digits 3.7 % or more; a blank 0 %.

The reference is the 4,000 embedded digits the classifier trained on, the calibration its 1,000
held-out digits (gan_core.classifier's split), so the threshold is measured on unseen real digits.

Why thumbnails: while learning, GANs draw textures (a DCGAN's checkerboard, an MLP's salt-and-pepper
speckle) that the full-resolution distance mistakes for ink or for its absence. Measured here with
the MNIST presets (500 images each, seed 7): a DCGAN's grey checkerboard squares of iteration 100
count as digits for 3% (full-resolution distance, 1.25 x its 99th percentile: 100%); its digits of
iterations 400 and 800 for 97% and 94%; an MLP's speckled digits of iterations 600-2400 for
99-100% (full resolution at 1.0 x: 67-93%); untrained generators for 0%.
Why not the classifier's own 128-d features: there an untrained generator's noise lies 12-16
from its nearest real digit, inside the real digits' own range (9-16): the classifier maps noise
among the digits, which is exactly the failure being corrected.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

from gan_core.classifier import RECIPE, split_indices
from gan_core.mnist import MnistData, load_embedded

QUANTILE = 0.99  # of the held-out real digits' nearest-reference distance
MARGIN = 1.15  # room for a generator's rougher digits; a DCGAN's checkerboard lies at 1.24 x the quantile
BLOCK = 4  # pixels averaged per side: 28x28 -> a 7x7 thumbnail
CHUNK = 1000  # images per distance block: (1000, 4000) distances at a time


def thumbnails(images) -> torch.Tensor:
    """(N, 49) 7x7 block averages of images (N, 1, 28, 28), (N, 28, 28) or (N, 784) in [-1, 1]."""
    x = torch.as_tensor(images, dtype=torch.float64).detach().cpu().reshape(len(images), 1, 28, 28)
    return F.avg_pool2d(x, BLOCK).reshape(len(x), (28 // BLOCK) ** 2)  # float64: cheap at 49 numbers


def ink(images) -> np.ndarray:
    """(N,) share of each image's canvas inked, mean of (x + 1) / 2 for pixels x in [-1, 1]."""
    x = torch.as_tensor(images, dtype=torch.float64).detach().cpu().reshape(len(images), -1)
    return ((x + 1) / 2).mean(1).numpy()


@dataclass(frozen=True)
class DigitLikeness:
    reference: torch.Tensor  # (R, 49) thumbnails of real digits
    threshold: float  # thumbnail distance to the nearest reference digit beyond which an image is no digit
    min_ink: float = 0.0  # share of the canvas inked below which an image is blank (no real digit has so little)

    def nearest_distance(self, images) -> np.ndarray:
        """(N,) thumbnail distance of each image (N, 1, 28, 28), (N, 28, 28) or (N, 784), pixels in
        [-1, 1], to its nearest reference digit."""
        x = thumbnails(images)  # (N, 49)
        ref = self.reference
        ref_sq = (ref * ref).sum(1)  # (R,)
        out = []
        for i in range(0, len(x), CHUNK):
            block = x[i:i + CHUNK]  # (b, 49)
            # ||a - r||^2 = ||a||^2 - 2 a.r + ||r||^2: one matrix product, faster than cdist here
            sq = (block * block).sum(1, keepdim=True) - 2 * block @ ref.T + ref_sq  # (b, R)
            out.append(sq.min(1).values.clamp_min(0).sqrt())
        return torch.cat(out).numpy() if out else np.zeros(0)

    def is_blank(self, images) -> np.ndarray:
        """(N,) bool: the image has less ink than any real digit (an empty or nearly empty canvas)."""
        return ink(images) < self.min_ink

    def is_digit(self, images) -> np.ndarray:
        """(N,) bool: the image has ink and lies as close to a real digit as unseen real digits do."""
        return (self.nearest_distance(images) <= self.threshold) & ~self.is_blank(images)


def build_digit_likeness(data: MnistData, quantile: float = QUANTILE, margin: float = MARGIN) -> DigitLikeness:
    """The reference and threshold from `data` split as the classifier splits it (train / held out)."""
    train, held_out = split_indices(len(data), RECIPE["heldout"], RECIPE["seed"])
    pixels = torch.from_numpy(np.ascontiguousarray(data.images, dtype=np.float64)) * 2 - 1  # (N, 28, 28)
    reference = thumbnails(pixels[train])  # (R, 49)
    calibration = DigitLikeness(reference, float("inf")).nearest_distance(pixels[held_out])
    return DigitLikeness(reference, float(margin * np.quantile(calibration, quantile)),
                         float(ink(pixels[train]).min() / margin))


@lru_cache(maxsize=1)
def digit_likeness() -> DigitLikeness:
    """The embedded digits' judge, built once per process (about a second); read-only after."""
    return build_digit_likeness(load_embedded())
