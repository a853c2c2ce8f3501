"""Plot builders for the value-function page: one function per figure kind, sized for a projector.

Colours follow Figure 1 of Goodfellow et al. (2014) wherever the same objects appear: p_data
black dotted, p_g green, D blue dashed; D* is orange, the real term blue, the fake term red.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

DATA_COLOR, G_COLOR, D_COLOR, DSTAR_COLOR = "black", "#2ca02c", "#1f77b4", "#ff7f0e"
REAL_COLOR, FAKE_COLOR = "#1f77b4", "#d62728"
FONT = dict(size=16)  # readable from the back of a classroom
LOSS_COLORS = ("#d62728", "#2ca02c", "#9467bd")


def _layout(fig: go.Figure, height: int, **kw) -> go.Figure:
    fig.update_layout(height=height, font=FONT, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(orientation="h", y=-0.2), **kw)
    return fig


def densities_figure(x, p_data, p_g, d_star, d_user=None, height: int = 420) -> go.Figure:
    """p_data, p_g, the optimal D* and (optionally) the student's D on one x axis, with D = ½."""
    fig = go.Figure()
    fig.add_scatter(x=x, y=p_data, name="p_data(x)", line=dict(color=DATA_COLOR, dash="dot", width=3))
    fig.add_scatter(x=x, y=p_g, name="p_g(x)", line=dict(color=G_COLOR, width=3))
    fig.add_scatter(x=x, y=d_star, name="D*(x) = p_data / (p_data + p_g)",
                    line=dict(color=DSTAR_COLOR, width=4))
    if d_user is not None:
        fig.add_scatter(x=x, y=d_user, name="your D(x) = σ(w·x + b)", line=dict(color=D_COLOR, dash="dash", width=3))
    fig.add_hline(y=0.5, line=dict(color="gray", dash="dot", width=1), annotation_text="D = ½",
                  annotation_position="top left")
    top = max(1.05, 1.1 * float(np.max(p_data)), 1.1 * float(np.max(p_g)))
    fig.update_yaxes(range=[0, top], title="density / probability")
    fig.update_xaxes(title="x")
    return _layout(fig, height)


def value_terms_figure(x, p_data, p_g, logit, height: int = 300) -> go.Figure:
    """The two integrands whose areas are V's terms: p_data·log D (real) and p_g·log(1 − D) (fake),
    for D = σ(logit), computed from the logit so a confident D draws finite areas. Sized for a
    narrow column beside the main view: short legend names above the plot."""
    from gan_core.theory import value_integrands_logit

    real, fake = value_integrands_logit(logit, p_data, p_g)
    fig = go.Figure()
    fig.add_scatter(x=x, y=real, fill="tozeroy", name="real term (blue area)", line=dict(color=REAL_COLOR, width=2))
    fig.add_scatter(x=x, y=fake, fill="tozeroy", name="fake term (red area)", line=dict(color=FAKE_COLOR, width=2))
    fig.update_xaxes(title="x")
    _layout(fig, height)
    fig.update_layout(font=dict(size=13), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0))
    return fig


