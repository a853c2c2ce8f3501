"""The class as a sweep: one point per run, the setting the teacher picked on x, modes captured or
high-quality % on y, every run read at the same iteration. Drawn on the live canvas for the page
and as a PNG for the exports, both from the same axis (no Streamlit here).

A setting the class varied over decades (learning rates, batch sizes) is spread on a log axis; a
setting with names (loss, noise prior, on/off) gets one column per value. Several runs often share
a value, so each value also gets its mean (a short bar): what the class found, not one lucky seed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from classroom.exports import png_bytes
from ui.canvas.scene import Panel, Scene, lines, points, text

MEASURES = {"modes captured": "modes_captured", "HQ %": "hq_percent"}  # y choice -> sweep row key
POINT_COLOR, MEAN_COLOR = "#7b2cbf", "#d62728"
LOG_SPAN = 20  # a positive setting whose largest value is this many times its smallest goes on a log axis
MAX_TICKS = 9


@dataclass(frozen=True)
class Axis:
    positions: list  # where each value sits on x (same order as the values given)
    ticks: list
    ticklabels: list
    log: bool
    names: bool = False  # one column per value (names, switches)


def _words(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def sweep_axis(values: list) -> Axis:
    """Where each of the runs' values of one setting goes on x, and the ticks that name them."""
    if not values:
        return Axis([], [], [], False)
    if not all(_is_number(v) for v in values):  # names or switches: one column per value, in order
        distinct = sorted({_words(v) for v in values})
        where = {w: i for i, w in enumerate(distinct)}
        return Axis([float(where[_words(v)]) for v in values], [float(i) for i in range(len(distinct))],
                    distinct, log=False, names=True)
    numbers = [float(v) for v in values]
    log = min(numbers) > 0 and max(numbers) / min(numbers) >= LOG_SPAN
    positions = [math.log10(v) for v in numbers] if log else numbers
    distinct = sorted(set(numbers))
    if len(distinct) > MAX_TICKS:  # many values: evenly spaced ticks over the range
        shown = [distinct[round(i * (len(distinct) - 1) / (MAX_TICKS - 1))] for i in range(MAX_TICKS)]
    else:
        shown = distinct
    return Axis(positions, [math.log10(v) if log else v for v in shown], [_words(v) for v in shown], log)


def measured(rows: list, measure: str) -> tuple[list, list]:
    """(rows with a value of `measure`, rows without one yet)."""
    key = MEASURES[measure]
    return [r for r in rows if r.get(key) is not None], [r for r in rows if r.get(key) is None]


def means_by_position(positions: list, ys: list) -> dict:
    """x position -> mean y of the runs there."""
    groups: dict = {}
    for x, y in zip(positions, ys):
        groups.setdefault(x, []).append(y)
    return {x: float(np.mean(v)) for x, v in groups.items()}


def slot_labels(positions: list, ys: list, rows: list) -> dict:
    """(x, y) -> the slots of the runs drawn there ("3, 4"): runs on the same point share one label."""
    labels: dict = {}
    for x, y, r in zip(positions, ys, rows):
        labels.setdefault((x, y), []).append(str(r["slot"]))
    return {at: ", ".join(slots) for at, slots in labels.items()}


def _x_range(axis: Axis) -> tuple[float, float]:
    """The x window: half a column beyond named values, else 8 % of the span (a lone value: a
    window around it)."""
    lo, hi = min(axis.positions + axis.ticks), max(axis.positions + axis.ticks)
    span = hi - lo
    if axis.names:
        pad = 0.5
    elif span > 0:
        pad = 0.08 * span
    else:
        pad = 0.3 if axis.log else max(0.5, 0.1 * abs(lo))
    return lo - pad, hi + pad


def y_range(measure: str, n_modes: int) -> tuple[float, float]:
    return (0.0, 105.0) if measure == "HQ %" else (0.0, max(1, n_modes) + 0.5)


def title(field: str, measure: str, rows: list) -> str:
    iterations = {r["iteration"] for r in rows}
    at = f"iteration {min(iterations):,}" if len(iterations) == 1 else \
        f"iterations {min(iterations):,}-{max(iterations):,}" if iterations else "no iteration yet"
    return f"{measure} against {field} · {len(rows)} runs at {at}"


