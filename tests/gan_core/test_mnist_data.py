"""MNIST loading: IDX files written here (plain and gzipped), their validation, the fallback to
the embedded digits, and the embedded loader with its .npz cache."""

import gzip
import struct

import numpy as np
import pytest
import torch

from gan_core import mnist
from gan_core.mnist import EMBEDDED_SOURCE, IdxError, MnistTarget, load_embedded, load_idx_dir, read_idx


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """An IDX file as LeCun's format defines it: 0x0000, type 0x08, ndim, big-endian dims, data."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write(path, data: bytes, gz: bool = False) -> str:
    path = str(path) + (".gz" if gz else "")
    with open(path, "wb") as fh:
        fh.write(gzip.compress(data) if gz else data)
    return path


def tiny_set(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def write_split(folder, split: str, n: int, gz: bool, seed: int = 0):
    images, labels = tiny_set(n, seed)
    prefix = "train" if split == "train" else "t10k"
    write(folder / f"{prefix}-images-idx3-ubyte", idx_bytes(images), gz)
    write(folder / f"{prefix}-labels-idx1-ubyte", idx_bytes(labels), gz)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trip(tmp_path, gz):
    images, labels = tiny_set(7)
    got_images = read_idx(write(tmp_path / "imgs", idx_bytes(images), gz))
    got_labels = read_idx(write(tmp_path / "labs", idx_bytes(labels), gz))
    assert got_images.shape == (7, 28, 28) and got_images.dtype == np.uint8
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def test_idx_dir_uses_train_and_test_and_scales(tmp_path):
    train_images, train_labels = write_split(tmp_path, "train", 12, gz=True, seed=1)
    test_images, test_labels = write_split(tmp_path, "test", 5, gz=False, seed=2)
    data = load_idx_dir(str(tmp_path))
    assert len(data) == 17
    assert data.images.dtype == np.float32 and data.labels.dtype == np.int64
    np.testing.assert_allclose(data.images[:12], train_images / 255.0, atol=1e-7)
    np.testing.assert_allclose(data.images[12:], test_images / 255.0, atol=1e-7)
    np.testing.assert_array_equal(data.labels, np.concatenate([train_labels, test_labels]))
    assert "17 images" in data.source and "12 train + 5 test" in data.source
    assert data.warning == "" and not data.is_embedded


def test_idx_dir_without_files_is_none(tmp_path):
    assert load_idx_dir(str(tmp_path)) is None


def test_truncated_file_names_the_file(tmp_path):
    images, _ = tiny_set(4)
    path = write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images)[:-100])
    with pytest.raises(IdxError, match="train-images-idx3-ubyte.*3036 data bytes.*needs 3136"):
        read_idx(path)


def test_truncated_gzip_names_the_file(tmp_path):
    images, _ = tiny_set(4)
    good = gzip.compress(idx_bytes(images))
    path = write(tmp_path / "train-images-idx3-ubyte.gz", good[: len(good) // 2])
    with pytest.raises(IdxError, match=r"train-images-idx3-ubyte\.gz: the gzip stream"):
        read_idx(path)


def test_wrong_magic_names_the_file(tmp_path):
    path = write(tmp_path / "train-labels-idx1-ubyte", b"PK\x03\x04" + bytes(40))  # a zip file
    with pytest.raises(IdxError, match="train-labels-idx1-ubyte: magic number 0x504b0304"):
        read_idx(path)


def test_wrong_dimensions_name_the_file(tmp_path):
    path = write(tmp_path / "train-images-idx3-ubyte", idx_bytes(np.zeros((3, 32, 32))))
    with pytest.raises(IdxError, match="train-images-idx3-ubyte: images are 32x32"):
        read_idx(path)


def test_label_out_of_range_and_count_mismatch(tmp_path):
    images, labels = tiny_set(6)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(np.array([0, 1, 2, 3, 4, 12])))
    with pytest.raises(IdxError, match="train-labels-idx1-ubyte: label 12"):
        load_idx_dir(str(tmp_path))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels[:5]))
    with pytest.raises(IdxError, match="5 labels for 6 images"):
        load_idx_dir(str(tmp_path))


def test_lone_half_of_a_pair_is_named(tmp_path):
    images, _ = tiny_set(3)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images))
    with pytest.raises(IdxError, match="train-labels-idx1-ubyte"):
        load_idx_dir(str(tmp_path))


def test_load_mnist_falls_back_to_embedded_with_a_warning(tmp_path):
    images, labels = tiny_set(4)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images)[:-1], gz=True)
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(labels))
    data = mnist.load_mnist.__wrapped__(str(tmp_path))
    assert data.is_embedded and len(data) == 5000
    assert "train-images-idx3-ubyte.gz" in data.warning and "embedded" in data.warning


def test_load_mnist_prefers_valid_idx_files(tmp_path):
    write_split(tmp_path, "train", 10, gz=False)
    data = mnist.load_mnist.__wrapped__(str(tmp_path))
    assert len(data) == 10 and data.warning == ""


def test_embedded_digits():
    data = load_embedded()
    assert data.images.shape == (5000, 28, 28) and data.images.dtype == np.float32
    assert data.labels.shape == (5000,) and data.labels.dtype == np.int64
    assert data.images.min() == 0.0 and data.images.max() == 1.0
    np.testing.assert_array_equal(np.bincount(data.labels), np.full(10, 500))
    assert data.source == EMBEDDED_SOURCE and data.warning == ""


def test_corrupt_npz_cache_is_rebuilt(tmp_path):
    cache = tmp_path / "mnist_embedded_5k_u8.npz"
    cache.write_bytes(b"this is not a zip file")
    rebuilt = load_embedded(str(tmp_path))
    reference = load_embedded()
    np.testing.assert_array_equal(rebuilt.images, reference.images)
    np.testing.assert_array_equal(rebuilt.labels, reference.labels)
    with np.load(cache) as f:  # the bad file was replaced by a good one
        assert f["pixels"].shape == (5000, 28, 28) and f["pixels"].dtype == np.uint8


def test_target_scales_to_minus_one_one():
    data = load_embedded()
    target = MnistTarget(data)
    batch = target.sample(32, torch.Generator().manual_seed(0))
    assert batch.shape == (32, 1, 28, 28)
    assert float(target.images.min()) == -1.0 and float(target.images.max()) == 1.0
    np.testing.assert_allclose(target.images[3, 0].numpy(), data.images[3] * 2 - 1, atol=1e-6)
