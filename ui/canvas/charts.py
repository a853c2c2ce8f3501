"""Time charts and bar charts as live-canvas panels: a few hundred float32 numbers per redraw."""

from __future__ import annotations

import numpy as np

from ui.canvas.scene import Panel, bars, hline, image, legend_item, lines, vline

MAX_POINTS = 400  # per series: more is invisible at the width of a column
EVENT_COLOR = "#9a9aa6"
MISSING_COLOR = "#d62728"
MODE_COLOR = "#7b2cbf"


def thin(x, y, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th point so that at most `max_points` remain, always keeping the latest."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) <= max_points:
        return x, y
    keep = np.unique(np.append(np.linspace(0, len(x) - 1, max_points).astype(int), len(x) - 1))
    return x[keep], y[keep]


def _range(values, pad: float = 0.05, default=(0.0, 1.0)) -> tuple[float, float]:
    finite = [np.asarray(v, float)[np.isfinite(v)] for v in values]
    finite = np.concatenate(finite) if finite else np.array([])
    if not len(finite):
        return default
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    span = hi - lo
    return lo - pad * span, hi + pad * span


def series_panel(box, series, title: str, x_label: str = "iteration", y_range=None, rules=(), events=()) -> Panel:
    """Lines over iterations. series: (x, y, colour, label, dash) each; rules: y values drawn as
    dashed lines (−log 4, ½); events: (iteration, ...) setting changes, marked on the time axis."""
    drawn = [thin(x, y) for x, y, *_ in series]
    xs = [x for x, _ in drawn]
    x_lo, x_hi = _range(xs, pad=0.0, default=(0.0, 1.0))
    y_lo, y_hi = y_range if y_range is not None else _range([y for _, y in drawn] + [list(rules)])
    layers = [vline(event[0], EVENT_COLOR, dash=(2, 3), width=1) for event in events if x_lo <= event[0] <= x_hi]
    layers += [hline(r, "#555", dash=(5, 4), width=1) for r in rules]
    layers += [lines(x, y, color, width=1.8, dash=dash) for (x, y), (_, _, color, _, dash) in zip(drawn, series)]
    legend = [legend_item(color, label, "dash" if dash else "line") for _, _, color, label, dash in series]
    return Panel(box=box, x=(x_lo, x_hi), y=(y_lo, y_hi), layers=layers, title=title, legend=legend,
                 xlabel=x_label)


def mode_bars_panel(box, counts, title: str) -> Panel:
    """High-quality samples per mode now; a missing mode's slot is marked red at the baseline,
    the dashed line is what each mode would get if the same samples were spread evenly."""
    counts = np.asarray(counts, float)
    k = len(counts)
    top = max(1.0, float(counts.max()) * 1.1) if k else 1.0
    colors = [MISSING_COLOR if c == 0 else MODE_COLOR for c in counts]
    layers = [bars(np.where(counts == 0, top * 0.015, counts), colors=colors, x0=1)]
    if k and counts.sum() > 0:
        layers.append(hline(counts.sum() / k, "#333", dash=(5, 4), width=1.2))
    step = 1 if k <= 10 else 4 if k <= 25 else max(1, k // 6)
    ticks = list(range(1, k + 1, step))
    return Panel(box=box, x=(0.4, k + 0.6), y=(0.0, top), layers=layers, title=title, xticks=ticks,
                 xlabel="mode", legend=[legend_item(MODE_COLOR, "samples", "square"),
                                        legend_item(MISSING_COLOR, "missing", "square"),
                                        legend_item("#333", "even share", "dash")])


def mode_strip_panel(box, iterations, counts, title: str) -> Panel:
    """Each mode's share of the high-quality samples over iterations (a row per mode, darker =
    more): a collapse is one dark row, a cure fills every row."""
    counts = np.asarray(counts, float)  # (K, T)
    iterations = np.asarray(iterations, float)
    k = counts.shape[0] if counts.ndim == 2 else 0
    if k == 0 or counts.shape[1] == 0:
        return Panel(box=box, x=(0, 1), y=(0.5, max(k, 1) + 0.5), title=title, ticks=False, background="#f4f4f6")
    totals = counts.sum(0, keepdims=True)
    shares = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    keep = np.unique(np.append(np.linspace(0, shares.shape[1] - 1, min(shares.shape[1], 200)).astype(int),
                               shares.shape[1] - 1))
    shares, its = shares[:, keep], iterations[keep]
    x_lo, x_hi = float(its[0]), float(its[-1]) if its[-1] > its[0] else float(its[0]) + 1
    rows_per_tick = max(1, int(np.ceil(k * 22 / max(box[3] - 60, 22))))  # a label needs ~22 px
    return Panel(box=box, x=(x_lo, x_hi), y=(0.5, k + 0.5), title=title, xlabel="iteration",
                 yticks=list(range(1, k + 1, rows_per_tick)),
                 layers=[image(shares, 0.0, max(0.25, float(shares.max())), "blues",
                               extent=(x_lo, x_hi, 1, k))])


PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def history_panel(box, columns: dict, series: list[tuple[str, str]], title: str, kind: str | None = None,
                  half_line: bool = False, events=(), y_range=None) -> Panel:
    """Fields of history `columns` (trainer.history.columns()) against iteration,
    only updates of `kind` ("D"/"G") when given, NaN entries (fields that do not apply) skipped."""
    it = np.asarray(columns.get("iteration", np.array([])), float)
    keep = (np.asarray(columns["kind"]) == kind) if kind and len(it) else np.ones(len(it), bool)
    lines_ = []
    for (name, label), color in zip(series, PALETTE):
        y = np.asarray(columns.get(name, np.array([])), float)
        if len(y):
            ok = keep & np.isfinite(y)
            lines_.append((it[ok], y[ok], color, label, ()))
    return series_panel(box, lines_, title, y_range=y_range, rules=(0.5,) if half_line else (), events=events)


def loss_panel(box, columns: dict, events=()) -> Panel:
    """D's loss with its real and fake error terms, and G's loss."""
    return history_panel(box, columns, [("loss_d", "D loss"), ("loss_d_real", "D real error"),
                                        ("loss_d_fake", "D fake error"), ("loss_g", "G loss")], "Losses",
                         events=events)


def d_output_panel(box, columns: dict, events=()) -> Panel:
    """Mean D(x) and D(G(z)) (from D updates) and D's accuracy, with the ½ line."""
    return history_panel(box, columns, [("d_real", "mean D(x)"), ("d_fake", "mean D(G(z))"),
                                        ("d_accuracy", "D accuracy")], "What D says", kind="D",
                         half_line=True, events=events, y_range=(-0.02, 1.02))


def lr_panel(box, columns: dict, half_life: int = 0, events=()) -> Panel:
    """The learning rate each D and each G update used (history column "lr"), from 0 up: a
    half-life schedule is a falling curve on the time axis, a slider move a step."""
    it = np.asarray(columns.get("iteration", np.array([])), float)
    kinds = np.asarray(columns.get("kind", np.array([])))
    lr = np.asarray(columns.get("lr", np.array([])), float)
    series = []
    for kind, label, color, dash in (("D", "D learning rate", PALETTE[0], ()),
                                     ("G", "G learning rate", PALETTE[1], (5, 3))):
        rows = (kinds == kind) & np.isfinite(lr) if len(lr) else np.zeros(0, bool)
        series.append((it[rows], lr[rows], color, label, dash))
    top = float(np.nanmax(lr, initial=0.0)) if len(lr) else 0.0
    title = f"Learning rates (half-life {half_life:,} it)" if half_life > 0 else "Learning rates (no decay)"
    return series_panel(box, series, title, y_range=(0.0, top * 1.08 if top > 0 else 1.0), events=events)
