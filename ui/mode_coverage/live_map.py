"""The mode-coverage page's first screen: the t-SNE map with the generator's digits placed on it
again at every redraw while the run plays, and the digit histogram beside it, on live canvases
(ui.canvas: a frame is the map's 5,000 dots and the fakes as float32 pairs, ~60 kB).

A live placement is quick (gan_core.embedding.QUICK_PLACE: openTSNE's starting point for new
points, no optimisation steps) on LIVE_DIGITS fakes of fixed noise, so the same z are seen moving
across the map as G trains; the section below places as many digits as asked with the full transform."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from classroom.digit_views import COVERAGE_DIGITS
from gan_core.coverage import ReadDigits, read_generated
from gan_core.embedding import QUICK_PLACE, DigitMap
from ui.canvas import live_canvas
from ui.canvas.scene import Panel, Scene, bars, gliding_points, hline, legend_item, points, text
from ui.figures.coverage import DIGIT_COLORS, MISSING_COLOR
from ui.kit.readout import readout
from ui.kit.teacher_mode import is_teacher_mode

# Measured 2026-12-06 on this 2-core machine while others trained (load ~9): reading 200 fakes
# (G + classifier + digit-likeness) and placing them took 0.8 s at the median (300: 1.6 s, 500: 2.1 s).
LIVE_DIGITS = COVERAGE_DIGITS  # what the run's view reads (classroom.digit_views)
# Seconds between two placements while playing: each costs the run's host ~0.14 s of the core it trains
# on (G, classifier and placement of 200 fakes), so every 0.5 s took ~28 % of its training; between two
# placements the fakes glide to their new places on the canvas (GLIDE_MS), drawn by the browser alone.
LIVE_EVERY = 1.0
GLIDE_MS = 850  # a little under LIVE_EVERY: each glide ends before the next placement is due
NOT_DIGIT_COLOR = "#8a8a8a"
NOT_DIGIT_STYLE = 10  # the palette row of a fake that looks like no digit yet (rows 0-9: the digit read)
# First-screen layout in px (the columns shrink to the page): controls | map | histogram.
LAYOUT = {False: {"controls": 240, "map": 560, "side": 330, "hist_height": 250, "font": 13},
          True: {"controls": 200, "map": 540, "side": 240, "hist_height": 210, "font": 15}}


def layout() -> dict:
    return LAYOUT[is_teacher_mode()]


@dataclass(frozen=True)
class LivePlacement:
    read: ReadDigits
    positions: np.ndarray  # (N, 2) map coordinates
    seconds: float  # wall time of reading and placing them (on this server: the host's work is not in it)
    placed_by_host: bool = False  # placed where the run trains (its coverage view), not on this server


def live_placement(run_call, digit_map: DigitMap, classifier, key: str, view=None) -> LivePlacement:
    """LIVE_DIGITS fakes of fixed noise, read and placed quickly; reused until the generator moves.
    view(): the run's coverage view for this map (classroom.digit_views.CoverageView: read and placed
    where the run trains, no weights travel, the web server only draws); when there is none (an
    uploaded checkpoint) or it is None (the run's host has no classifier yet), run_call(fn) runs
    fn(trainer) here, between two steps (Run.call), or at once for a trainer, and this server places
    them; so it does when the host could not read the map."""
    reading = view() if view is not None else None
    if reading is not None:
        stamp = ("view", id(reading), digit_map.key)  # the run's view is the same object until the run moves
    else:
        stamp = run_call(lambda t: (id(t), t.iteration, t.updates)) + (digit_map.key,)
    cached = st.session_state.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    start = time.perf_counter()
    positions = None
    if reading is None:
        read = run_call(lambda t: read_generated(t, classifier, LIVE_DIGITS))
    else:  # its images travel as bytes
        read = dataclasses.replace(reading.read, images=reading.read.images.astype(np.float32) / 255.0)
        if reading.map_key == digit_map.key:
            positions = np.asarray(reading.positions, dtype=np.float64)
    if not np.isfinite(read.images).all():
        raise ValueError("the generator produced NaN pixels (a diverged run): roll it back first")
    by_host = positions is not None
    if positions is None:
        positions = digit_map.place(read.images, n_iter=QUICK_PLACE)
    placed = LivePlacement(read, positions, time.perf_counter() - start, by_host)
    st.session_state[key] = (stamp, placed)
    return placed


@st.cache_data(show_spinner=False, max_entries=4)
def _map_layers(key: str, _coords: np.ndarray, _labels: np.ndarray) -> tuple[list, list, tuple]:
    """The real digits as faint dots per digit, a label at each island's centre, the data range:
    the same for every frame of one map (key), so built once."""
    dots, names = [], []
    for d in range(10):
        rows = np.flatnonzero(_labels == d)
        if len(rows):
            dots.append(points(_coords[rows], DIGIT_COLORS[d], r=1.6, alpha=0.28))
            cx, cy = np.median(_coords[rows], axis=0)
            names.append((float(cx), float(cy), str(d)))
    lo, hi = _coords.min(axis=0), _coords.max(axis=0)
    pad = 0.04 * (hi - lo)
    return dots, names, (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def map_scene(digit_map: DigitMap, placed: LivePlacement, width: int, font: int) -> Scene:
    """The map (square, equal axes) with the placed fakes: coloured by the classifier's digit
    with a dark edge; white dots with a grey edge for images that look like no digit yet. The fakes
    are the same z in the same order at every placement, so each glides from its last place to its
    new one (GLIDE_MS)."""
    dots, names, (x0, x1, y0, y1) = _map_layers(digit_map.key, digit_map.coords, digit_map.labels)
    read, pos = placed.read, placed.positions
    style = np.asarray(read.digits, dtype=np.int64).copy()  # palette rows 0-9: the digit read
    style[read.not_digits] = NOT_DIGIT_STYLE
    palette = [(DIGIT_COLORS[d], "#111111") for d in range(10)] + [("#ffffff", NOT_DIGIT_COLOR)]
    layers = list(dots) + [gliding_points(pos, style, palette, "fakes", r=4.0, alpha=0.95)]
    layers += [text(x, y, words, color="#222", bold=True, size=font + 9) for x, y, words in names]
    legend = [legend_item("#bbbbbb", "real digit (faint, by its label)"),
              legend_item("#333333", f"G's digit (by the classifier's reading), {len(pos)} placed"),
              legend_item(NOT_DIGIT_COLOR, "not a digit yet")]
    height = width + 3 * font
    panel = Panel(box=(0, 0, width, height), x=(x0, x1), y=(y0, y1), layers=layers, legend=legend,
                  ticks=False, equal=True)
    return Scene(width, height, [panel], frame=int(read.iteration), font=font, glide=GLIDE_MS,
                 label="t-SNE map of real digits with the generator's digits placed on it")


def histogram_panel(box, placed: LivePlacement) -> Panel:
    """The share of G's digit-like samples read as each digit; a missing digit is a red stub; the
    dashed line is a tenth, every digit's share under a fair generator."""
    cov = placed.read.coverage
    shares = cov.proportions
    top = max(0.3, float(shares.max(initial=0)) * 1.1)
    missing = cov.n_samples > 0
    colors = [MISSING_COLOR if missing and c == 0 else DIGIT_COLORS[d] for d, c in enumerate(cov.counts)]
    heights = np.where(missing & (cov.counts == 0), top * 0.015, shares)
    return Panel(box=box, x=(-0.6, 9.6), y=(0.0, top), title="Digits G makes", xticks=list(range(10)),
                 xlabel="digit (classifier)",
                 layers=[bars(heights, colors=colors, x0=0), hline(0.1, "#333", dash=(5, 4), width=1.2)],
                 legend=[legend_item("#333", "a tenth", "dash"), legend_item(MISSING_COLOR, "missing", "square")])


def short_sentence(cov) -> str:
    """The coverage sentence, short enough for the first screen."""
    total = cov.n_samples + cov.not_digits
    if cov.n_samples == 0:
        return f"None of the {total:,} images looks like a digit yet."
    return cov.sentence.split(" (")[0]


def render_live(digit_map: DigitMap, placed: LivePlacement) -> None:
    """The map and, beside it, the big numbers and the histogram of the same placed digits."""
    size = layout()
    map_col, side_col = st.columns([size["map"], size["side"]], gap="small")
    with map_col:
        live_canvas(map_scene(digit_map, placed, size["map"], size["font"]), key="cov_live_map")
    with side_col:
        cov = placed.read.coverage
        readout([("Iteration", f"{placed.read.iteration:,}"), ("Digits covered", f"{cov.n_covered} / 10"),
                 ("KL to uniform", f"{cov.kl:.2f}" if np.isfinite(cov.kl) else "—")])
        w, h = size["side"], size["hist_height"]
        live_canvas(Scene(w, h, [histogram_panel((0, 0, w, h), placed)], frame=int(placed.read.iteration),
                          font=size["font"] - 1, label="the digits G makes"), key="cov_live_histogram")
        st.markdown(f"**{short_sentence(cov)}**")
        where = ("where the run trains" if placed.placed_by_host
                 else f"on this server in {placed.seconds:.1f} s")
        st.caption(f"{len(placed.positions)} digits of G (the same z each time) read by a digit classifier and "
                   f"placed on the map {where}, at iteration {placed.read.iteration:,}.")
