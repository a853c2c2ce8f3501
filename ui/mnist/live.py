"""What the MNIST page redraws while its run plays.

The first screen (1440x900, or 1280x720 in teacher mode) is `render`: G(fixed z) as one large
grid of digits (the main view), the big numbers D(x) and D(G(z)), the digit histogram the
classifier reads off G's samples and the status line. Below it, in tabs, `render_batches` (the
real and fake batches with D's score on each image) and `render_over_time` (losses, D's outputs,
digit metrics and the frames of G(fixed z) over training). One render function each for
ui.kit.live_controls.live_area."""

from __future__ import annotations

import numpy as np
import streamlit as st

from classroom.digit_views import METRIC_EVERY
from classroom.image_progress import ImageProgress
from classroom.service import Run
from ui.canvas import live_canvas
from ui.canvas.scene import Panel, Scene, image
from ui.figures.digits import grid
from ui.kit.readout import readout
from ui.kit.teacher_mode import is_teacher_mode
from ui.mnist.metrics import classifier_note, classifier_status, missing_sentence
from ui.mnist.progress_view import digit_histogram_panel, digit_metric_charts, frame_scrubber, training_charts
from classroom.step_views import steps_view
from ui.mnist.step_views import d_step_section, g_step_section

FRAME_EVERY = 50  # seed 002: "plot a batch of generator images every 50 iterations"
REDRAW_SECONDS = 0.25  # the first screen: one grid image, a few numbers and the histogram (made on the host)
# The open section below the first screen changes slowly, and each of its reruns costs the browser
# its dozens of digit tiles: at 2 s instead of 1 s, Chromium's renderer went 49.5 / 44.5 % -> 36.6 /
# 35.1 % of a core with the page playing (docs/BENCHMARKS.md, "The frame feed").
BELOW_SECONDS = 2.0
GRID_COLS = 6  # the main view: G of the first GRID_DIGITS fixed z (classroom.digit_views), 6 a row
# First-screen layout in px (the columns shrink to the page): controls | digit grid | numbers and histogram.
# Normal: a 1440x900 screen; teacher mode: 1280x720 with larger type.
LAYOUT = {False: {"controls": 240, "grid": 560, "side": 330, "hist_height": 260, "font": 13},
          True: {"controls": 200, "grid": 540, "side": 240, "hist_height": 215, "font": 15}}


def layout() -> dict:
    return LAYOUT[is_teacher_mode()]


def page_objects(key: str) -> dict:
    """This tab's progress record (it follows the run's trainer)."""
    store = st.session_state.setdefault(f"{key}_objects", {})
    if "progress" not in store:
        # fed by the run's view (classroom.digit_views): the host measures, the page keeps the record
        store["progress"] = ImageProgress(frame_every=FRAME_EVERY, metric_every=METRIC_EVERY)
    return store


def status_line(run: Run, view: dict, key: str) -> None:
    """Where the run is and the settings it trains with right now (what a slider move changes)."""
    state = f"playing, {run.rate:.1f} iterations/s" if run.playing else "paused"
    c, iteration, updates = view["config"], view["iteration"], view["updates"]
    with st.container(key=f"{key}_status"):
        st.caption(f"**Iteration {iteration:,}** (G updates) · {updates:,} updates of D and G · {state} · "
                   f"label smoothing **{c.label_smoothing:.2f}** · batch size **{c.batch_size}**")


def _number(value: float) -> str:
    return f"{value:.3f}" if np.isfinite(value) else "–"


GRID_CANVAS, HISTOGRAM_CANVAS = "mnist_grid", "mnist_histogram"


def grid_scene(view: dict, size: dict) -> Scene:
    """The main view: G(fixed z) now, one digit per cell, >= 80 px a digit at full width, on the live
    canvas (28 px a digit, enlarged with crisp pixels). No Streamlit: the feed builds it too."""
    pixels = np.asarray(grid(view["grid"].astype(np.float32) / 255.0, cols=GRID_COLS, scale=1, pad=1))
    rows, cols = pixels.shape
    w = size["grid"]
    # data row 0 of an image layer is its lowest row: the picture's top row goes last
    layer = image(np.flipud(pixels), 0.0, 255.0, cmap="gray", extent=(0.5, cols - 0.5, 0.5, rows - 0.5))
    layer["smooth"] = False
    panel = Panel(box=(0, 0, w, w * rows / cols), x=(0, cols), y=(0, rows), layers=[layer], ticks=False, equal=True)
    return Scene(w, round(w * rows / cols), [panel], frame=view["updates"],
                 label=f"G(fixed z) at iteration {view['iteration']:,}")


