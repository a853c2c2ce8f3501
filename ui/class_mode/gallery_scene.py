"""The class gallery as one live-canvas scene (no Streamlit): a small multiple of every run's
plane (the target's real samples under G's fixed-noise fakes) with its slot and pseudonym, and
under it modes captured, HQ %, the iteration and the settings in which the run differs from the
class preset. One canvas for the whole class: thirty widgets would cost thirty redraws.

Student text (pseudonyms) reaches the browser only as canvas text (fillText), never as HTML."""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from gan_core.distributions import make_target
from ui.canvas.scene import Panel, Scene, points, text
from ui.figures.toy_2d import FAKE_COLOR, REAL_COLOR

SORTS = {  # the sort selectbox: label -> (key of a row, largest first)
    "slot": (lambda r: r.slot, False),
    "pseudonym": (lambda r: (r.pseudonym.casefold(), r.slot), False),
    "modes captured": (lambda r: (-1 if r.modes_captured is None else r.modes_captured, -r.slot), True),
    "HQ %": (lambda r: (-1.0 if r.hq_percent is None else r.hq_percent, -r.slot), True),
    "iteration": (lambda r: (r.iteration, -r.slot), True),
}
REAL_SHOWN = 160  # real samples under each thumbnail: enough to see the modes, a few kB
MAX_PLANE = 240  # px: a class of two does not get two projector-sized planes
GAP = 8  # px between two cells
PAUSED_BACKGROUND, CLOSED_BACKGROUND = "white", "#eeeef2"


def sort_rows(rows: list, by: str) -> list:
    key, largest_first = SORTS[by]
    return sorted(rows, key=key, reverse=largest_first)


@functools.lru_cache(maxsize=16)
def _target_view(target: str, custom: tuple) -> tuple[np.ndarray, tuple] | None:
    """(real samples, plotting window) of a 2D target, the same for every redraw; None when the
    target cannot be made here (a name this server does not know)."""
    try:
        made = make_target(target, custom)
    except ValueError:
        return None
    if made.dim != 2:
        return None
    real = made.sample(REAL_SHOWN, torch.Generator().manual_seed(0)).numpy()
    return real, made.bounds


def target_view(row) -> tuple[np.ndarray | None, tuple]:
    """The real samples and the window of a row's target; without a known target, a window
    around its fakes (or the unit square)."""
    custom = tuple(map(tuple, row.settings.get("custom_points", ()) or ())) if row.target == "custom" else ()
    found = _target_view(row.target, custom)
    if found is not None:
        return found
    if row.fakes is not None and len(row.fakes):
        lo, hi = np.nanmin(row.fakes, axis=0), np.nanmax(row.fakes, axis=0)
        pad = 0.1 * float(max(hi - lo)) + 0.1
        return None, ((float(lo[0]) - pad, float(hi[0]) + pad), (float(lo[1]) - pad, float(hi[1]) + pad))
    return None, ((-1.0, 1.0), (-1.0, 1.0))


def value_words(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def differs_words(differs: dict) -> str:
    """The settings a run changed from the class preset, shortest first so more fit a cell."""
    if not differs:
        return "= class preset"
    return " · ".join(f"{field} {value_words(v)}" for field, v in sorted(differs.items(), key=lambda kv: len(kv[0])))


def numbers_words(row) -> str:
    modes = f"{row.modes_captured}/{row.n_modes} modes" if row.modes_captured is not None and row.n_modes else "– modes"
    hq = f"HQ {row.hq_percent:.0f} %" if row.hq_percent is not None else "HQ –"
    return f"{modes} · {hq} · it {row.iteration:,}"


def title_words(row) -> str:
    state = "" if row.live and row.playing else (" (paused)" if row.live else " (not open)")
    page = " · side by side" if row.page == "side by side" else ""
    return f"{row.slot} {row.pseudonym}{page}{state}"


def grid_shape(n: int, width: float, height: float, info: float, title: float) -> tuple[int, float]:
    """(columns, plane side in px) that give the n planes the largest side in width x height,
    each cell a square plane, a title line above it and `info` px of text below it."""
    best = (1, 0.0)
    for cols in range(1, max(1, n) + 1):
        rows = math.ceil(max(1, n) / cols)
        side = min(width / cols - GAP, height / rows - GAP - info - title, MAX_PLANE)
        if side > best[1]:
            best = (cols, side)
    return best


def gallery_scene(rows: list, width: int, height: int, font: int = 12, frame: int = 0) -> Scene:
    """The gallery of `rows` (classroom.classes.GalleryRow, in the order shown) in width x height px."""
    line = font + 4
    info, title = 2 * line + 6, font + 10
    cols, side = grid_shape(len(rows), width, height, info, title)
    cell_w, cell_h = width / cols, side + title + info + GAP
    panels = []
    for i, row in enumerate(rows):
        x, y = (i % cols) * cell_w, (i // cols) * cell_h
        real, (xr, yr) = target_view(row)
        layers = []
        if real is not None:
            layers.append(points(real, REAL_COLOR, r=1.4, alpha=0.55))
        if row.fakes is not None and len(row.fakes):
            layers.append(points(row.fakes, FAKE_COLOR, r=1.6, alpha=0.8))
        background = PAUSED_BACKGROUND if row.live else CLOSED_BACKGROUND
        panels.append(Panel(box=(x, y, cell_w - GAP, side + title), x=xr, y=yr, layers=layers, ticks=False,
                            equal=True, title=title_words(row), background=background))
        words = [text(0.02, 0.72, numbers_words(row), align="left", size=font),
                 text(0.02, 0.25, differs_words(row.differs), align="left", size=font - 1,
                      color="#555" if not row.differs else "#9c2a00")]
        panels.append(Panel(box=(x, y + side + title, cell_w - GAP, info), x=(0, 1), y=(0, 1), layers=words,
                            ticks=False, background="#f7f7f9"))
    label = f"the class gallery: {len(rows)} runs" if rows else "the class gallery: no runs yet"
    used = math.ceil(len(rows) / cols) * cell_h if rows else height
    return Scene(width, int(min(height, used)), panels, frame=frame, font=font, label=label)
