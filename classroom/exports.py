"""Files a teacher takes home from a run: history CSV, PNG pictures, an animated GIF timeline.

    history_csv(trainer)                      -> bytes: one row per update, setting changes marked
    scatter_image(points, bounds, real)       -> PIL image of 2D samples (no plotting library)
    image_grid(images)                        -> PIL image of a grid of digits
    png_bytes(image), gif_bytes(images)       -> encoded files (GIFs bounded to MAX_GIF_FRAMES)
    PointFrames                               -> bounded record of fixed-noise 2D samples over time

Checkpoints are gan_core.checkpoint.checkpoint_bytes(trainer). Everything here is plain NumPy
and Pillow: figures keep plotly's own PNG button; these files exist for what plotly cannot
give (a timeline, the raw numbers).
"""

from __future__ import annotations

import csv
import io
import json
import math
import threading
import weakref
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from gan_core.step_record import RECORD_FIELDS

MAX_GIF_FRAMES = 120  # a longer timeline is thinned evenly, keeping its first and last frame
FAKE_RGB, REAL_RGB, AXIS_RGB = (214, 39, 40), (170, 170, 170), (90, 90, 90)


# ---- history -------------------------------------------------------------------------------------

def _event_rows(history_iterations: np.ndarray, kinds: np.ndarray, events: Sequence[tuple]) -> dict[int, list[str]]:
    """Row index -> changes that were in force from that row on. A change made when `iteration`
    G updates were done applies to the next update: the first D update recorded with that
    iteration, or the first update of a later one. Events carry iterations, not update numbers,
    so a change made between a Step D and the Step G of one iteration is marked from that
    iteration's first D update."""
    marks: dict[int, list[str]] = {}
    for iteration, field, old, new in events:
        later = (history_iterations > iteration) | ((history_iterations == iteration) & (kinds == "D"))
        rows = np.flatnonzero(later)
        if rows.size:
            marks.setdefault(int(rows[0]), []).append(f"{field}: {old} -> {new}")
    return marks


def _cell(value) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))  # shortest text that reads back to the same float; "nan" too
    return str(value.item() if isinstance(value, np.generic) else value)


def history_csv(trainer) -> bytes:
    """The run's history (trainer.history.columns(): every update kept, D and G) as CSV, plus a
    `changes` column naming the setting changes (trainer.events) that start at that row."""
    columns = trainer.history.columns()
    n = len(columns[RECORD_FIELDS[0]])
    marks = _event_rows(columns["iteration"], columns["kind"], list(trainer.events)) if n else {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(RECORD_FIELDS) + ["changes"])
    for i in range(n):
        writer.writerow([_cell(columns[f][i]) for f in RECORD_FIELDS] + ["; ".join(marks.get(i, []))])
    return out.getvalue().encode("utf-8")


# ---- pictures ------------------------------------------------------------------------------------

def spreadsheet_text(value) -> str:
    """A cell a spreadsheet shows as text: a pseudonym such as "=HYPERLINK(...)" is not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def setting_cell(value):
    """A setting as a spreadsheet reads it: numbers and words as they are, points as JSON."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def table_csv(header: list[str], rows: list[list]) -> bytes:
    """A CSV of `rows` under `header`, every cell through spreadsheet_text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(v) for v in row])
    return out.getvalue().encode("utf-8")


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one fixed bitmap size
        return ImageFont.load_default()


def scatter_image(points: np.ndarray, bounds: tuple, real: np.ndarray | None = None, size: int = 480,
                  title: str = "", dot: int = 2) -> Image.Image:
    """2D samples as a square RGB picture: `points` (N, 2) red, `real` (M, 2) grey underneath,
    the window `bounds` ((x0, x1), (y0, y1)) with y pointing up. Points outside are left out."""
    (x0, x1), (y0, y1) = bounds
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    margin = 8

    def pixels(xy: np.ndarray) -> np.ndarray:  # (K, 2) data -> (K, 2) pixel coordinates, finite and inside
        xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
        xy = xy[np.isfinite(xy).all(axis=1)]
        inside = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
        xy = xy[inside]
        span = size - 2 * margin
        px = margin + (xy[:, 0] - x0) / (x1 - x0) * span
        py = margin + (y1 - xy[:, 1]) / (y1 - y0) * span  # image rows grow downwards
        return np.stack([px, py], axis=1)

    draw.rectangle([margin, margin, size - margin, size - margin], outline=AXIS_RGB)
    if x0 < 0 < x1 and y0 < 0 < y1:  # the axes through the origin, faintly
        (ox, oy), = pixels(np.zeros((1, 2)))
        draw.line([margin, oy, size - margin, oy], fill=(225, 225, 225))
        draw.line([ox, margin, ox, size - margin], fill=(225, 225, 225))
    for xy, colour in ((real, REAL_RGB), (points, FAKE_RGB)):
        if xy is None:
            continue
        for px, py in pixels(xy):
            draw.ellipse([px - dot, py - dot, px + dot, py + dot], fill=colour)
    if title:
        draw.text((margin + 6, margin + 4), title, fill=(0, 0, 0), font=_font(max(12, size // 32)))
    return image


def image_grid(images: np.ndarray, ncols: int | None = None, scale: int = 3, pad: int = 2,
               title: str = "") -> Image.Image:
    """Digits as one greyscale grid. `images` (N, H, W): uint8 0..255, or floats in [0, 1]
    (values in [-1, 1] from a tanh G are mapped to [0, 1] first)."""
    images = np.asarray(images)
    if images.ndim == 4:  # (N, 1, H, W)
        images = images[:, 0]
    if images.dtype != np.uint8:
        x = images.astype(np.float64)
        if x.size and x.min() < 0:
            x = (x + 1) / 2
        images = (np.clip(np.nan_to_num(x), 0, 1) * 255).round().astype(np.uint8)
    n, h, w = images.shape
    ncols = ncols or max(1, math.ceil(math.sqrt(n)))
    nrows = max(1, math.ceil(n / ncols))
    top = 18 if title else 0
    grid = np.full((top + pad + nrows * (h + pad), pad + ncols * (w + pad)), 255, dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, ncols)
        y0, x0 = top + pad + r * (h + pad), pad + c * (w + pad)  # the tile's top-left pixel
        grid[y0: y0 + h, x0: x0 + w] = images[i]
    image = Image.fromarray(grid, mode="L")
    if title:
        ImageDraw.Draw(image).text((pad, 2), title, fill=0, font=_font(12))
    return image.resize((image.width * scale, image.height * scale), Image.NEAREST) if scale > 1 else image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def thin_evenly(items: Sequence, limit: int = MAX_GIF_FRAMES) -> list:
    """At most `limit` items spread evenly over `items`, first and last kept."""
    items = list(items)
    if len(items) <= limit:
        return items
    picks = np.unique(np.linspace(0, len(items) - 1, limit).round().astype(int))
    return [items[i] for i in picks]


def gif_bytes(images: Sequence[Image.Image], frame_ms: int = 200, last_frame_ms: int = 1500) -> bytes:
    """An animated GIF that loops, holding the last frame a little longer. Frames are thinned to
    MAX_GIF_FRAMES and resized to the first frame's size."""
    frames = thin_evenly(images)
    if not frames:
        raise ValueError("a timeline needs at least one frame")
    size = frames[0].size
    frames = [f.convert("RGB") if f.size == size else f.convert("RGB").resize(size) for f in frames]
    durations = [frame_ms] * (len(frames) - 1) + [last_frame_ms]
    buffer = io.BytesIO()
    # optimize=False, disposal=1: frames stored whole (Pillow still merges identical neighbours,
    # adding up their durations; timeline frames differ at least in their title)
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, optimize=False, disposal=1)
    return buffer.getvalue()


