"""What the MNIST page redraws while its run plays: the step views, the charts, the progress
frames and the digit metrics. One render function for ui.kit.live_controls.live_area."""

from __future__ import annotations

import streamlit as st

from classroom.service import Run
from classroom.image_progress import ImageProgress
from ui.mnist.metrics import classifier_note, classifier_status, digit_measure, missing_sentence
from ui.mnist.progress_view import digit_metric_charts, frame_scrubber, training_charts
from ui.mnist.step_views import StepViews, d_step_section, g_step_section

FRAME_EVERY = 50  # seed 002: "plot a batch of generator images every 50 iterations"
METRIC_EVERY = 100  # classifier checks cost ~0.1 s: often enough for a curve, rare enough to play
REDRAW_SECONDS = 0.5  # live redraw period: images and five charts per redraw


def page_objects(key: str) -> dict:
    """This tab's step-view cache and progress record (they follow the run's trainer)."""
    store = st.session_state.setdefault(f"{key}_objects", {})
    if "views" not in store:
        store["views"] = StepViews()
        store["progress"] = ImageProgress(frame_every=FRAME_EVERY, metric_every=METRIC_EVERY,
                                          measure=digit_measure())
    return store


def status_line(run: Run, iteration: int, updates: int, key: str) -> None:
    """Where the run is and the settings it trains with right now (what a slider move changes)."""
    state = f"playing, {run.rate:.1f} iterations/s" if run.playing else "paused"
    c = run.trainer.config
    with st.container(key=f"{key}_status"):
        st.caption(f"**Iteration {iteration:,}** (G updates) · {updates:,} updates of D and G · {state} · "
                   f"label smoothing **{c.label_smoothing:.2f}** · batch size **{c.batch_size}**")


def make_render(key: str):
    """render(run) for live_area: everything that changes while the run trains."""

    def render(run: Run) -> None:
        objects = page_objects(key)
        views, progress = objects["views"], objects["progress"]
        if progress.measure is None:  # the classifier was still training at the last redraw
            progress.measure = digit_measure()

        playing = run.playing

        def read(trainer):
            views.refresh(trainer, playing)
            return trainer.history.columns(), list(trainer.events), trainer.iteration, trainer.updates

        columns, events, iteration, updates = run.call(read)
        progress.update(run.call)  # a frame / a metric check, when one is due
        status_line(run, iteration, updates, key)
        d_col, g_col = st.columns(2, gap="medium")
        with d_col:
            d_step_section(views.d, updates, views.verdict)
        with g_col:
            g_step_section(views.g, updates)
        training_charts(columns, events, key, run.trainer.config.lr_half_life)
        frames_col, metrics_col = st.columns([1.2, 2], gap="medium")
        with frames_col:
            st.markdown("#### G(fixed z) over training")
            frame_scrubber(progress, key)
        with metrics_col:
            st.markdown("#### Which digits does G make?")
            if status := classifier_status():
                st.info(status)
            else:
                digit_metric_charts(progress, events, key, classifier_note(), missing_sentence)

    return render
