"""Share a page's setup: TrainConfig settings as URL query parameters, and presets as JSON files.

    config_to_query(config, base, extras)  -> {"target": "ring8", "seed": "3", "label_smoothing": "0.1"}
    query_string(params)                    -> "?target=ring8&seed=3&label_smoothing=0.1"
    config_from_query(params, base)         -> Decoded(config, messages, extras)
    preset_to_json(config, page, ...)       -> '{"format": "gan-classroom-preset/1", ...}'
    preset_from_json(data, base, page)      -> Decoded(config, messages, extras)

A link only carries the settings that differ from the page's own base config (plus target and
seed, so a link still means the same run if the page's defaults change), under the names the
page shows: `label_smoothing` rather than `real_label`.

Decoding reads what anybody may have typed or crafted, so it never raises on user input and never
gives up the whole setup for one bad value: unknown keys, wrong types, NaN/inf and names outside
a choice are refused (the base value stays), numbers outside their range are clamped into it,
oversize input is refused as a whole, and every one of these leaves a Message saying what
happened. The ranges are config.FIELD_BOUNDS, the table TrainConfig itself validates against, read
through setting_bounds() by the pages' widgets too, so a value a link can carry is one every
widget can show. Numbers are written with the ASCII digits (a full-width '１２８' is refused by
name), and the networks a shared setup asks for stay within classroom.budget.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from classroom.budget import MAX_PARAMETERS, SERVER_FIELDS, OverBudget, check_network
from gan_core.config import ALIAS_BOUNDS, FIELD_BOUNDS, TrainConfig, field_choices, field_types

FORMAT = "gan-classroom-preset/1"
MAX_QUERY_CHARS = 48_000  # a whole query string; room for MAX_SHARED_POINTS drawn points
MAX_QUERY_KEYS = 80
MAX_VALUE_CHARS = 100  # one value (custom_points aside)
MAX_PRESET_BYTES = 64_000  # a JSON preset file; 2000 points at 4 decimals take about 40 kB
MAX_SHARED_POINTS = 2000
MAX_TEXT_CHARS = 2000  # "what to watch" and other free text
POINT_DECIMALS = 4
# Server-side bookkeeping, not lesson settings: a link must not pick a GPU or a history of a million.
NOT_SHARED = SERVER_FIELDS
ALWAYS_SHARED = ("target", "seed")
ARCH_FIELDS = ("arch", "z_dim", "g_depth", "g_width", "d_depth", "d_width", "pack", "minibatch_std",
               "spectral_norm")
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
# A number in a link: ASCII digits only. Python's float() also reads '１２８', '٣' and '1_000'.
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


@dataclass(frozen=True)
class Message:
    level: str  # "error": refused, the base value stays; "warning": used, but adjusted (clamped)
    text: str


class MessageLevels:
    """The texts of a decoded setup's `messages` by level (Decoded here, widget_settings.Restored)."""

    messages: tuple[Message, ...]

    @property
    def errors(self) -> list[str]:
        return [m.text for m in self.messages if m.level == "error"]

    @property
    def warnings(self) -> list[str]:
        return [m.text for m in self.messages if m.level == "warning"]


@dataclass(frozen=True)
class Decoded(MessageLevels):
    """A decoded setup. Unpacks as `config, messages = decoded`."""

    config: TrainConfig
    messages: tuple[Message, ...] = ()
    extras: dict = field(default_factory=dict)  # page-level keys: preset name, page, what to watch

    def __iter__(self) -> Iterator:
        return iter((self.config, self.messages))


class _Refused(ValueError):
    """One value cannot be used; the message says why in plain words."""


def shared_fields() -> tuple[str, ...]:
    """Keys a link may carry, in the order links write them (label_smoothing for real_label)."""
    names = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in NOT_SHARED]
    names[names.index("real_label")] = "label_smoothing"
    head = [n for n in ALWAYS_SHARED if n in names]
    return tuple(head + [n for n in names if n not in head])


def setting_bounds(name: str) -> tuple:
    """(lo, hi) of numeric setting `name` (a TrainConfig field or label_smoothing): what a link is
    clamped into and what the pages' sliders and number inputs span."""
    return ALIAS_BOUNDS[name] if name in ALIAS_BOUNDS else FIELD_BOUNDS[name]


def _accepted_keys() -> set[str]:
    return set(shared_fields()) | {"real_label"}


def _preview(raw: Any, limit: int = 30) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    text = text if len(text) <= limit else text[:limit] + "…"
    return repr(text) if isinstance(raw, str) else text


def _key_name(key: Any) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:40] + "…"


# ---- encoding ------------------------------------------------------------------------------------

