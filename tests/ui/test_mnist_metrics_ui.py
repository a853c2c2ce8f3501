"""The MNIST page's classifier adapter: cold start on a thread, flat metric values."""

import threading
import time

import numpy as np
import pytest
import torch

import ui.mnist.metrics as mm
from gan_core.classifier import get_classifier
from gan_core.mnist import load_embedded
from gan_core.mnist_metrics import evaluate_digits


def no_cache(path, key):
    raise FileNotFoundError(path)


def test_cold_start_trains_on_a_thread_and_the_page_is_told(monkeypatch):
    release = threading.Event()
    sentinel = object()

    def slow_training():
        release.wait(10)
        return sentinel

    monkeypatch.setattr(mm, "read_cached", no_cache)
    monkeypatch.setattr(mm, "get_classifier", slow_training)
    loader = mm.ClassifierLoader()
    assert loader.classifier is None and loader.error == ""  # returned at once, still training
    release.set()
    deadline = time.monotonic() + 10
    while loader.classifier is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loader.classifier is sentinel


def test_a_failed_training_is_reported_not_raised(monkeypatch):
    def broken():
        raise OSError("disk full")

    monkeypatch.setattr(mm, "read_cached", no_cache)
    monkeypatch.setattr(mm, "get_classifier", broken)
    loader = mm.ClassifierLoader()
    deadline = time.monotonic() + 10
    while not loader.error and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loader.error == "OSError: disk full" and loader.classifier is None


def test_digit_values_flatten_the_engine_metrics_and_make_the_sentence():
    from classroom.digit_views import digit_values  # what the run's host records for the page

    clf = get_classifier()
    real = torch.from_numpy(load_embedded().images[::10]).unsqueeze(1) * 2 - 1  # (500, 1, 28, 28), all digits
    values = digit_values(real, clf)
    expected = evaluate_digits(real, clf)
    shares = np.array([values[f"digit_{d}"] for d in range(10)])
    np.testing.assert_allclose(shares, expected.counts / 500, atol=1e-12)
    assert values["kl_uniform"] == pytest.approx(expected.kl_uniform, abs=1e-12)
    assert values["digits_covered"] == expected.digits_covered == 10  # real digits: all ten
    assert values["frechet"] == pytest.approx(expected.frechet, abs=1e-9)
    assert mm.missing_sentence(values) == "The generator draws all ten digits."
    values["digit_4"] = values["digit_9"] = 0.0
    assert mm.missing_sentence(values) == "The generator never draws 4 or 9."


@pytest.mark.parametrize("blank, want", [(0.0, "None of the 500 generated images looks like a digit yet."),
                                         (0.2, "None of the 500 generated images looks like a digit yet.")])
def test_the_first_screen_headline_is_the_short_sentence_once(blank, want):
    """No digit-like sample: the first screen says only the first clause, with one full stop (it
    printed "…missing yet.." before); other sentences are shown whole."""
    from ui.mnist.live import headline

    nothing = {"samples": 500.0, "not_digit": 1.0, "blank": blank, **{f"digit_{d}": 0.0 for d in range(10)}}
    assert headline(nothing) == want
    some = {"samples": 500.0, "not_digit": 0.0, "blank": 0.0, **{f"digit_{d}": 0.1 for d in range(10)}}
    assert headline(some) == mm.missing_sentence(some) and not headline(some).endswith("..")