def sweep_scene(rows: list, field: str, measure: str, n_modes: int, width: int, height: int, font: int = 13,
                frame: int = 0) -> Scene:
    """The sweep on one canvas panel: a dot per run (its slot beside it), a bar at each value's mean."""
    shown, _ = measured(rows, measure)
    key = MEASURES[measure]
    axis = sweep_axis([r["x"] for r in shown])
    ys = [float(r[key]) for r in shown]
    lo_y, hi_y = y_range(measure, n_modes)
    layers = []
    if shown:
        x0, x1 = _x_range(axis)
        half = 0.04 * (x1 - x0)
        for x, mean in means_by_position(axis.positions, ys).items():
            layers.append(lines([x - half, x + half], [mean, mean], MEAN_COLOR, width=3))
        layers.append(points(np.column_stack([axis.positions, ys]), POINT_COLOR, r=5, alpha=0.75))
        layers += [text(x + 0.012 * (x1 - x0), y, words, align="left", size=font - 2, color="#444")
                   for (x, y), words in slot_labels(axis.positions, ys, shown).items()]
    else:
        x0, x1 = 0.0, 1.0
        layers.append(text(0.5, (lo_y + hi_y) / 2, "No run has a measure yet: press Play in the labs.", size=font))
    panel = Panel(box=(0, 0, width, height), x=(x0, x1), y=(lo_y, hi_y), layers=layers,
                  title=title(field, measure, shown), xlabel=field + (" (log scale)" if axis.log else ""),
                  ylabel=measure, xticks=axis.ticks or None, xticklabels=axis.ticklabels or None,
                  background="white")
    return Scene(width, height, [panel], frame=frame, font=font,
                 label=f"the class as a sweep of {field}: {len(shown)} runs measured")


# ---- the PNG export ------------------------------------------------------------------------------

def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one fixed bitmap size
        return ImageFont.load_default()


def sweep_png(rows: list, field: str, measure: str, n_modes: int, width: int = 900, height: int = 560) -> bytes:
    """The sweep as a PNG: the same points, means and ticks as the canvas, with a title."""
    shown, missing = measured(rows, measure)
    key = MEASURES[measure]
    axis = sweep_axis([r["x"] for r in shown])
    ys = [float(r[key]) for r in shown]
    lo_y, hi_y = y_range(measure, n_modes)
    x0, x1 = _x_range(axis) if shown else (0.0, 1.0)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small, big = _font(14), _font(17)
    left, right, top, bottom = 80, width - 24, 70, height - 64

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (right - left)

    def py(y: float) -> float:
        return bottom - (y - lo_y) / (hi_y - lo_y) * (bottom - top)

    draw.text((left, 14), title(field, measure, shown), fill=(20, 20, 30), font=big)
    draw.rectangle([left, top, right, bottom], outline=(154, 154, 166))
    for tick, label in zip(axis.ticks, axis.ticklabels):
        draw.line([px(tick), bottom, px(tick), bottom + 5], fill=(80, 80, 90))
        draw.text((px(tick), bottom + 8), label, fill=(40, 40, 50), font=small, anchor="ma")
    step = 20 if measure == "HQ %" else max(1, math.ceil(max(1, n_modes) / 8))
    for y in range(0, int(hi_y) + 1, step):
        draw.line([left - 5, py(y), left, py(y)], fill=(80, 80, 90))
        draw.text((left - 8, py(y)), str(y), fill=(40, 40, 50), font=small, anchor="rm")
    draw.text(((left + right) / 2, height - 22), field + (" (log scale)" if axis.log else ""), fill=(20, 20, 30),
              font=small, anchor="mm")
    draw.text((12, top - 22), measure, fill=(20, 20, 30), font=small)
    half = 0.04 * (right - left)
    for x, mean in means_by_position(axis.positions, ys).items():
        draw.line([px(x) - half, py(mean), px(x) + half, py(mean)], fill=(214, 39, 40), width=3)
    for x, y in zip(axis.positions, ys):
        cx, cy = px(x), py(y)
        draw.ellipse([cx - 5, cy - 5, cx + 5, cy + 5], fill=(123, 44, 191))
    for (x, y), words in slot_labels(axis.positions, ys, shown).items():
        draw.text((px(x) + 8, py(y)), words, fill=(60, 60, 70), font=small, anchor="lm")
    if missing:
        draw.text((right, 14), f"{len(missing)} run(s) without a measure yet", fill=(120, 120, 130), font=small,
                  anchor="ra")
    return png_bytes(image)
