"""A t-SNE map of real MNIST, and placement of new (generated) digits onto that fixed map.

The map: the real digits are projected to PCA_DIMS principal components (the PCA is computed
here, exactly, from the covariance matrix: no randomness), then embedded in 2D with openTSNE
(perplexity 30, PCA initialisation, Barnes-Hut gradients, 250 early-exaggeration iterations then
500 more, n_jobs=2). Everything is seeded, so the same data, parameters and seed give the same map.

Which digits: with the embedded 5,000-digit set, all of them. With the full 70k MNIST (IDX files
in data/mnist/), a fixed subsample of FULL_MNIST_POINTS = 10,000 digits drawn uniformly without
replacement by `np.random.default_rng(seed).choice` (seed 0 by default), kept in index order.

Placement: openTSNE's `TSNEEmbedding.transform` optimises only the new points against the fixed
map (the map never moves). It needs the new points' affinities to the map's digits: a kNN search
in PCA space. openTSNE keeps those in an Annoy/BallTree index that is only storable by pickling,
so this module keeps the map's PCA features instead and searches them exactly with one matrix
product (`ExactReferenceAffinities`): nothing pickled, and rebuilding it costs nothing.

The disk cache (data/cache/tsne_map_<key>.npz) holds plain arrays only and is read with
`allow_pickle=False`; the key hashes the digits the map was built from, the parameters and the
format version. A missing, corrupt, stale or inconsistent file is rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import scipy.sparse as sp

from gan_core.cache_files import SHIPPED_DIR, describe_cache_error, start_from_shipped
from gan_core.mnist import CACHE_DIR, MnistData

# openTSNE ships its own OpenMP runtime, which reads this variable once, when openTSNE is first
# imported. Its default lets idle threads spin; on a busy 2-core machine a spinning thread steals
# the core its partner needs and a 2-thread t-SNE ran 4-5x slower than with 1 thread. Passive
# waiting removes that (measured: docs/BENCHMARKS.md, "t-SNE map"). A value set by the user wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from openTSNE import TSNEEmbedding, affinity
from openTSNE.initialization import rescale

FORMAT_VERSION = 1
FULL_MNIST_POINTS = 10_000  # digits on the map when the full 70k MNIST is present
N_JOBS = 2  # the classroom machine has 2 cores
PLACE_PERPLEXITY = 5.0  # openTSNE's advice for transform: a few close neighbours decide
PLACE_ITERS = 100  # optimisation steps of the new points; see docs/BENCHMARKS.md "t-SNE map"
# A live map's placement: no optimisation steps. Measured 2026-12-06 on 300 shifted real digits (2 shared
# cores): 0.05 s instead of 5.1 s, the same island as the 100-step placement for 94 %, median shift 1.2 %
# of the map's width.
QUICK_PLACE = 0
MAP_NEIGHBOURS = 10  # k of the kNN vote in map space (nearest_map_labels)
CACHE_DIR_ENV = "GAN_TSNE_CACHE_DIR"  # where map files live; unset = data/cache

Progress = Callable[[float, str], None]  # (fraction done in [0, 1], what is happening)


@dataclass(frozen=True)
class MapParams:
    n_points: int | None = None  # digits on the map; None = all, or FULL_MNIST_POINTS if more
    seed: int = 0  # subsample and t-SNE seed
    perplexity: float = 30.0
    pca_dims: int = 50
    early_iters: int = 250  # early exaggeration (12) phase: clusters form
    main_iters: int = 500  # plain t-SNE phase: clusters settle

    def points_for(self, n_data: int) -> int:
        n = self.n_points if self.n_points is not None else min(n_data, FULL_MNIST_POINTS)
        return int(min(n, n_data))


@dataclass(frozen=True)
class DigitMap:
    """A finished map. Read-only after construction, so one object can serve every session."""

    coords: np.ndarray  # (N, 2) float64 map positions of the real digits, centred
    labels: np.ndarray  # (N,) int64 their true digits
    indices: np.ndarray  # (N,) int64 their rows in the data set the map was built from
    features: np.ndarray  # (N, D) float32 their PCA coordinates (the kNN reference for placement)
    pca_mean: np.ndarray  # (784,) float32
    pca_components: np.ndarray  # (D, 784) float32, rows = principal directions
    params: MapParams
    key: str  # cache key: hash of the digits, the parameters and FORMAT_VERSION
    source: str  # plain words: which data set the digits came from
    build_seconds: float  # wall time of the build that made this map
    origin: str = "built now"  # or "read from cache"

    def __len__(self) -> int:
        return len(self.labels)

    def project(self, images) -> np.ndarray:
        """Images in [0, 1], (M, 28, 28), (M, 1, 28, 28) or (M, 784) -> PCA features (M, D)."""
        flat = np.asarray(images, dtype=np.float32).reshape(len(images), -1)  # (M, 784)
        if flat.shape[1] != self.pca_mean.shape[0]:
            raise ValueError(f"images have {flat.shape[1]} pixels; the map expects {self.pca_mean.shape[0]}")
        return (flat - self.pca_mean) @ self.pca_components.T  # (M, D)

    def place(self, images, n_iter: int = PLACE_ITERS) -> np.ndarray:
        """Map positions (M, 2) of new images in [0, 1], the map's digits held fixed. n_iter=0:
        openTSNE's starting point for transform only (each image at the median map position of
        its nearest map digits), no optimisation: ~100x quicker, for a live map (see QUICK_PLACE)."""
        if len(images) == 0:
            return np.zeros((0, 2))
        feats = self.project(images).astype(np.float64)
        if not np.isfinite(feats).all():
            raise ValueError("some images contain NaN or infinite pixels")
        affinities = ExactReferenceAffinities(self.features)
        if n_iter == 0:
            # openTSNE's prepare_partial starting point (the median map position of each image's
            # k = 3 x perplexity nearest map digits) without the affinities it also computes and this
            # never uses: half the time of a live placement, which the run's host pays every second.
            neighbors, _ = affinities.nearest(feats, neighbour_count(PLACE_PERPLEXITY, len(self.features)))
            return np.median(self.coords[neighbors], axis=1)  # (M, 2)
        # A fresh embedding object per call over a copy of the coordinates: transform() centres
        # its embedding in place, and the shared map must stay untouched for other sessions.
        reference = TSNEEmbedding(self.coords.copy(), affinities, n_jobs=N_JOBS, random_state=self.params.seed,
                                  negative_gradient_method="bh")
        placed = reference.transform(feats, perplexity=PLACE_PERPLEXITY, n_iter=n_iter)
        return np.asarray(placed, dtype=np.float64)  # (M, 2)

    def nearest_map_labels(self, points: np.ndarray, k: int = MAP_NEIGHBOURS) -> np.ndarray:
        """The majority label of the k map digits nearest to each point (M, 2): which digit's
        cluster a placed point landed in. Ties go to the smaller digit."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        if len(points) == 0:
            return np.zeros(0, dtype=np.int64)
        k = min(k, len(self.coords))
        d2 = ((points[:, None, :] - self.coords[None, :, :]) ** 2).sum(-1)  # (M, N)
        nearest = np.argpartition(d2, k - 1, axis=1)[:, :k]  # (M, k)
        votes = self.labels[nearest]  # (M, k)
        n_labels = int(self.labels.max()) + 1
        counts = np.stack([(votes == c).sum(1) for c in range(n_labels)], axis=1)  # (M, C)
        return counts.argmax(1).astype(np.int64)


