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


def fast_figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts without plotly's per-property validation: 3-10x faster to build,
    which matters at four redraws a second (tests validate the same dicts, see test_toy_views)."""
    return go.Figure({"data": traces, "layout": layout}, _validate=False)


def plane_layout(scene: PlaneScene, title: str, height: int) -> dict:
    (x0, x1), (y0, y1) = scene.bounds
    return {"title": {"text": title, "font": {"size": 18}}, "height": height,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "uirevision": "plane",
            "legend": {"orientation": "h", "y": -0.06, "font": {"size": 13}}, "plot_bgcolor": "white",
            "xaxis": {"range": [x0, x1], "showgrid": False, "zeroline": False, "constrain": "domain"},
            "yaxis": {"range": [y0, y1], "showgrid": False, "zeroline": False, "scaleanchor": "x",
                      "scaleratio": 1}}


def arrow_segments(starts: np.ndarray, vectors: np.ndarray, max_len: float, head: float = 0.3):
    """x and y arrays drawing one arrow per start point as one line trace, NaN between pieces
    (NumPy arrays keep plotly's per-element validation out of the redraw).

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


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)  # half the bytes on the wire; plenty for a screen


def _heat(scene: PlaneScene, z, name: str, colorbar_title: str, show_scale: bool = True) -> dict:
    return {"type": "heatmap", "x": _f32(scene.xs), "y": _f32(scene.ys), "z": _f32(z), "zmin": 0, "zmax": 1,
            "colorscale": D_SCALE, "zsmooth": "best", "name": name, "showscale": show_scale,
            "hovertemplate": "x=%{x:.2f}<br>y=%{y:.2f}<br>%{z:.3f}<extra>" + name + "</extra>",
            "colorbar": {"title": {"text": colorbar_title}, "thickness": 12, "len": 0.8}}


def _half_contour(scene: PlaneScene, z) -> dict:
    return {"type": "contour", "x": _f32(scene.xs), "y": _f32(scene.ys), "z": _f32(z),
            "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
            "line": {"color": "black", "width": 2, "dash": "dash"}, "showscale": False,
            "name": "D = ½", "showlegend": True, "hoverinfo": "skip"}


def _points(xy: np.ndarray, name: str, color: str, size: float = 5, opacity: float = 0.8) -> dict:
    xy = _f32(xy).reshape(-1, 2)
    return {"type": "scatter", "x": xy[:, 0], "y": xy[:, 1], "mode": "markers", "name": name,
            "hoverinfo": "skip", "marker": {"size": size, "color": color, "opacity": opacity}}


def _lines(xs, ys, name: str, color: str, width: float, opacity: float = 1.0) -> dict:
    return {"type": "scatter", "x": _f32(xs), "y": _f32(ys), "mode": "lines", "name": name,
            "hoverinfo": "skip", "line": {"color": color, "width": width}, "opacity": opacity}


def _manifold_traces(manifold: np.ndarray | None, width: float = 1.2) -> list:
    """G's image of the z grid: rows and columns of the grid as two groups of warped lines."""
    if manifold is None:
        return []
    half = len(manifold) // 2 if len(manifold) > 1 else len(manifold)
    return [_lines(*polylines(group), name, color, width, 0.8)
            for name, group, color in (("G(z) grid: z₁ lines", manifold[:half], "#ff7f0e"),
                                       ("G(z) grid: z₂ lines", manifold[half:], "#8c564b"))
            if len(group)]


def plane_figure(scene: PlaneScene, frame: PlaneFrame, layers=LAYERS, height: int = 560) -> go.Figure:
    """The main view: D's heatmap and ½ contour under the real samples, the fixed-noise fakes
    and, at each of the first fakes, the arrow of where D's gradient pushes it."""
    traces: list = []
    if "D heatmap" in layers:
        traces.append(_heat(scene, frame.heat, "D(x)", "D(x)"))
    if "D = ½ contour" in layers:
        traces.append(_half_contour(scene, frame.heat))
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
        traces.append(_lines(xs, ys, "push on fakes (−∇ G loss)", ARROW_COLOR, 1.3))
    return fast_figure(traces, plane_layout(scene, f"D(x) and samples — iteration {frame.iteration:,}", height))


def field_figure(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> go.Figure:
    """G's gradient field over the whole plane: where D's gradient would push a fake at x."""
    (x0, x1), _ = scene.bounds
    cell = (x1 - x0) / (FIELD_RES - 1)
    xs, ys = arrow_segments(scene.field_points, frame.field, 0.9 * cell)
    traces = [_points(scene.real, "real", REAL_COLOR, 3, 0.5), _points(frame.fakes, "fakes", FAKE_COLOR, 3, 0.5),
              _lines(xs, ys, "−∇ₓ G's loss", ARROW_COLOR, 1.2)]
    return fast_figure(traces, plane_layout(scene, "G's gradient field: where D pushes fakes", height))


def manifold_figure(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> go.Figure:
    """The generator manifold: G applied to a grid of z (z_dim 1 or 2) over the real samples."""
    traces = [_points(scene.real, "real", REAL_COLOR, 3, 0.5)] + _manifold_traces(frame.manifold)
    return fast_figure(traces, plane_layout(scene, "Generator manifold: the z grid, warped by G", height))


def d_versus_optimal_figures(scene: PlaneScene, frame: PlaneFrame, height: int = 420) -> tuple[go.Figure, go.Figure]:
    """D as trained, and D* = p_data / (p_data + p_g) for today's G, on the same grid and scale."""
    learned = fast_figure([_heat(scene, frame.heat, "D(x)", "D", show_scale=False),
                           _half_contour(scene, frame.heat)], plane_layout(scene, "D as trained", height))
    optimal = fast_figure([_heat(scene, frame.d_star, "D*(x)", "D*"), _half_contour(scene, frame.d_star)],
                          plane_layout(scene, "D* = p_data / (p_data + p_g)" if frame.real_label == 1
                                       else f"D* = {frame.real_label:g}·p_data / (p_data + p_g)", height))
    return learned, optimal


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
