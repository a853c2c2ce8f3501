"""classroom.class_store: the SQLite file of class mode. Schema versions, keys kept only as hashes,
and every fault of the file (deleted, damaged, read-only, full, busy) ends in a sentence."""

import hashlib
import os
import random
import sqlite3
import threading

import pytest

from classroom import class_store
from classroom.class_store import MIGRATIONS, ClassStore, ClassStoreError, key_hash, same_key

TEACHER = "teacher-key-" + "t" * 20
STUDENT = "student-key-" + "s" * 20

# Version 1 of the schema, written out by hand (not read from MIGRATIONS): a file made by the first
# release, which a newer server must bring up to date without losing a row.
V1_SCHEMA = """
CREATE TABLE classes (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
    teacher_hash TEXT NOT NULL, preset TEXT NOT NULL DEFAULT '', preset_version INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, ended REAL);
CREATE TABLE members (id INTEGER PRIMARY KEY, class_id INTEGER NOT NULL REFERENCES classes(id),
    member_hash TEXT NOT NULL, pseudonym TEXT NOT NULL, slot INTEGER NOT NULL, joined REAL NOT NULL, left REAL,
    UNIQUE (class_id, slot), UNIQUE (class_id, member_hash));
CREATE TABLE runs (id INTEGER PRIMARY KEY, class_id INTEGER NOT NULL REFERENCES classes(id),
    member_id INTEGER NOT NULL REFERENCES members(id), page TEXT NOT NULL, settings TEXT NOT NULL,
    metrics TEXT NOT NULL DEFAULT '{}', UNIQUE (member_id, page));
CREATE TABLE curve_points (run_id INTEGER NOT NULL REFERENCES runs(id), iteration INTEGER NOT NULL,
    modes_captured INTEGER, hq_percent REAL, time REAL NOT NULL);
PRAGMA user_version = 1;
"""


@pytest.fixture
def path(tmp_path):
    return tmp_path / "classroom.sqlite3"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_new_file_is_made_at_the_newest_version(path):
    store = ClassStore(path)
    assert path.exists()
    assert store.version() == len(MIGRATIONS) == 3
    with sqlite3.connect(path) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert tables == {"classes", "members", "runs", "curve_points"}
    assert ClassStore(path).version() == 3  # opening again migrates nothing


def test_default_path_is_under_data_and_the_environment_overrides_it(monkeypatch, tmp_path):
    monkeypatch.delenv(class_store.DB_ENV, raising=False)
    assert class_store.default_path().parts[-2:] == ("data", "classroom.sqlite3")
    monkeypatch.setenv(class_store.DB_ENV, str(tmp_path / "other.sqlite3"))
    assert ClassStore().path == tmp_path / "other.sqlite3"
    assert (tmp_path / "other.sqlite3").exists()


def test_a_version_1_file_is_migrated_and_keeps_its_rows(path):
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO classes VALUES (1, 'ABCDEF', 'Monday', ?, 'Ring of 8: plain GAN', 2, 100.0, NULL)",
                   (sha(TEACHER),))
        db.execute("INSERT INTO members VALUES (1, 1, ?, 'Ada', 1, 101.0, NULL)", (sha(STUDENT),))
        db.execute("INSERT INTO runs VALUES (1, 1, 1, '2D lab', ?, '{\"iteration\": 40}')",
                   ('{"batch_size": 64, "real_label": 0.9, "device": "cpu", "history_len": 20000, '
                    '"snapshot_every": 200, "snapshots_kept": 5}',))
        db.executemany("INSERT INTO curve_points VALUES (1, ?, ?, ?, ?)", [(20, 3, 41.5, 102.0), (40, 5, 60.25, 104.0)])
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1

    store = ClassStore(path)
    assert store.version() == 3
    row = store.class_by_code("ABCDEF")
    assert (row["title"], row["preset"], row["preset_version"], row["created"], row["ended"]) == \
        ("Monday", "Ring of 8: plain GAN", 2, 100.0, None)
    assert row["preset_settings"] == ""  # v3's column: a push before it kept only the preset's name
    assert [r["id"] for r in store.classes_taught(TEACHER)] == [1]
    assert [(m["pseudonym"], m["slot"], m["class_code"]) for m in store.memberships(STUDENT)] == [("Ada", 1, "ABCDEF")]
    (run,) = store.runs(1)
    # v3: settings under the pages' names (1 - 0.9 = 0.1 as label smoothing), the server's bookkeeping gone
    assert (run["settings"], run["metrics"], run["fakes"], run["slot"]) == \
        ({"batch_size": 64, "label_smoothing": 0.1}, {"iteration": 40}, None, 1)
    assert [(p["iteration"], p["modes_captured"], p["hq_percent"]) for p in store.curve_points(1)] == \
        [(20, 3, 41.5), (40, 5, 60.25)]
    store.record([(1, {"batch_size": 64}, {"iteration": 60}, b"\x00" * 8, (60, 6, 70.0, 106.0))])  # v2's column
    assert store.runs(1)[0]["fakes"] == b"\x00" * 8


