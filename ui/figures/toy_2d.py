"""What the 2D lab's views share: colours, the layers a teacher can switch, arrow and polyline
geometry (drawn by ui.canvas.plane_views), and the draw-your-own canvas (a plotly figure: it
takes clicks and box / lasso selections)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

REAL_COLOR = "#2ca02c"
FAKE_COLOR = "#7b2cbf"
TRAINED_COLOR, TRAINED_EDGE = "#f2b705", "#5c4400"  # the G being trained, drawn a size larger under its average's fakes
ARROW_COLOR = "#111111"
LAYERS = ("D heatmap", "D = ½ contour", "real samples", "fakes", "arrows at fakes", "manifold")


def arrow_segments(starts: np.ndarray, vectors: np.ndarray, max_len: float, head: float = 0.3):
    """x and y arrays drawing one arrow per start point as one polyline, NaN between pieces.

    Lengths are scaled by sqrt(|v| / max |v|) * max_len: the longest arrow gets max_len and weak
    pushes stay visible, while their order of strength is kept."""
    starts, vectors = np.asarray(starts, float), np.asarray(vectors, float)
    norms = np.linalg.norm(vectors, axis=1)
    ok = np.isfinite(norms) & (norms > 0)
    if not ok.any():
        return np.array([]), np.array([])
    s, v, n = starts[ok], vectors[ok], norms[ok][:, None]  # (A, 2), (A, 2), (A, 1)
    u = v / n  # unit directions
    length = max_len * np.sqrt(n / n.max())  # (A, 1)
    end = s + u * length
    h = head * length  # two barbs at +-150 degrees from the shaft
    left = end - h * np.stack([u[:, 0] * 0.866 - u[:, 1] * 0.5, u[:, 1] * 0.866 + u[:, 0] * 0.5], 1)
    right = end - h * np.stack([u[:, 0] * 0.866 + u[:, 1] * 0.5, u[:, 1] * 0.866 - u[:, 0] * 0.5], 1)
    gap = np.full_like(s, np.nan)
    pieces = np.stack([s, end, gap, left, end, right, gap], axis=1)  # (A, 7, 2)
    return pieces[..., 0].ravel(), pieces[..., 1].ravel()


def polylines(lines: np.ndarray):
    """(L, P, 2) polylines as one x and one y array with NaN between lines."""
    gap = np.full((len(lines), 1, 2), np.nan)
    joined = np.concatenate([lines, gap], axis=1).reshape(-1, 2)
    return joined[:, 0], joined[:, 1]


def draw_figure(points, bounds, dots: int = 25, height: int = 480) -> go.Figure:
    """The draw-your-own canvas: a lattice of faint dots to click or box/lasso-select, and the
    points placed so far."""
    (x0, x1), (y0, y1) = bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, dots), np.linspace(y0, y1, dots))
    fig = go.Figure([go.Scatter(x=gx.ravel().round(3), y=gy.ravel().round(3), mode="markers",
                                name="click or select to add", marker=dict(size=7, color="#bbbbbb", opacity=0.45),
                                hovertemplate="(%{x:.2f}, %{y:.2f})<extra>add</extra>")])
    pts = np.asarray(points, float).reshape(-1, 2)
    if len(pts):
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name="your points",
                                 marker=dict(size=11, color=REAL_COLOR), hoverinfo="skip"))
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), clickmode="event+select",
                      dragmode="select", legend=dict(orientation="h", y=-0.08), plot_bgcolor="white")
    fig.update_xaxes(range=[x0 - 0.2, x1 + 0.2], showgrid=False, zeroline=True)
    fig.update_yaxes(range=[y0 - 0.2, y1 + 0.2], showgrid=False, zeroline=True, scaleanchor="x")
    return fig
