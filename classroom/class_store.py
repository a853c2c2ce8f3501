"""The classes a teacher keeps between lessons, in one SQLite file (stdlib sqlite3, no server).

    store = ClassStore()              # data/classroom.sqlite3, or $GAN_CLASSROOM_DB
    row = store.create_class("K7M2QX", "Monday", teacher_key, preset="", created=time.time())

What is kept: classes, their members, each member's run per page (its last settings, last metrics
and last thumbnail) and the run's curve points. Keys never reach the file: only their sha256
hashes (`key_hash`), compared with hmac.compare_digest (`same_key`).

The schema grows by version number: MIGRATIONS[i] takes a file from version i to i + 1 (PRAGMA
user_version), each applied inside one transaction, so an old file is brought up to date when
it is opened and keeps its rows.

Streamlit calls in from many threads, so every call opens its own connection (cheap for SQLite)
and writes take the file's write lock first (BEGIN IMMEDIATE; WAL lets reads go on meanwhile).
Every failure of the file ends in ClassStoreError, whose text is a sentence for the teacher: a
file deleted while the server runs (it is made again, empty, and the error says the class data
was lost), a damaged file, a directory that cannot be written, a full disk, a busy file.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from pathlib import Path

DB_ENV = "GAN_CLASSROOM_DB"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "classroom.sqlite3"
BUSY_TIMEOUT_S = 5.0  # a write waits this long for another writer before the file counts as busy

MIGRATIONS: list[str] = [
    # 1: classes, members, runs, curve points
    """
    CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        teacher_hash TEXT NOT NULL,
        preset TEXT NOT NULL DEFAULT '',
        preset_version INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        ended REAL
    );
    CREATE TABLE members (
        id INTEGER PRIMARY KEY,
        class_id INTEGER NOT NULL REFERENCES classes(id),
        member_hash TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        slot INTEGER NOT NULL,
        joined REAL NOT NULL,
        left REAL,
        UNIQUE (class_id, slot),
        UNIQUE (class_id, member_hash)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        class_id INTEGER NOT NULL REFERENCES classes(id),
        member_id INTEGER NOT NULL REFERENCES members(id),
        page TEXT NOT NULL,
        settings TEXT NOT NULL,
        metrics TEXT NOT NULL DEFAULT '{}',
        UNIQUE (member_id, page)
    );
    CREATE TABLE curve_points (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        iteration INTEGER NOT NULL,
        modes_captured INTEGER,
        hq_percent REAL,
        time REAL NOT NULL
    );
    """,
    # 2: the last thumbnail of each run (last lesson's gallery shows planes, not only numbers), and
    # indexes for what every call looks up: a key's classes and memberships, a run's curve
    """
    ALTER TABLE runs ADD COLUMN fakes BLOB;
    CREATE INDEX classes_by_teacher ON classes(teacher_hash, created);
    CREATE INDEX members_by_key ON members(member_hash);
    CREATE INDEX curve_by_run ON curve_points(run_id, iteration);
    """,
    # 3: settings are kept as the one table of shared settings writes them
    # (classroom.config_fields): the pushed preset's settings themselves beside its name (a push
    # means the same setup after the preset table changes), and each run's settings under the
    # pages' names -- label_smoothing for 1 - real_label, without the server's bookkeeping
    """
    ALTER TABLE classes ADD COLUMN preset_settings TEXT NOT NULL DEFAULT '';
    UPDATE runs SET settings = json_set(settings, '$.label_smoothing',
                                        round(1.0 - json_extract(settings, '$.real_label'), 12))
        WHERE json_extract(settings, '$.real_label') IS NOT NULL;
    UPDATE runs SET settings = json_remove(settings, '$.real_label', '$.device', '$.history_len',
                                           '$.snapshot_every', '$.snapshots_kept');
    """,
]


class ClassStoreError(RuntimeError):
    """The class database cannot be used; str() is a sentence for the teacher."""


def key_hash(key: str) -> str:
    """What the file keeps of a browser's key: its sha256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def same_key(stored_hash: str, key: str) -> bool:
    """Whether `key` is the one whose hash was stored (constant time)."""
    return hmac.compare_digest(stored_hash.encode("ascii"), key_hash(key).encode("ascii"))


