"""Draw-your-own targets as text: parse "x,y" lines (typed, pasted or uploaded CSV) into points,
with messages that say which line is wrong and why, and write points back as CSV.

A text or file is measured before it is split or decoded: a 40 MB CSV took the web server from
472 to 1,521 MiB while it was parsed into lines and floats, for a target that keeps 5,000 points."""

from __future__ import annotations

import math
import re

from gan_core.config import MAX_CUSTOM_POINTS as MAX_POINTS, MAX_POINT_ABS as MAX_ABS  # TrainConfig's limits

MAX_LINES = 2 * MAX_POINTS  # room for a header, comments and blank lines besides the points
MAX_TEXT_BYTES = 256_000  # 5,000 points written "-12.345678,98.765432" take 105 kB
_SPLIT = re.compile(r"[,;\t ]+")


def parse_points(text: str) -> list[tuple[float, float]]:
    """Points from text with one "x,y" pair per line (comma, semicolon, tab or spaces between).
    Blank lines and lines starting with # are skipped; a first line of column names such as
    "x,y" is allowed. Raises ValueError naming the first bad line."""
    if not isinstance(text, str):
        raise ValueError("points must be text with one x,y pair per line")
    _check_size(len(text), text.count("\n") + 1, "characters")
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


def _check_size(size: int, lines: int, unit: str) -> None:
    if size > MAX_TEXT_BYTES:
        raise ValueError(f"the points are {size:,} {unit} long, more than the {MAX_TEXT_BYTES:,} that "
                         f"{MAX_POINTS:,} points need; nothing was read")
    if lines > MAX_LINES:
        raise ValueError(f"the points take {lines:,} lines, more than {MAX_LINES:,} (at most {MAX_POINTS:,} "
                         "points); nothing was read")


def decode_upload(data: bytes) -> str:
    """Uploaded bytes as text; a binary or wrongly encoded file gets a plain message, and one over
    MAX_TEXT_BYTES or MAX_LINES is refused before it is decoded."""
    _check_size(len(data), data.count(b"\n") + 1, "bytes")
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