def value_plane_figure(slopes, offsets, values, user, best, c_value: float, d_star_point=None,
                       height: int = 480) -> go.Figure:
    """V(σ(w x + b), G) over the (w, b) plane; the student's D, the best logistic D and (when D*
    is itself logistic) D* marked. The colour scale tops out at C(G) = V(D*, G)."""
    finite = values[np.isfinite(values)]
    floor = max(float(np.percentile(finite, 5)), c_value - 3.0) if finite.size else c_value - 3.0
    fig = go.Figure(go.Contour(x=slopes, y=offsets, z=np.clip(values, floor, None), zmax=c_value,
                               zmin=floor, colorscale="Viridis", ncontours=30,
                               colorbar=dict(title="V"),
                               hovertemplate="w=%{x:.2f}<br>b=%{y:.2f}<br>V=%{z:.4f}<extra></extra>"))
    fig.add_scatter(x=[user[0]], y=[user[1]], mode="markers", name="your D",
                    marker=dict(size=16, color="white", line=dict(color="black", width=2)))
    fig.add_scatter(x=[best[0]], y=[best[1]], mode="markers", name="best logistic D",
                    marker=dict(size=18, symbol="star", color="#ff7f0e", line=dict(color="black", width=1)))
    if d_star_point is not None:
        fig.add_scatter(x=[d_star_point[0]], y=[d_star_point[1]], mode="markers", name="D* (it is logistic here)",
                        marker=dict(size=12, symbol="x", color="red"))
    fig.update_xaxes(title="slope w", range=[slopes[0], slopes[-1]])
    fig.update_yaxes(title="offset b", range=[offsets[0], offsets[-1]])
    return _layout(fig, height)


def smoothing_figure(x, p_data, p_g, alphas, height: int = 380) -> go.Figure:
    """D*_α(x) = α·p_data / (p_data + p_g) for several real labels α: the ceiling α caps D's confidence."""
    from gan_core.theory import optimal_discriminator

    fig = go.Figure()
    for alpha, color in zip(alphas, (DSTAR_COLOR, D_COLOR, "#9467bd", "#8c564b")):
        fig.add_scatter(x=x, y=optimal_discriminator(p_data, p_g, alpha), name=f"α = {alpha:g}",
                        line=dict(color=color, width=4 if alpha == 1 else 3, dash=None if alpha == 1 else "dash"))
    fig.add_scatter(x=x, y=p_data / max(float(np.max(p_data)), 1e-12), name="p_data (scaled)",
                    line=dict(color=DATA_COLOR, dash="dot", width=2))
    fig.add_scatter(x=x, y=p_g / max(float(np.max(p_g)), 1e-12), name="p_g (scaled)",
                    line=dict(color=G_COLOR, width=2))
    fig.update_yaxes(range=[0, 1.05], title="D*_α(x)")
    fig.update_xaxes(title="x")
    return _layout(fig, height)


def generator_loss_figure(d, curves, marker_d: float, height: int = 420) -> go.Figure:
    """Each generator loss against d = D(G(z)), and its gradient w.r.t. d and w.r.t. D's logit.
    The shaded band is where D confidently rejects the fakes (d < 0.1), as early in training."""
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.07,
                        subplot_titles=("loss L(d)", "dL/dd", "dL/d(logit): what reaches G"))
    for curve, color in zip(curves, LOSS_COLORS):
        dash = "dot" if curve.name.startswith("zero-sum") else None
        for col, y in ((1, curve.loss), (2, curve.grad_d), (3, curve.grad_logit)):
            fig.add_scatter(x=d, y=y, name=curve.name, legendgroup=curve.name, showlegend=col == 1,
                            line=dict(color=color, width=3, dash=dash), row=1, col=col)
    for col in (1, 2, 3):
        fig.add_vrect(x0=0, x1=0.1, fillcolor="#d62728", opacity=0.08, line_width=0, row=1, col=col)
        fig.add_vline(x=marker_d, line=dict(color="gray", dash="dash"), row=1, col=col)
        fig.update_xaxes(title="D(G(z))", range=[0, 1], row=1, col=col)
    fig.update_yaxes(range=[-6, 6], row=1, col=1)
    fig.update_yaxes(range=[-20, 0.5], row=1, col=2)
    fig.update_yaxes(range=[-1.05, 0.05], row=1, col=3)
    return _layout(fig, height)


def c_of_g_bar(c_numeric: float, c_identity: float) -> str:
    """A one-line verdict comparing the two computations of C(G)."""
    diff = abs(c_numeric - c_identity)
    digits = int(-math.log10(diff)) if diff > 0 else 16
    return f"They agree to {min(digits, 16)} decimal places (|difference| = {diff:.1e})."
