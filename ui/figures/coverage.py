"""Mode-coverage views shared by the MNIST map page and the 2D toys: the same bars, colours and
words whether the modes are digits ("digit 4") or mixture modes ("mode 3").

Figure builders return plotly figures (no Streamlit); ui.mode_coverage.panel.coverage_panel draws the
headline numbers, the sentence and the bars with Streamlit. Input: gan_core.coverage.Coverage / CoverageTimeline.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from gan_core.coverage import Coverage, CoverageTimeline

DIGIT_COLORS = tuple(qualitative.D3)  # 10 colours: digit k is always DIGIT_COLORS[k]
MISSING_COLOR = "#d62728"
TARGET_COLOR = "rgba(60, 60, 60, 0.35)"
# One colour for every generated bar: a bar chart's legend shows a single swatch, so bars coloured
# per digit made the legend say "generated = blue" over an olive bar. Not a digit colour, so it
# never reads as one digit's island on the map.
GENERATED_COLOR = "#3949ab"
# A map point's customdata: [REAL_POINT, row of the map] or [FAKE_POINT, row of the sample]. Numbers,
# as a numpy array: plotly copies a list of small lists element by element (14 ms per 500 points,
# ~0.15 s a map of 5,000 at every rerun of the paused page) and an integer array at once (0.9 ms).
REAL_POINT, FAKE_POINT = 0, 1


def _point_ids(kind: int, rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.int64)
    return np.column_stack([np.full(len(rows), kind, dtype=np.int64), rows])
MISSING_NAME = "missing (never drawn)"  # the legend draws the ✗ itself
MISSING_MARK_HEIGHT = 0.04  # of the y range's top: the ✗ sits above the axis, clear of the tick labels


def short_names(names) -> list[str]:
    """'digit 4' -> '4', 'mode 3' -> '3': axis ticks stay short, hover keeps the full name."""
    return [str(n).split(" ")[-1] for n in names]


def kl_label(target) -> str:
    """'KL(p_gen ‖ uniform)' or 'KL(p_gen ‖ target)': the one name of the number on every chart and metric."""
    target = np.asarray(target, float)
    return f"KL(p_gen ‖ {'uniform' if len(target) and np.allclose(target, target[0]) else 'target'})"


def coverage_bars(cov: Coverage, real: np.ndarray | None = None, height: int = 300,
                  title: str = "") -> go.Figure:
    """Generated share per mode (one colour) next to the real / target share (grey bars); a
    missing mode gets a red ✗ in its empty generated slot, named once in the legend (a text
    label per mode overlapped the markers and each other when many modes were missing)."""
    reference = cov.target if real is None else np.asarray(real, float)
    ticks = short_names(cov.names)
    fig = go.Figure()
    fig.add_bar(x=ticks, y=reference, name="real data" if real is not None else "target", offsetgroup="reference",
                marker_color=TARGET_COLOR, hovertext=list(cov.names),
                hovertemplate="%{hovertext}: %{y:.1%} of real samples<extra></extra>")
    fig.add_bar(x=ticks, y=cov.proportions, name="generated", marker_color=GENERATED_COLOR, offsetgroup="generated",
                customdata=cov.counts, hovertext=list(cov.names),
                hovertemplate="%{hovertext}: %{y:.1%} of generated (%{customdata} samples)<extra></extra>")
    top = max(float(np.max(cov.proportions, initial=0)), float(np.max(reference, initial=0)), 0.05)
    # while no sample looks like any mode (an untrained generator's noise), no mode is missing yet
    missing_x = [t for t, c in zip(ticks, cov.covered) if not c] if cov.n_samples else []
    if missing_x:  # in the empty generated slot (scattermode "group"), just above the axis and its labels
        fig.add_scatter(x=missing_x, y=[MISSING_MARK_HEIGHT * top] * len(missing_x), mode="markers",
                        name=MISSING_NAME, offsetgroup="generated",
                        marker=dict(symbol="x", size=10, color=MISSING_COLOR),
                        hovertext=[n for n, c in zip(cov.names, cov.covered) if not c],
                        hovertemplate="%{hovertext}: never drawn<extra></extra>")
    fig.update_layout(barmode="group", scattermode="group", height=height, title=title or None,
                      margin=dict(l=10, r=10, t=30 if title else 10, b=10),
                      legend=dict(orientation="h", y=1.12),
                      yaxis=dict(tickformat=".0%", range=[0, top * 1.15], automargin=True),
                      xaxis=dict(title=cov.names[0].split(" ")[0] if cov.names else "", type="category",
                                 automargin=True))  # room below for the digits and the axis title
    return fig


def coverage_timeline_figure(tl: CoverageTimeline, height: int = 380) -> go.Figure:
    """Top: share of each mode over training (a heatmap: modes appear and vanish as bright and
    dark rows). Bottom: modes covered and KL(p_gen ‖ uniform or target, as kl_label names it) against
    iteration."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.62, 0.38], vertical_spacing=0.06,
                        specs=[[{}], [{"secondary_y": True}]])
    ticks = short_names(tl.names)
    if len(tl.iterations):
        fig.add_heatmap(x=tl.iterations, y=ticks, z=tl.proportions.T, colorscale="Viridis", zmin=0,
                        colorbar=dict(title="share", tickformat=".0%", len=0.6, y=0.7),
                        hovertemplate="iteration %{x}<br>%{y}: %{z:.1%}<extra></extra>", row=1, col=1)
        fig.add_scatter(x=tl.iterations, y=tl.n_covered, mode="lines+markers", name="modes covered",
                        line=dict(color="#2ca02c", width=2), row=2, col=1)
        fig.add_scatter(x=tl.iterations, y=tl.kl, mode="lines+markers", name=kl_label(tl.target),
                        line=dict(color="#9467bd", width=2, dash="dot"), row=2, col=1, secondary_y=True)
    k = len(tl.names)
    fig.update_yaxes(title_text=tl.names[0].split(" ")[0] if k else "", type="category", row=1, col=1)
    fig.update_yaxes(title_text="covered", range=[-0.3, k + 0.5], row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text="KL (nats)", rangemode="tozero", row=2, col=1, secondary_y=True)
    fig.update_xaxes(title_text="iteration", row=2, col=1)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)  # the 10 px margins below would cut the tick labels and titles
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h", y=-0.2),
                      uirevision="keep")
    return fig


