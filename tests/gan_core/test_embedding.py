"""The t-SNE map: deterministic for a seed, placement lands real held-out digits in their own
digit's cluster, the disk cache is plain arrays and a corrupt file is rebuilt."""

import os

import numpy as np
import pytest

from gan_core import embedding
from gan_core.embedding import MapParams, build_map, cache_path, load_or_build_map
from gan_core.mnist import MnistData, load_mnist


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    # conftest imports torch first, so openTSNE shares torch's OpenMP runtime with its default
    # spin-waiting; on the shared 2-core machine 2 spinning threads run many times slower than
    # one. The numbers do not depend on the thread count (each point's gradient is summed by one
    # thread); the 2-thread speed is measured in bench/tsne_map.py instead.
    monkeypatch.setattr(embedding, "N_JOBS", 1)


def subset(n: int, seed: int = 0, offset: int = 0) -> MnistData:
    data = load_mnist()
    rows = np.random.default_rng(seed).permutation(len(data))[offset:offset + n]
    return MnistData(data.images[rows], data.labels[rows], f"test subset {n}")




@pytest.mark.slow
def test_same_seed_same_map_other_seed_other_map():
    data = subset(500)
    params = MapParams(seed=0, early_iters=100, main_iters=150)  # fewer iterations: a test
    a = build_map(data, params)
    b = build_map(data, params)
    assert a.coords.shape == (500, 2)
    np.testing.assert_array_equal(a.coords, b.coords)  # bit-identical
    assert a.key == b.key
    # a 300-digit subsample: seed 0 and seed 1 pick different digits, hence different maps
    c = build_map(data, MapParams(n_points=300, seed=0, early_iters=50, main_iters=50))
    d = build_map(data, MapParams(n_points=300, seed=1, early_iters=50, main_iters=50))
    assert c.key != d.key and not np.array_equal(c.indices, d.indices)


def test_subsample_is_fixed_sorted_and_documented_size():
    rows = embedding.select_points(70_000, MapParams())
    assert len(rows) == embedding.FULL_MNIST_POINTS == 10_000
    assert np.all(np.diff(rows) > 0)  # sorted, no repeats
    np.testing.assert_array_equal(rows, np.sort(np.random.default_rng(0).choice(70_000, 10_000, replace=False)))
    np.testing.assert_array_equal(embedding.select_points(5000, MapParams()), np.arange(5000))


def test_exact_pca_matches_svd():
    x = np.random.default_rng(0).random((200, 60)).astype(np.float32)
    mean, comps = embedding.exact_pca(x, 5)
    _, _, vt = np.linalg.svd(x - x.mean(0), full_matrices=False)
    np.testing.assert_allclose(mean, x.mean(0), atol=1e-6)
    # same directions up to sign
    np.testing.assert_allclose(np.abs(comps @ vt[:5].T), np.eye(5), atol=1e-3)


@pytest.mark.slow
def test_placed_heldout_digits_land_in_their_own_cluster():
    """A map of 4,000 digits; 1,000 others it has never seen are placed; >= 90% of them have a
    majority of their own digit among their 10 nearest map digits."""
    data = load_mnist()
    order = np.random.default_rng(1).permutation(len(data))
    on_map, held = order[:4000], order[4000:]
    digit_map = build_map(MnistData(data.images[on_map], data.labels[on_map], "4k"),
                          MapParams(seed=0, early_iters=250, main_iters=250))
    placed = digit_map.place(data.images[held])
    assert placed.shape == (1000, 2) and np.isfinite(placed).all()
    accuracy = float((digit_map.nearest_map_labels(placed) == data.labels[held]).mean())
    assert accuracy >= 0.90
    # and the map itself is what the placement is compared with: not a fluke of the vote
    shuffled = np.random.default_rng(2).permutation(data.labels[held])
    assert float((digit_map.nearest_map_labels(placed) == shuffled).mean()) < 0.2


def test_nearest_map_labels_hand_example():
    m = embedding.DigitMap(coords=np.array([[0.0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]]),
                           labels=np.array([3, 3, 3, 7, 7, 7]), indices=np.arange(6),
                           features=np.zeros((6, 2), np.float32), pca_mean=np.zeros(784, np.float32),
                           pca_components=np.zeros((2, 784), np.float32), params=MapParams(), key="k",
                           source="hand", build_seconds=0.0)
    np.testing.assert_array_equal(m.nearest_map_labels(np.array([[0.2, 0.2], [9.0, 9.0], [6.0, 6.0]]), k=3),
                                  [3, 7, 7])


