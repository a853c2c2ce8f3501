"""Plot builders for the Dirac-GAN: the vector field over (θ, ψ) with trajectories, and the
distance to the equilibrium over time."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ui.figures.theory import FONT

SIM_COLOR, ALT_COLOR = "#d62728", "#1f77b4"
METHOD_COLORS = ("#d62728", "#2ca02c", "#9467bd", "#8c564b", "#1f77b4", "#ff7f0e")


def field_figure(grid, paths: dict, lim: float, height: int = 560) -> go.Figure:
    """Arrows of the update direction v(θ, ψ) (length-normalised, shade = speed) and one line per
    trajectory in `paths` ({label: (steps + 1, 2) array}). Equal axes so rotation looks round."""
    theta, psi, v_theta, v_psi = (np.asarray(a, float).ravel() for a in grid)
    speed = np.hypot(v_theta, v_psi)
    arrow = 0.8 * (2 * lim / np.sqrt(theta.size))  # 80% of the grid spacing
    ux, uy = (np.divide(v, speed, out=np.zeros_like(v), where=speed > 0) for v in (v_theta, v_psi))
    xs = np.column_stack([theta, theta + arrow * ux, np.full_like(theta, np.nan)]).ravel()
    ys = np.column_stack([psi, psi + arrow * uy, np.full_like(psi, np.nan)]).ravel()
    fig = go.Figure()
    fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="#999", width=1.5), name="v(θ, ψ)",
                    hoverinfo="skip")
    fig.add_scatter(x=theta + arrow * ux, y=psi + arrow * uy, mode="markers", showlegend=False,
                    hoverinfo="skip", marker=dict(symbol="triangle-up", size=8, color="#999",
                                                  angle=90 - np.degrees(np.arctan2(uy, ux))))
    for (label, path), color in zip(paths.items(), (SIM_COLOR, ALT_COLOR) + METHOD_COLORS):
        ok = np.isfinite(path).all(1)
        fig.add_scatter(x=path[ok, 0], y=path[ok, 1], mode="lines", name=label, line=dict(color=color, width=3))
        fig.add_scatter(x=path[ok, 0][-1:], y=path[ok, 1][-1:], mode="markers", showlegend=False,
                        marker=dict(color=color, size=11))
    start = next(iter(paths.values()))[0]
    fig.add_scatter(x=[start[0]], y=[start[1]], mode="markers", name="start",
                    marker=dict(symbol="circle-open", size=16, color="black", line=dict(width=3)))
    fig.add_scatter(x=[0], y=[0], mode="markers", name="equilibrium (0, 0)",
                    marker=dict(symbol="star", size=18, color="gold", line=dict(color="black", width=1)))
    fig.update_xaxes(range=[-lim, lim], title="θ (generator: p_g = δ_θ)", zeroline=True, constrain="domain")
    fig.update_yaxes(range=[-lim, lim], title="ψ (discriminator: D(x) = σ(ψx))", scaleanchor="x",
                     scaleratio=1, zeroline=True)
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=-0.15))
    return fig


def distance_figure(curves: dict, height: int = 520) -> go.Figure:
    """Distance to (0, 0) against step, log scale: spirals out, circles or converges at a glance."""
    fig = go.Figure()
    for i, (label, dist) in enumerate(curves.items()):
        color = METHOD_COLORS[(i // 2) % len(METHOD_COLORS)]
        dash = "dash" if label.endswith("alternating") else None  # pairs share a colour
        fig.add_scatter(x=np.arange(len(dist)), y=np.maximum(dist, 1e-16), name=label, mode="lines",
                        line=dict(color=color, width=3, dash=dash))
    fig.update_yaxes(type="log", title="‖(θ, ψ) − (0, 0)‖", exponentformat="power")
    fig.update_xaxes(title="step")
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=-0.2, font=dict(size=14)))
    return fig
