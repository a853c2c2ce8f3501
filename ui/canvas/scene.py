"""Scenes for the live canvas, as plain data: panels (a box on the canvas with data ranges, a
title, a legend and ticks) holding layers (an image of a grid, its contour, points, lines, bars,
rules, text). Arrays travel as base64: float32 pairs for coordinates, one byte per grid cell
for images (0..254 over the layer's value range, 255 for a cell with no value), so a 2D-lab frame
is a few kB.

No Streamlit here: builders and tests make scenes, ui.canvas.component draws them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import numpy as np


def b64_floats(xy) -> str:
    """(N, 2) or flat coordinates as little-endian float32, NaN kept (a break in a line)."""
    return base64.b64encode(np.ascontiguousarray(np.asarray(xy, dtype="<f4")).tobytes()).decode("ascii")


GRID_TOP = 254  # the byte of `hi`; 255 is NO_VALUE
NO_VALUE = 255  # a NaN cell (e.g. D* where no density has mass): drawn hatched, never contoured


def b64_grid(values, lo: float, hi: float) -> str:
    """A (rows, cols) grid, row 0 at the lowest y, as one byte per cell: lo -> 0, hi -> 254, NaN ->
    NO_VALUE (a value that is not there is not painted as `lo`). 255 levels are finer than any
    colour scale on screen."""
    v = np.asarray(values, dtype=np.float64)
    scaled = np.clip(np.rint((np.nan_to_num(v, nan=lo) - lo) / (hi - lo) * GRID_TOP), 0, GRID_TOP).astype(np.uint8)
    scaled[np.isnan(v)] = NO_VALUE
    return base64.b64encode(np.ascontiguousarray(scaled).tobytes()).decode("ascii")


def grid_level(value: float, lo: float, hi: float) -> float:
    """A contour level in the byte units of b64_grid (value 0.5 on 0..1 -> 127)."""
    return (value - lo) / (hi - lo) * GRID_TOP


def image(values, lo: float = 0.0, hi: float = 1.0, cmap: str = "rdbu", extent=None, alpha: float = 1.0) -> dict:
    """A heatmap of a (rows, cols) grid over `extent` (x0, x1, y0, y1; default the panel's)."""
    rows, cols = np.shape(values)
    layer = {"t": "image", "rows": rows, "cols": cols, "b64": b64_grid(values, lo, hi), "cmap": cmap, "alpha": alpha}
    if extent is not None:
        layer["extent"] = [float(e) for e in extent]
    return layer


def contour(values, level: float, lo: float = 0.0, hi: float = 1.0, color: str = "black", width: float = 2,
            dash=(6, 4), extent=None) -> dict:
    """The `level` line of a (rows, cols) grid (marching squares in the browser); no segment is drawn
    in a square with a NaN corner (a line through cells without a value would be made up)."""
    rows, cols = np.shape(values)
    layer = {"t": "contour", "rows": rows, "cols": cols, "b64": b64_grid(values, lo, hi),
             "level": grid_level(level, lo, hi), "color": color, "width": width, "dash": list(dash)}
    if extent is not None:
        layer["extent"] = [float(e) for e in extent]
    return layer


def points(xy, color: str, r: float = 2.5, alpha: float = 0.8, edge: str | None = None) -> dict:
    return {"t": "points", "b64": b64_floats(xy), "color": color, "r": r, "alpha": alpha, "edge": edge}


def gliding_points(xy, style, palette, ident: str, r: float = 2.5, alpha: float = 0.9) -> dict:
    """Points that keep their identity from frame to frame (row i is the same thing in every frame):
    in a Scene with `glide` > 0 each moves from where it is shown to its new place (plot_canvas.js).
    style[i] indexes palette, a list of (fill, edge or None): a point may change colour between
    frames without leaving its layer."""
    which = np.asarray(style, dtype=np.int64)
    fits = len(palette) <= 256 and len(which) == len(xy)  # one byte a point
    if not fits or (len(which) and not 0 <= which.min() <= which.max() < len(palette)):
        raise ValueError("every point needs a style from the palette")
    return {"t": "points", "id": ident, "b64": b64_floats(xy), "r": r, "alpha": alpha,
            "ci": base64.b64encode(which.astype(np.uint8).tobytes()).decode("ascii"),
            "palette": [[fill, edge] for fill, edge in palette]}


def lines(x, y, color: str, width: float = 1.5, dash=(), alpha: float = 1.0, fill: str | None = None) -> dict:
    """Polylines through (x, y); a NaN in either breaks the line."""
    xy = np.stack([np.asarray(x, float), np.asarray(y, float)], axis=1)
    layer = {"t": "lines", "b64": b64_floats(xy), "color": color, "width": width, "dash": list(dash), "alpha": alpha}
    if fill:
        layer["fill"] = fill
    return layer


def bars(values, color: str | None = None, colors=None, x0: float = 0, width: float = 0.8) -> dict:
    return {"t": "bars", "values": [float(v) for v in values], "color": color,
            "colors": list(colors) if colors is not None else None, "x0": x0, "width": width}


def hline(y: float, color: str = "#555", dash=(5, 4), width: float = 1.5) -> dict:
    return {"t": "hline", "y": float(y), "color": color, "dash": list(dash), "width": width}


def vline(x: float, color: str = "#555", dash=(5, 4), width: float = 1.5) -> dict:
    return {"t": "vline", "x": float(x), "color": color, "dash": list(dash), "width": width}


def text(x: float, y: float, words: str, color: str = "#111", align: str = "center", bold: bool = False,
         size: int | None = None) -> dict:
    return {"t": "text", "x": float(x), "y": float(y), "text": words, "color": color, "align": align,
            "bold": bold, "size": size}


def legend_item(color: str, label: str, shape: str = "dot") -> dict:
    """shape: dot, square, line, dash or hatch (the look of an image's cells with no value)."""
    return {"color": color, "label": label, "shape": shape}


@dataclass
class Panel:
    box: tuple[float, float, float, float]  # x, y, width, height on the canvas, px
    x: tuple[float, float]  # data range shown
    y: tuple[float, float]
    layers: list[dict] = field(default_factory=list)
    title: str = ""
    legend: list[dict] = field(default_factory=list)
    ticks: bool = True
    equal: bool = False  # one unit on x is one unit on y
    xlabel: str = ""
    ylabel: str = ""
    xticks: list | None = None
    xticklabels: list | None = None
    yticks: list | None = None
    yticklabels: list | None = None
    background: str | None = None

    def to_data(self) -> dict:
        data = {"box": [float(v) for v in self.box], "x": [float(v) for v in self.x],
                "y": [float(v) for v in self.y], "layers": self.layers, "title": self.title,
                "legend": self.legend, "ticks": self.ticks, "equal": self.equal,
                "xlabel": self.xlabel, "ylabel": self.ylabel}
        for name in ("xticks", "xticklabels", "yticks", "yticklabels", "background"):
            if (value := getattr(self, name)) is not None:
                data[name] = value
        return data


@dataclass
class Scene:
    width: int
    height: int
    panels: list[Panel]
    frame: int = 0  # written to the canvas's data-frame attribute on every draw
    font: int = 13
    label: str = ""  # what a screen reader announces
    glide: int = 0  # ms over which gliding_points layers move from their shown places to the new ones

    def to_data(self) -> dict:
        return {"width": self.width, "height": self.height, "frame": self.frame, "font": self.font,
                "label": self.label, "glide": self.glide, "panels": [p.to_data() for p in self.panels]}