def test_cache_roundtrip_and_corrupt_file_is_rebuilt(tmp_path):
    data = subset(200, seed=5)
    params = MapParams(seed=0, early_iters=50, main_iters=50)
    built = load_or_build_map(data, params, str(tmp_path))
    assert built.origin == "built now"
    path = cache_path(built.key, str(tmp_path))
    assert os.path.exists(path)
    again = load_or_build_map(data, params, str(tmp_path))
    assert again.origin == "read from cache"
    np.testing.assert_array_equal(again.coords, built.coords)
    np.testing.assert_array_equal(again.features, built.features)
    # placement from the cached map equals placement from the fresh one
    np.testing.assert_allclose(again.place(data.images[:20], n_iter=20), built.place(data.images[:20], n_iter=20))

    with open(path, "r+b") as fh:  # truncate the zip in the middle
        fh.truncate(os.path.getsize(path) // 2)
    messages = []
    rebuilt = load_or_build_map(data, params, str(tmp_path), progress=lambda f, m: messages.append(f))
    assert rebuilt.origin == "built now" and messages and messages[-1] == pytest.approx(1.0, abs=1e-9)
    np.testing.assert_array_equal(rebuilt.coords, built.coords)  # same seed, same map
    assert load_or_build_map(data, params, str(tmp_path)).origin == "read from cache"

    with open(path, "wb") as fh:  # a foreign file under the same name
        fh.write(b"not a zip at all")
    assert load_or_build_map(data, params, str(tmp_path)).origin == "built now"


def test_cache_with_nan_or_pickle_is_not_trusted(tmp_path):
    data = subset(150, seed=6)
    params = MapParams(seed=0, early_iters=30, main_iters=30)
    built = load_or_build_map(data, params, str(tmp_path))
    path = cache_path(built.key, str(tmp_path))
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["coords"] = arrays["coords"].copy()
    arrays["coords"][0, 0] = np.nan
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="NaN"):
        embedding.read_map(path, built.key, built.labels)
    # an object array needs pickle to load: refused, and the map is rebuilt
    arrays["coords"] = np.array([object()] * 3, dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(ValueError):
        embedding.read_map(path, built.key, built.labels)
    assert load_or_build_map(data, params, str(tmp_path)).origin == "built now"


def test_placement_refuses_wrong_images():
    data = subset(150, seed=7)
    m = build_map(data, MapParams(seed=0, early_iters=20, main_iters=20))
    with pytest.raises(ValueError, match="pixels"):
        m.place(np.zeros((3, 10, 10)))
    bad = np.zeros((2, 28, 28))
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m.place(bad)
    assert m.place(np.zeros((0, 28, 28))).shape == (0, 2)


def test_quick_placement_is_the_median_of_the_nearest_map_digits():
    """place(n_iter=0), the live map's placement: openTSNE's starting point for new points, each at
    the median map position of its k = 3 x perplexity nearest map digits (PCA features, by hand)."""
    data = subset(400)
    digit_map = build_map(MnistData(data.images[:300], data.labels[:300], "300"),
                          MapParams(seed=0, early_iters=50, main_iters=50))
    new = data.images[300:340]
    quick = digit_map.place(new, n_iter=embedding.QUICK_PLACE)
    feats = digit_map.project(new).astype(np.float64)
    d2 = ((feats[:, None, :] - digit_map.features[None, :, :].astype(np.float64)) ** 2).sum(-1)  # (40, 300)
    k = round(3 * embedding.PLACE_PERPLEXITY)
    nearest = np.argsort(d2, axis=1, kind="stable")[:, :k]
    np.testing.assert_allclose(quick, np.median(digit_map.coords[nearest], axis=1), rtol=1e-6, atol=1e-6)
    assert embedding.QUICK_PLACE == 0 and quick.shape == (40, 2)
    # and it is openTSNE's own starting point for transform (prepare_partial's median initialisation)
    from openTSNE import TSNEEmbedding

    reference = TSNEEmbedding(digit_map.coords.copy(), embedding.ExactReferenceAffinities(digit_map.features))
    partial = reference.prepare_partial(feats, perplexity=embedding.PLACE_PERPLEXITY)
    np.testing.assert_allclose(quick, np.asarray(partial), rtol=1e-9, atol=1e-9)
