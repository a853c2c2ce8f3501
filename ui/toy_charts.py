"""Time charts of the 2D lab's mode metrics: modes captured and HQ % over iterations, and the
per-mode histogram as a timeline (which modes live, which die, when). Hyperparameter changes
are marked on the time axis (ui.plots.mark_events), as on the loss charts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.plots import mark_events


def modes_figure(columns: dict, n_modes: int, events=(), height: int = 300) -> go.Figure:
    """Modes captured (left axis, out of n_modes) and high-quality % (right axis)."""
    it = columns["iteration"]
    fig = go.Figure([
        go.Scatter(x=it, y=columns["modes_captured"], name="modes captured", mode="lines+markers",
                   line=dict(color="#1f77b4", width=3, shape="hv"), marker=dict(size=4)),
        go.Scatter(x=it, y=columns["hq_percent"], name="high-quality %", yaxis="y2", mode="lines",
                   line=dict(color="#d62728", width=2)),
    ])
    mark_events(fig, events)
    fig.update_layout(title="Modes captured and sample quality", height=height, uirevision="keep",
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=-0.25),
                      xaxis_title="iteration",
                      yaxis=dict(title="modes captured", range=[-0.3, n_modes + 0.5], dtick=max(1, n_modes // 8)),
                      yaxis2=dict(title="HQ %", range=[-2, 102], overlaying="y", side="right", showgrid=False))
    return fig


def mode_timeline_figure(columns: dict, events=(), height: int = 300) -> go.Figure:
    """Heatmap mode x iteration: the share of high-quality samples that fall on each mode. A
    mode going dark is a mode G dropped; light moving around the ring is G chasing D."""
    counts = columns["mode_counts"].astype(float)  # (K, T)
    total = counts.sum(0, keepdims=True)
    share = np.divide(counts, total, out=np.zeros_like(counts), where=total > 0)
    fig = go.Figure(go.Heatmap(x=columns["iteration"], y=np.arange(len(counts)), z=share, zmin=0,
                               zmax=min(1.0, max(3.0 / max(len(counts), 1), float(share.max(initial=0)))),
                               colorscale="Viridis", colorbar=dict(title="share", thickness=12),
                               hovertemplate="iteration %{x}<br>mode %{y}<br>share %{z:.2f}<extra></extra>"))
    mark_events(fig, events)
    fig.update_layout(title="Per-mode histogram over time", height=height, uirevision="keep",
                      margin=dict(l=10, r=10, t=30, b=10), xaxis_title="iteration",
                      yaxis=dict(title="mode", dtick=1 if len(counts) <= 10 else 5))
    return fig
