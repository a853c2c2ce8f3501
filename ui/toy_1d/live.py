"""The 1D lab's views: Figure 1 of the 2014 paper drawn from a gan_core.lab1d.Figure1Frame, and
the live area that ui.kit.live_controls.live_area redraws while the run plays."""

from __future__ import annotations

import math
import threading

import streamlit as st

from classroom.service import Run
from gan_core.lab1d import EstimateTrace, estimate_labels, paper_d_star
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


# First-screen layout in px (canvases shrink to their columns): controls | Figure 1 | numbers and
# curves. Normal: a 1440x900 screen, the three curves one above the other beside Figure 1. Teacher
# mode: 1280x720 with larger type, where the views start ~115 px down and must end above 720 and
# the big numbers take two per row: beside Figure 1 only V, JSD and C(G) over time, D's outputs and
# the losses under the first screen.
LAYOUT = {False: {"controls": 230, "figure": 620, "figure_height": 640, "side": 300, "chart_height": 500,
                  "stacked": True, "font": 13},
          True: {"controls": 205, "figure": 530, "figure_height": 580, "side": 240, "chart_height": 290,
                 "stacked": False, "under_height": 240, "font": 16}}


def layout() -> dict:
    return LAYOUT[is_teacher_mode()]


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


FIGURE_CANVAS, CHARTS_CANVAS, MORE_CANVAS = "toy1d_figure1", "toy1d_charts", "toy1d_more_charts"
_TRACE_LOCK = threading.Lock()  # a rerun and the canvases' frame feed (another thread) both add to the trace


def first_screen_frames(run: Run):
    """frames() for the first screen's canvases from one view of the run: Figure 1, the curves beside
    it and (teacher mode) the charts under it; none while G's samples are not finite. The layout and
    this tab's trace are taken now (the feed calls it from another thread, between the reruns)."""
    size, est = layout(), trace()

    def frames(view: dict | None = None) -> dict[str, Scene]:
        view = view if view is not None else run.view("toy_1d")  # computed where the run trains
        if view["error"]:
            return {}
        with _TRACE_LOCK:
            est.add(view["frame"])
            return _scenes(view, est, size)
    return frames


def _scenes(view: dict, est: EstimateTrace, size: dict) -> dict[str, Scene]:
    frame, events, columns, updates = view["frame"], view["events"], view["history"], view["updates"]
    w, h = size["figure"], size["figure_height"]
    scenes = {FIGURE_CANVAS: Scene(w, h, figure1_panels(frame, w, h), frame=updates, font=size["font"],
                                   label="Figure 1: densities, D and the mapping z to G(z)")}
    w, h = size["side"], size["chart_height"]
    if size["stacked"]:  # the three charts one above the other, the width of the column
        third = (h - 24) / 3
        charts = [estimates_panel((0, 0, w, third), est, frame.optimum, events),
                  d_output_panel((0, third + 12, w, third), columns, events),
                  loss_panel((0, 2 * (third + 12), w, third), columns, events)]
        scenes[CHARTS_CANVAS] = Scene(w, h, charts, frame=updates, font=size["font"] - 2,
                                      label="V, JSD and C(G), D's outputs and the losses over iterations")
        return scenes
    scenes[CHARTS_CANVAS] = Scene(w, h, [estimates_panel((0, 0, w, h), est, frame.optimum, events)], frame=updates,
                                  font=size["font"] - 2, label="V, JSD and C(G) over iterations")
    # teacher mode: under the first screen, the width of Figure 1 and the numbers
    w, h = size["figure"] + size["side"], size["under_height"]
    half = (w - 12) / 2
    scenes[MORE_CANVAS] = Scene(w, h, [d_output_panel((0, 0, half, h), columns, events),
                                       loss_panel((half + 12, 0, half, h), columns, events)],
                                frame=updates, font=size["font"] - 2,
                                label="D's outputs and the losses over iterations")
    return scenes


def render(run: Run) -> None:
    """The first screen's live part: Figure 1, and beside it the numbers and the curves over
    training, on live canvases (a few kB a frame: plotly's figures kept the browser busy, issue 11)."""
    view = run.view("toy_1d")  # computed where the run trains (classroom.run_views)
    if view["error"]:  # a diverged G (non-finite samples): say so, keep the run
        st.error(f"Cannot draw Figure 1 right now: {view['error']}. Roll back or reset the run.")
        return
    frame, c, size = view["frame"], view["config"], layout()
    scenes = first_screen_frames(run)(view)
    figure_col, side_col = st.columns([size["figure"], size["side"]], gap="small")
    with figure_col:
        live_canvas(scenes[FIGURE_CANVAS], key=FIGURE_CANVAS)
    with side_col:
        readout([("Iteration", f"{frame.iteration:,}"), ("V(D, G)", f"{frame.value:.4f}"),
                 ("JSD(p_data ‖ p_g)", f"{frame.jsd:.4f}"), ("C(G) = −log 4 + 2·JSD", f"{frame.c_of_g:.4f}"),
                 ("D* at equilibrium", frame.optimum.at_equilibrium)])
        live_canvas(scenes[CHARTS_CANVAS], key=CHARTS_CANVAS)
        with st.container(key="toy1d_status"):
            st.caption(f"{labels_status(c)} · batch size **{c.batch_size}** · k = **{c.d_steps}** · "
                       f"lr D **{c.lr_d:g}** / G **{c.lr_g:g}** · "
                       + (f"{run.rate:.0f} it/s" if run.playing else "paused"))
    if MORE_CANVAS in scenes:
        live_canvas(scenes[MORE_CANVAS], key=MORE_CANVAS)