# ---- the t-SNE map -----------------------------------------------------------------------------

def map_figure(coords: np.ndarray, labels: np.ndarray, placed: np.ndarray | None = None,
               placed_digits: np.ndarray | None = None, between: np.ndarray | None = None,
               height: int = 620, not_digits: np.ndarray | None = None) -> go.Figure:
    """Real digits as faint dots coloured by their label; generated digits as outlined diamonds
    coloured by the classifier's digit; fakes between modes as black crosses; fakes that look
    like no digit yet as grey open circles. customdata on every point is [REAL_POINT, row of the
    map] or [FAKE_POINT, row of the sample], for selection events."""
    fig = go.Figure()
    for d in range(10):
        rows = np.flatnonzero(labels == d)
        if not len(rows):
            continue
        fig.add_scattergl(x=coords[rows, 0], y=coords[rows, 1], mode="markers", name=f"real {d}",
                          legendgroup="real", marker=dict(size=4, color=DIGIT_COLORS[d], opacity=0.35),
                          customdata=_point_ids(REAL_POINT, rows),
                          hovertemplate=f"real digit {d}<extra></extra>")
    if placed is not None and len(placed):
        between_set = set(() if between is None else between.tolist())
        noise_set = set(() if not_digits is None else not_digits.tolist())
        drawn_apart = between_set | noise_set  # each fake is drawn once, in its own trace
        for d in range(10):
            rows = [i for i in np.flatnonzero(placed_digits == d) if i not in drawn_apart]
            if not rows:
                continue
            fig.add_scattergl(x=placed[rows, 0], y=placed[rows, 1], mode="markers", name=f"fake {d}",
                              legendgroup="fake", marker=dict(size=8, symbol="diamond", color=DIGIT_COLORS[d],
                                                              line=dict(color="black", width=1)),
                              customdata=_point_ids(FAKE_POINT, rows),
                              hovertemplate=f"generated, read as {d}<extra></extra>")
        for chosen, name, marker in (
                (between_set, "between modes", dict(size=10, symbol="x", color="black")),
                (noise_set, "not a digit yet", dict(size=7, symbol="circle-open", color="#7f7f7f"))):
            if chosen:
                rows = sorted(chosen)
                fig.add_scattergl(x=placed[rows, 0], y=placed[rows, 1], mode="markers", name=name, marker=marker,
                                  customdata=_point_ids(FAKE_POINT, rows),
                                  hovertemplate=f"generated, {name}<extra></extra>")
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=10, b=10), dragmode="lasso",
                      legend=dict(orientation="h", y=-0.05, font=dict(size=11)), uirevision="keep")
    fig.update_xaxes(showticklabels=False, title=None, zeroline=False)
    fig.update_yaxes(showticklabels=False, title=None, zeroline=False, scaleanchor="x")
    return fig


def selected_rows(event) -> tuple[list[int], list[int]]:
    """(real map rows, fake sample rows) chosen in a plotly selection event."""
    real, fake = [], []
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for p in points:
        data = p.get("customdata") if isinstance(p, dict) else None
        if isinstance(data, (list, tuple)) and len(data) == 2:
            (real if int(data[0]) == REAL_POINT else fake).append(int(data[1]))
    return real, fake
