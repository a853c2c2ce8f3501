"""The digit classifier as the MNIST page uses it: its loader and status, the sentence a progress
record's digit shares make, and a reader for the latent walk. The run's host measures G's digits
(classroom.digit_views.digit_values); the metrics themselves are gan_core.mnist_metrics'.

The classifier is read from its disk cache in well under a second. On a cold start (no cache
yet) it must be trained once, which takes a minute on a busy laptop: that happens on a
background thread so the page can step and play meanwhile; the metrics start when it is ready.
One loader per process (st.cache_resource), shared read-only by every session.
"""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st
import torch

from gan_core.cache_files import describe_cache_error
from gan_core.classifier import DigitClassifier, cache_key, classifier_path, get_classifier, read_cached
from gan_core.mnist import load_embedded
from gan_core.mnist_metrics import missing_digits_sentence


class ClassifierLoader:
    """The classifier now if the disk cache has it, else trained on a thread of its own."""

    def __init__(self):
        self.classifier: DigitClassifier | None = None
        self.error = ""
        self.cache_problem = ""  # why a saved classifier file was not used ("" if there was none)
        try:
            self.classifier = read_cached(classifier_path(), cache_key(load_embedded()))
        except FileNotFoundError:
            pass  # a first start: train it once
        except Exception as exc:  # corrupt, foreign or refused file: retrain it, and say why
            self.cache_problem = describe_cache_error(exc)
        if self.classifier is None:
            threading.Thread(target=self._train, name="digit-classifier", daemon=True).start()

    def _train(self) -> None:
        try:
            self.classifier = get_classifier()  # trains once and writes the disk cache
        except Exception as exc:  # shown in the UI instead of metrics; the page keeps working
            self.error = f"{type(exc).__name__}: {exc}"


@st.cache_resource(show_spinner=False)
def _loader() -> ClassifierLoader:
    return ClassifierLoader()


def ready_classifier() -> DigitClassifier | None:
    return _loader().classifier


def _classifier() -> DigitClassifier:
    clf = ready_classifier()
    if clf is None:
        raise RuntimeError("the digit classifier is not ready yet")
    return clf


def missing_sentence(values: dict) -> str:
    """'The generator never draws 4 or 9.' from a timeline point's digit shares (and, while most
    samples look like no digit, that it is too early to say)."""
    n = values.get("samples", 1000.0)  # a point holding shares only: any n keeps which digits are drawn
    counts = np.rint(np.array([values.get(f"digit_{d}", 0.0) for d in range(10)]) * n).astype(np.int64)
    return missing_digits_sentence(counts, not_digits=int(round(values.get("not_digit", 0.0) * n)),
                                   blanks=int(round(values.get("blank", 0.0) * n)))


def classifier_status() -> str:
    """"" when the classifier is ready, else a sentence saying why there are no metrics yet."""
    loader = _loader()
    if loader.classifier is not None:
        return ""
    if loader.error:
        return f"The digit classifier could not be trained ({loader.error}); no digit metrics."
    why = (f"The saved digit classifier could not be used ({loader.cache_problem}), so it is "
           "being trained again" if loader.cache_problem else "The digit classifier is being trained")
    return (f"{why} once (about a minute; then it is read from disk). Digit metrics start as soon "
            "as it is ready; everything else works meanwhile.")


def classifier_note() -> str:
    clf = _classifier()
    return f"a small CNN, {100 * clf.heldout_accuracy:.1f}% right on 1,000 held-out real digits"


def walk_labeller():
    """label(images (S, 28, 28) in [0, 1]) -> [(digit, confidence)] for the latent walk, or
    None while the classifier is not ready."""
    if ready_classifier() is None:
        return None

    def label(images: np.ndarray) -> list[tuple[int, float]]:
        x = torch.from_numpy(np.ascontiguousarray(images)) * 2 - 1  # back to the data's [-1, 1]
        probs = _classifier().predict_proba(x)  # (S, 10)
        conf, digit = probs.max(dim=1)
        return list(zip(digit.tolist(), conf.tolist()))

    return label
