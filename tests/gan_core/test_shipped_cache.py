"""The classifier weights and the t-SNE map the app ships (data/embedded/): a fresh cache starts
from them, nothing is trained or built, and they are what they claim to be (checked against the
embedded digits here, not against numbers stored in the files)."""

from __future__ import annotations

import filecmp
import os

import numpy as np
import pytest
import torch
from scipy.spatial import cKDTree

import gan_core.classifier as clf_module
import gan_core.embedding as embedding
from gan_core.cache_files import SHIPPED_DIR, start_from_shipped
from gan_core.classifier import cache_key, classifier_path, get_classifier, load_cached, split_indices
from gan_core.mnist import load_embedded

SHIPPED_MAP = "tsne_map_1c19bf46fdf43395.npz"


def _no_training(*args, **kwargs):
    raise AssertionError("trained or built although the app ships the file")


def test_a_fresh_cache_reads_the_shipped_classifier_which_reads_held_out_digits(tmp_path, monkeypatch):
    monkeypatch.setattr(clf_module, "train_classifier", _no_training)
    get_classifier.cache_clear()
    try:
        clf = get_classifier(str(tmp_path))
    finally:
        get_classifier.cache_clear()
    assert clf.origin == "read from cache"
    assert filecmp.cmp(classifier_path(str(tmp_path)), os.path.join(SHIPPED_DIR, "digit_cnn.pt"), shallow=False)
    # its accuracy recomputed on the 1,000 embedded digits it never trained on (seeded split)
    data = load_embedded()
    _, held = split_indices(len(data.labels), 1000, 0)
    images = torch.from_numpy(data.images[held]).unsqueeze(1) * 2 - 1
    accuracy = float((clf.predict(images) == torch.from_numpy(data.labels[held])).float().mean())
    assert accuracy == pytest.approx(clf.heldout_accuracy, abs=1e-9)
    assert 0.97 <= accuracy <= 0.99  # 0.978 when it was made (data/embedded/README.md)


def test_a_cache_file_already_there_is_kept(tmp_path):
    path = tmp_path / "digit_cnn.pt"
    path.write_bytes(b"the teacher's own file")
    assert start_from_shipped(str(path)) is False
    assert path.read_bytes() == b"the teacher's own file"
    assert start_from_shipped(str(tmp_path / "nothing_shipped_by_this_name.npz")) is False
    assert not (tmp_path / "nothing_shipped_by_this_name.npz").exists()
    assert start_from_shipped(str(tmp_path / "other.pt"), shipped_dir=None) is False


def test_a_shipped_classifier_for_other_digits_is_retrained_and_saved_over(tmp_path, monkeypatch):
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    torch.save({"key": "0123456789abcdef", "model": {}}, shipped / "digit_cnn.pt")  # another recipe's
    real_train = clf_module.train_classifier
    monkeypatch.setattr(clf_module, "train_classifier", lambda data: real_train(data, epochs=0))
    cache = tmp_path / "cache"
    get_classifier.cache_clear()
    try:
        clf = get_classifier(str(cache), shipped_dir=str(shipped))
    finally:
        get_classifier.cache_clear()
    assert clf.origin == "trained now"
    assert load_cached(classifier_path(str(cache)), cache_key(load_embedded())) is not None


def test_a_fresh_cache_reads_the_shipped_map_of_the_embedded_digits(tmp_path, monkeypatch):
    monkeypatch.setattr(embedding, "build_map", _no_training)
    data = load_embedded()
    digit_map = embedding.load_or_build_map(data, embedding.MapParams(), str(tmp_path))
    assert digit_map.origin == "read from cache"
    assert os.path.basename(embedding.cache_path(digit_map.key, str(tmp_path))) == SHIPPED_MAP
    # the map places the digits it says it places: its labels are the embedded digits' own
    np.testing.assert_array_equal(digit_map.labels, data.labels[digit_map.indices])
    assert digit_map.coords.shape == (len(data.labels), 2) and np.isfinite(digit_map.coords).all()
    # t-SNE keeps neighbours: most digits' nearest mapped neighbour is the same digit
    _, nearest = cKDTree(digit_map.coords).query(digit_map.coords, k=2)  # (N, 2): itself, then its neighbour
    same = float((digit_map.labels[nearest[:, 1]] == digit_map.labels).mean())
    assert 0.85 <= same <= 1.0


def test_a_cache_folder_that_cannot_be_written_is_left_as_it_is(tmp_path):
    blocked = tmp_path / "a_file_not_a_folder"
    blocked.write_text("x")
    assert start_from_shipped(str(blocked / "digit_cnn.pt")) is False
    assert blocked.read_text() == "x" and list(tmp_path.iterdir()) == [blocked]
