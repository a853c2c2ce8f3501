"""Where the mode-coverage page gets its pieces: the shared t-SNE map (built once with progress,
then read from disk), the digit classifier, and the generator to judge: the MNIST page's run of
this tab, a quick run started here (the shared live mechanism), or an uploaded checkpoint; and
SETTINGS, the page's shareable widgets (ui.share.widget_setup)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import streamlit as st

from classroom.budget import load_checkpoint_upload
from classroom.run_handle import RunLost
from classroom.service import Run
from gan_core.checkpoint import CheckpointError
from gan_core.classifier import get_classifier
from gan_core.coverage import (LOW_CONFIDENCE, ReadDigits, digit_shares_points, judged_digits, read_generated,
                               snapshot_coverage, snapshot_samples)
from gan_core.cache_files import start_from_shipped
from gan_core.embedding import (DigitMap, MapParams, cache_path, cached_map_problem, default_cache_dir,
                                load_or_build_map, map_key, select_points)
from classroom.digit_views import METRIC_EVERY
from classroom.image_progress import ImageProgress
from gan_core.mnist import load_mnist
from classroom.presets import MNIST_PRESETS
from gan_core.trainer import Trainer
from classroom.settings_codec import Number, OneOf, SettingsTable, Whole
from ui.kit.run_install import install_run
from ui.kit.session import all_runs, get_run
from ui.mnist.run import RUN_NAME as MNIST_RUN_NAME
from ui.kit.table_widgets import widget

MAP_POINTS_ENV = "GAN_TSNE_MAP_POINTS"  # digits on the map; unset = all embedded / 10k of full MNIST
QUICK_RUN = "Mode coverage quick run"
PREFIX = "cov"
MAX_UPLOAD_MB = 200
SNAPSHOT_SAMPLES = 500  # fakes judged per rollback snapshot on the coverage timeline
COLLAPSED = next(name for name, p in MNIST_PRESETS.items() if p.kind == "collapse")
MNIST_CHOICE = "MNIST step-by-step run (this tab)"  # offered only when this tab has that run: never in a link
SOURCES = ("Quick run on this page", "Uploaded checkpoint")
SETTINGS = SettingsTable("mode_coverage", PREFIX, {
    "source": OneOf(SOURCES, SOURCES[0]),
    "preset": OneOf(tuple(MNIST_PRESETS), COLLAPSED),
    "n": Whole(100, 2000, 100, 1000),  # generated digits to place
    "threshold": Number(0.3, 0.9, 0.05, LOW_CONFIDENCE),  # "between modes" below this confidence
})


def map_params() -> MapParams:
    raw = os.environ.get(MAP_POINTS_ENV, "").strip()
    return MapParams(n_points=int(raw) if raw else None)


@st.cache_resource(show_spinner=False)
def _shared_map(params: MapParams, cache_dir: str) -> DigitMap:
    """One map object for every session (read-only)."""
    return load_or_build_map(load_mnist(), params, cache_dir)


_usable_map_files: set[str] = set()  # checked or built by this server process: not read again


def get_map() -> DigitMap:
    """The map. A build (no file on disk yet, or a file that cannot be used, named with the
    reason) shows its progress; later visits read the file once per server process."""
    params, data = map_params(), load_mnist()
    rows = select_points(len(data), params)
    labels = data.labels[rows].astype(np.int64)
    cache_dir = default_cache_dir()
    key = map_key(data.images[rows], labels, params)
    path = cache_path(key, cache_dir)
    if path not in _usable_map_files:
        start_from_shipped(path)  # the embedded digits' map ships with the app: no build at a first visit
        problem = cached_map_problem(path, key, labels)
        if problem is not None:
            if problem != "missing":
                st.warning(f"The saved t-SNE map ({os.path.basename(path)}) could not be used "
                           f"({problem}), so it is built again now and saved over it. Nothing else "
                           "is affected.")
            with st.status(f"Building the t-SNE map of {len(rows):,} real digits (once; later visits "
                           "read it from disk)…", expanded=True) as status:
                bar = st.progress(0.0)
                built = load_or_build_map(data, params, cache_dir,
                                          progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
                status.update(label=f"Map built in {built.build_seconds:.0f} s", state="complete",
                              expanded=False)
        _usable_map_files.add(path)
    return _shared_map(params, cache_dir)


@st.cache_resource(show_spinner="Preparing the digit classifier (trained once, then read from disk)…")
def classifier():
    return get_classifier()


# ---- which generator ------------------------------------------------------------------------------

@dataclass
class Source:
    name: str  # shown to the user
    trainer: Trainer | None
    run: Run | None = None  # when it trains live
    progress: ImageProgress | None = None  # its coverage record over time, if any
    note: str = ""


def mnist_page_run() -> Run | None:
    """This tab's MNIST step-by-step run, if it has one (its replica as it is: not brought up to date)."""
    return all_runs().get(MNIST_RUN_NAME)


def mnist_page_source() -> Source | None:
    run = mnist_page_run()
    if run is None:
        return None
    store = st.session_state.get("mnist_objects", {})
    run.sync()  # the replica at the run's latest frame: the cache keys below read it
    return Source("the MNIST step-by-step run", run.trainer, run, store.get("progress"))


def _chosen_preset():
    return MNIST_PRESETS.get(st.session_state.get(SETTINGS.key("preset")), MNIST_PRESETS[COLLAPSED])


