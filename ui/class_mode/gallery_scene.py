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
from ui.canvas.scene import Panel, Scene, legend_item, points
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
MIN_WORDS = 8  # characters: a differing-settings label shorter than this says nothing
NARROW, MIN_FONT = 140, 10  # px: a cell narrower than this gets words 3 px smaller (not below MIN_FONT)
OPEN_BACKGROUND, CLOSED_BACKGROUND = "white", "#eeeef2"
PLAYING_COLOR, PAUSED_COLOR, CLOSED_COLOR = "#2ca02c", "#f0a202", "#9a9aa6"  # the dot before a run's numbers
DIFFERS_COLOR, SAME_COLOR = "#c0392b", "#c8c8d0"  # the square before the settings that differ


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


SHORT_NAMES = {"batch_size": "batch", "label_smoothing": "smoothing", "d_steps": "k", "lr_d": "lr D", "lr_g": "lr G",
               "ema_decay": "EMA", "instance_noise": "inst. noise", "lr_half_life": "half-life",
               "spectral_norm": "spectral norm", "r1_gamma": "R1"}  # a cell is narrow


def value_words(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def differs_words(differs: dict) -> str:
    """The settings a run changed from the class preset (named as the settings table names them,
    classroom.config_fields), shortest first so more fit a cell."""
    if not differs:
        return "= class preset"
    words = [f"{SHORT_NAMES.get(f, f)} {value_words(v)}" for f, v in differs.items()]
    return " · ".join(sorted(words, key=len))


def numbers_variants(row) -> list[str]:
    """A run's numbers, from the full line to the shortest (the cell takes the first that fits)."""
    it = f"it {row.iteration:,}"
    if not row.n_modes:  # a target without modes (moons, circles, a spiral)
        return [f"no modes to count · {it}", it]
    hq = f"{row.hq_percent:.0f} %" if row.hq_percent is not None else "–"  # –: not measured yet
    modes = f"{'–' if row.modes_captured is None else row.modes_captured}/{row.n_modes}"
    return [f"{modes} modes · HQ {hq} · {it}", f"{modes} modes · HQ {hq}", f"{modes} · HQ {hq}",
            f"{modes} · {hq.replace(' ', '')}", modes]


def numbers_words(row) -> str:
    return numbers_variants(row)[0]


def state_color(row) -> str:
    if not row.live:
        return CLOSED_COLOR
    return PLAYING_COLOR if row.playing else PAUSED_COLOR


def title_variants(row) -> list[str]:
    """A cell's title, from the full one to the shortest (its dot also tells playing / paused / closed)."""
    state = "" if row.live and row.playing else (" (paused)" if row.live else " (not open)")
    page = " · side by side" if row.page == "side by side" else ""
    return [f"{row.slot} {row.pseudonym}{page}{state}", f"{row.slot} {row.pseudonym}{page}",
            f"{row.slot} {row.pseudonym}"]


def title_words(row) -> str:
    return title_variants(row)[0]


def _above(font: int) -> float:
    """px over each plane: the canvas draws a title line (font + 10), two legend rows (font + 6
    each) and a 4 px margin."""
    return (font + 10) + 2 * (font + 6) + 4


def grid_shape(n: int, width: float, height: float, above: float) -> tuple[int, float]:
    """(columns, plane side in px) that give the n planes the largest side in width x height,
    each cell a square plane with `above` px of words over it."""
    best = (1, 0.0)
    for cols in range(1, max(1, n) + 1):
        rows = math.ceil(max(1, n) / cols)
        side = min(width / cols - GAP, height / rows - GAP - above, MAX_PLANE)
        if side > best[1]:
            best = (cols, side)
    return best


def _room(width: float, font: int) -> int:
    """About how many characters of canvas text fit in `width` px (sans-serif digits and lower
    case average about half the font size)."""
    return max(4, int(width / (0.52 * font)))


def _fit(words: str, width: float, font: int) -> str:
    """Cut `words` to about what fits in `width` px (an ellipsis says it was cut)."""
    room = _room(width, font)
    return words if len(words) <= room else words[:room - 1] + "…"


def _first_fitting(variants: list[str], width: float, font: int) -> str:
    return next((v for v in variants if len(v) <= _room(width, font)), _fit(variants[-1], width, font))


def gallery_scene(rows: list, width: int, height: int, font: int = 12, frame: int = 0) -> Scene:
    """The gallery of `rows` (classroom.classes.GalleryRow, in the order shown) in width x height px.
    A cell: its title (slot, pseudonym, state), then two legend rows, the numbers beside a dot that
    says whether the run plays and the settings that differ from the class preset beside a square
    (red when some do), then the plane."""
    cols, side = grid_shape(len(rows), width, height, _above(font))
    if width / cols < NARROW and font > MIN_FONT:  # a big class: smaller words, so more of them fit a cell
        font = max(MIN_FONT, font - 3)
        cols, side = grid_shape(len(rows), width, height, _above(font))
    above = _above(font)
    cell_w, cell_h = width / cols, side + above + GAP
    panels = []
    for i, row in enumerate(rows):
        x, y = (i % cols) * cell_w, (i // cols) * cell_h
        real, (xr, yr) = target_view(row)
        layers = []
        if real is not None:
            layers.append(points(real, REAL_COLOR, r=1.4, alpha=0.55))
        if row.fakes is not None and len(row.fakes):
            layers.append(points(row.fakes, FAKE_COLOR, r=1.6, alpha=0.8))
        label_room = cell_w - GAP - 30  # a legend label starts 26 px right of its marker
        legend = [legend_item(state_color(row), _first_fitting(numbers_variants(row), label_room, font)),
                  # too narrow for words: the square's colour alone says whether settings differ
                  legend_item(DIFFERS_COLOR if row.differs else SAME_COLOR,
                              _fit(differs_words(row.differs), label_room, font)
                              if _room(label_room, font) >= MIN_WORDS else "", "square")]
        panels.append(Panel(box=(x, y, cell_w - GAP, side + above), x=xr, y=yr, layers=layers, ticks=False,
                            equal=True, title=_first_fitting(title_variants(row), cell_w - GAP, font),
                            legend=legend,
                            background=OPEN_BACKGROUND if row.live else CLOSED_BACKGROUND))
    label = f"the class gallery: {len(rows)} runs" if rows else "the class gallery: no runs yet"
    used = math.ceil(len(rows) / cols) * cell_h if rows else height
    return Scene(width, int(min(height, used)), panels, frame=frame, font=font, label=label)
