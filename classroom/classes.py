"""Class mode: a teacher's class, its students' runs, and what the teacher does with them.

    classes = shared_classes()
    info = classes.start_class(teacher_key, "Monday")          # a code such as "K7M2QX"
    classes.join(info.code, student_key, "Ada")                 # slot 1
    classes.attach_run(student_key, "2D lab", run)              # the student's run belongs to the class
    classes.gallery(teacher_key)                                # every run, live or last lesson's

Who may do what: a class is steered (presets, pause/play, gallery, spotlight, sweep, exports) only
by the key that started it, the teacher's browser key; a member key only joins, leaves and has its
own runs attached. Keys are kept as sha256 hashes (classroom.class_store). Rows are addressed by
slot number (1, 2, ... in join order), never by run id.

What is kept: classes, members, each run's settings, last metrics and thumbnail and its curve live
in SQLite (classroom.class_store), so a new Classes on the same file (a restarted server) shows
last lesson's gallery and sweep: the open class's, or an ended one's by its code
(classes_taught(), then gallery(key, code=...)). The run objects themselves are held by weak reference only: a
closed tab's run goes with its session.

The recorder: record() appends one curve point per new measurement of a live run, reading each
run at most every RECORD_EVERY seconds; a daemon thread started by the first attach_run calls it.
What the teacher reads (gallery, sweep, CSV) is computed by classroom.class_readings once the key
is checked here; what a class can be given, by classroom.class_push.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
import unicodedata
import weakref
from dataclasses import dataclass

import numpy as np

from classroom.class_push import Push, file_push, named_push, pushed_config
from classroom.class_readings import curves_table, gallery_rows, gallery_table, read_summary, sweep_points
from classroom.class_store import ClassStore, ClassStoreError, same_key
from classroom.one_per_process import one_per_process
from classroom.run_views import SUMMARY_FAKES
from classroom.class_records import ClassError, ClassInfo, GalleryRow, Member
from classroom.config_fields import config_values
from gan_core.config import TrainConfig

__all__ = ["ClassError", "ClassInfo", "Member", "GalleryRow", "Classes", "shared_classes", "ClassStoreError"]

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector without doubt
CODE_LENGTH = 6
MAX_PSEUDONYM = 24
MAX_TITLE = 60
PAGES = ("2D lab", "side by side")

RECORD_EVERY = 2.0  # seconds between two readings of one run (the gallery refreshes every 2 s)
BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass
class _Attached:
    """A live run of the class, held weakly, and where its readings go."""

    ref: weakref.ref
    class_id: int
    slot: int
    page: str
    run_id: int
    sampled_at: float = -math.inf
    iteration: int | None = None
    point_at: int | None = None  # the iteration of the newest curve point stored
    settings: dict | None = None




def normalise_code(code: str) -> str:
    return "".join(str(code).split()).upper()


def _checked_text(text: str, what: str, limit: int) -> str:
    """`text` stripped, or ClassError if it is too long or holds characters that change how text
    around it is shown (control and direction marks)."""
    text = str(text).strip()
    if len(text) > limit:
        raise ClassError(f"The {what} is {len(text)} characters long; use at most {limit}.")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in BIDI_CONTROLS for ch in text):
        raise ClassError(f"The {what} holds control characters; use letters, digits, spaces and punctuation.")
    return text


class Classes:
    """The classes of one server process (shared_classes()); thread-safe."""

    def __init__(self, store: ClassStore, record_every: float | None = RECORD_EVERY, clock=time.time):
        """record_every: seconds between the recorder thread's rounds (None: no thread; call record()).
        clock: unix time (tests move it)."""
        self.store = store
        self.record_every = record_every
        self.clock = clock
        self.recorder_error = ""  # the last ClassStoreError of the recorder thread, for the teacher's page
        self._live: dict[tuple[int, int, str], _Attached] = {}
        self._lock = threading.RLock()
        self._recording = threading.Lock()
        self._recorder: threading.Thread | None = None

    # ---- classes ------------------------------------------------------------------------------
    def _info(self, row: dict) -> ClassInfo:
        return ClassInfo(row["code"], row["title"], row["preset"], row["preset_version"], row["created"],
                         self.store.member_count(row["id"]), row["ended"])

    def start_class(self, teacher_key: str, title: str = "", preset: str = "") -> ClassInfo:
        """A new class taught by this key (its open classes end: one class per teacher at a time). A
        class started with a preset counts as its first push, so every student gets it."""
        _require_key(teacher_key)
        title = _checked_text(title, "class title", MAX_TITLE)
        push = named_push(preset) if preset else None
        for row in self.store.classes_taught(teacher_key):
            self._end(row)
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            row = self.store.create_class(code, title, teacher_key, preset, self.clock())
            if row is not None:
                break
        if push is not None:
            row = self.store.set_preset(row["id"], push.name, push.file)
        return self._info(row)

    def teaching(self, teacher_key: str) -> ClassInfo | None:
        """The newest open class this key teaches."""
        rows = self.store.classes_taught(teacher_key) if teacher_key else []
        return self._info(rows[0]) if rows else None

    def find(self, code: str) -> ClassInfo | None:
        """The open class with this code (any case, spaces ignored)."""
        row = self.store.class_by_code(normalise_code(code))
        return self._info(row) if row and row["ended"] is None else None

    def classes_taught(self, teacher_key: str) -> list[ClassInfo]:
        """Every class this key has taught, ended ones too (last lessons), newest first."""
        rows = self.store.classes_taught(teacher_key, open_only=False) if teacher_key else []
        return [self._info(row) for row in rows]

    def _taught(self, teacher_key: str, what: str, code: str | None = None) -> dict:
        """The newest open class this key teaches, or the class `code` (ended or not) if this key taught it."""
        if code is None:
            rows = self.store.classes_taught(teacher_key) if teacher_key else []
        else:
            row = self.store.class_by_code(normalise_code(code))
            rows = [row] if row is not None and teacher_key and same_key(row["teacher_hash"], teacher_key) else []
        if not rows:
            raise ClassError(f"This browser does not teach {'that' if code else 'an open'} class: "
                             f"only the teacher of this class can {what}.")
        return rows[0]

    def _end(self, row: dict) -> None:
        self.store.end_class(row["id"], self.clock())
        with self._lock:
            for key in [k for k in self._live if k[0] == row["id"]]:
                del self._live[key]

    def end_class(self, teacher_key: str) -> None:
        self._end(self._taught(teacher_key, "end it"))

    # ---- members ------------------------------------------------------------------------------
    def join(self, code: str, member_key: str, pseudonym: str = "") -> Member:
        """Join the open class `code` (one class at a time: another class is left). Joining the same
        class again returns the same member (same slot and name)."""
        _require_key(member_key)
        pseudonym = _checked_text(pseudonym, "name", MAX_PSEUDONYM)
        shown = normalise_code(code)
        row = self.store.class_by_code(shown)
        if row is None:
            typed = f" '{shown}'" if shown.isalnum() and len(shown) <= 2 * CODE_LENGTH else ""  # echo only a plain code
            raise ClassError(f"There is no open class with the code{typed}; check it with your teacher.")
        if row["ended"] is not None:
            raise ClassError(f"The class {shown} has ended; ask your teacher for the new code.")
        for member in self.store.memberships(member_key):
            if member["class_id"] != row["id"]:
                self._leave(member)
        member = self.store.join(row["id"], member_key, lambda slot: pseudonym or f"Student {slot}", self.clock())
        return Member(row["code"], member["pseudonym"], member["slot"])

    def membership(self, member_key: str) -> Member | None:
        rows = self.store.memberships(member_key) if member_key else []
        return Member(rows[0]["class_code"], rows[0]["pseudonym"], rows[0]["slot"]) if rows else None

    def _leave(self, member: dict) -> None:
        self.store.leave(member["id"], self.clock())
        with self._lock:
            for key in [k for k in self._live if k[:2] == (member["class_id"], member["slot"])]:
                del self._live[key]

    def leave(self, member_key: str) -> None:
        for member in (self.store.memberships(member_key) if member_key else []):
            self._leave(member)

    # ---- runs -----------------------------------------------------------------------------------
    def attach_run(self, member_key: str, page: str, run) -> None:
        """The member's open run of `page` belongs to the class from now on (held weakly: it goes
        with the tab's session); a new run on the page replaces the old one's curve. A key in no
        class attaches nothing."""
        if page not in PAGES:
            raise ClassError(f"A class gathers the runs of the pages {', '.join(PAGES)}, not {page!r}.")
        rows = self.store.memberships(member_key) if member_key else []
        if not rows:
            return
        member = rows[0]
        key = (member["class_id"], member["slot"], page)
        with self._lock:
            held = self._live.get(key)
            if held is not None and held.ref() is run:
                return
        summary = read_summary(run)
        if summary is None:  # lost or closed: nothing to gather
            return
        settings = config_values(summary["config"])
        run_id = self.store.save_run(member["class_id"], member["id"], page, settings, fresh=True)
        with self._lock:
            self._live[key] = _Attached(weakref.ref(run), member["class_id"], member["slot"], page, run_id,
                                        settings=settings)
        self._start_recorder()

    def _live_runs(self, class_id: int) -> dict[tuple[int, str], object]:
        """(slot, page) -> the open run object, for the class's live runs (closed or freed ones go)."""
        out = {}
        with self._lock:
            for key, held in list(self._live.items()):
                run = held.ref()
                if run is None or run.closed:
                    del self._live[key]
                elif key[0] == class_id:
                    out[key[1:]] = run
        return out

    # ---- steering (the teacher only) ------------------------------------------------------------
    def push_preset(self, teacher_key: str, preset: str) -> ClassInfo:
        """Give the class the 2D lab preset `preset`."""
        return self._push(self._taught(teacher_key, "push a preset"), named_push(preset))

    def push_file(self, teacher_key: str, data: bytes | str) -> tuple[ClassInfo, tuple[str, ...]]:
        """Give the class the setup of a preset file saved on the 2D lab or side by side; (the class,
        what the codec adjusted). ClassError says why a file is refused."""
        row = self._taught(teacher_key, "push a preset")
        push = file_push(data)
        return self._push(row, push), push.notes

    def _push(self, row: dict, push: Push) -> ClassInfo:
        return self._info(self.store.set_preset(row["id"], push.name, push.file))

    def pending_preset(self, member_key: str, seen_version: int) -> tuple[int, str, TrainConfig] | None:
        """(version, preset name, its config) if the member's class pushed a preset after `seen_version`."""
        rows = self.store.memberships(member_key) if member_key else []
        if not rows:
            return None
        row = self.store.class_by_id(rows[0]["class_id"])
        config = pushed_config(row)
        if config is None or row["preset_version"] <= seen_version:
            return None
        return row["preset_version"], row["preset"], config

    def pause_all(self, teacher_key: str) -> int:
        """Pause every playing run of the class; how many were playing."""
        runs = self._live_runs(self._taught(teacher_key, "pause the class")["id"]).values()
        playing = [run for run in runs if run.playing]
        for run in playing:
            run.pause(wait=False)
        return len(playing)

    def play_all(self, teacher_key: str) -> int:
        """Play every paused run of the class; how many were paused."""
        runs = self._live_runs(self._taught(teacher_key, "play the class")["id"]).values()
        paused = [run for run in runs if not run.playing]
        for run in paused:
            run.play()
        return len(paused)

    def spotlight(self, teacher_key: str, slot: int, page: str = "2D lab"):
        """The live run of the member in `slot` on `page` (for reading only), or None."""
        row = self._taught(teacher_key, "spotlight a run")
        return self._live_runs(row["id"]).get((int(slot), page))

    # ---- what the teacher sees (classroom.class_readings) ---------------------------------------
    def gallery(self, teacher_key: str, code: str | None = None) -> list[GalleryRow]:
        """Every run of the class by slot and page: live ones read now, the others as last stored.
        code: a class this key taught before (classes_taught()), instead of its open one."""
        row = self._taught(teacher_key, "see its gallery", code)
        return gallery_rows(self.store, row, self._live_runs(row["id"]))

    def sweep(self, teacher_key: str, field: str, at_iteration: int | None = None,
              code: str | None = None) -> list[dict]:
        """One point per run of the class at the same iteration (class_readings.sweep_points).
        code: as in gallery()."""
        return sweep_points(self.store, self._taught(teacher_key, "see its sweep", code), field, at_iteration)

    def curves_csv(self, teacher_key: str, code: str | None = None) -> bytes:
        return curves_table(self.store, self._taught(teacher_key, "download its curves", code))

    def gallery_csv(self, teacher_key: str, code: str | None = None) -> bytes:
        return gallery_table(self.gallery(teacher_key, code))

    # ---- the recorder ---------------------------------------------------------------------------
    def record(self) -> int:
        """Read every live run not read in the last RECORD_EVERY seconds; store its settings, metrics
        and thumbnail, and a curve point when its iteration moved. Returns the points appended."""
        with self._recording:  # the thread and a page's call never read the same run twice at once
            return self._record()

    def _record(self) -> int:
        now = self.clock()
        with self._lock:
            due = [(key, held) for key, held in self._live.items() if now - held.sampled_at >= RECORD_EVERY]
        readings = []
        for key, held in due:
            run = held.ref()
            summary = read_summary(run)
            if summary is None:
                if run is None or run.closed:  # its tab went: it is last lesson's row from now on
                    with self._lock:
                        if self._live.get(key) is held:
                            del self._live[key]
                continue
            held.sampled_at = now
            settings = config_values(summary["config"])
            iteration = int(summary["iteration"])
            moved = iteration != held.iteration
            if not moved and settings == held.settings:
                continue
            metrics = {k: summary[k] for k in ("iteration", "modes_captured", "n_modes", "hq_percent", "target")}
            fakes = np.ascontiguousarray(summary["fakes"], dtype=np.float32)[:SUMMARY_FAKES].tobytes()
            # A curve point is labelled with the iteration its modes were measured at (the host
            # measures every SUMMARY_MODES_EVERY iterations, so up to that many before `iteration`):
            # the sweep compares runs by it. Before the first measurement: the iteration, no numbers.
            at = summary.get("modes_at")
            at = iteration if at is None else int(at)
            point = (at, summary["modes_captured"], summary["hq_percent"], now) if at != held.point_at else None
            readings.append((held, (held.run_id, settings, metrics, fakes, point)))
        if readings:
            self.store.record([reading for _, reading in readings])
        appended = 0
        for held, (_, settings, metrics, _, point) in readings:  # noted only once stored: a failed write is retried
            held.settings, held.iteration = settings, metrics["iteration"]
            if point is not None:
                held.point_at, appended = point[0], appended + 1
        return appended

    def _start_recorder(self) -> None:
        with self._lock:
            if self.record_every is None or (self._recorder is not None and self._recorder.is_alive()):
                return
            self._recorder = threading.Thread(target=_record_forever, args=(weakref.ref(self), self.record_every),
                                              name="gan-class-recorder", daemon=True)
            self._recorder.start()


def _record_forever(classes_ref: weakref.ref, every: float) -> None:
    """The recorder thread: record() every `every` seconds while its Classes lives (weakly held,
    so a dropped Classes ends the thread)."""
    while True:
        time.sleep(every)
        classes = classes_ref()
        if classes is None:
            return
        try:
            classes.record()
            classes.recorder_error = ""
        except ClassStoreError as exc:  # the page says it; recording goes on when the file is back
            classes.recorder_error = str(exc)
        except Exception as exc:  # never die silently: the teacher's page shows it, the next round retries
            classes.recorder_error = f"Recording the class's curves failed: {type(exc).__name__}: {exc}"
        del classes


def _require_key(key: str) -> None:
    if not isinstance(key, str) or not key:
        raise ClassError("This browser has no key yet; reload the page and try again.")


@one_per_process
def shared_classes() -> Classes:
    """The server's one Classes, on the default database file."""
    return Classes(ClassStore())
