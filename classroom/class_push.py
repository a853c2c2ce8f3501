"""What a teacher can give a class: one of the 2D lab's presets by name, or a preset file saved on
the 2D lab or the side-by-side page (its Share box). Either is kept as the preset file the one
settings codec writes (classroom.sharing), and every student reads it back through that codec.

    class_presets()                     -> the 2D lab's presets, by name
    named_push(name)                    -> Push(name, file): a preset of the table
    file_push(data)                     -> Push(name, file, notes), or ClassError saying why not
    pushed_config(row)                  -> the TrainConfig a class row was last given, or None
"""

from __future__ import annotations

from dataclasses import dataclass

from classroom.class_records import ClassError
from classroom.page_presets import lab_2d_presets
from classroom.sharing import preset_from_json, preset_to_json
from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_2D

PUSH_PAGE = "toy_2d"  # the page a pushed preset file names (the 2D lab's; side by side reads it too)
FILE_PAGES = ("toy_2d", "side_by_side")  # preset files a class can be given: saved on these pages
FILE_NAME = "the teacher's preset file"  # what students are told when the file names no preset


@dataclass(frozen=True)
class Push:
    name: str  # what the students' labs say they were given
    file: str  # the preset file kept for the class (JSON)
    notes: tuple[str, ...] = ()  # what the codec adjusted (clamped values), for the teacher


def class_presets() -> dict:
    """The presets a class can be given by name: the 2D lab's."""
    return lab_2d_presets()


def named_push(name: str) -> Push:
    preset = class_presets().get(name)
    if preset is None:
        raise ClassError(f"There is no 2D lab preset called {name!r}.")
    return Push(name, preset_to_json(preset.config, page=PUSH_PAGE, name=name, what_to_watch=preset.what_to_watch))


def file_push(data: bytes | str) -> Push:
    """A preset file saved on the 2D lab or side by side, read by the one codec. Refused in words
    when the codec refuses any of it (the teacher fixes the file rather than give the class half a
    setup) or when it is not a 2D toy setup; values clamped into range are pushed and said."""
    decoded = preset_from_json(data, TrainConfig())
    if decoded.errors:
        raise ClassError("The preset file was not pushed: " + "; ".join(decoded.errors[:5]) + ".")
    page = decoded.extras.get("page")
    if page not in FILE_PAGES:
        raise ClassError(f"The preset file was saved on the page {str(page)[:40]!r}; a class can be given "
                         f"a preset saved on the 2D lab or side by side.")
    config = decoded.config
    if config.target not in TARGETS_2D or config.arch == "dcgan":
        raise ClassError(f"The preset file trains {config.target!r}; a class's labs train the 2D toys "
                         f"({', '.join(TARGETS_2D)}).")
    name = decoded.extras.get("name", "").strip()[:60] or FILE_NAME
    kept = preset_to_json(config, page=PUSH_PAGE, name=name, what_to_watch=decoded.extras.get("what_to_watch", ""))
    return Push(name, kept, tuple(decoded.warnings))


def pushed_config(row: dict) -> TrainConfig | None:
    """The setup a class row was last given: its pushed preset file read back through the codec
    (None before the first push). A class pushed to before the settings were kept (schema 2) has
    only the preset's name: the preset of that name now, if there still is one."""
    if row["preset_settings"]:
        return preset_from_json(row["preset_settings"], TrainConfig()).config
    preset = class_presets().get(row["preset"]) if row["preset_version"] else None
    return preset.config if preset is not None else None