def test_a_failing_migration_leaves_the_file_at_its_old_version(path, monkeypatch):
    ClassStore(path)
    monkeypatch.setattr(class_store, "MIGRATIONS", [*MIGRATIONS, "CREATE TABLE extra (x); SELECT no_such_function();"])
    with pytest.raises(ClassStoreError):
        ClassStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 3
        assert db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'extra'").fetchone()[0] == 0


def test_keys_are_kept_only_as_sha256_hashes(path):
    store = ClassStore(path)
    row = store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    store.join(row["id"], STUDENT, lambda slot: f"Student {slot}", 2.0)
    data = b"".join(f.read_bytes() for f in path.parent.iterdir())  # the file, and its WAL if one is left
    assert TEACHER.encode() not in data and STUDENT.encode() not in data
    assert sha(TEACHER).encode() in data and sha(STUDENT).encode() in data  # what is kept instead
    assert row["teacher_hash"] == key_hash(TEACHER) == sha(TEACHER)
    assert same_key(key_hash(TEACHER), TEACHER)
    assert not same_key(key_hash(TEACHER), STUDENT)
    assert store.classes_taught(STUDENT) == []


def test_a_taken_code_is_refused(path):
    store = ClassStore(path)
    assert store.create_class("ABCDEF", "a", TEACHER, "", 1.0) is not None
    assert store.create_class("ABCDEF", "b", STUDENT, "", 2.0) is None
    assert store.class_by_code("ABCDEF")["title"] == "a"


def test_members_joining_at_once_get_distinct_slots(path):
    store = ClassStore(path)
    class_id = store.create_class("ABCDEF", "", TEACHER, "", 1.0)["id"]
    errors = []

    def join(i):
        try:
            store.join(class_id, f"student-{i}", lambda slot: f"Student {slot}", 2.0)
        except Exception as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=join, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(m["slot"] for m in store.members(class_id)) == list(range(1, 9))
    again = store.join(class_id, "student-3", lambda slot: "other", 3.0)  # the same key: the same row
    assert again["pseudonym"] == next(m["pseudonym"] for m in store.members(class_id) if m["id"] == again["id"])
    assert len(store.members(class_id)) == 8


def test_a_rollback_drops_the_abandoned_curve_points(path):
    store = ClassStore(path)
    class_id = store.create_class("ABCDEF", "", TEACHER, "", 1.0)["id"]
    member = store.join(class_id, STUDENT, lambda slot: "Ada", 2.0)
    run_id = store.save_run(class_id, member["id"], "2D lab", {"seed": 0}, fresh=True)
    store.record([(run_id, {"seed": 0}, {"iteration": it}, None, (it, 1, 10.0, float(it))) for it in (10, 20, 30)])
    store.record([(run_id, {"seed": 0}, {"iteration": 15}, None, (15, 2, 20.0, 40.0))])  # rolled back to 15
    assert [p["iteration"] for p in store.curve_points(class_id)] == [10, 15]
    assert store.save_run(class_id, member["id"], "2D lab", {"seed": 1}, fresh=True) == run_id  # a new run: same row
    assert store.curve_points(class_id) == []
    assert store.runs(class_id)[0]["settings"] == {"seed": 1}


