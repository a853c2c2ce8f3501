"""The one table of a run's shareable settings: every TrainConfig field a person may set from
outside the page's widgets, as a classroom.settings_codec Setting built from the engine's own
ranges (gan_core.config.FIELD_BOUNDS, its field types and choices), under the names the pages show
(`label_smoothing` for 1 - real_label).

Share links and preset files (classroom.sharing), a class's pushed preset and the settings it
stores for every run, and the class sweep's x axis all read and write settings through this table:

    CONFIG_TABLE["batch_size"]          -> Whole(2, 4096, None, default=256)
    config_values(config)               -> {"target": "ring8", "seed": 0, "label_smoothing": 0.1, ...}
    config_from_values(values, base)    -> TrainConfig (a stored or pushed setup back on a base config)
    setting_bounds("label_smoothing")   -> (0.0, 0.5)   (what links clamp into and sliders span)

The server's bookkeeping (classroom.budget.SERVER_FIELDS: device, history length, snapshots) is not
in the table: a link, a file or a push never sets it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from classroom.budget import SERVER_FIELDS
from classroom.settings_codec import Flag, Number, OneOf, Points, Setting, SettingsTable, Whole
from gan_core.config import ALIAS_BOUNDS, FIELD_BOUNDS, TrainConfig, field_choices, field_types

ALWAYS_SHARED = ("target", "seed")  # a link names them even at their defaults, so it means the same run later
LABEL_SMOOTHING = "label_smoothing"  # the pages' name for 1 - real_label


def _setting(name: str, default: Any) -> Setting:
    """The Setting of TrainConfig field `name` from its type, range and choices."""
    kind = field_types()[name]
    if name == "custom_points":
        return Points(default)
    if kind is bool:
        return Flag(default)
    if kind is str:
        return OneOf(field_choices()[name], default)
    lo, hi = FIELD_BOUNDS[name]
    return Whole(lo, hi, None, default) if kind is int else Number(lo, hi, None, default)


def _table() -> SettingsTable:
    defaults = TrainConfig()
    names = [f.name for f in dataclasses.fields(TrainConfig) if f.name not in SERVER_FIELDS]
    names = [n for n in ALWAYS_SHARED if n in names] + [n for n in names if n not in ALWAYS_SHARED]
    settings: dict[str, Setting] = {}
    for name in names:
        if name == "real_label":  # written as label_smoothing, in real_label's place
            lo, hi = ALIAS_BOUNDS[LABEL_SMOOTHING]
            settings[LABEL_SMOOTHING] = Number(lo, hi, None, defaults.label_smoothing)
        else:
            settings[name] = _setting(name, getattr(defaults, name))
    # Older links and preset files (and checkpoints' configs) say real_label: read, never written.
    also_read = {"real_label": _setting("real_label", defaults.real_label)}
    return SettingsTable(page="", prefix="config", settings=settings, also_read=also_read)


CONFIG_TABLE = _table()


def shared_fields() -> tuple[str, ...]:
    """The names a link may carry, in the order links write them."""
    return tuple(CONFIG_TABLE.settings)


def setting_bounds(name: str) -> tuple:
    """(lo, hi) of numeric setting `name` (a TrainConfig field or label_smoothing): what a link is
    clamped into and what the pages' sliders and number inputs span."""
    setting = CONFIG_TABLE.settings.get(name) or CONFIG_TABLE.also_read.get(name)
    if isinstance(setting, Number):  # Whole too
        return setting.lo, setting.hi
    return FIELD_BOUNDS[name]  # a server field: KeyError for a name that has no range


def config_value(config: TrainConfig, name: str) -> Any:
    """The value of setting `name` in `config`, as the table names it."""
    return config.label_smoothing if name == LABEL_SMOOTHING else getattr(config, name)


def config_values(config: TrainConfig) -> dict:
    """Every shareable setting of `config` as JSON keeps it (a preset file's body, what a class
    stores for a run and pushes to its students)."""
    return CONFIG_TABLE.plain_values({name: config_value(config, name) for name in CONFIG_TABLE.settings})


def config_from_values(values: Mapping[str, Any], base: TrainConfig) -> TrainConfig:
    """`base` with the settings of `values` (as config_values wrote them); ValueError if the
    config refuses the combination. For the runtime's own stored values, not for outside input
    (classroom.sharing decodes that, refusing by name)."""
    changes = {name: (tuple(map(tuple, v)) if name == "custom_points" else v) for name, v in values.items()
               if name in CONFIG_TABLE.settings or name in CONFIG_TABLE.also_read}
    return base.replace(**changes)