def _value_of(config: TrainConfig, name: str):
    return config.label_smoothing if name == "label_smoothing" else getattr(config, name)


def _round_point(v: float) -> float:
    return round(float(v), POINT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _to_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # custom_points: "x,y;x,y"
        return ";".join(f"{_round_point(x):g},{_round_point(y):g}" for x, y in value)
    return repr(value) if isinstance(value, float) else str(value)


def config_to_query(config: TrainConfig, base: TrainConfig, extras: Mapping[str, str] | None = None,
                    always: tuple = ALWAYS_SHARED) -> dict[str, str]:
    """The query parameters of `config`: page-level `extras` first, then `always`, then the
    settings that differ from `base`."""
    params = {str(k): str(v) for k, v in (extras or {}).items() if v not in (None, "")}
    for name in shared_fields():
        value = _value_of(config, name)
        if name in always or value != _value_of(base, name):
            params[name] = _to_text(value)
    return params


def query_string(params: Mapping[str, str]) -> str:
    """"?a=1&b=2" with commas and semicolons left readable."""
    return "?" + urllib.parse.urlencode(params, safe=",;") if params else ""


def preset_to_json(config: TrainConfig, page: str, name: str = "", what_to_watch: str = "") -> str:
    """A preset file: every shareable setting of `config`, the page it belongs to and its text."""
    settings = {}
    for f in dataclasses.fields(TrainConfig):
        if f.name in NOT_SHARED:
            continue
        value = getattr(config, f.name)
        if f.name == "custom_points":
            value = [[_round_point(x), _round_point(y)] for x, y in value]
        settings[f.name] = value
    doc = {"format": FORMAT, "page": page, "name": name, "config": settings, "what_to_watch": what_to_watch}
    return json.dumps(doc, indent=1, allow_nan=False)


# ---- decoding one value --------------------------------------------------------------------------

def _parse_number(name: str, raw: Any, from_text: bool, integer: bool) -> float | int:
    if from_text:
        if not isinstance(raw, str):
            raise _Refused(f"{name}: expected text, got {_preview(raw)}")
        try:
            value = float(raw.strip())
        except ValueError:
            raise _Refused(f"{name} must be a {'whole number' if integer else 'number'}; got {_preview(raw)}") from None
        if math.isfinite(value) and not _NUMBER_TEXT.fullmatch(raw.strip()):
            raise _Refused(f"{name} must be written with the digits 0-9 (as in 128 or 0.5); got {_preview(raw)}")
    else:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise _Refused(f"{name} must be a {'whole number' if integer else 'number'}; got {_preview(raw)}")
        value = raw
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused(f"{name} must be a finite number; got {_preview(raw)}")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise _Refused(f"{name} must be a whole number; got {_preview(raw)}")
        # past 2**53 every float is whole: keep it a float, so a message shows 1e+308, not 309 digits
        return int(value) if abs(value) < 2**53 else float(value)
    return float(value)


def _clamp(name: str, value, lo, hi, notes: list) -> Any:
    if value < lo or value > hi:
        edge = lo if value < lo else hi
        shown = _preview(f"{value:g}" if isinstance(value, float) else str(value)).strip("'")
        side = "below the smallest" if value < lo else "above the largest"
        edge_text = str(edge) if isinstance(edge, int) else f"{edge:g}"  # a seed's 2147483647, not 2.14748e+09
        notes.append(Message("warning", f"{name}={shown} is {side} allowed value; using {edge_text}"))
        return edge
    return value


def _parse_points(raw: Any, from_text: bool) -> tuple:
    if from_text:
        if not isinstance(raw, str):
            raise _Refused(f"custom_points: expected text, got {_preview(raw)}")
        if raw.count(";") + 1 > MAX_SHARED_POINTS:
            raise _Refused(f"custom_points holds more than {MAX_SHARED_POINTS} points; refused")
        pairs = [p.split(",") for p in raw.split(";") if p.strip()]
    else:
        if not isinstance(raw, list):
            raise _Refused(f"custom_points must be a list of [x, y] pairs; got {_preview(raw)}")
        if len(raw) > MAX_SHARED_POINTS:
            raise _Refused(f"custom_points holds {len(raw)} points; the limit is {MAX_SHARED_POINTS}")
        pairs = raw
    points = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _Refused(f"custom_points must be (x, y) pairs; got {_preview(pair)}")
        x, y = (_parse_number("a custom point", v, from_text, integer=False) for v in pair)
        points.append((x, y))
    return tuple(points)


def _parse_flag(name: str, raw: Any, from_text: bool) -> bool:
    """A true/false setting: a JSON boolean, or a word such as "true"/"off" in a link. Also used
    by classroom.widget_settings."""
    if isinstance(raw, bool) and not from_text:
        return raw
    word = raw.strip().lower() if isinstance(raw, str) and from_text else None
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise _Refused(f"{name} must be true or false; got {_preview(raw)}")


def _parse_value(name: str, raw: Any, from_text: bool, notes: list) -> Any:
    """The value of setting `name` from a query string (text) or JSON (typed); clamps into
    FIELD_BOUNDS (adding a warning to `notes`) and raises _Refused for anything unusable."""
    kind = float if name == "label_smoothing" else field_types()[name]
    if name == "custom_points":
        return _parse_points(raw, from_text)
    if from_text and isinstance(raw, str) and len(raw) > MAX_VALUE_CHARS:
        raise _Refused(f"{name}: value of {len(raw)} characters is too long")
    if kind is bool:
        return _parse_flag(name, raw, from_text)
    if kind is str:
        choices = field_choices().get(name, ())
        if not isinstance(raw, str) or raw not in choices:
            shown = ", ".join(choices[:12]) + (", …" if len(choices) > 12 else "")
            raise _Refused(f"{name} must be one of {shown}; got {_preview(raw)}")
        return raw
    lo, hi = setting_bounds(name)
    value = _parse_number(name, raw, from_text, integer=kind is int)
    return _clamp(name, value, lo, hi, notes)


# ---- decoding a whole setup ----------------------------------------------------------------------

def _apply(base: TrainConfig, changes: dict, notes: list) -> TrainConfig:
    """base with as many of `changes` as fit together. Values that clash with the rest
    (batch_size not a multiple of pack, target "custom" without points) are refused one by
    one; passes repeat so an order such as target before custom_points does not matter."""
    try:
        return base.replace(**changes)
    except ValueError:
        pass
    config, pending, reasons = base, dict(changes), {}
    progress = True
    while pending and progress:
        progress = False
        for name, value in list(pending.items()):
            try:
                config = config.replace(**{name: value})
            except ValueError as exc:
                reasons[name] = str(exc)
                continue
            del pending[name]
            progress = True
    for name in pending:
        notes.append(Message("error", f"{name}={_preview(_to_text(pending[name]))} was refused: {reasons[name]}"))
    return config


def _within_budget(base: TrainConfig, config: TrainConfig, notes: list) -> TrainConfig:
    """A link must not make the server build a network of gigabytes: over the budget
    (classroom.budget.MAX_PARAMETERS), the architecture stays the base's."""
    try:
        check_network(config)
        return config
    except OverBudget as exc:
        reason = str(exc)
    changed = {k: getattr(base, k) for k in ARCH_FIELDS if getattr(base, k) != getattr(config, k)}
    notes.append(Message("error", f"the shared architecture: {reason}; kept the page's "
                                  f"{', '.join(changed) or 'architecture'} (at most {MAX_PARAMETERS:,} weights)"))
    try:
        return config.replace(**changed)
    except ValueError:
        return base


def _decode_items(items: list[tuple[str, Any]], base: TrainConfig, from_text: bool,
                  extras_spec: Mapping[str, tuple | None]) -> Decoded:
    notes: list[Message] = []
    changes, extras, unknown = {}, {}, []
    accepted = _accepted_keys()
    for key, raw in items:
        if key in extras_spec:
            allowed = extras_spec[key]
            if not isinstance(raw, str) or len(raw) > (MAX_TEXT_CHARS if allowed is None else MAX_VALUE_CHARS):
                notes.append(Message("error", f"{_key_name(key)}: refused {_preview(raw)} (text of at most "
                                              f"{MAX_TEXT_CHARS if allowed is None else MAX_VALUE_CHARS} characters)"))
            elif allowed is not None and raw not in allowed:
                notes.append(Message("error", f"{_key_name(key)}: there is no {_preview(raw)} on this page"))
            else:
                extras[key] = raw
        elif key in NOT_SHARED:
            notes.append(Message("error", f"{key} is a server setting and cannot come from a shared setup; ignored"))
        elif key not in accepted:
            unknown.append(_key_name(key))
        else:
            try:
                changes[key] = _parse_value(key, raw, from_text, notes)
            except _Refused as exc:
                notes.append(Message("error", f"{exc}; kept the page's value"))
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        notes.insert(0, Message("error", f"Unknown setting(s) ignored: {shown}"))
    config = _apply(base, changes, notes)
    config = _within_budget(base, config, notes)
    return Decoded(config, tuple(notes), extras)


def _query_items(params: Mapping[str, Any]) -> tuple[list[tuple[str, Any]], list[Message]]:
    """(key, value) pairs of query parameters (the last of repeated values, with a warning), or
    _Refused when the mapping cannot be read or is over MAX_QUERY_KEYS / MAX_QUERY_CHARS. Also
    used by classroom.widget_settings."""
    try:
        pairs = [(str(k), v) for k, v in params.items()]
    except Exception:  # a mapping that cannot even be listed
        raise _Refused("the link's settings could not be read") from None
    if len(pairs) > MAX_QUERY_KEYS:
        raise _Refused(f"the link carries {len(pairs)} settings, more than {MAX_QUERY_KEYS}; none were applied")
    items, notes = [], []
    for key, value in pairs:
        if isinstance(value, (list, tuple)):
            if not value:
                continue
            if len(value) > 1:
                notes.append(Message("warning", f"{_key_name(key)} was given {len(value)} times; using the last"))
            value = value[-1]
        items.append((key, value))
    size = sum(len(k) + len(str(v)) for k, v in items)
    if size > MAX_QUERY_CHARS:
        raise _Refused(f"the link's settings are {size:,} characters long, more than {MAX_QUERY_CHARS:,}; "
                       f"none were applied")
    return items, notes


def config_from_query(params: Mapping[str, Any], base: TrainConfig,
                      extras: Mapping[str, tuple | None] | None = None) -> Decoded:
    """Decode query parameters onto `base`. `params` maps key -> value or list of values (the
    last one counts); `extras` names the page-level keys accepted besides settings, each with
    its allowed values (None: any short text). Never raises on the content of `params`."""
    extras_spec = {"preset": None} if extras is None else dict(extras)
    try:
        items, notes = _query_items(params)
    except _Refused as exc:
        return Decoded(base, (Message("error", str(exc)),))
    decoded = _decode_items(items, base, True, extras_spec)
    return dataclasses.replace(decoded, messages=tuple(notes) + decoded.messages)


def _preset_document(data: Any, page: str | None, body: str) -> dict:
    """The JSON object of a preset file, checked for size, JSON syntax, FORMAT, its page (when
    `page` is given) and that doc[body] (if present) is an object; _Refused says why not. Also
    used by classroom.widget_settings."""
    if not isinstance(data, (str, bytes, bytearray)):
        raise _Refused("a preset must be a JSON text file")
    size = len(data.encode("utf-8", "replace") if isinstance(data, str) else data)
    if size > MAX_PRESET_BYTES:
        raise _Refused(f"the preset file is {size:,} bytes, more than {MAX_PRESET_BYTES:,}; nothing was applied")
    try:
        doc = json.loads(data, parse_constant=lambda word: math.nan)  # NaN/Infinity: refused per value
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _Refused(f"the preset file is not valid JSON ({type(exc).__name__}: {str(exc)[:120]}); "
                       "nothing was applied") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _Refused(f"not a GAN Classroom preset (it must be a JSON object with \"format\": \"{FORMAT}\"); "
                       "nothing was applied")
    if page is not None and doc.get("page") != page:
        raise _Refused(f"this preset was saved on the page {_preview(doc.get('page'))}, not on {page!r}; "
                       "nothing was applied")
    if not isinstance(doc.get(body, {}), dict):
        raise _Refused(f"the preset's \"{body}\" must be a JSON object of settings; nothing was applied")
    return doc


def _preset_texts(doc: dict, parts: tuple[str, ...], texts: tuple[str, ...], notes: list) -> dict:
    """The preset's page and short texts (name, what to watch); warns about unknown top-level
    parts and texts that are not short text."""
    unknown_top = sorted(set(doc) - set(parts) - set(texts) - {"format", "page"})
    if unknown_top:
        notes.append(Message("warning", "ignored unknown part(s) of the file: "
                                        + ", ".join(_key_name(k) for k in unknown_top[:10])))
    extras = {"page": doc.get("page")}
    for key in texts:
        value = doc.get(key, "")
        if isinstance(value, str) and len(value) <= MAX_TEXT_CHARS:
            extras[key] = value
        else:
            notes.append(Message("warning", f"the preset's {key} was not short text; left out"))
    return extras


def preset_from_json(data: str | bytes, base: TrainConfig, page: str | None = None) -> Decoded:
    """Decode a preset file onto `base` (fields it leaves out keep the base's value). With
    `page`, a preset written for another page is refused. Never raises on the file's content."""
    try:
        doc = _preset_document(data, page, "config")
    except _Refused as exc:
        return Decoded(base, (Message("error", str(exc)),))
    notes = []
    extras = _preset_texts(doc, ("config",), ("name", "what_to_watch"), notes)
    decoded = _decode_items(list(doc.get("config", {}).items()), base, False, {})
    return Decoded(decoded.config, tuple(notes) + decoded.messages, extras)