def neighbour_count(perplexity: float, n_reference: int) -> int:
    """How many map digits a new point's affinities (and its starting point) use: 3 x perplexity."""
    return int(min(n_reference - 1, max(1, round(3 * perplexity))))


class ExactReferenceAffinities(affinity.Affinities):
    """Affinities of new points to the map's digits, for TSNEEmbedding.transform.

    kNN by brute force on the stored PCA features (exact; (M x N) distances in one product),
    then openTSNE's own perplexity calibration, row-normalised as openTSNE does for new points.
    `P` (the map's own affinities) is only needed to optimise the map itself, which placement
    never does, so it is an empty matrix of the right shape."""

    def __init__(self, reference: np.ndarray):
        super().__init__()
        self.reference = np.asarray(reference, dtype=np.float64)  # (N, D)
        self.reference_sq = (self.reference ** 2).sum(1)  # (N,)
        n = len(self.reference)
        self.P = sp.csr_matrix((n, n))

    def nearest(self, data, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(neighbors (M, k), distances (M, k)): each row's k nearest reference rows, nearest first."""
        data = np.asarray(data, dtype=np.float64)  # (M, D)
        d2 = (data ** 2).sum(1)[:, None] - 2 * data @ self.reference.T + self.reference_sq[None]  # (M, N)
        nearest = np.argpartition(d2, k, axis=1)[:, :k]  # (M, k) unordered
        near_d2 = np.take_along_axis(d2, nearest, 1)
        order = np.argsort(near_d2, axis=1, kind="stable")
        neighbors = np.take_along_axis(nearest, order, 1)  # (M, k) nearest first
        return neighbors, np.sqrt(np.maximum(np.take_along_axis(near_d2, order, 1), 0.0))

    def to_new(self, data, perplexity: float = PLACE_PERPLEXITY, return_distances: bool = False):
        n_ref = len(self.reference)
        k = neighbour_count(perplexity, n_ref)
        neighbors, distances = self.nearest(data, k)
        perplexity = min(float(perplexity), k / 3)  # openTSNE's check_perplexity rule
        P = affinity.joint_probabilities_nn(neighbors, distances, [perplexity], symmetrize=False,
                                            normalization="point-wise", n_reference_samples=n_ref,
                                            n_jobs=N_JOBS)
        return (P, neighbors, distances) if return_distances else P


# ---- building ----------------------------------------------------------------------------------

def select_points(n_data: int, params: MapParams) -> np.ndarray:
    """Rows of the data set that go on the map (sorted); all rows when the set is small enough."""
    n = params.points_for(n_data)
    if n >= n_data:
        return np.arange(n_data, dtype=np.int64)
    rows = np.random.default_rng(params.seed).choice(n_data, size=n, replace=False)
    return np.sort(rows).astype(np.int64)


def map_key(images: np.ndarray, labels: np.ndarray, params: MapParams) -> str:
    """Hash of the digits on the map, the parameters and the format: new data = new map."""
    h = hashlib.sha256()
    h.update(json.dumps({"format": FORMAT_VERSION, **asdict(params)}, sort_keys=True).encode())
    h.update(np.ascontiguousarray(images, dtype=np.float32).tobytes())
    h.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


def exact_pca(flat: np.ndarray, dims: int) -> tuple[np.ndarray, np.ndarray]:
    """(mean (784,), components (dims, 784)) from the eigenvectors of the covariance matrix.
    Deterministic: no randomised solver, and each direction's sign is fixed so that its largest
    entry is positive (eigenvectors are only defined up to sign)."""
    x = flat.astype(np.float64)
    mean = x.mean(0)
    centred = x - mean
    cov = centred.T @ centred / max(len(x) - 1, 1)  # (784, 784)
    eigvals, eigvecs = np.linalg.eigh(cov)  # ascending
    comps = eigvecs[:, ::-1][:, :dims].T  # (dims, 784), largest variance first
    signs = np.sign(comps[np.arange(len(comps)), np.abs(comps).argmax(1)])
    comps = comps * signs[:, None]
    return mean.astype(np.float32), comps.astype(np.float32)


def build_map(data: MnistData, params: MapParams = MapParams(), progress: Progress | None = None) -> DigitMap:
    """Compute the map from scratch (seconds for 500 digits, a minute or two for 5,000 here)."""
    say = progress or (lambda fraction, message: None)
    t0 = time.perf_counter()
    rows = select_points(len(data), params)
    images = data.images[rows]  # (N, 28, 28)
    labels = data.labels[rows].astype(np.int64)
    if len(rows) < 4 * params.perplexity:
        raise ValueError(f"a map needs at least {int(4 * params.perplexity)} digits for perplexity "
                         f"{params.perplexity:g}; got {len(rows)}")
    say(0.0, f"Projecting {len(rows):,} digits onto {params.pca_dims} principal components")
    flat = images.reshape(len(rows), -1)  # (N, 784)
    mean, comps = exact_pca(flat, params.pca_dims)
    feats = (flat - mean) @ comps.T  # (N, D) float32
    say(0.05, "Finding each digit's neighbours (perplexity "f"{params.perplexity:g})")
    x = feats.astype(np.float64)
    aff = affinity.PerplexityBasedNN(x, perplexity=params.perplexity, method="exact", n_jobs=N_JOBS,
                                     random_state=params.seed)
    init = rescale(x[:, :2].copy())  # the first two principal components, std 1e-4
    embedding = TSNEEmbedding(init, aff, n_jobs=N_JOBS, random_state=params.seed,
                              negative_gradient_method="bh")
    total = params.early_iters + params.main_iters
    lr = max(len(rows) / 12, 50.0)  # Belkina et al.'s "auto": N / early exaggeration

    def tracker(offset: int, phase: str):
        def callback(iteration, error, _embedding):
            say(0.1 + 0.9 * (offset + iteration) / total,
                f"{phase}: iteration {offset + iteration} of {total} (KL {error:.2f})")
            return False  # never stop early
        return callback

    embedding = embedding.optimize(n_iter=params.early_iters, exaggeration=12, momentum=0.5,
                                   learning_rate=lr, callbacks=tracker(0, "Clusters forming"),
                                   callbacks_every_iters=25)
    embedding = embedding.optimize(n_iter=params.main_iters, momentum=0.8, learning_rate=lr,
                                   callbacks=tracker(params.early_iters, "Clusters settling"),
                                   callbacks_every_iters=25)
    coords = np.asarray(embedding, dtype=np.float64)
    coords = coords - (coords.max(0) + coords.min(0)) / 2  # centred as transform() expects
    say(1.0, "Map ready")
    return DigitMap(coords, labels, rows, feats.astype(np.float32), mean, comps, params,
                    map_key(images, labels, params), data.source, time.perf_counter() - t0)


# ---- the disk cache ------------------------------------------------------------------------------

def default_cache_dir() -> str:
    return os.environ.get(CACHE_DIR_ENV) or CACHE_DIR


def cache_path(key: str, cache_dir: str | None = None) -> str:
    return os.path.join(cache_dir or default_cache_dir(), f"tsne_map_{key}.npz")


def save_map(digit_map: DigitMap, path: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp.npz"
    np.savez(tmp, coords=digit_map.coords, labels=digit_map.labels, indices=digit_map.indices,
             features=digit_map.features, pca_mean=digit_map.pca_mean,
             pca_components=digit_map.pca_components,
             meta=np.array(json.dumps({"format": FORMAT_VERSION, "key": digit_map.key,
                                       "params": asdict(digit_map.params), "source": digit_map.source,
                                       "build_seconds": digit_map.build_seconds})))
    os.replace(tmp, path)  # atomic: a crash mid-write never leaves a half file


def read_map(path: str, key: str, labels: np.ndarray | None = None) -> DigitMap:
    """The map stored at path; ValueError/OSError if it is unreadable or does not match
    (wrong key, shapes, dtypes, labels, non-finite numbers). Never unpickles anything.
    labels None: a reader without the data set (a run's host placing fakes on the map a page
    built) trusts the file's own labels; its key, which hashes the digits, labels and
    parameters, still has to match."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {name: f[name] for name in ("coords", "labels", "indices", "features", "pca_mean",
                                             "pca_components", "meta")}
    meta = json.loads(str(arrays["meta"]))
    if meta.get("format") != FORMAT_VERSION or meta.get("key") != key:
        raise ValueError("the cached map was built from other digits or parameters")
    params = MapParams(**meta["params"])
    n, dims = len(arrays["labels"] if labels is None else labels), params.pca_dims
    expected = {"coords": ((n, 2), np.float64), "labels": ((n,), np.int64), "indices": ((n,), np.int64),
                "features": ((n, dims), np.float32), "pca_mean": ((784,), np.float32),
                "pca_components": ((dims, 784), np.float32)}
    for name, (shape, dtype) in expected.items():
        a = arrays[name]
        if a.shape != shape or a.dtype != dtype:
            raise ValueError(f"cached {name} has shape {a.shape} {a.dtype}; expected {shape} {dtype}")
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise ValueError(f"cached {name} holds NaN or infinite values")
    if labels is not None and not np.array_equal(arrays["labels"], labels):
        raise ValueError("cached labels differ from the data's")
    return DigitMap(arrays["coords"], arrays["labels"], arrays["indices"], arrays["features"],
                    arrays["pca_mean"], arrays["pca_components"], params, key, str(meta["source"]),
                    float(meta["build_seconds"]), "read from cache")


MAP_KEY = re.compile(r"[0-9a-f]{8,64}")  # what map_key() writes: a file name part, never a path


def read_cached_map(key: str, cache_dir: str | None = None) -> DigitMap | None:
    """The map a page built and cached under `key`, or None when there is no usable file (not
    built yet, or damaged: the page that shows the map rebuilds it)."""
    if not MAP_KEY.fullmatch(key):
        raise ValueError(f"not a map key: {key[:80]!r}")
    path = cache_path(key, cache_dir)
    try:
        return read_map(path, key) if os.path.exists(path) else None
    except Exception:  # truncated, foreign or stale: not this reader's to repair
        return None


def cached_map_problem(path: str, key: str, labels: np.ndarray) -> str | None:
    """None when the map file at path can be used; else why not, in words ("missing" when there is
    no file yet), so a UI can say why it is building the map again."""
    if not os.path.exists(path):
        return "missing"
    try:
        read_map(path, key, labels)
    except Exception as exc:  # the same checks load_or_build_map relies on
        return describe_cache_error(exc)
    return None


def load_or_build_map(data: MnistData, params: MapParams = MapParams(), cache_dir: str | None = None,
                      progress: Progress | None = None, shipped_dir: str | None = SHIPPED_DIR) -> DigitMap:
    """The map for `data`: read from the disk cache when a valid one exists (a missing one starts
    from the map the app ships for its key, if any), else built (with progress reports) and
    cached. A corrupt or mismatching cache file is replaced."""
    rows = select_points(len(data), params)
    labels = data.labels[rows].astype(np.int64)
    key = map_key(data.images[rows], labels, params)
    path = cache_path(key, cache_dir)
    start_from_shipped(path, shipped_dir)
    if os.path.exists(path):
        try:
            return read_map(path, key, labels)
        except Exception:  # truncated zip, foreign file, stale key, bad shapes: rebuild, never trust
            pass
    digit_map = build_map(data, params, progress)
    save_map(digit_map, path)
    return digit_map