def quick_run() -> Run:
    return get_run(QUICK_RUN, lambda: Trainer(_chosen_preset().config))


def quick_run_id() -> str | None:
    """The id of this tab's quick run once it exists (the address bar keeps it for a reload)."""
    run = all_runs().get(QUICK_RUN)
    return getattr(run, "run_id", None)


def quick_progress() -> ImageProgress:
    """The quick run's coverage record: the readings of its "mnist" view (classroom.digit_views), taken
    at each redraw of the live map."""
    return st.session_state.setdefault(f"{PREFIX}_progress", ImageProgress(frame_every=10**9,
                                                                           metric_every=METRIC_EVERY))


def start_preset() -> None:
    """A fresh quick run with the chosen preset (the picker's callback, and a link's or preset
    file's when it names another preset); a tab without a quick run yet starts it later."""
    run = all_runs().get(QUICK_RUN)
    if run is not None:  # the quick run has no knob or setup widgets: only the trainer and its errors change
        install_run(run, Trainer(_chosen_preset().config, target=run.trainer.target),  # the digits are shared
                    prefix=PREFIX, knob_fields=())


def quick_source() -> Source:
    run = quick_run()
    run.sync()
    return Source("the quick run on this page", run.trainer, run, quick_progress())


def _on_upload() -> None:
    file = st.session_state.get(f"{PREFIX}_upload")
    if file is None:
        return
    try:
        if file.size > MAX_UPLOAD_MB * 2**20:
            raise CheckpointError(f"it is {file.size / 2**20:.0f} MB; the limit is {MAX_UPLOAD_MB} MB")
        # the budget of every upload (classroom.budget), the quick run's bookkeeping
        trainer, _ = load_checkpoint_upload(file.getvalue(), ("mnist",), "MNIST (the map needs an MNIST generator)",
                                            own=_chosen_preset().config)
        st.session_state[f"{PREFIX}_uploaded"] = (file.name, trainer)
        st.session_state.pop(f"{PREFIX}_upload_error", None)
    except (CheckpointError, FileNotFoundError, ValueError) as exc:
        st.session_state[f"{PREFIX}_upload_error"] = f"{file.name} was not loaded: {exc}"


def upload_source() -> Source | None:
    st.file_uploader("Checkpoint (.pt) from the MNIST page or `python -m classroom train --target mnist`",
                     type=["pt"], key=f"{PREFIX}_upload", on_change=_on_upload)
    if msg := st.session_state.get(f"{PREFIX}_upload_error"):
        st.error(msg)
    if (loaded := st.session_state.get(f"{PREFIX}_uploaded")) is None:
        return None
    name, trainer = loaded
    return Source(f"checkpoint {name}", trainer, note=f"iteration {trainer.iteration:,} of that run")


def preset_picker() -> None:
    widget(SETTINGS, "preset", "Preset for the quick run", on_change=start_preset,
           help=f"“{COLLAPSED}” is built to collapse: watch the clusters it never reaches.")
    st.caption(_chosen_preset().what_to_watch)


# ---- samples on the map ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Placed:
    read: ReadDigits
    positions: np.ndarray  # (N, 2) map coordinates


def placed_sample(source: Source, digit_map: DigitMap, n: int) -> Placed:
    """Draw n fakes, read them, place them; reused until the generator moves on or n changes."""
    key = (id(source.trainer), source.trainer.iteration, source.trainer.updates, n, digit_map.key)
    cached = st.session_state.get(f"{PREFIX}_placed")
    if cached is not None and cached[0] == key:
        return cached[1]
    clf = classifier()
    if source.run is not None:
        read = source.run.call(lambda t: read_generated(t, clf, n))  # between two steps
    else:
        read = read_generated(source.trainer, clf, n)
    if not np.isfinite(read.images).all():
        raise ValueError("the generator produced NaN pixels (a diverged run): roll it back first")
    placed = Placed(read, digit_map.place(read.images))
    st.session_state[f"{PREFIX}_placed"] = (key, placed)
    return placed


def timeline_points(source: Source) -> list:
    """(iteration, Coverage) over training: the run's progress record plus its rollback snapshots."""
    points = {}
    if source.progress is not None:
        points.update(digit_shares_points(source.progress.points, source.progress.metric_samples))
    for iteration, cov in _snapshot_points(source):
        points.setdefault(iteration, cov)
    return sorted(points.items())


def _snapshot_key(trainer) -> tuple:
    return id(trainer), tuple(it for it, _ in trainer.snapshots)


def _snapshot_points(source: Source) -> list:
    """Coverage of the run's rollback snapshots, recomputed only when the snapshots change."""
    trainer = source.trainer
    # A playing run appends snapshots from its thread: read them between two steps
    key = source.run.call(_snapshot_key) if source.run is not None else _snapshot_key(trainer)
    cached = st.session_state.get(f"{PREFIX}_snapshot_points")
    if cached is not None and cached[0] == key:
        return cached[1]
    read = lambda images: judged_digits(classifier().predict_proba(images).numpy(), images)  # noqa: E731
    try:
        samples = source.run.snapshot_samples(SNAPSHOT_SAMPLES) if source.run is not None \
            else snapshot_samples(trainer, SNAPSHOT_SAMPLES)  # a live run's snapshot weights stay where it trains
    except RunLost:  # its worker died with the snapshot weights: the page's lost-run panel says so
        return []
    points = snapshot_coverage(samples, read)
    st.session_state[f"{PREFIX}_snapshot_points"] = (key, points)
    return points
