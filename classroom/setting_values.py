"""What every reader of a shared setup needs, whatever its table of settings: the messages a
decoded setup leaves, the refusal of one value, the parsing of one number or true/false word, and
the limits on what arrives from outside (a link, a preset file, a push).

The one codec (classroom.settings_codec: kinds of setting and SettingsTable) and the TrainConfig
table built on it (classroom.config_fields) read values only through these functions, so a number
typed in a link, written in a preset file or stored for a class is judged by the same words.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

FORMAT = "gan-classroom-preset/1"
MAX_QUERY_CHARS = 48_000  # a whole query string; room for MAX_SHARED_POINTS drawn points
MAX_QUERY_KEYS = 80
MAX_VALUE_CHARS = 100  # one value (custom_points aside)
MAX_PRESET_BYTES = 64_000  # a JSON preset file; 2000 points at 4 decimals take about 40 kB
MAX_SHARED_POINTS = 2000
MAX_TEXT_CHARS = 2000  # "what to watch" and other free text
POINT_DECIMALS = 4  # a drawn point's coordinates in a link or file
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
# A number in a link: ASCII digits only. Python's float() also reads '１２８', '٣' and '1_000'.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


@dataclass(frozen=True)
class Message:
    level: str  # "error": refused, the base value stays; "warning": used, but adjusted (clamped)
    text: str


class MessageLevels:
    """The texts of a decoded setup's `messages` by level (sharing.Decoded, settings_codec.Restored)."""

    messages: tuple[Message, ...]

    @property
    def errors(self) -> list[str]:
        return [m.text for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[str]:
        return [m.text for m in self.messages if m.level == "warning"]


class Refused(ValueError):
    """One value (or a whole input) cannot be used; the message says why in plain words."""


def preview(raw: Any, limit: int = 30) -> str:
    """A short, quoted rendering of what somebody sent, for a message."""
    text = raw if isinstance(raw, str) else repr(raw)
    text = text if len(text) <= limit else text[:limit] + "…"
    return repr(text) if isinstance(raw, str) else text


def key_name(key: Any) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_number(name: str, raw: Any, from_text: bool, integer: bool) -> float | int:
    """A finite number from link text (ASCII digits only) or from JSON (a number, not a bool)."""
    if from_text:
        if not isinstance(raw, str):
            raise Refused(f"{name}: expected text, got {preview(raw)}")
        try:
            value = float(raw.strip())
        except ValueError:
            raise Refused(f"{name} must be a {'whole number' if integer else 'number'}; got {preview(raw)}") from None
        if math.isfinite(value) and not _NUMBER_TEXT.fullmatch(raw.strip()):
            raise Refused(f"{name} must be written with the digits 0-9 (as in 128 or 0.5); got {preview(raw)}")
    else:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise Refused(f"{name} must be a {'whole number' if integer else 'number'}; got {preview(raw)}")
        value = raw
    if isinstance(value, float) and not math.isfinite(value):
        raise Refused(f"{name} must be a finite number; got {preview(raw)}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise Refused(f"{name} must be a whole number; got {preview(raw)}")
        # past 2**53 every float is whole: keep it a float, so a message shows 1e+308, not 309 digits
        return int(value) if abs(value) < 2**53 else float(value)
    return float(value)


def clamp(name: str, value, lo, hi, notes: list) -> Any:
    """`value` moved into [lo, hi], with a warning in `notes` when it had to move."""
    if value < lo or value > hi:
        edge = lo if value < lo else hi
        shown = preview(f"{value:g}" if isinstance(value, float) else str(value)).strip("'")
        side = "below the smallest" if value < lo else "above the largest"
        edge_text = str(edge) if isinstance(edge, int) else f"{edge:g}"  # a seed's 2147483647, not 2.14748e+09
        notes.append(Message("warning", f"{name}={shown} is {side} allowed value; using {edge_text}"))
        return edge
    return value


def parse_flag(name: str, raw: Any, from_text: bool) -> bool:
    """A true/false setting: a JSON boolean, or a word such as "true"/"off" in a link."""
    if isinstance(raw, bool) and not from_text:
        return raw
    word = raw.strip().lower() if isinstance(raw, str) and from_text else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise Refused(f"{name} must be true or false; got {preview(raw)}")


def query_items(params: Mapping[str, Any]) -> tuple[list[tuple[str, Any]], list[Message]]:
    """(key, value) pairs of query parameters (the last of repeated values, with a warning), or
    Refused when the mapping cannot be read or is over MAX_QUERY_KEYS / MAX_QUERY_CHARS."""
    try:
        pairs = [(str(k), v) for k, v in params.items()]
    except Exception:  # a mapping that cannot even be listed
        raise Refused("the link's settings could not be read") from None
    if len(pairs) > MAX_QUERY_KEYS:
        raise Refused(f"the link carries {len(pairs)} settings, more than {MAX_QUERY_KEYS}; none were applied")
    items, notes = [], []
    for key, value in pairs:
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            if len(value) > 1:
                notes.append(Message("warning", f"{key_name(key)} was given {len(value)} times; using the last"))
            value = value[-1]
        items.append((key, value))
    size = sum(len(k) + len(str(v)) for k, v in items)
    if size > MAX_QUERY_CHARS:
        raise Refused(f"the link's settings are {size:,} characters long, more than {MAX_QUERY_CHARS:,}; "
                      f"none were applied")
    return items, notes


def preset_document(data: Any, page: str | None, body: str) -> dict:
    """The JSON object of a preset file, checked for size, JSON syntax, FORMAT, its page (when
    `page` is given) and that doc[body] (if present) is an object; Refused says why not."""
    if not isinstance(data, (str, bytes, bytearray)):
        raise Refused("a preset must be a JSON text file")
    size = len(data.encode("utf-8", "replace") if isinstance(data, str) else data)
    if size > MAX_PRESET_BYTES:
        raise Refused(f"the preset file is {size:,} bytes, more than {MAX_PRESET_BYTES:,}; nothing was applied")
    try:
        doc = json.loads(data, parse_constant=lambda word: math.nan)  # NaN/Infinity: refused per value
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise Refused(f"the preset file is not valid JSON ({type(exc).__name__}: {str(exc)[:120]}); "
                      "nothing was applied") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise Refused(f"not a GAN Classroom preset (it must be a JSON object with \"format\": \"{FORMAT}\"); "
                      "nothing was applied")
    if page is not None and doc.get("page") != page:
        raise Refused(f"this preset was saved on the page {preview(doc.get('page'))}, not on {page!r}; "
                      "nothing was applied")
    if not isinstance(doc.get(body, {}), dict):
        raise Refused(f"the preset's \"{body}\" must be a JSON object of settings; nothing was applied")
    return doc


def preset_texts(doc: dict, parts: tuple[str, ...], texts: tuple[str, ...], notes: list) -> dict:
    """The preset's page and short texts (name, what to watch); warns about unknown top-level
    parts and texts that are not short text."""
    unknown_top = sorted(set(doc) - set(parts) - set(texts) - {"format", "page"})
    if unknown_top:
        notes.append(Message("warning", "ignored unknown part(s) of the file: "
                                        + ", ".join(key_name(k) for k in unknown_top[:10])))
    extras = {"page": doc.get("page")}
    for key in texts:
        value = doc.get(key, "")
        if isinstance(value, str) and len(value) <= MAX_TEXT_CHARS:
            extras[key] = value
        else:
            notes.append(Message("warning", f"the preset's {key} was not short text; left out"))
    return extras