def histogram_scene(view: dict, size: dict) -> Scene:
    """The share of G's samples the classifier reads as each digit, at the host's latest check."""
    latest = view["metrics"]
    iteration, values = latest if latest is not None else (0, {})
    fractions = np.array([values.get(f"digit_{d}", 0.0) for d in range(10)])
    w, h = size["side"], size["hist_height"]
    return Scene(w, h, [digit_histogram_panel((0, 0, w, h), fractions)], frame=iteration, font=size["font"] - 1,
                 label="the digits G makes, as the classifier reads them")


def first_screen_frames(run: Run):
    """frames() for the first screen's canvases (the digit grid, the histogram) from one view of the
    run; the page's layout is read now (the feed calls it from another thread, between reruns)."""
    size, histogram = layout(), not classifier_status()

    def frames(view: dict | None = None) -> dict[str, Scene]:
        view = view if view is not None else run.view("mnist")
        scenes = {GRID_CANVAS: grid_scene(view, size)}
        if histogram:
            scenes[HISTOGRAM_CANVAS] = histogram_scene(view, size)
        return scenes
    return frames


def digit_histogram(progress: ImageProgress, scene: Scene | None) -> None:
    """The histogram's canvas (None: the classifier is not ready, say why) and what it shows."""
    if scene is None:
        st.info(classifier_status())
        return
    live_canvas(scene, key=HISTOGRAM_CANVAS)
    latest = progress.latest_metrics()
    if latest is None:
        st.caption(f"The classifier reads {progress.metric_samples} samples of G at iteration 0, then every "
                   f"{progress.metric_every} iterations.")
        return
    iteration, values = latest
    st.markdown(f"**{headline(values)}**")
    st.caption(f"{progress.metric_samples} samples of G read by a digit classifier at iteration {iteration:,} "
               f"(every {progress.metric_every}).")


def headline(values: dict) -> str:
    """missing_sentence, short enough for the first screen (the tab of curves has it whole): "None of
    the N generated images looks like a digit yet." without the why that follows its colon."""
    text = missing_sentence(values)
    return text.split(":")[0] + "." if text.startswith("None of") else text


def make_render(key: str):
    """render(run) for the first screen's live_area: the digit grid, the big numbers, the digit
    histogram and the status line."""

    def render(run: Run) -> None:
        progress = page_objects(key)["progress"]
        view = run.view("mnist")  # computed where the run trains (classroom.digit_views): ~0.1 MB, no weights
        if not run.playing:  # a step: its host keeps the batch views for the section below, open or not
            run.view(steps_view(False))
        progress.take_view(view)
        iteration, size, scenes = view["iteration"], layout(), first_screen_frames(run)(view)
        grid_col, side_col = st.columns([size["grid"], size["side"]], gap="small")
        with grid_col:
            live_canvas(scenes[GRID_CANVAS], key=GRID_CANVAS)
            st.caption(f"G(fixed z) now, iteration {iteration:,}: the same {len(view['grid'])} z at every redraw.")
        with side_col:
            latest = progress.latest_metrics()
            covered = f"{latest[1]['digits_covered']:.0f} / 10" if latest is not None else "–"
            readout([("Iteration", f"{iteration:,}"), ("Mean D(x)", _number(view["d_real"])),
                     ("Mean D(G(z))", _number(view["d_fake"])), ("Digits covered", covered)])
            digit_histogram(progress, scenes.get(HISTOGRAM_CANVAS))
            status_line(run, view, key)

    return render


def make_render_batches(key: str):
    """render(run) for the batches tab: one D update's real and fake batches with D's score on each
    image, one G update's fakes before and after; while playing, D's verdict on fresh digits (made
    where the run trains: classroom.step_views)."""

    def render(run: Run) -> None:
        steps = run.view(steps_view(run.playing))
        d_col, g_col = st.columns(2, gap="medium")
        with d_col:
            d_step_section(steps["d"], steps["updates"], steps["verdict"])
        with g_col:
            g_step_section(steps["g"], steps["updates"])

    return render


def make_render_over_time(key: str):
    """render(run) for the tab of curves: losses and D's outputs, the digit metrics over training,
    and the frames of G(fixed z) with a slider to scrub back."""

    def render(run: Run) -> None:
        progress = page_objects(key)["progress"]
        view = run.view("mnist")
        progress.take_view(view)
        events = view["events"]
        training_charts(view["history"], events, key, view["config"].lr_half_life)
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
