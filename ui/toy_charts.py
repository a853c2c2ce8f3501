"""Time charts of the 2D lab's mode metrics: modes captured and HQ % over iterations, and the
per-mode histogram as a timeline (which modes live, which die, when). Hyperparameter changes
are marked on the time axis with the same words as ui.plots.mark_events uses on the loss charts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.plots import EVENT_COLOR, event_label
from ui.toy_views import fast_figure


def event_marks(events, max_events: int = 12) -> dict:
    """Layout shapes and annotations: a dashed vertical line and a label at each change."""
    shapes, notes = [], []
    for i, (iteration, field, old, new) in enumerate(list(events)[-max_events:]):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": iteration, "x1": iteration,
                       "y0": 0, "y1": 1, "line": {"color": EVENT_COLOR, "dash": "dash", "width": 1}})
        notes.append({"x": iteration, "y": 1.0 - 0.1 * (i % 3), "xref": "x", "yref": "paper", "showarrow": False,
                      "text": event_label(field, old, new), "font": {"size": 11, "color": "#555"},
                      "xanchor": "left", "bgcolor": "rgba(255,255,255,0.7)"})
    return {"shapes": shapes, "annotations": notes}


def _layout(title: str, height: int, events, **more) -> dict:
    layout = {"title": {"text": title}, "height": height, "uirevision": "keep",
              "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "legend": {"orientation": "h", "y": -0.25},
              "xaxis": {"title": {"text": "iteration"}}}
    layout.update(event_marks(events))
    layout.update(more)
    return layout


def modes_figure(columns: dict, n_modes: int, events=(), height: int = 300) -> go.Figure:
    """Modes captured (left axis, out of n_modes) and high-quality % (right axis)."""
    it = columns["iteration"]
    traces = [
        {"type": "scatter", "x": it, "y": columns["modes_captured"], "name": "modes captured",
         "mode": "lines+markers", "line": {"color": "#1f77b4", "width": 3, "shape": "hv"}, "marker": {"size": 4}},
        {"type": "scatter", "x": it, "y": columns["hq_percent"], "name": "high-quality %", "yaxis": "y2",
         "mode": "lines", "line": {"color": "#d62728", "width": 2}},
    ]
    return fast_figure(traces, _layout(
        "Modes captured and sample quality", height, events,
        yaxis={"title": {"text": "modes captured"}, "range": [-0.3, n_modes + 0.5], "dtick": max(1, n_modes // 8)},
        yaxis2={"title": {"text": "HQ %"}, "range": [-2, 102], "overlaying": "y", "side": "right",
                "showgrid": False}))


def mode_timeline_figure(columns: dict, events=(), height: int = 300) -> go.Figure:
    """Heatmap mode x iteration: the share of high-quality samples that fall on each mode. A
    mode going dark is a mode G dropped; light moving around the ring is G chasing D."""
    counts = columns["mode_counts"].astype(float)  # (K, T)
    total = counts.sum(0, keepdims=True)
    share = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    k = len(counts)
    # an even spread puts 1/K on each mode; saturate the colour at 3/K so collapse stands out
    top = min(1.0, max(3.0 / max(k, 1), 1e-6))
    trace = {"type": "heatmap", "x": columns["iteration"], "y": np.arange(k), "z": share.astype(np.float32),
             "zmin": 0, "zmax": top, "colorscale": "Viridis",
             "colorbar": {"title": {"text": "share"}, "thickness": 12},
             "hovertemplate": "iteration %{x}<br>mode %{y}<br>share %{z:.2f}<extra></extra>"}
    return fast_figure([trace], _layout("Per-mode histogram over time", height, events,
                                        yaxis={"title": {"text": "mode"}, "dtick": 1 if k <= 10 else 5}))