# ---- faults ---------------------------------------------------------------------------------------

def test_a_file_deleted_while_the_server_runs_is_made_again_and_the_loss_is_said(path):
    store = ClassStore(path)
    store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        if (path.parent / name).exists():
            os.remove(path.parent / name)
    with pytest.raises(ClassStoreError, match="deleted while the server was running.*lost"):
        store.class_by_code("ABCDEF")
    assert path.exists()
    assert store.class_by_code("ABCDEF") is None  # the next call works, on the new empty file
    assert store.version() == len(MIGRATIONS)
    assert store.create_class("GHJKLM", "Tuesday", TEACHER, "", 2.0)["code"] == "GHJKLM"


def test_a_file_emptied_or_a_folder_removed_while_the_server_runs_is_made_again(path):
    store = ClassStore(path)
    store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    for name in (path.name + "-wal", path.name + "-shm"):
        if (path.parent / name).exists():
            os.remove(path.parent / name)
    path.write_bytes(b"")  # SQLite reads an empty file as a new database without tables
    with pytest.raises(ClassStoreError, match="was emptied or replaced while the server was running.*lost"):
        store.classes_taught(TEACHER)
    assert store.classes_taught(TEACHER) == [] and store.version() == len(MIGRATIONS)
    for f in path.parent.iterdir():
        f.unlink()
    path.parent.rmdir()
    with pytest.raises(ClassStoreError, match="deleted while the server was running"):
        store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    assert store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)["code"] == "ABCDEF"


def random_bytes(n: int) -> bytes:
    return random.Random(19).randbytes(n)


def test_a_damaged_file_is_refused_in_words(path):
    path.write_bytes(random_bytes(8192))
    with pytest.raises(ClassStoreError, match="is damaged and cannot be read") as caught:
        ClassStore(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == random_bytes(8192)  # never overwritten: it may be restored by hand


def test_a_file_damaged_while_the_server_runs_is_refused_in_words(path):
    store = ClassStore(path)
    store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    for name in (path.name + "-wal", path.name + "-shm"):
        if (path.parent / name).exists():
            os.remove(path.parent / name)
    path.write_bytes(random_bytes(8192))
    with pytest.raises(ClassStoreError, match="damaged"):
        store.class_by_code("ABCDEF")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_a_read_only_folder_is_refused_in_words(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ClassStoreError, match="cannot write the class database"):
            ClassStore(folder / "classroom.sqlite3")
    finally:
        folder.chmod(0o755)


def test_a_folder_that_cannot_be_made_is_refused_in_words(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")  # even root cannot make a folder inside a file
    with pytest.raises(ClassStoreError, match="cannot make the folder"):
        ClassStore(tmp_path / "a_file" / "classroom.sqlite3")


def test_a_full_disk_is_refused_in_words_and_reads_go_on(path):
    ClassStore(path)
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    page_size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    full = ClassStore(path, max_bytes=(pages + 1) * page_size)  # one page left
    row = full.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
    with pytest.raises(ClassStoreError, match="is full, so the class could not be saved") as caught:
        for i in range(1000):  # ~40 bytes a member: one 4 kB page holds about a hundred
            full.join(row["id"], f"student-{i}", lambda slot: "x" * 24, 2.0)
    assert "database or disk is full" in str(caught.value.__cause__)
    assert 20 < len(full.members(row["id"])) < 1000  # the page filled up, the members in it are kept


def test_a_busy_file_is_refused_in_words(path, monkeypatch):
    store = ClassStore(path)
    monkeypatch.setattr(class_store, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(ClassStoreError, match="is busy"):
            store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0)
        assert store.class_by_code("ABCDEF") is None  # reads go on beside a writer (WAL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.create_class("ABCDEF", "Monday", TEACHER, "", 1.0) is not None
