"""Share a run's setup: its TrainConfig settings as URL query parameters, and presets as JSON files.

    config_to_query(config, base, extras)  -> {"target": "ring8", "seed": "3", "label_smoothing": "0.1"}
    query_string(params)                    -> "?target=ring8&seed=3&label_smoothing=0.1"
    config_from_query(params, base)         -> Decoded(config, messages, extras)
    preset_to_json(config, page, ...)       -> '{"format": "gan-classroom-preset/1", ...}'
    preset_from_json(data, base, page)      -> Decoded(config, messages, extras)

Settings are written and read through the one table of shareable settings,
classroom.config_fields.CONFIG_TABLE (a classroom.settings_codec table built from the engine's
FIELD_BOUNDS, types and choices), under the names the pages show: `label_smoothing` rather than
`real_label` (older links and files that say real_label are still read). A link only carries the
settings that differ from the page's own base config (plus target and seed, so a link still means
the same run if the page's defaults change).

Decoding reads what anybody may have typed or crafted, so it never raises on user input and never
gives up the whole setup for one bad value: unknown keys, wrong types, NaN/inf and names outside
a choice are refused (the base value stays), numbers outside their range are clamped into it,
oversize input is refused as a whole, and every one of these leaves a Message saying what
happened. The ranges are the ones TrainConfig itself validates against, which the pages' widgets
read through config_fields.setting_bounds() too, so a value a link can carry is one every widget
can show. Numbers are written with the ASCII digits (a full-width '１２８' is refused by name), and
the networks a shared setup asks for stay within classroom.budget.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from classroom.budget import MAX_PARAMETERS, SERVER_FIELDS, OverBudget, check_network
from classroom.config_fields import ALWAYS_SHARED, CONFIG_TABLE, config_value, config_values
from classroom.setting_values import (Message, MessageLevels, Refused, preset_document, preset_texts, preview,
                                     query_items)
from gan_core.config import TrainConfig

# Server-side bookkeeping, not lesson settings: a link must not pick a GPU or a history of a million.
NOT_SHARED = SERVER_FIELDS
ARCH_FIELDS = ("arch", "z_dim", "g_depth", "g_width", "d_depth", "d_width", "pack", "minibatch_std",
               "spectral_norm")


@dataclass(frozen=True)
class Decoded(MessageLevels):
    """A decoded setup. Unpacks as `config, messages = decoded`."""

    config: TrainConfig
    messages: tuple[Message, ...] = ()
    extras: dict = field(default_factory=dict)  # page-level keys: preset name, page, what to watch

    def __iter__(self) -> Iterator:
        return iter((self.config, self.messages))


# ---- encoding ------------------------------------------------------------------------------------

def config_to_query(config: TrainConfig, base: TrainConfig, extras: Mapping[str, str] | None = None,
                    always: tuple = ALWAYS_SHARED) -> dict[str, str]:
    """The query parameters of `config`: page-level `extras` first, then `always`, then the
    settings that differ from `base`."""
    params = {str(k): str(v) for k, v in (extras or {}).items() if v not in (None, "")}
    for name, setting in CONFIG_TABLE.settings.items():
        value = config_value(config, name)
        if name in always or value != config_value(base, name):
            params[name] = setting.text(value)
    return params


def query_string(params: Mapping[str, str]) -> str:
    """"?a=1&b=2" with commas and semicolons left readable."""
    return "?" + urllib.parse.urlencode(params, safe=",;") if params else ""


def preset_to_json(config: TrainConfig, page: str, name: str = "", what_to_watch: str = "") -> str:
    """A preset file: every shareable setting of `config`, the page it belongs to and its text."""
    table = dataclasses.replace(CONFIG_TABLE, page=page)
    return table.to_json(config_values(config), name, body="config", what_to_watch=what_to_watch)


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
        notes.append(Message("error", f"{name}={preview(_text(name, pending[name]))} was refused: {reasons[name]}"))
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


def _text(name: str, value: Any) -> str:
    setting = CONFIG_TABLE.settings.get(name) or CONFIG_TABLE.also_read[name]
    return setting.text(value)


def _decode_items(items: list[tuple[str, Any]], base: TrainConfig, from_text: bool,
                  extras_spec: Mapping[str, tuple | None]) -> Decoded:
    """The table's one pass over the items, then as many of the values as fit onto `base`, within
    the budget."""
    refused = {key: "is a server setting and cannot come from a shared setup; ignored" for key in NOT_SHARED}
    reading = CONFIG_TABLE.read_items(items, from_text, kept="kept the page's value", extras=extras_spec,
                                      refused=refused)
    notes = list(reading.notes)
    config = _apply(base, reading.values, notes)
    config = _within_budget(base, config, notes)
    return Decoded(config, tuple(notes), reading.extras)


def config_from_query(params: Mapping[str, Any], base: TrainConfig,
                      extras: Mapping[str, tuple | None] | None = None) -> Decoded:
    """Decode query parameters onto `base`. `params` maps key -> value or list of values (the
    last one counts); `extras` names the page-level keys accepted besides settings, each with
    its allowed values (None: any short text). Never raises on the content of `params`."""
    extras_spec = {"preset": None} if extras is None else dict(extras)
    try:
        items, notes = query_items(params)
    except Refused as exc:
        return Decoded(base, (Message("error", str(exc)),))
    decoded = _decode_items(items, base, True, extras_spec)
    return dataclasses.replace(decoded, messages=tuple(notes) + decoded.messages)


def preset_from_json(data: str | bytes, base: TrainConfig, page: str | None = None) -> Decoded:
    """Decode a preset file onto `base` (fields it leaves out keep the base's value). With
    `page`, a preset written for another page is refused. Never raises on the file's content."""
    try:
        doc = preset_document(data, page, "config")
    except Refused as exc:
        return Decoded(base, (Message("error", str(exc)),))
    notes = []
    extras = preset_texts(doc, ("config",), ("name", "what_to_watch"), notes)
    decoded = _decode_items(list(doc.get("config", {}).items()), base, False, {})
    return Decoded(decoded.config, tuple(notes) + decoded.messages, extras)