def default_path() -> Path:
    return Path(os.environ.get(DB_ENV) or DEFAULT_PATH)


def _sentence(exc: sqlite3.Error, path: Path) -> str:
    """sqlite3's complaint as a sentence a teacher can act on."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return (f"The disk holding the class database ({path}) is full, so the class could not be saved. "
                "Free some space on the server and try again.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (f"The class database file {path} is damaged and cannot be read. Move it away (the server "
                "then starts a new, empty one) or restore it from a backup.")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return (f"The server cannot write the class database {path}: its folder is read-only or missing. "
                f"Make the folder writable, or point ${DB_ENV} at a writable file.")
    if "locked" in text or "busy" in text:
        return (f"The class database {path} is busy (another program is writing it). "
                "Wait a moment and try again.")
    return f"The class database {path} failed ({exc}); the class could not be read or saved."


class ClassStore:
    def __init__(self, path: str | os.PathLike | None = None, max_bytes: int | None = None):
        """path: the SQLite file (None: $GAN_CLASSROOM_DB, else data/classroom.sqlite3).
        max_bytes: the most the file may grow to (None: no limit but the disk's); a write beyond it
        fails as on a full disk."""
        self.path = Path(path) if path is not None else default_path()
        self.max_bytes = max_bytes
        self._made = threading.Lock()  # one thread re-makes a deleted file
        self._make_file()

    def _make_file(self) -> None:
        """The file at the newest schema version, and its folder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ClassStoreError(
                f"The server cannot make the folder for the class database {self.path}: {exc.strerror}. "
                f"Point ${DB_ENV} at a writable file.") from None
        with self._errors():
            self._migrate()

    # ---- connections and errors ---------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self):
        try:
            yield
        except sqlite3.Error as exc:
            raise ClassStoreError(_sentence(exc, self.path)) from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)  # one thread, one call
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # with WAL: never corrupt; a power cut may lose the last seconds
        if self.max_bytes is not None:
            page = db.execute("PRAGMA page_size").fetchone()[0]
            db.execute(f"PRAGMA max_page_count = {max(1, int(self.max_bytes) // page)}")
        return db

    def _migrate(self) -> None:
        db = self._connect()
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")  # readers do not wait for a writer
            for version in range(db.execute("PRAGMA user_version").fetchone()[0], len(MIGRATIONS)):
                try:  # executescript commits what is pending, so the transaction lives inside the script
                    db.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]};\n"
                                     f"PRAGMA user_version = {version + 1};\nCOMMIT;")
                except sqlite3.Error:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    if db.execute("PRAGMA user_version").fetchone()[0] > version:
                        continue  # another process migrated it meanwhile
                    raise
        finally:
            db.close()

    def _check_file(self) -> None:
        """A file deleted under the running server is made again, empty, and the caller is told the
        class data was lost (once: the next call finds the new file)."""
        if not self.path.exists():
            self._make_again("was deleted while the server was running")

    def _make_again(self, what_happened: str) -> None:
        with self._made:
            self._make_file()
        raise ClassStoreError(
            f"The class database {self.path} {what_happened}: a new, empty one was made, and the classes, "
            "members and curves kept in it are lost. Start a new class.")

    @contextlib.contextmanager
    def _session(self, write: bool):
        self._check_file()
        try:
            with self._errors():
                db = self._connect()
                try:
                    if write:  # the write lock from the start: no lost updates between threads
                        db.execute("BEGIN IMMEDIATE")
                    try:
                        yield db
                    except BaseException:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        raise
                    if write:
                        db.execute("COMMIT")
                finally:
                    db.close()
        except ClassStoreError as exc:
            if "no such table" not in str(exc.__cause__):
                raise
            self._make_again("was emptied or replaced while the server was running")

    def _read(self):
        return self._session(write=False)

    def _write(self):
        """One transaction holding the write lock from its start."""
        return self._session(write=True)

    def version(self) -> int:
        with self._read() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # ---- classes ------------------------------------------------------------------------------
    def create_class(self, code: str, title: str, teacher_key: str, preset: str, created: float) -> dict | None:
        """The new class's row; None if `code` is taken (the caller draws another)."""
        with self._write() as db:
            if db.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                return None
            db.execute("INSERT INTO classes (code, title, teacher_hash, preset, preset_version, created) "
                       "VALUES (?, ?, ?, ?, 0, ?)", (code, title, key_hash(teacher_key), preset, created))
            return dict(db.execute("SELECT * FROM classes WHERE code = ?", (code,)).fetchone())

    def class_by_code(self, code: str) -> dict | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM classes WHERE code = ?", (code,)).fetchone()
        return dict(row) if row else None

    def class_by_id(self, class_id: int) -> dict | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone()
        return dict(row) if row else None

    def classes_taught(self, teacher_key: str, open_only: bool = True) -> list[dict]:
        """The classes this key teaches (open ones only, or ended ones too), newest first."""
        still_open = "AND ended IS NULL " if open_only else ""
        with self._read() as db:
            rows = db.execute(f"SELECT * FROM classes WHERE teacher_hash = ? {still_open}"
                              "ORDER BY created DESC, id DESC", (key_hash(teacher_key),)).fetchall()
        return [dict(r) for r in rows if same_key(r["teacher_hash"], teacher_key)]

    def end_class(self, class_id: int, when: float) -> None:
        with self._write() as db:
            db.execute("UPDATE classes SET ended = ? WHERE id = ? AND ended IS NULL", (when, class_id))

    def set_preset(self, class_id: int, preset: str, settings: str) -> dict:
        """Push `preset`: its name, its settings (a preset file's JSON, classroom.sharing) and a
        version one higher than the last push."""
        with self._write() as db:
            db.execute("UPDATE classes SET preset = ?, preset_settings = ?, preset_version = preset_version + 1 "
                       "WHERE id = ?", (preset, settings, class_id))
            return dict(db.execute("SELECT * FROM classes WHERE id = ?", (class_id,)).fetchone())

    def member_count(self, class_id: int) -> int:
        with self._read() as db:
            return db.execute("SELECT COUNT(*) FROM members WHERE class_id = ? AND left IS NULL",
                              (class_id,)).fetchone()[0]

    # ---- members ------------------------------------------------------------------------------
    def join(self, class_id: int, member_key: str, pseudonym_for_slot, joined: float) -> dict:
        """The member row of this key in the class: the same row (back in the class) if it joined
        before, else a new one in the next slot. pseudonym_for_slot(slot) names it."""
        digest = key_hash(member_key)
        with self._write() as db:
            row = db.execute("SELECT * FROM members WHERE class_id = ? AND member_hash = ?",
                             (class_id, digest)).fetchone()
            if row is not None and same_key(row["member_hash"], member_key):
                db.execute("UPDATE members SET left = NULL WHERE id = ?", (row["id"],))
            else:
                slot = db.execute("SELECT COALESCE(MAX(slot), 0) + 1 FROM members WHERE class_id = ?",
                                  (class_id,)).fetchone()[0]
                db.execute("INSERT INTO members (class_id, member_hash, pseudonym, slot, joined) "
                           "VALUES (?, ?, ?, ?, ?)", (class_id, digest, pseudonym_for_slot(slot), slot, joined))
            return dict(db.execute("SELECT * FROM members WHERE class_id = ? AND member_hash = ?",
                                   (class_id, digest)).fetchone())

    def memberships(self, member_key: str) -> list[dict]:
        """The member rows (with class_code) of every open class this key is in now, newest join first."""
        with self._read() as db:
            rows = db.execute(
                "SELECT m.*, c.code AS class_code FROM members m JOIN classes c ON c.id = m.class_id "
                "WHERE m.member_hash = ? AND m.left IS NULL AND c.ended IS NULL ORDER BY m.joined DESC, m.id DESC",
                (key_hash(member_key),)).fetchall()
        return [dict(r) for r in rows if same_key(r["member_hash"], member_key)]

    def leave(self, member_id: int, when: float) -> None:
        with self._write() as db:
            db.execute("UPDATE members SET left = ? WHERE id = ? AND left IS NULL", (when, member_id))

    def members(self, class_id: int) -> list[dict]:
        with self._read() as db:
            rows = db.execute("SELECT * FROM members WHERE class_id = ? ORDER BY slot", (class_id,)).fetchall()
        return [dict(r) for r in rows]

    # ---- runs and curves ----------------------------------------------------------------------
    def save_run(self, class_id: int, member_id: int, page: str, settings: dict, fresh: bool) -> int:
        """The id of the member's run on `page`, its settings stored. fresh: a new run took the
        page's place, so the old curve and metrics go."""
        with self._write() as db:
            row = db.execute("SELECT id FROM runs WHERE member_id = ? AND page = ?", (member_id, page)).fetchone()
            if row is None:
                cur = db.execute("INSERT INTO runs (class_id, member_id, page, settings) VALUES (?, ?, ?, ?)",
                                 (class_id, member_id, page, json.dumps(settings)))
                return cur.lastrowid
            db.execute("UPDATE runs SET settings = ? WHERE id = ?", (json.dumps(settings), row["id"]))
            if fresh:
                db.execute("UPDATE runs SET metrics = '{}', fakes = NULL WHERE id = ?", (row["id"],))
                db.execute("DELETE FROM curve_points WHERE run_id = ?", (row["id"],))
            return row["id"]

    def record(self, readings: list[tuple]) -> None:
        """Readings of runs, (run id, settings, metrics, fakes bytes or None, point or None), in one
        transaction (one disk sync for the whole class): each run's last settings, metrics and
        thumbnail, and its point (iteration, modes, hq %, time) appended to its curve, after the
        points at or after that iteration go (a rollback abandons that future)."""
        with self._write() as db:
            for run_id, settings, metrics, fakes, point in readings:
                db.execute("UPDATE runs SET settings = ?, metrics = ?, fakes = ? WHERE id = ?",
                           (json.dumps(settings), json.dumps(metrics), fakes, run_id))
                if point is not None:
                    db.execute("DELETE FROM curve_points WHERE run_id = ? AND iteration >= ?", (run_id, point[0]))
                    db.execute("INSERT INTO curve_points (run_id, iteration, modes_captured, hq_percent, time) "
                               "VALUES (?, ?, ?, ?, ?)", (run_id, *point))

    def runs(self, class_id: int) -> list[dict]:
        """Every run of the class with its member's slot and pseudonym; settings and metrics decoded."""
        with self._read() as db:
            rows = db.execute(
                "SELECT r.*, m.slot, m.pseudonym, m.left FROM runs r JOIN members m ON m.id = r.member_id "
                "WHERE r.class_id = ? ORDER BY m.slot, r.page", (class_id,)).fetchall()
        out = []
        for r in rows:
            row = dict(r)
            row["settings"], row["metrics"] = json.loads(row["settings"]), json.loads(row["metrics"])
            out.append(row)
        return out

    def curve_points(self, class_id: int) -> list[dict]:
        """Every curve point of the class's runs, by run then iteration, with run id, slot, pseudonym, page."""
        with self._read() as db:
            rows = db.execute(
                "SELECT p.run_id, m.slot, m.pseudonym, r.page, p.iteration, p.modes_captured, p.hq_percent, p.time "
                "FROM curve_points p JOIN runs r ON r.id = p.run_id JOIN members m ON m.id = r.member_id "
                "WHERE r.class_id = ? ORDER BY m.slot, r.page, p.iteration", (class_id,)).fetchall()
        return [dict(r) for r in rows]
