"""The one codec of shared settings: a table of settings, each of a kind (a number in a range,
with or without slider steps, a whole number, a flag, one or some of a few choices, drawn points),
that writes links and preset files and reads them back. Every setup that leaves or enters a page
goes through a table of this module: a widget page's table (the value-function and mode-coverage
pages, whose widgets are drawn from the same table), and the table of a run's TrainConfig settings
(classroom.config_fields), which the training pages' links, preset files, a class's pushed preset
and stored settings, and the class sweep use.

    TABLE = SettingsTable("value_function", "vf", {
        "alpha": Number(0.5, 1.0, 0.05, default=0.9),              # a float slider
        "dirac_steps": Whole(10, 2000, 10, default=500),            # an int slider
        "dirac_method": OneOf(("gan", "nsgan"), default="gan"),      # a selectbox or radio
        "data_two": Flag(default=False),                             # a checkbox
        "dirac_compare": SomeOf(("gan", "nsgan", "r1"), default=("gan", "r1")),   # a multiselect
    })
    TABLE.key("alpha")                -> "vf_alpha"     (the widget's key in st.session_state)
    TABLE.to_query(values)            -> {"alpha": "0.7"}   (only what differs from the defaults)
    TABLE.from_query(params)          -> Restored(values, messages, taken)
    TABLE.to_json(values, name)       -> '{"format": "gan-classroom-preset/1", "page": ..., "settings": {...}}'
    TABLE.from_json(data)             -> Restored(values, messages, taken, extras)
    TABLE.read_items(items, from_text) -> Reading(values taken, notes, extras)   (the one pass)

Decoding never raises on user input: it refuses unknown keys, wrong types, NaN/inf, names outside a
choice and over-long values (the default stays), clamps numbers into their range and snaps them
onto a slider's steps, refuses oversize links and files as a whole (classroom.setting_values has
the limits and the words), and leaves a Message for each of these. A widget page's decoded setup
is complete: every setting the input does not carry (or that was refused) takes its default, so
a link means the same page whatever the tab showed before.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, Union

from classroom.setting_values import (FORMAT, MAX_SHARED_POINTS, MAX_TEXT_CHARS, MAX_VALUE_CHARS, POINT_DECIMALS,
                                     Message, MessageLevels, Refused, clamp, key_name, parse_flag, parse_number,
                                     preset_document, preset_texts, preview, query_items)


def _decimals(x: float) -> int:
    return max(0, -int(Decimal(repr(float(x))).normalize().as_tuple().exponent))


def _number_text(value: float | int) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


# ---- one setting of each kind ---------------------------------------------------------------------

@dataclass(frozen=True)
class Number:
    """A float from `lo` to `hi`: a slider in steps of `step`, or (step None) any number in the
    range, as a TrainConfig field is (classroom.config_fields)."""

    lo: float
    hi: float
    step: float | None
    default: float
    integer = False  # class constant; Whole sets it
    long_text = False  # a link's value is at most MAX_VALUE_CHARS (Points carries more)

    def __post_init__(self) -> None:
        if not (self.lo < self.hi and (self.step is None or self.step > 0)):
            raise ValueError(f"a slider needs lo < hi and step > 0; got lo={self.lo}, hi={self.hi}, step={self.step}")
        if self.snap(self.hi) != self.hi:
            raise ValueError(f"hi={self.hi} is not lo={self.lo} plus a whole number of steps of {self.step}")
        if self.nearest(self.default) != self.default:
            raise ValueError(f"default={self.default} is not a value of the slider {self.lo}..{self.hi} "
                             f"in steps of {self.step}")

    def snap(self, value: float) -> float | int:
        """The slider position nearest to `value` (lo plus a whole number of steps; any value
        when there are no steps)."""
        if self.step is None:
            return int(value) if self.integer else float(value) + 0.0
        position = self.lo + round((value - self.lo) / self.step) * self.step
        if self.integer:
            return int(position)
        return round(position, max(_decimals(self.lo), _decimals(self.step))) + 0.0  # + 0.0: no -0.0

    def nearest(self, value: float) -> float | int:
        """`value` clamped into the range and snapped onto the steps (for a callback that moves
        the slider)."""
        return self.snap(min(max(value, self.lo), self.hi))

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> float | int:
        value = clamp(name, parse_number(name, raw, from_text, self.integer), self.lo, self.hi, notes)
        snapped = self.snap(value)
        if abs(snapped - value) > 1e-9 * max(1.0, abs(value)):
            notes.append(Message("warning", f"{name}={value:g} is between the slider's steps of {self.step:g}; "
                                            f"using {snapped:g}"))
        return snapped

    def shareable(self, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)

    def text(self, value: float | int) -> str:
        return _number_text(self.snap(value))

    def plain(self, value: float | int) -> float | int:
        return self.snap(value)


@dataclass(frozen=True)
class Whole(Number):
    """An int slider from `lo` to `hi` in steps of `step` (or, step None, any whole number in it)."""

    lo: int
    hi: int
    step: int | None
    default: int
    integer = True


@dataclass(frozen=True)
class Flag:
    """A checkbox."""

    default: bool
    long_text = False

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> bool:
        return parse_flag(name, raw, from_text)

    def shareable(self, value: Any) -> bool:
        return isinstance(value, bool)

    def text(self, value: bool) -> str:
        return "true" if value else "false"

    def plain(self, value: bool) -> bool:
        return value


def _choices_text(choices: tuple) -> str:
    return ", ".join(choices[:12]) + (", …" if len(choices) > 12 else "")


@dataclass(frozen=True)
class OneOf:
    """One of `choices` (a selectbox or a radio); links carry the choice itself."""

    choices: tuple[str, ...]
    default: str
    long_text = False

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ValueError(f"default={self.default!r} is not one of the choices {self.choices}")

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise Refused(f"{name} must be one of {_choices_text(self.choices)}; got {preview(raw)}")
        return raw

    def shareable(self, value: Any) -> bool:
        return value in self.choices  # a choice only this tab has (its own MNIST run) is not shared

    def text(self, value: str) -> str:
        return value

    def plain(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class SomeOf:
    """Any of `choices`, in the order picked (a multiselect); links carry them comma-separated."""

    choices: tuple[str, ...]
    default: tuple[str, ...]
    long_text = False

    def __post_init__(self) -> None:
        if any("," in c for c in self.choices) or not set(self.default) <= set(self.choices):
            raise ValueError(f"choices must hold no comma and include the default {self.default}; got {self.choices}")

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> list[str]:
        if from_text:
            if not isinstance(raw, str):
                raise Refused(f"{name}: expected text, got {preview(raw)}")
            items = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            if not isinstance(raw, list):
                raise Refused(f"{name} must be a list of choices; got {preview(raw)}")
            items = raw
        picked, unknown, repeated = [], [], False
        for item in items:
            if not (isinstance(item, str) and item in self.choices):
                unknown.append(preview(item))
            elif item in picked:
                repeated = True
            else:
                picked.append(item)
        if repeated:
            notes.append(Message("warning", f"{name} named a choice more than once; using it once"))
        if unknown and not picked:
            raise Refused(f"{name}: none of {', '.join(unknown[:5])} is one of {_choices_text(self.choices)}")
        if unknown:
            notes.append(Message("error", f"{name}: refused {', '.join(unknown[:5])} (each must be one of "
                                          f"{_choices_text(self.choices)}); kept the rest"))
        return picked

    def shareable(self, value: Any) -> bool:
        return isinstance(value, (list, tuple)) and all(v in self.choices for v in value)

    def text(self, value) -> str:
        return ",".join(value)

    def plain(self, value) -> list[str]:
        return list(value)


def _round_point(v: float) -> float:
    return round(float(v), POINT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Points:
    """Drawn (x, y) points (a custom target): "x,y;x,y" in a link, [[x, y], ...] in a file, at
    most MAX_SHARED_POINTS, each coordinate written with POINT_DECIMALS decimals."""

    default: tuple = ()
    long_text = True  # up to MAX_SHARED_POINTS pairs; refused by count, not by length

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> tuple:
        if from_text:
            if not isinstance(raw, str):
                raise Refused(f"{name}: expected text, got {preview(raw)}")
            if raw.count(";") + 1 > MAX_SHARED_POINTS:
                raise Refused(f"{name} holds more than {MAX_SHARED_POINTS} points; refused")
            pairs = [p.split(",") for p in raw.split(";") if p.strip()]
        else:
            if not isinstance(raw, list):
                raise Refused(f"{name} must be a list of [x, y] pairs; got {preview(raw)}")
            if len(raw) > MAX_SHARED_POINTS:
                raise Refused(f"{name} holds {len(raw)} points; the limit is {MAX_SHARED_POINTS}")
            pairs = raw
        points = []
        for pair in pairs:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise Refused(f"{name} must be (x, y) pairs; got {preview(pair)}")
            x, y = (parse_number("a custom point", v, from_text, integer=False) for v in pair)
            points.append((x, y))
        return tuple(points)

    def shareable(self, value: Any) -> bool:
        return isinstance(value, (list, tuple))

    def text(self, value) -> str:
        return ";".join(f"{_round_point(x):g},{_round_point(y):g}" for x, y in value)

    def plain(self, value) -> list[list[float]]:
        return [[_round_point(x), _round_point(y)] for x, y in value]


Setting = Union[Number, Whole, Flag, OneOf, SomeOf, Points]


# ---- a page's table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Restored(MessageLevels):
    """A decoded setup: `values` holds every setting (the defaults where the input said nothing
    usable); `taken` names the settings that came from the input."""

    values: dict
    messages: tuple[Message, ...] = ()
    taken: tuple[str, ...] = ()
    extras: dict = field(default_factory=dict)  # from a file: its page and name

    @property
    def applies(self) -> bool:
        """False when the input was refused as a whole (nothing taken, an error said why)."""
        return bool(self.taken) or not self.errors


def _same(a: Any, b: Any) -> bool:
    as_tuple = lambda v: tuple(v) if isinstance(v, list) else v  # noqa: E731 - a multiselect gives a list
    return as_tuple(a) == as_tuple(b)


@dataclass(frozen=True)
class Reading:
    """What one pass over a link's or file's items found: the values it could take (by name),
    page-level texts (`extras`), and a Message for everything refused or adjusted."""

    values: dict
    notes: list
    extras: dict


@dataclass(frozen=True)
class SettingsTable:
    """A table of shareable settings: link name -> Setting. For a widget page the widget key is
    `prefix_name`; classroom.config_fields builds the table of a run's TrainConfig settings.
    `also_read`: settings a link or file may carry under an older name but that are never written
    (a TrainConfig's real_label, written as label_smoothing)."""

    page: str
    prefix: str
    settings: Mapping[str, Setting]
    also_read: Mapping[str, Setting] = field(default_factory=dict)

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def __getitem__(self, name: str) -> Setting:
        return self.settings[name]

    def defaults(self) -> dict:
        return {name: s.plain(s.default) for name, s in self.settings.items()}

    # ---- encoding ----

    def to_query(self, values: Mapping[str, Any], always: tuple = ()) -> dict[str, str]:
        """Link parameters of the settings in `values` that differ from their defaults (a value
        the link cannot carry, such as a choice only this tab has, is left out); the names in
        `always` are written whatever their value."""
        params = {}
        for name, s in self.settings.items():
            value = values.get(name, s.default)
            if s.shareable(value) and (name in always or not _same(s.plain(value), s.plain(s.default))):
                params[name] = s.text(value)
        return params

    def plain_values(self, values: Mapping[str, Any]) -> dict:
        """Every setting as JSON keeps it (the default where `values` has none it can carry)."""
        out = {}
        for key, s in self.settings.items():
            value = values.get(key, s.default)
            out[key] = s.plain(value if s.shareable(value) else s.default)
        return out

    def to_json(self, values: Mapping[str, Any], name: str = "", body: str = "settings", **texts: str) -> str:
        """A preset file with every setting under `body`, the page and its texts (name, ...)."""
        doc = {"format": FORMAT, "page": self.page, "name": name, body: self.plain_values(values), **texts}
        return json.dumps(doc, indent=1, allow_nan=False)

    # ---- decoding ----

    def read_items(self, items: list[tuple[Any, Any]], from_text: bool, kept: str = "kept the default",
                   extras: Mapping[str, tuple | None] | None = None, refused: Mapping[str, str] | None = None
                   ) -> Reading:
        """The one pass over what a link or a file carries: each known key parsed by its Setting
        (clamped, snapped, or refused by name, never raising); `extras` names page-level keys
        with their allowed texts (None: any short text); `refused` maps keys refused outright to
        the reason. Unknown keys are listed in one message first."""
        extras_spec, refused = dict(extras or {}), dict(refused or {})
        notes: list[Message] = []
        values, found, unknown = {}, {}, []
        for key, raw in items:
            setting = (self.settings.get(key) or self.also_read.get(key)) if isinstance(key, str) else None
            if key in extras_spec:
                _read_extra(key, raw, extras_spec[key], found, notes)
            elif key in refused:
                notes.append(Message("error", f"{key} {refused[key]}"))
            elif setting is None:
                unknown.append(key_name(key))
            else:
                try:
                    if from_text and isinstance(raw, str) and len(raw) > MAX_VALUE_CHARS and not setting.long_text:
                        raise Refused(f"{key}: value of {len(raw)} characters is too long")
                    values[key] = setting.parse(key, raw, from_text, notes)
                except Refused as exc:
                    notes.append(Message("error", f"{exc}; {kept}"))
        if unknown:
            shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            notes.insert(0, Message("error", f"Unknown setting(s) ignored: {shown}"))
        return Reading(values, notes, found)

    def _restored(self, reading: Reading, head: list | tuple = (), extras: dict | None = None) -> Restored:
        values = {**self.defaults(), **reading.values}
        return Restored(values, tuple(head) + tuple(reading.notes), tuple(reading.values), extras or {})

    def from_query(self, params: Mapping[str, Any]) -> Restored:
        """Decode query parameters (key -> text or list of texts, the last counts). Never raises
        on the content of `params`."""
        try:
            items, notes = query_items(params)
        except Refused as exc:
            return Restored(self.defaults(), (Message("error", str(exc)),))
        return self._restored(self.read_items(items, from_text=True), notes)

    def from_json(self, data: Any) -> Restored:
        """Decode a preset file saved on this page. Never raises on the file's content."""
        try:
            doc = preset_document(data, self.page, "settings")
        except Refused as exc:
            return Restored(self.defaults(), (Message("error", str(exc)),))
        notes: list[Message] = []
        extras = preset_texts(doc, ("settings",), ("name",), notes)
        return self._restored(self.read_items(list(doc.get("settings", {}).items()), from_text=False), notes, extras)


def _read_extra(key: str, raw: Any, allowed: tuple | None, found: dict, notes: list) -> None:
    """A page-level key of a link (the side-by-side page's compare / a / b, a preset's name)."""
    limit = MAX_TEXT_CHARS if allowed is None else MAX_VALUE_CHARS
    if not isinstance(raw, str) or len(raw) > limit:
        notes.append(Message("error", f"{key_name(key)}: refused {preview(raw)} (text of at most {limit} characters)"))
    elif allowed is not None and raw not in allowed:
        notes.append(Message("error", f"{key_name(key)}: there is no {preview(raw)} on this page"))
    else:
        found[key] = raw
