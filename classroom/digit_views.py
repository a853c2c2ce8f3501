"""The MNIST page's live view, computed where the run trains (classroom.run_views, "mnist").

A redraw of the MNIST page needs G of the fixed z (the digit grid), the newest mean D(x) and
D(G(z)), the curves' history, and every METRIC_EVERY iterations what a digit classifier reads off
500 of G's samples (the digit histogram). Computed on the web server, each redraw first synced the
page's replica of the run, ~12 MB of weights (issue 21); here the run's host computes them and sends
~0.1 MB: the grid as bytes, the numbers, and the classifier's reading as 17 floats.

The classifier is the one the page trains once and keeps on disk (gan_core.classifier): the host
reads that file when it exists, and looks again at most every CLASSIFIER_RETRY seconds while it does
not (a fresh machine trains it on the web server first); until then the view carries no metrics.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import threading
import time
import weakref
from dataclasses import dataclass

import numpy as np
import torch

from classroom.image_progress import ImageProgress
from classroom.lab_views import chart_columns
from gan_core.classifier import DigitClassifier, cache_key, classifier_path, read_cached
from gan_core.coverage import ReadDigits, generate_fixed, read_fakes
from gan_core.mnist_metrics import evaluate_digits
from gan_core.step_probe import fixed_frame

GRID_DIGITS = 36  # the main view: G of the first 36 fixed z, the frames' z
METRIC_EVERY = 100  # classifier checks cost ~0.1 s: often enough for a curve, rare enough to play
COVERAGE_DIGITS = 200  # fakes placed on the mode-coverage page's live map at each redraw
CLASSIFIER_RETRY = 5.0  # seconds between two looks for the classifier's file while it is missing


def digit_values(images: torch.Tensor, classifier: DigitClassifier) -> dict:
    """images (N, 1, 28, 28) in [-1, 1] -> digits_covered, kl_uniform, mean_confidence, frechet,
    digit_0 .. digit_9 (fraction of the N samples that look like a digit and are read as each digit),
    not_digit (fraction that look like no digit yet), blank (fraction that are blank, counted in
    not_digit too) and samples (N): gan_core.mnist_metrics' figures as the flat floats a timeline keeps."""
    m = evaluate_digits(images, classifier)
    shares = m.counts / max(m.n_samples, 1)
    values = {"digits_covered": float(m.digits_covered), "kl_uniform": m.kl_uniform,
              "mean_confidence": m.mean_confidence, "frechet": m.frechet,
              "not_digit": m.not_digits / max(m.n_samples, 1), "blank": m.blanks / max(m.n_samples, 1),
              "samples": float(m.n_samples)}
    values.update({f"digit_{d}": float(shares[d]) for d in range(10)})
    return values


class _DiskClassifier:
    """The classifier from its disk cache, once the file is there (one per process)."""

    def __init__(self):
        self.classifier: DigitClassifier | None = None
        self._looked_at = -float("inf")

    def get(self) -> DigitClassifier | None:
        now = time.monotonic()
        if self.classifier is None and now - self._looked_at >= CLASSIFIER_RETRY:
            self._looked_at = now
            path = classifier_path()
            if os.path.exists(path):
                try:
                    from gan_core.mnist import load_embedded

                    self.classifier = read_cached(path, cache_key(load_embedded()))
                except Exception:  # a file being written, or another data set's: look again later
                    self.classifier = None
        return self.classifier


_disk_classifier = _DiskClassifier()


def _latest(column: np.ndarray) -> float:
    finite = column[np.isfinite(column)]
    return float(finite[-1]) if len(finite) else float("nan")


def latest_d_outputs(trainer) -> tuple[float, float]:
    """Mean D(x) and mean D(G(z)) of the newest updates that measured them."""
    cols = trainer.history.tail_columns(8)
    return _latest(cols.get("d_real", np.array([]))), _latest(cols.get("d_fake", np.array([])))


@dataclass(frozen=True)
class CoverageReading:
    """The mode-coverage page's live map data: the fakes read and, when the host could read the map
    the page shows (`map_key`), their positions on it (then without their images: the live map
    draws positions and readings only); else their images as bytes, for the page to place."""

    read: ReadDigits
    positions: np.ndarray | None  # (N, 2) map coordinates, QUICK_PLACE; None: the page places them
    map_key: str | None


class _DiskMaps:
    """t-SNE maps from the disk cache by key, as the page that shows one built and saved it (one
    per process, the newest few kept; a missing file is looked for again after CLASSIFIER_RETRY)."""

    def __init__(self, keep: int = 2):
        self.keep = keep
        self._maps: dict = {}  # key -> gan_core.embedding.DigitMap
        self._missed: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, key: str):
        """The map of `key` (gan_core.embedding.DigitMap), or None."""
        from gan_core.embedding import read_cached_map  # openTSNE: seconds to import, only for this page

        with self._lock:
            if key in self._maps:
                return self._maps[key]
            if time.monotonic() - self._missed.get(key, -float("inf")) < CLASSIFIER_RETRY:
                return None
        found = read_cached_map(key)
        with self._lock:
            if found is None:
                self._missed[key] = time.monotonic()
                return None
            self._maps[key] = found
            while len(self._maps) > self.keep:
                self._maps.pop(next(iter(self._maps)))
            return found


