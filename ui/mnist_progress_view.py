"""Training over time on the MNIST page: loss and D-output charts, the digit metrics the
classifier reads off G's samples, and the fixed-noise frames with a slider to scrub back."""

from __future__ import annotations

from typing import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from gan_core.image_progress import ImageProgress
from ui.mnist_images import grid
from ui.plots import d_output_figure, history_figure, loss_figure

CHART_HEIGHT = 250
DIGIT_SERIES = [("kl_uniform", "KL(p_gen ‖ uniform)"), ("mean_confidence", "mean confidence"),
                ("coverage", "digits covered ÷ 10")]


def training_charts(columns: dict, events: list, key: str) -> None:
    """Losses (D's real and fake error, G's loss) and what D says (mean D(x), mean D(G(z)),
    accuracy, the ½ line), with every hyperparameter change marked on the iteration axis."""
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(columns, events, height=CHART_HEIGHT), key=f"{key}_losses")
    right.plotly_chart(d_output_figure(columns, events, height=CHART_HEIGHT), key=f"{key}_d_out")


def _histogram_figure(fractions: np.ndarray) -> go.Figure:
    fig = go.Figure(go.Bar(x=[str(d) for d in range(10)], y=fractions, marker_color="#1f77b4"))
    fig.add_hline(y=0.1, line=dict(color="black", dash="dot", width=1),
                  annotation_text="uniform ⅒", annotation_position="top right")
    fig.update_layout(title="Digits G makes", height=CHART_HEIGHT,
                      margin=dict(l=10, r=10, t=30, b=10), xaxis_title="digit (classifier)",
                      yaxis=dict(range=[0, max(0.3, float(fractions.max()) * 1.1)]))
    return fig


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
               f"check at iteration {iteration:,} (Fréchet distances compare only at the same sample size).")
    covered, kl, conf, fd = st.columns(4)
    covered.metric("Digits covered", f"{values['digits_covered']:.0f} / 10")
    kl.metric("KL to uniform", f"{values['kl_uniform']:.3f}" if np.isfinite(values["kl_uniform"]) else "—",
              help="0 = every digit equally often; — while no sample looks like a digit yet.")
    conf.metric("Mean confidence", f"{values['mean_confidence']:.2f}",
                help="The classifier's mean top probability: low for blurry or blended digits.")
    fd.metric("Fréchet distance", f"{values['frechet']:.1f}",
              help="Between real and generated digits in the classifier's feature space (the "
                   "MNIST analogue of FID); lower is better.")
    st.markdown(f"**{missing_sentence(values)}**")
    cols = progress.metric_columns()
    cols["coverage"] = cols.get("digits_covered", np.array([])) / 10
    a, b, c = st.columns(3)
    coverage = history_figure(cols, DIGIT_SERIES, events, "Digit coverage", height=CHART_HEIGHT,
                              y_range=[-0.02, max(1.02, float(np.nanmax(cols["kl_uniform"], initial=0)) + 0.05)])
    frechet = history_figure(cols, [("frechet", "Fréchet distance")], events, "Fréchet distance ↓",
                             height=CHART_HEIGHT)
    for fig in (coverage, frechet):
        fig.update_traces(mode="lines+markers", marker=dict(size=5))  # checks are sparse points
    a.plotly_chart(coverage, key=f"{key}_digits")
    b.plotly_chart(frechet, key=f"{key}_frechet")
    fractions = np.array([values.get(f"digit_{d}", 0.0) for d in range(10)])
    c.plotly_chart(_histogram_figure(fractions), key=f"{key}_hist")


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
        st.slider("Frame", 0, last, key=idx_key, disabled=follow,
                  help="Turn off 'Follow the newest frame' to scrub back through training.")
    frame = frames[st.session_state.get(idx_key, last)]
    st.image(grid(frame.images, cols=9, scale=2), width="stretch", output_format="PNG",
             caption=f"G(fixed z) at iteration {frame.iteration:,} — frame "
                     f"{st.session_state.get(idx_key, last) + 1} of {len(frames)} (one every "
                     f"{progress.frame_every} iterations at most; older frames thinned past "
                     f"{progress.max_frames})")
