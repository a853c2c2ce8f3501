"""Training over time on the MNIST page: loss and D-output charts, the digit metrics the
classifier reads off G's samples, and the fixed-noise frames with a slider to scrub back."""

from __future__ import annotations

from typing import Callable

import numpy as np
import streamlit as st

from classroom.image_progress import ImageProgress
from ui.canvas import live_canvas
from ui.canvas.charts import d_output_panel, history_panel, loss_panel, lr_panel
from ui.canvas.scene import Panel, Scene, bars, hline
from ui.figures.digits import grid
from ui.kit.readout import readout
from ui.kit.teacher_mode import is_teacher_mode
from ui.kit.widget_state import state_value

CHART_HEIGHT = 250
DIGIT_SERIES = [("kl_uniform", "KL(p_gen ‖ uniform)"), ("mean_confidence", "mean confidence"),
                ("coverage", "digits covered ÷ 10")]


CHART_WIDTH = 820  # px laid out; the canvases shrink to their column
DIGITS_WIDTH = 460


def _font() -> int:
    return 16 if is_teacher_mode() else 13


def lr_changed(columns: dict) -> bool:
    """True when some update used another learning rate than the first of its kind (a schedule or
    a slider move): then the learning-rate chart is worth its room."""
    lr, kinds = np.asarray(columns.get("lr", ()), float), np.asarray(columns.get("kind", ()))
    return any(np.ptp(lr[kinds == k]) > 0 for k in ("D", "G") if (kinds == k).any())


def training_charts(columns: dict, events: list, key: str, half_life: int = 0) -> None:
    """Losses (D's real and fake error, G's loss) and what D says (mean D(x), mean D(G(z)),
    accuracy, the ½ line), with every hyperparameter change marked on the iteration axis; beside
    them the learning rates, when a half-life schedule is on or a rate changed. On a live canvas
    (a few kB a redraw)."""
    with_lr = half_life > 0 or lr_changed(columns)
    count, gap = (3, 16) if with_lr else (2, 16)
    width = (CHART_WIDTH - gap * (count - 1)) / count
    box = lambda i: (i * (width + gap), 0, width, CHART_HEIGHT)  # noqa: E731
    panels = [loss_panel(box(0), columns, events), d_output_panel(box(1), columns, events)]
    if with_lr:
        panels.append(lr_panel(box(2), columns, half_life, events))
    live_canvas(Scene(CHART_WIDTH, CHART_HEIGHT, panels,
                      frame=int(columns["iteration"][-1]) if len(columns.get("iteration", ())) else 0, font=_font(),
                      label="losses, D's outputs and learning rates over iterations"), key=f"{key}_training")


def digit_histogram_panel(box, fractions: np.ndarray) -> Panel:
    """The share of G's digit-like samples the classifier reads as each digit, with the uniform ⅒."""
    top = max(0.3, float(np.max(fractions, initial=0)) * 1.1)
    return Panel(box=box, x=(-0.6, 9.6), y=(0.0, top), title="Digits G makes (dashed: uniform ⅒)",
                 xticks=list(range(10)), xlabel="digit (classifier)",
                 layers=[bars(fractions, color="#1f77b4", x0=0), hline(0.1, "#333", dash=(5, 4), width=1.2)])


def digit_metric_charts(progress: ImageProgress, events: list, key: str, classifier_note: str,
                        missing_sentence: Callable[[dict], str]) -> None:
    """The classifier's reading of G's samples, every `metric_every` iterations;
    missing_sentence(values) names the digits G does not draw."""
    latest = progress.latest_metrics()
    if latest is None:
        st.caption("Digit metrics appear at the first check (iteration 0, then every "
                   f"{progress.metric_every} iterations).")
        return
    iteration, values = latest
    st.caption(f"A digit classifier ({classifier_note}) reads {progress.metric_samples} samples "
               f"of G (the same z each time) every {progress.metric_every} iterations; latest "
               f"check at iteration {iteration:,} (Fréchet distances compare only at the same sample size). "
               "KL to uniform: 0 = every digit equally often, — while no sample looks like a digit yet. "
               "Mean confidence: the classifier's mean top probability, low for blurry or blended digits. "
               "Fréchet distance: real vs generated digits in the classifier's feature space (MNIST's "
               "FID), lower is better.")
    readout([("Digits covered", f"{values['digits_covered']:.0f} / 10"),
             ("KL to uniform", f"{values['kl_uniform']:.3f}" if np.isfinite(values["kl_uniform"]) else "—"),
             ("Mean confidence", f"{values['mean_confidence']:.2f}"),
             ("Fréchet distance", f"{values['frechet']:.1f}")])
    st.markdown(f"**{missing_sentence(values)}**")
    cols = progress.metric_columns()
    cols["coverage"] = cols.get("digits_covered", np.array([])) / 10
    # laid out for the narrower metrics column: the two curves side by side, the digits below
    width, half, row = DIGITS_WIDTH, (DIGITS_WIDTH - 14) / 2, 220
    top = max(1.02, float(np.nanmax(cols["kl_uniform"], initial=0)) + 0.05)
    fractions = np.array([values.get(f"digit_{d}", 0.0) for d in range(10)])
    panels = [history_panel((0, 0, half, row), cols, DIGIT_SERIES, "Digit coverage", events=events,
                            y_range=(-0.02, top)),
              history_panel((half + 14, 0, half, row), cols, [("frechet", "Fréchet distance")],
                            "Fréchet distance ↓", events=events),
              digit_histogram_panel((0, row + 12, width, 170), fractions)]
    live_canvas(Scene(width, row + 12 + 170, panels, frame=iteration, font=_font() - 1,
                      label="digit coverage, Fréchet distance and the digits G makes"), key=f"{key}_digits")


def frame_scrubber(progress: ImageProgress, key: str) -> None:
    """G(fixed z) saved every `frame_every` iterations; the slider goes back through training."""
    frames = progress.frames
    if not frames:
        st.caption("The first frame is saved at the next redraw.")
        return
    last = len(frames) - 1
    idx_key, follow_key = f"{key}_frame", f"{key}_follow"
    follow = st.toggle("Follow the newest frame", value=True, key=follow_key)
    if follow or st.session_state.get(idx_key, last) > last:
        st.session_state[idx_key] = last
    if last > 0:
        st.slider("Frame", 0, last, value=state_value(idx_key), key=idx_key, disabled=follow,  # ui.kit.widget_state
                  help="Turn off 'Follow the newest frame' to scrub back through training.")
    frame = frames[st.session_state.get(idx_key, last)]
    # 6 across at 56 px a digit: still >= 40 px on a projector when the column is narrower
    st.image(grid(frame.images, cols=6, scale=2), width="content", output_format="PNG",
             caption=f"G(fixed z) at iteration {frame.iteration:,} — frame "
                     f"{st.session_state.get(idx_key, last) + 1} of {len(frames)} (one every "
                     f"{progress.frame_every} iterations at most; older frames thinned past "
                     f"{progress.max_frames})")
