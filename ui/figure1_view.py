"""The 1D lab's views: Figure 1 of the 2014 paper drawn from a gan_core.lab1d.Figure1Frame, and
the live area that ui.live_controls.live_area redraws while the run plays."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from gan_core.lab1d import EstimateTrace, Figure1Frame, estimate_labels, figure1_frame
from gan_core.live import LiveRun
from ui.canvas import live_canvas
from ui.canvas.charts import d_output_panel, loss_panel, series_panel
from ui.canvas.figure1 import figure1_panels
from ui.canvas.scene import Panel, Scene
from ui.plots import history_figure
from ui.readout import readout
from ui.teacher_mode import is_teacher_mode
from ui.theory_views import D_COLOR, DATA_COLOR, DSTAR_COLOR, FONT, G_COLOR

TRACE_KEY = "toy1d_trace"
LINE_COLOR = "rgba(44, 160, 44, 0.55)"


def _line(x, y, name, color, width=4, dash=None, yaxis="y", **kw) -> dict:
    return dict(type="scatter", mode="lines", x=np.asarray(x, np.float32), y=np.asarray(y, np.float32),
                name=name, line=dict(color=color, width=width, dash=dash), xaxis="x", yaxis=yaxis, **kw)


def figure1_figure(f: Figure1Frame, height: int = 560) -> go.Figure:
    """Top: p_data, p_g, D and D* on the x axis with the D = ½ line. Bottom: the z axis (drawn
    under the x window) with a line from each z to G(z), as in the paper's figure. Built from plain
    dicts without plotly's validation: it is redrawn several times a second."""
    lo, hi = f.view
    pad = 0.05 * (hi - lo)
    massive = (f.p_data + f.p_g) > 1e-3 * float(np.max(f.p_data + f.p_g))
    d_star = np.where(massive, f.d_star, np.nan)  # D* is 0/0 where neither density lives: blank
    star = "D*(x) = p_data/(p_data + p_g)" if f.real_label == 1 else f"D*(x) = {f.real_label:g}·p_data/(p_data + p_g)"
    top = max(1.05, 1.15 * float(f.p_data.max()))
    traces = [_line(f.x, f.p_data, "p_data (exact)", DATA_COLOR, dash="dot"),
              _line(f.x, f.p_g, "p_g (kernel density of G's samples)", G_COLOR),
              _line(f.x, f.d, "D(x)", D_COLOR, dash="dash"),
              _line(f.x, d_star, star, DSTAR_COLOR, width=2)]
    # z axis: z's range is laid out under the middle 80% of the x window, ticks labelled in z
    (z_lo, z_hi), margin = f.z_span, 0.1 * (hi - lo)
    z_pos = lambda z: lo + margin + (np.asarray(z) - z_lo) / (z_hi - z_lo) * (hi - lo - 2 * margin)
    gz = np.clip(f.gz, lo - pad, hi + pad)  # an off-window G(z) is drawn at the edge
    xs = np.column_stack([z_pos(f.z), gz, np.full_like(gz, np.nan)]).ravel()
    traces += [_line(xs, np.tile([0.0, 1.0, np.nan], len(gz)), "z → G(z)", LINE_COLOR, width=2, yaxis="y2",
                     hoverinfo="skip"),
               dict(type="scatter", mode="markers", x=z_pos(f.z), y=np.zeros_like(f.z), xaxis="x", yaxis="y2",
                    marker=dict(color="black", size=5), showlegend=False, hoverinfo="skip"),
               dict(type="scatter", mode="markers", x=gz, y=np.ones_like(gz), xaxis="x", yaxis="y2",
                    marker=dict(color=G_COLOR, size=6), showlegend=False, hoverinfo="skip")]
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=0.5, y1=0.5,
                   line=dict(color="gray", dash="dot", width=2))]
    notes = [dict(xref="paper", x=0.0, yref="y", y=0.5, text="D = ½", showarrow=False, xanchor="left",
                  yanchor="bottom", font=dict(color="gray"))]
    if f.real_label < 1:
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=f.real_label / 2,
                           y1=f.real_label / 2, line=dict(color=DSTAR_COLOR, dash="dot", width=1)))
        notes.append(dict(xref="paper", x=0.0, yref="y", y=f.real_label / 2, text=f"α/2 = {f.real_label / 2:g}",
                          showarrow=False, xanchor="left", yanchor="top", font=dict(color=DSTAR_COLOR)))
    if f.p_g.max() > top:
        notes.append(dict(xref="x", x=float(f.x[np.argmax(f.p_g)]), yref="y", y=top, showarrow=False,
                          yanchor="top", xanchor="left", text=f" p_g peaks at {f.p_g.max():.1f} ↑",
                          font=dict(color=G_COLOR, size=14)))
    notes += [dict(xref="x", x=float(z_pos(z)), yref="y2", y=-0.08, text=f"z={z:g}", showarrow=False,
                   yanchor="top", font=dict(size=13)) for z in np.linspace(z_lo, z_hi, 5)]
    layout = dict(
        height=height, font=FONT, margin=dict(l=10, r=10, t=20, b=10), uirevision="keep",
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), shapes=shapes, annotations=notes,
        xaxis=dict(range=[lo - pad, hi + pad], anchor="y2", title=dict(text="x")),
        yaxis=dict(domain=[0.34, 1.0], range=[0, top], title=dict(text="density · probability")),
        yaxis2=dict(domain=[0.0, 0.3], range=[-0.35, 1.08], tickvals=[0, 1], ticktext=["z", "x"],
                    showgrid=False, zeroline=False))
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def estimates_figure(trace: EstimateTrace, events=(), height: int = 300, real_label: float = 1.0) -> go.Figure:
    """V(D, G), C(G) = −log 4 + 2·JSD and JSD over iterations; with real label α < 1 also V at the
    drawn (α-scaled) D*, which is not C(G): each curve is named for what it is (lab1d.estimate_labels)."""
    names = estimate_labels(real_label)
    series = ["value", "c_of_g"] + (["value_d_star"] if real_label != 1 else []) + ["jsd"]
    fig = history_figure(trace.columns(), [(k, names[k]) for k in series],
                         events, "V, JSD and −log 4 + 2·JSD", height=height)
    fig.add_hline(y=-math.log(4), line=dict(color="black", dash="dot", width=1),
                  annotation_text="−log 4 (equilibrium)", annotation_position="bottom right")
    return fig


