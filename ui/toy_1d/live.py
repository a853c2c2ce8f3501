"""The 1D lab's views: Figure 1 of the 2014 paper drawn from a gan_core.lab1d.Figure1Frame, and
the live area that ui.kit.live_controls.live_area redraws while the run plays."""

from __future__ import annotations

import math

import streamlit as st

from classroom.service import Run
from gan_core.lab1d import EstimateTrace, estimate_labels, figure1_frame, paper_d_star
from gan_core.pointwise_optimum import OptimumRule
from ui.canvas import live_canvas
from ui.canvas.charts import d_output_panel, loss_panel, series_panel
from ui.canvas.figure1 import figure1_panels
from ui.canvas.scene import Panel, Scene
from ui.kit.readout import labels_status, readout
from ui.kit.teacher_mode import is_teacher_mode

TRACE_KEY = "toy1d_trace"
def trace() -> EstimateTrace:
    return st.session_state.setdefault(TRACE_KEY, EstimateTrace())


FIGURE_WIDTH, FIGURE_HEIGHT, CHART_HEIGHT = 820, 470, 250


def estimates_panel(box, trace: EstimateTrace, rule: OptimumRule, events=()) -> Panel:
    """V(D, G), C(G) = −log 4 + 2·JSD and JSD over iterations, with the −log 4 equilibrium; with a
    BCE loss and labels other than 1 and 0 also V at the drawn D*, which is not C(G)
    (lab1d.estimate_labels)."""
    columns, names = trace.columns(), estimate_labels(rule)
    it = columns["iteration"]
    series = [(it, columns["value"], "#1f77b4", names["value"], ()),
              (it, columns["c_of_g"], "#d62728", names["c_of_g"], ())]
    if rule.loss in ("minimax", "nonsaturating") and not paper_d_star(rule):
        series.append((it, columns["value_d_star"], "#ff7f0e", names["value_d_star"], (4, 3)))
    series.append((it, columns["jsd"], "#2ca02c", names["jsd"], ()))
    return series_panel(box, series, "V, JSD and C(G); dashed: −log 4", rules=(-math.log(4),), events=events)


def render(run: Run) -> None:
    """Numbers, Figure 1 and the curves over training, for the run's current G and D, on live
    canvases (a few kB a frame: plotly's figures kept the browser busy, issue 11)."""
    try:
        frame, events, columns = run.call(lambda t: (figure1_frame(t), list(t.events), t.history.columns()))
    except ValueError as exc:  # a diverged G (non-finite samples): say so, keep the run
        st.error(f"Cannot draw Figure 1 right now: {exc}. Roll back or reset the run.")
        return
    est = trace()
    est.add(frame)
    c = run.trainer.config
    readout([("Iteration", f"{frame.iteration:,}"), ("V(D, G)", f"{frame.value:.4f}"),
             ("JSD(p_data ‖ p_g)", f"{frame.jsd:.4f}"), ("C(G) = −log 4 + 2·JSD", f"{frame.c_of_g:.4f}"),
             ("D* at equilibrium", frame.optimum.at_equilibrium)])
    with st.container(key="toy1d_status"):
        st.caption(f"{labels_status(c)} · batch size **{c.batch_size}** · k = **{c.d_steps}** · "
                   f"lr D **{c.lr_d:g}** / G **{c.lr_g:g}** · "
                   + (f"{run.rate:.0f} it/s" if run.playing else "paused"))
    font = 16 if is_teacher_mode() else 13
    live_canvas(Scene(FIGURE_WIDTH, FIGURE_HEIGHT, figure1_panels(frame, FIGURE_WIDTH, FIGURE_HEIGHT),
                      frame=run.trainer.updates, font=font, label="Figure 1: densities, D and the mapping z to G(z)"),
                key="toy1d_figure1")
    third = (FIGURE_WIDTH - 24) / 3
    charts = [estimates_panel((0, 0, third, CHART_HEIGHT), est, frame.optimum, events),
              d_output_panel((third + 12, 0, third, CHART_HEIGHT), columns, events),
              loss_panel((2 * (third + 12), 0, third, CHART_HEIGHT), columns, events)]
    live_canvas(Scene(FIGURE_WIDTH, CHART_HEIGHT, charts, frame=run.trainer.updates, font=font,
                      label="V, JSD and C(G), D's outputs and the losses over iterations"), key="toy1d_charts")
