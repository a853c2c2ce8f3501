"""Plotly views of the 2D plane: samples, D's heatmap with its ½ contour, G's gradient field,
the generator manifold and D* beside D. One builder per figure; all small enough to redraw live
(a few hundred points, a 41 x 41 grid), with `uirevision` so a zoom survives redraws."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gan_core.toy_fields import FIELD_RES, PlaneFrame, PlaneScene

REAL_COLOR = "#2ca02c"
FAKE_COLOR = "#7b2cbf"
ARROW_COLOR = "#111111"
# D's probability: blue where D says fake, white at ½, red where D says real.
D_SCALE = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]
LAYERS = ("D heatmap", "D = ½ contour", "real samples", "fakes", "arrows at fakes", "manifold")


def _plane_layout(fig: go.Figure, scene: PlaneScene, title: str, height: int) -> go.Figure:
    (x0, x1), (y0, y1) = scene.bounds
    fig.update_layout(title=dict(text=title, font=dict(size=18)), height=height,
                      margin=dict(l=10, r=10, t=40, b=10), uirevision="plane",
                      legend=dict(orientation="h", y=-0.06, font=dict(size=13)),
                      plot_bgcolor="white")
    fig.update_xaxes(range=[x0, x1], showgrid=False, zeroline=False, constrain="domain")
    fig.update_yaxes(range=[y0, y1], showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


def arrow_segments(starts: np.ndarray, vectors: np.ndarray, max_len: float, head: float = 0.3):
    """Polyline coordinates (with None gaps) drawing one arrow per start point.

    Lengths are scaled by sqrt(|v| / max |v|) * max_len: the longest arrow gets max_len and weak
    pushes stay visible, while their order of strength is kept."""
    starts, vectors = np.asarray(starts, float), np.asarray(vectors, float)
    norms = np.linalg.norm(vectors, axis=1)
    ok = np.isfinite(norms) & (norms > 0)
    xs: list = []
    ys: list = []
    if not ok.any():
        return xs, ys
    top = norms[ok].max()
    for (sx, sy), (vx, vy), n in zip(starts[ok], vectors[ok], norms[ok]):
        length = max_len * np.sqrt(n / top)
        ux, uy = vx / n, vy / n
        ex, ey = sx + ux * length, sy + uy * length
        h = head * length  # two barbs at +-150 degrees from the shaft
        lx, ly = ex - h * (ux * 0.866 - uy * 0.5), ey - h * (uy * 0.866 + ux * 0.5)
        rx, ry = ex - h * (ux * 0.866 + uy * 0.5), ey - h * (uy * 0.866 - ux * 0.5)
        xs += [sx, ex, None, lx, ex, rx, None]
        ys += [sy, ey, None, ly, ey, ry, None]
    return xs, ys


def _heat(xs, ys, z, name: str, colorbar_title: str, show_scale: bool = True) -> go.Heatmap:
    return go.Heatmap(x=xs, y=ys, z=z, zmin=0, zmax=1, colorscale=D_SCALE, zsmooth="best", name=name,
                      showscale=show_scale, hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3f}<extra>" + name + "</extra>",
                      colorbar=dict(title=dict(text=colorbar_title), thickness=12, len=0.8))


def _half_contour(xs, ys, z) -> go.Contour:
    return go.Contour(x=xs, y=ys, z=z, contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                      line=dict(color="black", width=2, dash="dash"), showscale=False,
                      name="D = ½", showlegend=True, hoverinfo="skip")


def _points(xy: np.ndarray, name: str, color: str, size: float = 5, opacity: float = 0.8) -> go.Scatter:
    return go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=name, hoverinfo="skip",
                      marker=dict(size=size, color=color, opacity=opacity))


def _manifold_traces(manifold: np.ndarray | None, width: float = 1.2) -> list:
    """G's image of the z grid: rows and columns of the grid as two groups of warped lines."""
    if manifold is None:
        return []
    traces = []
    half = len(manifold) // 2 if len(manifold) > 1 else len(manifold)
    for name, group, color in (("G(z) grid: z₁ lines", manifold[:half], "#ff7f0e"),
                               ("G(z) grid: z₂ lines", manifold[half:], "#8c564b")):
        if not len(group):
            continue
        xs, ys = [], []
        for line in group:
            xs += list(line[:, 0]) + [None]
            ys += list(line[:, 1]) + [None]
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=name, hoverinfo="skip",
                                 line=dict(color=color, width=width), opacity=0.8))
    return traces


