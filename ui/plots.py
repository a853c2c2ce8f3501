"""Plot builders shared by the pages: one function per figure kind, small enough to redraw live."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

MAX_POINTS = 400  # per series: plotly sends the whole figure on every redraw
EVENT_COLOR = "#888"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")

# Plain words for the settings a teacher changes: used to label markers on time axes.
FIELD_WORDS = {"real_label": "real label", "batch_size": "batch", "lr_d": "lr D", "lr_g": "lr G",
               "d_steps": "k", "loss": "loss", "noise": "noise", "r1_gamma": "R1 γ",
               "gp_weight": "GP λ", "fake_label": "fake label", "adam_beta1": "β1", "adam_beta2": "β2"}


def downsample(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS):
    """Keep at most max_points by averaging consecutive blocks (keeps trends, drops noise)."""
    n = len(x)
    if n <= max_points:
        return x, y
    block = int(np.ceil(n / max_points))
    cut = n - n % block
    xs = x[:cut].reshape(-1, block)[:, -1]
    ys = np.nanmean(y[:cut].reshape(-1, block), axis=1)
    if cut < n:
        xs, ys = np.append(xs, x[-1]), np.append(ys, np.nanmean(y[cut:]))
    return xs, ys


def event_label(field: str, old, new) -> str:
    fmt = (lambda v: f"{v:g}") if isinstance(new, float) else str
    return f"{FIELD_WORDS.get(field, field)} {fmt(old)}→{fmt(new)}"


def mark_events(fig: go.Figure, events, max_events: int = 12) -> None:
    """A dashed vertical line and a label at each hyperparameter change: cause next to effect."""
    for i, (iteration, field, old, new) in enumerate(list(events)[-max_events:]):
        fig.add_vline(x=iteration, line=dict(color=EVENT_COLOR, dash="dash", width=1))
        fig.add_annotation(x=iteration, y=1.0 - 0.1 * (i % 3), yref="paper", showarrow=False,
                           text=event_label(field, old, new), font=dict(size=11, color="#555"),
                           xanchor="left", bgcolor="rgba(255,255,255,0.7)")


def history_figure(columns: dict, series: list[tuple[str, str]], events=(), title: str = "",
                   half_line: bool = False, kind: str | None = None, height: int = 260,
                   y_range=None) -> go.Figure:
    """Lines of history `columns` (Trainer.history_columns()) against iteration.

    series: [(field, legend name)]; kind "D"/"G" keeps only that kind of update; NaN entries
    (fields that do not apply to an update) are skipped. half_line draws the D = 1/2 equilibrium."""
    fig = go.Figure()
    it = columns.get("iteration", np.array([]))
    mask_kind = (columns["kind"] == kind) if kind and len(it) else np.ones(len(it), bool)
    for (field, name), color in zip(series, PALETTE):
        y = columns.get(field, np.array([]))
        if not len(y):
            continue
        m = mask_kind & np.isfinite(y.astype(float))
        xs, ys = downsample(it[m], y[m].astype(float))
        fig.add_scatter(x=xs, y=ys, name=name, mode="lines", line=dict(color=color, width=2))
    if half_line:
        fig.add_hline(y=0.5, line=dict(color="black", dash="dot", width=1),
                      annotation_text="½ (equilibrium)", annotation_position="bottom right")
    mark_events(fig, events)
    fig.update_layout(title=title or None, height=height, margin=dict(l=10, r=10, t=30 if title else 10, b=10),
                      legend=dict(orientation="h", y=-0.25), xaxis_title="iteration",
                      uirevision="keep")  # keep the user's zoom across live redraws
    if y_range:
        fig.update_yaxes(range=y_range)
    return fig


def loss_figure(columns: dict, events=(), height: int = 260) -> go.Figure:
    """D's loss with its real and fake error terms, and G's loss."""
    return history_figure(columns, [("loss_d", "D loss"), ("loss_d_real", "D real error"),
                                    ("loss_d_fake", "D fake error"), ("loss_g", "G loss")],
                          events, "Losses", height=height)


def d_output_figure(columns: dict, events=(), height: int = 260) -> go.Figure:
    """Mean D(x) and D(G(z)) (from D updates) and D's accuracy, with the ½ line."""
    return history_figure(columns, [("d_real", "mean D(x)"), ("d_fake", "mean D(G(z))"),
                                    ("d_accuracy", "D accuracy")],
                          events, "What D says", half_line=True, kind="D", height=height,
                          y_range=[-0.02, 1.02])
