"""The digit classifier as the MNIST page uses it: a measure for the progress record (digit
histogram, digits covered, KL to uniform, mean confidence, Fréchet distance) and a reader for
the latent walk. The metrics themselves are gan_core.mnist_metrics'; the classifier is shared
by every session (st.cache_resource: read-only after it is built)."""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

from gan_core.classifier import get_classifier
from gan_core.mnist_metrics import evaluate_digits, missing_digits_sentence


@st.cache_resource(show_spinner="Preparing the digit classifier (trained once, then read from disk)…")
def _classifier():
    return get_classifier()


def measure_digits(images: torch.Tensor) -> dict:
    """images (N, 1, 28, 28) in [-1, 1] -> digits_covered, kl_uniform, mean_confidence,
    frechet, digit_0 .. digit_9 (fraction of samples the classifier reads as each digit).
    gan_core.mnist_metrics defines them; here they become the flat floats a timeline keeps."""
    m = evaluate_digits(images, _classifier())
    shares = m.counts / max(int(m.counts.sum()), 1)
    values = {"digits_covered": float(m.digits_covered), "kl_uniform": m.kl_uniform,
              "mean_confidence": m.mean_confidence, "frechet": m.frechet}
    values.update({f"digit_{d}": float(shares[d]) for d in range(10)})
    return values


def digit_measure():
    """The measure function the progress record calls on G's samples."""
    return measure_digits


def missing_sentence(values: dict) -> str:
    """'The generator never draws 4 or 9.' from a timeline point's digit shares."""
    return missing_digits_sentence(np.array([values.get(f"digit_{d}", 0.0) for d in range(10)]))


def classifier_note() -> str:
    clf = _classifier()
    return f"a small CNN, {100 * clf.heldout_accuracy:.1f}% right on 1,000 held-out real digits"


def walk_labeller():
    """label(images (S, 28, 28) in [0, 1]) -> [(digit, confidence)] for the latent walk."""

    def label(images: np.ndarray) -> list[tuple[int, float]]:
        x = torch.from_numpy(np.ascontiguousarray(images)) * 2 - 1  # back to the data's [-1, 1]
        probs = _classifier().predict_proba(x)  # (S, 10)
        conf, digit = probs.max(dim=1)
        return list(zip(digit.tolist(), conf.tolist()))

    return label