# ---- a 2D run's pictures --------------------------------------------------------------------------

def reference_points(trainer, n: int = 512) -> np.ndarray:
    """(n, 2) real samples drawn from their own fixed stream: the same backdrop in every picture,
    and the run's random streams untouched."""
    import torch

    return trainer.real_batch(n, torch.Generator().manual_seed(0)).cpu().numpy()



class PointFrames:
    """G(fixed z) of a 2D run every `every` iterations, at most `max_frames` kept (past that, the
    older half is thinned to every other frame, so the whole run stays covered). Follows one
    trainer: another trainer (reset, rebuild, preset) starts afresh; a rollback drops later frames."""

    def __init__(self, every: int = 25, max_frames: int = 120, n_points: int = 512):
        self.every, self.max_frames, self.n_points = every, max_frames, n_points
        self.frames: list[tuple[int, np.ndarray]] = []  # (iteration, (n_points, 2) float32)
        self._owner = None
        self._generation = None
        # a page's rerun and its canvases' frame feed (another thread) both record what they draw
        self._lock = threading.RLock()

    def record(self, trainer) -> bool:
        """Call between two steps (under the run's lock); True when a frame was taken."""
        with self._lock:
            if self._owner is None or self._owner() is not trainer:
                self.frames, self._owner, self._generation = [], weakref.ref(trainer), None
            return self._add(trainer.iteration,
                             lambda: trainer.fixed_samples(self.n_points).detach().cpu().numpy().astype(np.float32))

    def record_view(self, generation: int, iteration: int, fakes: np.ndarray) -> bool:
        """The same from a view computed where the run trains (classroom.lab_views.RenderData):
        `fakes` are G(fixed z), `generation` counts the trainers the views followed (a new one
        starts the timeline afresh)."""
        with self._lock:
            if self._generation != generation:
                self.frames, self._owner, self._generation = [], None, generation
            return self._add(iteration, lambda: np.asarray(fakes[:self.n_points], dtype=np.float32))

    def _add(self, iteration: int, points_now) -> bool:
        while self.frames and self.frames[-1][0] > iteration:
            self.frames.pop()
        if self.frames and iteration - self.frames[-1][0] < self.every:
            return False
        points = points_now()  # (n, 2)
        if self.frames and self.frames[-1][0] == iteration:
            self.frames[-1] = (iteration, points)
            return True
        self.frames.append((iteration, points))
        if len(self.frames) > self.max_frames:
            half = self.max_frames // 2
            self.frames = self.frames[:-half:2] + self.frames[-half:]
        return True

    def gif(self, bounds: tuple, real: np.ndarray | None = None, size: int = 360) -> bytes:
        images = [scatter_image(points, bounds, real, size=size, title=f"iteration {iteration:,}")
                  for iteration, points in thin_evenly(self.frames)]
        return gif_bytes(images)


def digits_gif(frames: Sequence, ncols: int | None = None, scale: int = 3) -> bytes:
    """A timeline of digit grids from (iteration, images (N, 28, 28)) pairs or objects with
    `.iteration` and `.images` (classroom.image_progress.Frame)."""
    pairs = [(f.iteration, f.images) if hasattr(f, "images") else f for f in thin_evenly(frames)]
    return gif_bytes([image_grid(images, ncols, scale, title=f"iteration {iteration:,}")
                      for iteration, images in pairs])