def trace() -> EstimateTrace:
    return st.session_state.setdefault(TRACE_KEY, EstimateTrace())


FIGURE_WIDTH, FIGURE_HEIGHT, CHART_HEIGHT = 820, 470, 250


def estimates_panel(box, trace: EstimateTrace, events=(), real_label: float = 1.0) -> Panel:
    """V(D, G), C(G) = −log 4 + 2·JSD and JSD over iterations, with the −log 4 equilibrium; with
    real label α < 1 also V at the drawn α-scaled D*, which is not C(G) (lab1d.estimate_labels)."""
    columns, names = trace.columns(), estimate_labels(real_label)
    it = columns["iteration"]
    series = [(it, columns["value"], "#1f77b4", names["value"], ()),
              (it, columns["c_of_g"], "#d62728", names["c_of_g"], ())]
    if real_label != 1:
        series.append((it, columns["value_d_star"], "#ff7f0e", names["value_d_star"], (4, 3)))
    series.append((it, columns["jsd"], "#2ca02c", names["jsd"], ()))
    return series_panel(box, series, "V, JSD and C(G); dashed: −log 4", rules=(-math.log(4),), events=events)


def render(run: LiveRun) -> None:
    """Numbers, Figure 1 and the curves over training, for the run's current G and D, on live
    canvases (a few kB a frame: plotly's figures kept the browser busy, issue 11)."""
    try:
        frame, events, columns = run.call(lambda t: (figure1_frame(t), list(t.events), t.history_columns()))
    except ValueError as exc:  # a diverged G (non-finite samples): say so, keep the run
        st.error(f"Cannot draw Figure 1 right now: {exc}. Roll back or reset the run.")
        return
    est = trace()
    est.add(frame)
    c = run.trainer.config
    readout([("Iteration", f"{frame.iteration:,}"), ("V(D, G)", f"{frame.value:.4f}"),
             ("JSD(p_data ‖ p_g)", f"{frame.jsd:.4f}"), ("C(G) = −log 4 + 2·JSD", f"{frame.c_of_g:.4f}"),
             ("D* at equilibrium (α/2)", f"{frame.real_label / 2:.3f}")])
    with st.container(key="toy1d_status"):
        st.caption(f"Real label in use: **{c.real_label:.2f}** (label smoothing **{c.label_smoothing:.2f}**) · "
                   f"batch size **{c.batch_size}** · k = **{c.d_steps}** · lr D **{c.lr_d:g}** / G **{c.lr_g:g}** · "
                   + (f"{run.rate:.0f} it/s" if run.playing else "paused"))
    font = 16 if is_teacher_mode() else 13
    live_canvas(Scene(FIGURE_WIDTH, FIGURE_HEIGHT, figure1_panels(frame, FIGURE_WIDTH, FIGURE_HEIGHT),
                      frame=run.trainer.updates, font=font, label="Figure 1: densities, D and the mapping z to G(z)"),
                key="toy1d_figure1")
    third = (FIGURE_WIDTH - 24) / 3
    charts = [estimates_panel((0, 0, third, CHART_HEIGHT), est, events, frame.real_label),
              d_output_panel((third + 12, 0, third, CHART_HEIGHT), columns, events),
              loss_panel((2 * (third + 12), 0, third, CHART_HEIGHT), columns, events)]
    live_canvas(Scene(FIGURE_WIDTH, CHART_HEIGHT, charts, frame=run.trainer.updates, font=font,
                      label="V, JSD and C(G), D's outputs and the losses over iterations"), key="toy1d_charts")