_disk_maps = _DiskMaps()


def coverage_view(map_key: str) -> str:
    """The view name that asks a run for its fakes read and placed on the map of `map_key`."""
    return f"coverage@{map_key}"


class CoverageView:
    """The mode-coverage page's live map: COVERAGE_DIGITS fakes of fixed noise read by the digit
    classifier (gan_core.coverage.ReadDigits, its images as bytes) and placed on the page's t-SNE
    map (`map_key`, read from the disk cache) with QUICK_PLACE, so the web server only draws them.
    None while this host has no classifier yet (the page then reads them itself); positions None
    while it cannot read the map (the page places them)."""

    def __init__(self, map_key: str | None = None, classifier=_disk_classifier.get, maps=_disk_maps.get):
        self._classifier, self._maps, self.map_key = classifier, maps, map_key

    def compute(self, source) -> CoverageReading | None:
        if (clf := self._classifier()) is None:
            return None
        with source.locked() as trainer:
            iteration, fakes = int(trainer.iteration), generate_fixed(trainer, COVERAGE_DIGITS)
        read = read_fakes(iteration, fakes, clf)  # the classifier reads while training goes on
        digit_map = self._maps(self.map_key) if self.map_key is not None else None
        positions = None
        if digit_map is not None and np.isfinite(read.images).all():  # a diverged G: the page says so
            from gan_core.embedding import QUICK_PLACE

            positions = digit_map.place(read.images, n_iter=QUICK_PLACE).astype(np.float32)
        if positions is not None:  # placed here: the map needs no pixels, so none travel (157 kB a redraw)
            images = np.zeros((0, *read.images.shape[1:]), dtype=np.uint8)
        else:  # the page places them: as bytes
            images = (read.images * 255).round().astype(np.uint8)
        return CoverageReading(dataclasses.replace(read, images=images), positions,
                               self.map_key if positions is not None else None)


# One thread per process reads G's samples for every DigitView: a reading (~0.2 s of the classifier
# on 500 digits) no longer holds up the request that found it due; readings queue, never pile up.
_READER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="digit-reader")


@dataclass
class _Reading:
    """A classifier reading under way: of which trainer (generation), at which iteration."""

    generation: int
    iteration: int
    values: concurrent.futures.Future


class DigitView:
    """What the MNIST page's first screen and its curves draw, once per change of the run.

    Every METRIC_EVERY iterations the classifier reads 500 of G's samples (~0.2 s). While the run
    plays, that reading is made on the reader thread and joins the view that follows its end: a
    redraw or a slider's rerun that found it due used to wait for it (MNIST's label-smoothing p95
    686 ms against a median of 288 on 2026-12-07). Paused, the view waits for it, so a step shows its
    own reading at once."""

    def __init__(self, classifier=_disk_classifier.get):
        self._classifier = classifier
        self.progress = ImageProgress(frame_every=10**9, metric_every=METRIC_EVERY)  # metric points only
        self.generation, self._owner = 0, None
        self._reading: _Reading | None = None

    def compute(self, source) -> dict:
        if self.progress.measure is None and (clf := self._classifier()) is not None:
            self.progress.measure = lambda images: digit_values(images, clf)
        with source.locked() as trainer:
            if self._owner is None or self._owner() is not trainer:
                self.generation, self._owner = self.generation + 1, weakref.ref(trainer)
            grid = (fixed_frame(trainer, GRID_DIGITS) * 255).round().astype(np.uint8)  # (36, 28, 28)
            d_real, d_fake = latest_d_outputs(trainer)
            if self._reading is None:
                due = self.progress.samples_for_metrics(trainer)
            else:  # one reading at a time; the record still follows a rollback or a new trainer
                self.progress.follow(trainer)
                due = None
            out = {"grid": grid, "d_real": d_real, "d_fake": d_fake, "iteration": trainer.iteration,
                   "updates": trainer.updates, "config": trainer.config, "events": list(trainer.events),
                   "history": chart_columns(trainer.history.columns())}
        if due is not None:  # the classifier reads outside the lock: training goes on
            self._reading = _Reading(self.generation, due[0], _READER.submit(self.progress.measure, due[1]))
        self._take_reading(out["iteration"], wait=source.paused)
        out["metrics"] = self.progress.latest_metrics()  # (iteration, values) or None
        out["generation"] = self.generation
        return out

    def _take_reading(self, iteration_now: int, wait: bool) -> None:
        """Record the reading under way once it is done (at once when `wait`); a reading of another
        trainer, or of iterations a rollback undid, is dropped."""
        reading = self._reading
        if reading is None or not (wait or reading.values.done()):
            return
        self._reading = None
        values = reading.values.result()  # a failed reading raises here, as it did when read in place
        if reading.generation == self.generation and reading.iteration <= iteration_now:
            self.progress.add_values(reading.iteration, values)
