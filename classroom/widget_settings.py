"""Share a page whose setup lives in its widgets (not in a TrainConfig): the page describes its
settings once, as a table, and the same table draws the widgets (ui.share.widget_page), writes links
and presets, and reads them back.

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

Decoding follows classroom.sharing and reuses its limits and helpers: it never raises on user
input, refuses unknown keys, wrong types, NaN/inf, names outside a choice and over-long values
(the default stays), clamps numbers into the slider's range and snaps them onto its steps, refuses
oversize links and files as a whole, and leaves a Message for each of these. A decoded setup is
complete: every setting the input does not carry (or that was refused) takes its default, so a
link means the same page whatever the tab showed before.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, Union

from classroom.sharing import (FORMAT, MAX_VALUE_CHARS, Message, MessageLevels, _clamp, _key_name, _parse_flag,
                              _parse_number, _preset_document, _preset_texts, _preview, _query_items, _Refused)


def _decimals(x: float) -> int:
    return max(0, -int(Decimal(repr(float(x))).normalize().as_tuple().exponent))


def _number_text(value: float | int) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


# ---- one setting of each kind ---------------------------------------------------------------------

@dataclass(frozen=True)
class Number:
    """A float slider from `lo` to `hi` in steps of `step`."""

    lo: float
    hi: float
    step: float
    default: float
    integer = False  # class constant; Whole sets it

    def __post_init__(self) -> None:
        if not (self.lo < self.hi and self.step > 0):
            raise ValueError(f"a slider needs lo < hi and step > 0; got lo={self.lo}, hi={self.hi}, step={self.step}")
        if self.snap(self.hi) != self.hi:
            raise ValueError(f"hi={self.hi} is not lo={self.lo} plus a whole number of steps of {self.step}")
        if self.nearest(self.default) != self.default:
            raise ValueError(f"default={self.default} is not a value of the slider {self.lo}..{self.hi} "
                             f"in steps of {self.step}")

    def snap(self, value: float) -> float | int:
        """The slider position nearest to `value` (lo plus a whole number of steps)."""
        position = self.lo + round((value - self.lo) / self.step) * self.step
        if self.integer:
            return int(position)
        return round(position, max(_decimals(self.lo), _decimals(self.step))) + 0.0  # + 0.0: no -0.0

    def nearest(self, value: float) -> float | int:
        """`value` clamped into the range and snapped onto the steps (for a callback that moves
        the slider)."""
        return self.snap(min(max(value, self.lo), self.hi))

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> float | int:
        value = _clamp(name, _parse_number(name, raw, from_text, self.integer), self.lo, self.hi, notes)
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
    """An int slider from `lo` to `hi` in steps of `step`."""

    lo: int
    hi: int
    step: int
    default: int
    integer = True


@dataclass(frozen=True)
class Flag:
    """A checkbox."""

    default: bool

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> bool:
        return _parse_flag(name, raw, from_text)

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

    def __post_init__(self) -> None:
        if self.default not in self.choices:
            raise ValueError(f"default={self.default!r} is not one of the choices {self.choices}")

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> str:
        if not isinstance(raw, str) or raw not in self.choices:
            raise _Refused(f"{name} must be one of {_choices_text(self.choices)}; got {_preview(raw)}")
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

    def __post_init__(self) -> None:
        if any("," in c for c in self.choices) or not set(self.default) <= set(self.choices):
            raise ValueError(f"choices must hold no comma and include the default {self.default}; got {self.choices}")

    def parse(self, name: str, raw: Any, from_text: bool, notes: list) -> list[str]:
        if from_text:
            if not isinstance(raw, str):
                raise _Refused(f"{name}: expected text, got {_preview(raw)}")
            items = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            if not isinstance(raw, list):
                raise _Refused(f"{name} must be a list of choices; got {_preview(raw)}")
            items = raw
        picked, unknown, repeated = [], [], False
        for item in items:
            if not (isinstance(item, str) and item in self.choices):
                unknown.append(_preview(item))
            elif item in picked:
                repeated = True
            else:
                picked.append(item)
        if repeated:
            notes.append(Message("warning", f"{name} named a choice more than once; using it once"))
        if unknown and not picked:
            raise _Refused(f"{name}: none of {', '.join(unknown[:5])} is one of {_choices_text(self.choices)}")
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


Setting = Union[Number, Whole, Flag, OneOf, SomeOf]


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
class SettingsTable:
    """A page's shareable widgets: link name -> Setting; the widget key is `prefix_name`."""

    page: str
    prefix: str
    settings: Mapping[str, Setting]

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def __getitem__(self, name: str) -> Setting:
        return self.settings[name]

    def defaults(self) -> dict:
        return {name: s.plain(s.default) for name, s in self.settings.items()}

    # ---- encoding ----

    def to_query(self, values: Mapping[str, Any]) -> dict[str, str]:
        """Link parameters of the settings in `values` that differ from their defaults (a value
        the link cannot carry, such as a choice only this tab has, is left out)."""
        params = {}
        for name, s in self.settings.items():
            value = values.get(name, s.default)
            if s.shareable(value) and not _same(s.plain(value), s.plain(s.default)):
                params[name] = s.text(value)
        return params

    def to_json(self, values: Mapping[str, Any], name: str = "") -> str:
        """A preset file with every setting (the default where `values` has none it can carry)."""
        settings = {}
        for key, s in self.settings.items():
            value = values.get(key, s.default)
            settings[key] = s.plain(value if s.shareable(value) else s.default)
        doc = {"format": FORMAT, "page": self.page, "name": name, "settings": settings}
        return json.dumps(doc, indent=1, allow_nan=False)

    # ---- decoding ----

    def _decode(self, items: list[tuple[Any, Any]], from_text: bool) -> Restored:
        notes: list[Message] = []
        values, taken, unknown = self.defaults(), [], []
        for key, raw in items:
            setting = self.settings.get(key) if isinstance(key, str) else None
            if setting is None:
                unknown.append(_key_name(key))
                continue
            try:
                if from_text and isinstance(raw, str) and len(raw) > MAX_VALUE_CHARS:
                    raise _Refused(f"{key}: value of {len(raw)} characters is too long")
                values[key] = setting.parse(key, raw, from_text, notes)
                taken.append(key)
            except _Refused as exc:
                notes.append(Message("error", f"{exc}; kept the default"))
        if unknown:
            shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
            notes.insert(0, Message("error", f"Unknown setting(s) ignored: {shown}"))
        return Restored(values, tuple(notes), tuple(taken))

    def from_query(self, params: Mapping[str, Any]) -> Restored:
        """Decode query parameters (key -> text or list of texts, the last counts). Never raises
        on the content of `params`."""
        try:
            items, notes = _query_items(params)
        except _Refused as exc:
            return Restored(self.defaults(), (Message("error", str(exc)),))
        decoded = self._decode(items, from_text=True)
        return Restored(decoded.values, tuple(notes) + decoded.messages, decoded.taken)

    def from_json(self, data: Any) -> Restored:
        """Decode a preset file saved on this page. Never raises on the file's content."""
        try:
            doc = _preset_document(data, self.page, "settings")
        except _Refused as exc:
            return Restored(self.defaults(), (Message("error", str(exc)),))
        notes: list[Message] = []
        extras = _preset_texts(doc, ("settings",), ("name",), notes)
        decoded = self._decode(list(doc.get("settings", {}).items()), from_text=False)
        return Restored(decoded.values, tuple(notes) + decoded.messages, decoded.taken, extras)