def plane_figure(scene: PlaneScene, frame: PlaneFrame, layers=LAYERS, height: int = 560) -> go.Figure:
    """The main view: D's heatmap and ½ contour under the real samples, the fixed-noise fakes
    and, at each of the first fakes, the arrow of where D's gradient pushes it."""
    traces: list = []
    if "D heatmap" in layers:
        traces.append(_heat(scene.xs, scene.ys, frame.heat, "D(x)", "D(x)"))
    if "D = ½ contour" in layers:
        traces.append(_half_contour(scene.xs, scene.ys, frame.heat))
    if "manifold" in layers:
        traces += _manifold_traces(frame.manifold, width=1.0)
    if "real samples" in layers:
        traces.append(_points(scene.real, "real samples", REAL_COLOR, 5))
    if "fakes" in layers:
        traces.append(_points(frame.fakes, "fakes G(z), fixed z", FAKE_COLOR, 5))
    if "arrows at fakes" in layers:
        span = max(hi - lo for lo, hi in scene.bounds)
        n = len(frame.fake_arrows)
        xs, ys = arrow_segments(frame.fakes[:n], frame.fake_arrows, 0.08 * span)
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name="push on fakes (−∇ G loss)",
                                 line=dict(color=ARROW_COLOR, width=1.3), hoverinfo="skip"))
    return _plane_layout(go.Figure(traces), scene, f"D(x) and samples — iteration {frame.iteration:,}", height)


def field_figure(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> go.Figure:
    """G's gradient field over the whole plane: where D's gradient would push a fake at x."""
    (x0, x1), _ = scene.bounds
    cell = (x1 - x0) / (FIELD_RES - 1)
    xs, ys = arrow_segments(scene.field_points, frame.field, 0.9 * cell)
    traces = [_points(scene.real, "real", REAL_COLOR, 3, 0.5),
              _points(frame.fakes, "fakes", FAKE_COLOR, 3, 0.5),
              go.Scatter(x=xs, y=ys, mode="lines", name="−∇ₓ G's loss", hoverinfo="skip",
                         line=dict(color=ARROW_COLOR, width=1.2))]
    return _plane_layout(go.Figure(traces), scene, "G's gradient field: where D pushes fakes", height)


def manifold_figure(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> go.Figure:
    """The generator manifold: G applied to a grid of z (z_dim 1 or 2) over the real samples."""
    traces = [_points(scene.real, "real", REAL_COLOR, 3, 0.5)] + _manifold_traces(frame.manifold)
    return _plane_layout(go.Figure(traces), scene, "Generator manifold: the z grid, warped by G", height)


def d_versus_optimal_figures(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> tuple[go.Figure, go.Figure]:
    """D as trained, and D* = p_data / (p_data + p_g) for today's G, on the same grid and scale."""
    learned = go.Figure([_heat(scene.xs, scene.ys, frame.heat, "D(x)", "D", show_scale=False),
                         _half_contour(scene.xs, scene.ys, frame.heat)])
    optimal = go.Figure([_heat(scene.xs, scene.ys, frame.d_star, "D*(x)", "D*"),
                         _half_contour(scene.xs, scene.ys, frame.d_star)])
    return (_plane_layout(learned, scene, "D as trained", height),
            _plane_layout(optimal, scene, "D* = p_data / (p_data + p_g)", height))


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
