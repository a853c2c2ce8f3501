"""Draw-your-own targets as text: parse "x,y" lines (typed, pasted or uploaded CSV) into points,
with messages that say which line is wrong and why, and write points back as CSV."""

from __future__ import annotations

import math
import re

MAX_POINTS = 5000  # TrainConfig refuses more custom points than this
MAX_ABS = 100.0  # a toy plane, not astronomy: larger coordinates are almost surely a mistake
_SPLIT = re.compile(r"[,;\t ]+")


def parse_points(text: str) -> list[tuple[float, float]]:
    """Points from text with one "x,y" pair per line (comma, semicolon, tab or spaces between).
    Blank lines and lines starting with # are skipped; a first line of column names such as
    "x,y" is allowed. Raises ValueError naming the first bad line."""
    if not isinstance(text, str):
        raise ValueError("points must be text with one x,y pair per line")
    points: list[tuple[float, float]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")  # a byte-order mark from spreadsheet exports
        if not line or line.startswith("#"):
            continue
        parts = [p for p in _SPLIT.split(line) if p]
        if len(parts) != 2:
            raise ValueError(f"line {number} ({raw.strip()[:40]!r}) should hold two numbers, x and y; "
                             f"it holds {len(parts)} values")
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            if not points and number == _first_content_line(text):  # a header row like "x,y"
                continue
            raise ValueError(f"line {number} ({raw.strip()[:40]!r}) is not two numbers") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"line {number} holds a non-finite value ({raw.strip()[:40]!r})")
        if abs(x) > MAX_ABS or abs(y) > MAX_ABS:
            raise ValueError(f"line {number}: coordinates must lie within ±{MAX_ABS:g}; got ({x:g}, {y:g})")
        points.append((x, y))
        if len(points) > MAX_POINTS:
            raise ValueError(f"too many points: the limit is {MAX_POINTS}")
    if not points:
        raise ValueError("no points found: write one x,y pair per line, e.g. 0.5,1.0")
    return points


def _first_content_line(text: str) -> int:
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            return number
    return 0


def decode_upload(data: bytes) -> str:
    """Uploaded bytes as text; a binary or wrongly encoded file gets a plain message."""
    if b"\x00" in data[:4096]:
        raise ValueError("this file is not a text CSV (it contains binary data)")
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("could not read the file as text")


def points_to_text(points) -> str:
    return "\n".join(f"{x:.4g},{y:.4g}" for x, y in points)
