"""The digit classifier: a real training run (once per test session, cached in a tmp folder),
its held-out accuracy, the disk cache (round trip, corrupt file, pickle payload) and the digit
metrics it drives."""

import os
import pickle

import numpy as np
import pytest
import torch

from gan_core import classifier as clf_module
from gan_core.classifier import (DigitClassifier, cache_key, classifier_path, get_classifier,
                                 load_cached, split_indices)
from gan_core.config import TrainConfig
from gan_core.mnist import load_embedded
from gan_core.mnist_metrics import evaluate_digits, evaluate_generator
from gan_core.trainer import Trainer


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """(classifier, cache folder): trained from scratch once for the whole session (not started
    from the weights the app ships: this checks the recipe itself)."""
    folder = str(tmp_path_factory.mktemp("classifier_cache"))
    get_classifier.cache_clear()
    clf = get_classifier(folder, shipped_dir=None)
    get_classifier.cache_clear()
    return clf, folder


@pytest.fixture(scope="module")
def real():
    data = load_embedded()
    return torch.from_numpy(data.images).unsqueeze(1) * 2 - 1, torch.from_numpy(data.labels)


@pytest.mark.slow
def test_heldout_accuracy_at_least_97_percent(trained, real):
    clf, _ = trained
    assert clf.origin == "trained now"
    images, labels = real
    _, held = split_indices(len(labels), 1000, 0)
    recomputed = float((clf.predict(images[held]) == labels[held]).float().mean())
    assert recomputed == pytest.approx(clf.heldout_accuracy, abs=1e-9)
    assert 0.97 <= clf.heldout_accuracy <= 1.0


@pytest.mark.slow
def test_cache_round_trip_gives_identical_outputs(trained, real):
    clf, folder = trained
    again = get_classifier(folder)
    get_classifier.cache_clear()
    assert again.origin == "read from cache"
    assert again.heldout_accuracy == pytest.approx(clf.heldout_accuracy, abs=0)
    x = real[0][:64]
    assert torch.equal(again.logits(x), clf.logits(x))
    assert clf.features(x).shape == (64, 128)
    np.testing.assert_allclose(clf.predict_proba(x).sum(1).numpy(), np.ones(64), atol=1e-5)


def test_split_is_seeded_and_disjoint():
    train, held = split_indices(5000, 1000, 0)
    assert len(train) == 4000 and len(held) == 1000
    assert len(np.intersect1d(train, held)) == 0
    np.testing.assert_array_equal(held, split_indices(5000, 1000, 0)[1])


def _fast_training(monkeypatch):
    """Replace the training run by a zero-epoch one: these tests are about the cache, not accuracy."""
    real_train = clf_module.train_classifier
    monkeypatch.setattr(clf_module, "train_classifier", lambda data: real_train(data, epochs=0))


def test_corrupt_cache_is_ignored_and_rewritten(tmp_path, monkeypatch):
    _fast_training(monkeypatch)
    path = classifier_path(str(tmp_path))
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04 truncated nonsense")
    get_classifier.cache_clear()
    clf = get_classifier(str(tmp_path), shipped_dir=None)
    get_classifier.cache_clear()
    assert clf.origin == "trained now"
    assert load_cached(path, cache_key(load_embedded())) is not None  # a good file replaced it


class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + os.environ["PAYLOAD_MARK"],))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_pickle_payload_in_cache_does_not_run(tmp_path, monkeypatch):
    mark = tmp_path / "payload_ran"
    monkeypatch.setenv("PAYLOAD_MARK", str(mark))
    path = tmp_path / "digit_cnn.pt"
    with open(path, "wb") as fh:
        pickle.dump({"key": "x", "model": Payload()}, fh)
    assert load_cached(str(path), "x") is None
    assert not mark.exists()


def test_cache_for_other_data_is_not_used(tmp_path, monkeypatch):
    _fast_training(monkeypatch)
    get_classifier.cache_clear()
    get_classifier(str(tmp_path), shipped_dir=None)
    get_classifier.cache_clear()
    assert load_cached(classifier_path(str(tmp_path)), "0123456789abcdef") is None


@pytest.mark.slow
def test_metrics_on_real_digits_and_on_one_repeated_digit(trained, real):
    clf, _ = trained
    images, labels = real
    _, held = split_indices(len(labels), 1000, 0)
    m = evaluate_digits(images[held], clf)
    assert m.digits_covered == 10 and m.missing == []
    true_counts = np.bincount(labels[held].numpy(), minlength=10)
    # at least 97% correct: the histogram can differ from the truth by at most 2 * 3% of 1000
    assert np.abs(m.counts - true_counts).sum() <= 60
    assert 0.0 <= m.kl_uniform <= 0.03
    assert 0.9 <= m.mean_confidence <= 1.0
    ones = images[labels == 1][:1].repeat(200, 1, 1, 1)  # one "1", 200 times
    single = evaluate_digits(ones, clf)
    assert single.counts.tolist() == [0, 200] + [0] * 8
    assert single.kl_uniform == pytest.approx(np.log(10), abs=1e-12)
    # Real held-out digits sit far closer to the real statistics than one repeated digit does.
    assert 0.0 <= m.frechet < 0.2 * single.frechet


@pytest.mark.slow
def test_evaluate_generator_leaves_the_run_alone(trained):
    clf, _ = trained
    trainer = Trainer(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=16, d_width=16,
                                  g_output="tanh", batch_size=8))
    trainer.step()
    rng_state = trainer.rng.get_state().clone()
    buffers = {k: v.clone() for k, v in trainer.generator.named_buffers()}
    first = evaluate_generator(trainer, n=300, classifier=clf)
    second = evaluate_generator(trainer, n=300, classifier=clf)
    assert torch.equal(trainer.rng.get_state(), rng_state)
    assert all(torch.equal(v, buffers[k]) for k, v in trainer.generator.named_buffers())
    assert first.counts.tolist() == second.counts.tolist() and first.n_samples == 300
    assert first.frechet == pytest.approx(second.frechet, rel=1e-9)
    assert isinstance(clf, DigitClassifier)


@pytest.mark.slow
def test_evaluate_generator_scores_the_copy_of_g_it_is_given(trained):
    """By default the G that views show (the weight average); given another copy, that copy, on the
    same noise: fakes computed here by hand from the trainer's own noise give the same metrics."""
    clf, _ = trained
    trainer = Trainer(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=16, d_width=16,
                                  g_output="tanh", batch_size=8, ema_decay=0.5))
    for _ in range(3):  # the average now differs from G
        trainer.step()
    z = trainer.noise(300, torch.Generator().manual_seed(7))
    by_hand = {}
    for name, net in (("average", trainer.average.net), ("trained", trainer.generator)):
        with trainer.looking_at(net) as g:
            by_hand[name] = evaluate_digits(g(z), clf)
    shown = evaluate_generator(trainer, n=300, seed=7, classifier=clf)
    trained_g = evaluate_generator(trainer, n=300, seed=7, classifier=clf, generator=trainer.generator)
    assert shown.counts.tolist() == by_hand["average"].counts.tolist()
    assert shown.mean_confidence == pytest.approx(by_hand["average"].mean_confidence, abs=1e-6)
    assert trained_g.counts.tolist() == by_hand["trained"].counts.tolist()
    assert trained_g.mean_confidence == pytest.approx(by_hand["trained"].mean_confidence, abs=1e-6)
    assert trained_g.frechet != pytest.approx(shown.frechet, rel=1e-6)  # two different copies of G
