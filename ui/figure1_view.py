"""The 1D lab's views: Figure 1 of the 2014 paper drawn from a gan_core.lab1d.Figure1Frame, and
the live area that ui.live_controls.live_area redraws while the run plays."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from gan_core.lab1d import EstimateTrace, Figure1Frame, figure1_frame
from gan_core.live import LiveRun
from ui.plots import d_output_figure, history_figure
from ui.theory_views import D_COLOR, DATA_COLOR, DSTAR_COLOR, FONT, G_COLOR

TRACE_KEY = "toy1d_trace"
LINE_COLOR = "rgba(44, 160, 44, 0.55)"


def figure1_figure(f: Figure1Frame, height: int = 560) -> go.Figure:
    """Top: p_data, p_g, D and D* on the x axis with the D = ½ line. Bottom: the z axis (drawn
    under the x window) with a line from each z to G(z), as in the paper's figure."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.04)
    lo, hi = f.view
    keep = (f.x >= lo - 0.05 * (hi - lo)) & (f.x <= hi + 0.05 * (hi - lo))
    x = f.x[keep]
    fig.add_scatter(x=x, y=f.p_data[keep], name="p_data (exact)", line=dict(color=DATA_COLOR, dash="dot", width=4), row=1, col=1)
    fig.add_scatter(x=x, y=f.p_g[keep], name="p_g (kernel density of G's samples)", line=dict(color=G_COLOR, width=4), row=1, col=1)
    fig.add_scatter(x=x, y=f.d[keep], name="D(x)", line=dict(color=D_COLOR, dash="dash", width=4), row=1, col=1)
    star = "D*(x) = p_data/(p_data + p_g)" if f.real_label == 1 else f"D*(x) = {f.real_label:g}·p_data/(p_data + p_g)"
    fig.add_scatter(x=x, y=f.d_star[keep], name=star, line=dict(color=DSTAR_COLOR, width=2), row=1, col=1)
    fig.add_hline(y=0.5, line=dict(color="gray", dash="dot", width=2), row=1, col=1,
                  annotation_text="D = ½", annotation_position="top left")
    if f.real_label < 1:
        fig.add_hline(y=f.real_label / 2, line=dict(color=DSTAR_COLOR, dash="dot", width=1), row=1, col=1,
                      annotation_text=f"α/2 = {f.real_label / 2:g}", annotation_position="bottom left")
    top = max(1.05, 1.15 * float(f.p_data.max()))
    fig.update_yaxes(range=[0, top], title="density · probability", row=1, col=1)
    if f.p_g[keep].max() > top:
        fig.add_annotation(x=float(x[np.argmax(f.p_g[keep])]), y=top, yref="y", text=f"p_g peaks at {f.p_g.max():.1f} ↑",
                           showarrow=False, yanchor="top", font=dict(color=G_COLOR, size=14), row=1, col=1)
    # z axis: z's range is laid out under the middle 80% of the x window, ticks labelled in z
    (z_lo, z_hi), margin = f.z_span, 0.1 * (hi - lo)
    z_pos = lambda z: lo + margin + (np.asarray(z) - z_lo) / (z_hi - z_lo) * (hi - lo - 2 * margin)
    gz = np.clip(f.gz, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))  # off-window G(z) drawn at the edge
    xs = np.column_stack([z_pos(f.z), gz, np.full_like(gz, np.nan)]).ravel()
    ys = np.tile([0.0, 1.0, np.nan], len(gz))
    fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(color=LINE_COLOR, width=2), name="z → G(z)",
                    hoverinfo="skip", row=2, col=1)
    fig.add_scatter(x=z_pos(f.z), y=np.zeros_like(f.z), mode="markers", marker=dict(color="black", size=5),
                    showlegend=False, hoverinfo="skip", row=2, col=1)
    fig.add_scatter(x=gz, y=np.ones_like(gz), mode="markers", marker=dict(color=G_COLOR, size=6),
                    showlegend=False, hoverinfo="skip", row=2, col=1)
    for z in np.linspace(z_lo, z_hi, 5):
        fig.add_annotation(x=float(z_pos(z)), y=-0.08, text=f"z={z:g}", showarrow=False, yanchor="top",
                           font=dict(size=13), row=2, col=1)
    fig.update_yaxes(range=[-0.35, 1.08], tickvals=[0, 1], ticktext=["z", "x"], showgrid=False, row=2, col=1)
    fig.update_xaxes(range=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)], row=1, col=1)
    fig.update_xaxes(title="x", row=2, col=1)
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=20, b=10), uirevision="keep",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def estimates_figure(trace: EstimateTrace, events=(), height: int = 300) -> go.Figure:
    fig = history_figure(trace.columns(), [("value", "V(D, G)"), ("c_of_g", "−log 4 + 2·JSD = V(D*, G)"),
                                           ("jsd", "JSD(p_data ‖ p_g)")],
                         events, "Estimates on the grid (p_data exact, p_g by kernel density)", height=height)
    fig.add_hline(y=-math.log(4), line=dict(color="black", dash="dot", width=1),
                  annotation_text="−log 4 (equilibrium)", annotation_position="bottom right")
    return fig


def trace() -> EstimateTrace:
    return st.session_state.setdefault(TRACE_KEY, EstimateTrace())


def render(run: LiveRun) -> None:
    """Numbers, Figure 1 and the curves over training, for the run's current G and D."""
    try:
        frame, events, columns = run.call(lambda t: (figure1_frame(t), list(t.events), t.history_columns()))
    except ValueError as exc:  # a diverged G (non-finite samples): say so, keep the run
        st.error(f"Cannot draw Figure 1 right now: {exc}. Roll back or reset the run.")
        return
    est = trace()
    est.add(frame)
    cols = st.columns(5)
    cols[0].metric("iteration", f"{frame.iteration:,}")
    cols[1].metric("V(D, G)", f"{frame.value:.4f}", help=f"real term {frame.value_real:.4f}, fake term {frame.value_fake:.4f}")
    cols[2].metric("JSD(p_data ‖ p_g)", f"{frame.jsd:.4f}", help="0 when p_g = p_data; at most log 2 = 0.6931")
    cols[3].metric("−log 4 + 2·JSD", f"{frame.c_of_g:.4f}", help="C(G) = V(D*, G); −log 4 = −1.3863 at the equilibrium")
    cols[4].metric("D* at equilibrium", f"{frame.real_label / 2:.3f}", help="α/2 with real label α (½ without smoothing)")
    st.plotly_chart(figure1_figure(frame), key="toy1d_figure1")
    left, right = st.columns(2)
    left.plotly_chart(estimates_figure(est, events), key="toy1d_estimates")
    right.plotly_chart(d_output_figure(columns, events), key="toy1d_d_output")
