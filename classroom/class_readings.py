"""What a teacher reads of a class: the gallery's rows, the class as a sweep, and the CSV tables,
from the class's stored rows (classroom.class_store) and its open runs' summaries (read where
each run trains: classroom.run_views.RunSummary). No one's key is checked here: classroom.classes
does that before it calls in.

    gallery_rows(store, class_row, live_runs)         -> [GalleryRow]: live runs read now, the rest as stored
    sweep_points(store, class_row, field, at)         -> [{slot, pseudonym, page, x, modes_captured, ...}]
    curves_table(store, class_row) / gallery_table(rows) -> CSV bytes
"""

from __future__ import annotations

import numpy as np

from classroom.class_push import pushed_config
from classroom.class_records import ClassError, GalleryRow
from classroom.class_store import ClassStore
from classroom.config_fields import CONFIG_TABLE, config_values
from classroom.exports import setting_cell, table_csv
from classroom.run_handle import RunLost
from classroom.run_views import SUMMARY_FAKES
from classroom.settings_codec import Points
from gan_core.config import TrainConfig

# The settings a class most often varies, first in the sweep's choice of x (then the rest of the table).
SWEEP_FIRST = ("label_smoothing", "batch_size", "lr_d", "lr_g", "seed", "d_steps", "loss", "noise", "r1_gamma",
               "ema_decay", "instance_noise", "lr_half_life", "spectral_norm")


def read_summary(run) -> dict | None:
    """The run's summary, read where it trains, or None if there is no open run to read (freed,
    closed or lost)."""
    if run is None or run.closed or getattr(run, "lost", False):
        return None
    try:
        return run.view("summary")
    except RunLost:  # its worker died: the gallery shows its last stored numbers
        return None
    except Exception:
        if run.closed:  # closed by its tab between the check and the read
            return None
        raise


def sweep_fields() -> tuple[str, ...]:
    """The settings a sweep can put on x: those a class most often varies first, then every other
    number, choice or switch of the one settings table (drawn points are not a value on an axis)."""
    rest = [name for name, s in CONFIG_TABLE.settings.items() if name not in SWEEP_FIRST and not isinstance(s, Points)]
    return SWEEP_FIRST + tuple(rest)


def _differs(settings: dict, base: dict) -> dict:
    return {k: v for k, v in settings.items() if k in base and base[k] != v}


def gallery_rows(store: ClassStore, class_row: dict, live_runs: dict) -> list[GalleryRow]:
    """Every run of the class by slot and page, compared with the setup the class was last given
    (the engine's defaults before any push): live_runs[(slot, page)] read now, the others as stored."""
    base = config_values(pushed_config(class_row) or TrainConfig())
    out = []
    for stored in store.runs(class_row["id"]):
        run = live_runs.get((stored["slot"], stored["page"]))
        summary = read_summary(run)
        if summary is not None:
            settings = config_values(summary["config"])
            out.append(GalleryRow(stored["slot"], stored["pseudonym"], stored["page"], True, bool(run.playing),
                                  int(summary["iteration"]), summary["modes_captured"], int(summary["n_modes"]),
                                  summary["hq_percent"], settings, _differs(settings, base),
                                  np.asarray(summary["fakes"], dtype=np.float32)[:SUMMARY_FAKES], summary["target"]))
            continue
        m, settings = stored["metrics"], stored["settings"]
        fakes = np.frombuffer(stored["fakes"], dtype=np.float32).reshape(-1, 2).copy() if stored["fakes"] else None
        out.append(GalleryRow(stored["slot"], stored["pseudonym"], stored["page"], False, False,
                              int(m.get("iteration", 0)), m.get("modes_captured"), int(m.get("n_modes", 0)),
                              m.get("hq_percent"), settings, _differs(settings, base), fakes,
                              str(m.get("target", settings.get("target", "")))))
    return out


def sweep_points(store: ClassStore, class_row: dict, field: str, at_iteration: int | None = None) -> list[dict]:
    """One point per run of the class: `field`'s value (x) against modes captured and HQ % at the
    curve point at or just before `at_iteration` (None: the smallest latest iteration of the runs,
    so every run is compared at the same iteration). Runs with no point by then are left out."""
    if field not in sweep_fields():
        raise ClassError(f"{field!r} is not a setting a sweep can put on its axis.")
    curves: dict[int, list[dict]] = {}
    for point in store.curve_points(class_row["id"]):
        curves.setdefault(point["run_id"], []).append(point)
    if not curves:
        return []
    at = min(points[-1]["iteration"] for points in curves.values()) if at_iteration is None else int(at_iteration)
    out = []
    for stored in store.runs(class_row["id"]):
        before = [p for p in curves.get(stored["id"], []) if p["iteration"] <= at]
        if not before:
            continue
        point = before[-1]
        out.append({"slot": stored["slot"], "pseudonym": stored["pseudonym"], "page": stored["page"],
                    "x": stored["settings"].get(field), "modes_captured": point["modes_captured"],
                    "hq_percent": point["hq_percent"], "iteration": point["iteration"]})
    return out


def curves_table(store: ClassStore, class_row: dict) -> bytes:
    """Every curve point of the class as CSV."""
    points = store.curve_points(class_row["id"])
    return table_csv(["slot", "pseudonym", "page", "iteration", "modes_captured", "hq_percent", "time"],
                     [[p["slot"], p["pseudonym"], p["page"], p["iteration"], p["modes_captured"],
                       p["hq_percent"], p["time"]] for p in points])


def gallery_table(rows: list[GalleryRow]) -> bytes:
    """The gallery as CSV: its numbers, what differs, and every setting under the pages' names."""
    names = list(CONFIG_TABLE.settings)
    header = ["slot", "pseudonym", "page", "live", "playing", "iteration", "modes_captured", "n_modes",
              "hq_percent", "differs", *names]
    return table_csv(header, [[r.slot, r.pseudonym, r.page, r.live, r.playing, r.iteration, r.modes_captured,
                               r.n_modes, r.hq_percent, "; ".join(f"{k}={v}" for k, v in r.differs.items()),
                               *[setting_cell(r.settings.get(n)) for n in names]] for r in rows])
