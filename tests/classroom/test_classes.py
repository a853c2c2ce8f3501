"""classroom.classes: a class, its members and their runs; who may steer; the gallery and the sweep
against hand-computed values; what a restarted server finds again; the recorder."""

import csv
import dataclasses
import io
import json
import sqlite3

import numpy as np
import pytest

from classroom import class_store
from classroom import class_push
from classroom.class_store import ClassStore, ClassStoreError
from classroom.class_push import class_presets
from classroom.classes import CODE_ALPHABET, ClassError, Classes, Member
from classroom.presets import TOY_PRESETS

from class_support import ADA, BOB, CY, GRID, OTHER_TEACHER, RING, TEACHER, FakeRun, as_stored, ring


# ---- classes and members -------------------------------------------------------------------------

def test_a_class_code_is_six_unambiguous_letters_and_found_in_any_case(classes):
    info = classes.start_class(TEACHER, "Monday", RING)
    assert len(info.code) == 6 and set(info.code) <= set(CODE_ALPHABET)
    assert not set("0O1I") & set(CODE_ALPHABET)
    assert (info.title, info.preset, info.preset_version, info.members, info.created) == ("Monday", RING, 1, 0, 1000.0)
    spaced = " ".join(info.code[:3].lower()) + "  " + info.code[3:].lower()
    assert classes.find(spaced) == info
    assert classes.find("ZZZZZZ" if info.code != "ZZZZZZ" else "YYYYYY") is None
    assert classes.teaching(TEACHER) == info
    assert classes.teaching(ADA) is None


def test_a_class_starts_only_with_a_2d_lab_preset():
    assert RING in class_presets() and GRID in class_presets()
    assert all(p.config.target not in ("mnist", "gaussian_1d", "bimodal_1d") for p in class_presets().values())


def test_bad_class_requests_are_sentences(classes):
    with pytest.raises(ClassError, match="no 2D lab preset called 'MNIST: plain'"):
        classes.start_class(TEACHER, "", "MNIST: plain")
    with pytest.raises(ClassError, match="at most 60"):
        classes.start_class(TEACHER, "x" * 61)
    with pytest.raises(ClassError, match="no key yet"):
        classes.start_class("", "Monday")
    with pytest.raises(ClassError, match="no open class with the code 'ABCDEF'; check it"):
        classes.join("abc def", ADA)
    with pytest.raises(ClassError, match="no open class with the code; check it"):  # odd input is not echoed
        classes.join("<img src=x>", ADA)


def test_joining_gives_slots_in_order_and_joining_again_the_same_member(classes, clock):
    code = classes.start_class(TEACHER).code
    assert classes.join(code, ADA, "  Ada  ") == Member(code, "Ada", 1)
    clock.now += 1
    assert classes.join(code, BOB) == Member(code, "Student 2", 2)
    assert classes.join(code.lower(), ADA, "Another name") == Member(code, "Ada", 1)
    assert classes.membership(ADA) == Member(code, "Ada", 1)
    assert classes.teaching(TEACHER).members == 2
    classes.leave(ADA)
    assert classes.membership(ADA) is None and classes.teaching(TEACHER).members == 1
    assert classes.join(code, ADA) == Member(code, "Ada", 1)  # back in the same slot
    assert classes.join(code, CY, "") == Member(code, "Student 3", 3)


def test_pseudonyms_are_kept_as_typed_up_to_24_characters_without_control_characters(classes):
    code = classes.start_class(TEACHER).code
    typed = "<b>Ada</b> & \"Zoë\" 🚀"
    assert len(typed) <= 24
    assert classes.join(code, ADA, typed).pseudonym == typed  # the UI escapes it, the store keeps it
    assert classes.join(code, BOB, "x" * 24).pseudonym == "x" * 24
    for bad, words in [("x" * 25, "25 characters long; use at most 24"), ("Ada\nBob", "control characters"),
                       ("Ada\x00", "control characters"), ("\u202eadA", "control characters"),
                       ("Ada\x1b[31m", "control characters")]:
        with pytest.raises(ClassError, match=words):
            classes.join(code, CY, bad)
    assert classes.membership(CY) is None


def test_an_ended_class_cannot_be_joined_and_a_new_class_ends_the_old_one(classes):
    first = classes.start_class(TEACHER, "first")
    classes.join(first.code, ADA)
    second = classes.start_class(TEACHER, "second")
    assert classes.teaching(TEACHER) == second
    assert classes.find(first.code) is None and classes.membership(ADA) is None
    with pytest.raises(ClassError, match=f"class {first.code} has ended"):
        classes.join(first.code, BOB)
    classes.end_class(TEACHER)
    assert classes.teaching(TEACHER) is None and classes.find(second.code) is None


def test_joining_another_class_leaves_the_first(classes):
    a = classes.start_class(TEACHER).code
    b = classes.start_class(OTHER_TEACHER).code
    classes.join(a, ADA, "Ada")
    classes.join(b, ADA, "Ada")
    assert classes.membership(ADA).code == b
    assert classes.teaching(TEACHER).members == 0 and classes.teaching(OTHER_TEACHER).members == 1


# ---- who may do what ------------------------------------------------------------------------------

STEERING = {
    "push_preset": lambda c, key: c.push_preset(key, GRID),
    "pause_all": lambda c, key: c.pause_all(key),
    "play_all": lambda c, key: c.play_all(key),
    "gallery": lambda c, key: c.gallery(key),
    "spotlight": lambda c, key: c.spotlight(key, 1),
    "sweep": lambda c, key: c.sweep(key, "batch_size"),
    "curves_csv": lambda c, key: c.curves_csv(key),
    "gallery_csv": lambda c, key: c.gallery_csv(key),
    "end_class": lambda c, key: c.end_class(key),
}


@pytest.mark.parametrize("action", STEERING)
def test_a_member_key_cannot_steer_the_class(classes, action):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA)
    run = FakeRun(ring(), playing=True)
    classes.attach_run(ADA, "2D lab", run)
    for key in (ADA, "", code, "not-a-key"):
        with pytest.raises(ClassError, match="only the teacher of this class can"):
            STEERING[action](classes, key)
    assert run.playing and classes.teaching(TEACHER).preset_version == 0


def test_a_key_of_class_a_reads_nothing_of_class_b(classes):
    a = classes.start_class(TEACHER).code
    b = classes.start_class(OTHER_TEACHER).code
    classes.join(a, ADA, "Ada")
    classes.join(b, BOB, "Bob")
    run_a, run_b = FakeRun(ring(seed=1)), FakeRun(ring(seed=2))
    classes.attach_run(ADA, "2D lab", run_a)
    classes.attach_run(BOB, "2D lab", run_b)
    assert [r.pseudonym for r in classes.gallery(TEACHER)] == ["Ada"]
    assert [r.pseudonym for r in classes.gallery(OTHER_TEACHER)] == ["Bob"]
    assert classes.spotlight(TEACHER, 1) is run_a and classes.spotlight(OTHER_TEACHER, 1) is run_b
    assert classes.spotlight(TEACHER, 2) is None
    with pytest.raises(ClassError, match="only the teacher"):
        classes.gallery(ADA)
    assert classes.pending_preset(BOB, 0) is None
    classes.push_preset(TEACHER, GRID)  # class A's push reaches A's members only
    assert classes.pending_preset(BOB, 0) is None and classes.pending_preset(ADA, 0)[1] == GRID


def test_pushing_a_preset_reaches_each_member_once_per_push(classes):
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA)
    version, name, config = classes.pending_preset(ADA, 0)  # the class's own preset counts as the first push
    assert (version, name, config) == (1, RING, TOY_PRESETS[RING].config)
    assert classes.pending_preset(ADA, 1) is None
    assert classes.push_preset(TEACHER, GRID).preset_version == 2
    assert classes.pending_preset(ADA, 1) == (2, GRID, TOY_PRESETS[GRID].config)
    assert classes.pending_preset(ADA, 2) is None
    assert classes.pending_preset(BOB, 0) is None  # not in the class
    with pytest.raises(ClassError, match="no 2D lab preset"):
        classes.push_preset(TEACHER, "nonsense")
    assert classes.teaching(TEACHER).preset_version == 2


def test_a_push_keeps_the_presets_settings_as_a_preset_file_of_the_one_codec(classes, monkeypatch):
    code = classes.start_class(TEACHER, preset=GRID).code
    classes.join(code, ADA)
    row = classes.store.class_by_code(code)
    doc = json.loads(row["preset_settings"])
    grid = TOY_PRESETS[GRID].config
    # the file a Share box would write: format, page, name, and the settings under the pages' names
    assert (doc["format"], doc["page"], doc["name"]) == ("gan-classroom-preset/1", "toy_2d", GRID)
    assert doc["config"] == as_stored(grid)
    # the push means the same setup after the preset table changes (a renamed or retuned preset)
    monkeypatch.setattr(class_push, "class_presets", lambda: {})
    assert classes.pending_preset(ADA, 0) == (1, GRID, grid)


def test_a_class_pushed_to_before_settings_were_kept_reads_the_preset_by_name(classes):
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA)
    with sqlite3.connect(classes.store.path) as db:  # as schema 2 left it: the name only
        db.execute("UPDATE classes SET preset_settings = '' WHERE code = ?", (code,))
    assert classes.pending_preset(ADA, 0) == (1, RING, TOY_PRESETS[RING].config)


def test_pause_all_and_play_all_count_the_runs_they_change(classes):
    code = classes.start_class(TEACHER).code
    runs = {}
    for key, playing in [(ADA, True), (BOB, True), (CY, False)]:
        classes.join(code, key)
        runs[key] = FakeRun(ring(), playing=playing)
        classes.attach_run(key, "2D lab", runs[key])
    assert classes.pause_all(TEACHER) == 2
    assert not any(r.playing for r in runs.values())
    assert classes.pause_all(TEACHER) == 0
    runs[BOB].closed = True  # a closed tab's run is no longer steered
    assert classes.play_all(TEACHER) == 2
    assert runs[ADA].playing and runs[CY].playing and not runs[BOB].playing


def test_runs_of_other_pages_and_keys_in_no_class(classes):
    code = classes.start_class(TEACHER).code
    classes.attach_run(ADA, "2D lab", FakeRun(ring()))  # not a member: nothing is attached
    classes.join(code, ADA)
    closed = FakeRun(ring())
    closed.closed = True
    classes.attach_run(ADA, "2D lab", closed)  # a closed run: nothing to gather
    with pytest.raises(ClassError, match="not 'MNIST'"):
        classes.attach_run(ADA, "MNIST", FakeRun(ring()))
    assert classes.gallery(TEACHER) == []


# ---- gallery, record, sweep: hand-computed ----------------------------------------------------------

def test_the_gallery_shows_each_run_and_how_it_differs_from_the_class_preset(classes):
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA, "Ada")
    classes.join(code, BOB, "Bob")
    ada = FakeRun(ring(label_smoothing=0.1, batch_size=64), iteration=300, modes=5, hq=62.5, playing=True)
    bob = FakeRun(ring(), iteration=120, modes=None, hq=None)
    bob_pair = FakeRun(ring(lr_d=2e-4), iteration=80, modes=2, hq=10.0)
    classes.attach_run(ADA, "2D lab", ada)
    classes.attach_run(BOB, "2D lab", bob)
    classes.attach_run(BOB, "side by side", bob_pair)
    rows = classes.gallery(TEACHER)
    assert [(r.slot, r.pseudonym, r.page, r.live, r.playing) for r in rows] == [
        (1, "Ada", "2D lab", True, True), (2, "Bob", "2D lab", True, False), (2, "Bob", "side by side", True, False)]
    assert [(r.iteration, r.modes_captured, r.n_modes, r.hq_percent, r.target) for r in rows] == [
        (300, 5, 8, 62.5, "ring8"), (120, None, 8, None, "ring8"), (80, 2, 8, 10.0, "ring8")]
    assert rows[0].differs == {"batch_size": 64, "label_smoothing": 0.1}
    assert rows[1].differs == {} and rows[2].differs == {"lr_d": 2e-4}
    assert rows[0].settings == {**as_stored(TOY_PRESETS[RING].config), "batch_size": 64, "label_smoothing": 0.1}
    np.testing.assert_array_equal(rows[0].fakes, ada.fakes)
    assert rows[0].fakes.dtype == np.float32 and rows[0].fakes.shape == (256, 2)
    classes.push_preset(TEACHER, GRID)  # differs is measured against the preset pushed last
    assert classes.gallery(TEACHER)[1].differs == {"target": "ring8"}


def test_record_samples_each_run_at_most_every_2_s_and_appends_only_when_it_moved(classes, clock):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    run = FakeRun(ring(), iteration=100, modes=3, hq=30.0)
    classes.attach_run(ADA, "2D lab", run)
    reads = run.reads
    assert classes.record() == 1
    assert run.reads == reads + 1
    run.iteration = 150
    clock.now += 1.9
    assert classes.record() == 0 and run.reads == reads + 1  # read 1.9 s ago: not read again
    clock.now += 0.1
    assert classes.record() == 1 and run.reads == reads + 2
    clock.now += 2.0
    assert classes.record() == 0 and run.reads == reads + 3  # read, but the iteration did not move
    run.iteration, run.modes, run.hq = 120, 4, 45.0  # rolled back
    clock.now += 2.0
    assert classes.record() == 1
    curve = classes.curves_csv(TEACHER).decode().splitlines()
    assert curve == ["slot,pseudonym,page,iteration,modes_captured,hq_percent,time",
                     "1,Ada,2D lab,100,3,30.0,1000.0", "1,Ada,2D lab,120,4,45.0,1006.0"]


def test_a_curve_point_carries_the_iteration_its_modes_were_measured_at(classes, clock):
    """The host measures modes every 100 iterations; a reading at iteration 437 holds the numbers of
    iteration 400. The point says 400 (the sweep compares runs by it); the gallery says 437."""
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    run = FakeRun(ring(), iteration=437, modes=5, hq=61.5, modes_at=400)
    classes.attach_run(ADA, "2D lab", run)
    assert classes.record() == 1
    run.iteration = 480  # moved, but no new measurement: no new point, the gallery follows
    clock.now += 2.0
    assert classes.record() == 0 and classes.gallery(TEACHER)[0].iteration == 480
    run.iteration, run.modes, run.hq, run.modes_at = 530, 6, 70.0, 500
    clock.now += 2.0
    assert classes.record() == 1
    assert classes.curves_csv(TEACHER).decode().splitlines()[1:] == ["1,Ada,2D lab,400,5,61.5,1000.0",
                                                                     "1,Ada,2D lab,500,6,70.0,1004.0"]
    assert [(p["iteration"], p["modes_captured"]) for p in classes.sweep(TEACHER, "seed")] == [(500, 6)]


def test_a_reading_that_could_not_be_stored_is_stored_at_the_next_round(classes, clock, path, monkeypatch):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    run = FakeRun(ring(), iteration=100, modes=3, hq=30.0)
    classes.attach_run(ADA, "2D lab", run)
    monkeypatch.setattr(class_store, "BUSY_TIMEOUT_S", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(ClassStoreError, match="is busy"):
            classes.record()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert classes.curves_csv(TEACHER).count(b"\n") == 1  # the header only
    clock.now += 2.0
    assert classes.record() == 1
    assert classes.curves_csv(TEACHER).decode().splitlines()[1:] == ["1,Ada,2D lab,100,3,30.0,1002.0"]


def test_the_sweep_compares_every_run_at_the_same_iteration(classes, clock):
    code = classes.start_class(TEACHER, preset=RING).code
    runs = []
    for key, smoothing in [(ADA, 0.0), (BOB, 0.1), (CY, 0.2)]:
        classes.join(code, key, key[8:11])
        runs.append(FakeRun(ring(label_smoothing=smoothing)))
        classes.attach_run(key, "2D lab", runs[-1])
    # (iteration, modes, hq) per recorder round; None: that run did not move
    rounds = [[(100, 1, 10.0), (100, 2, 20.0), (100, 3, 30.0)],
              [(200, 4, 40.0), (200, 5, 50.0), (250, 6, 60.0)],
              [(300, 7, 70.0), None, None]]
    for points in rounds:
        for run, point in zip(runs, points):
            if point is not None:
                run.iteration, run.modes, run.hq = point
        classes.record()
        clock.now += 2.0
    # latest iterations 300, 200, 250: compared at 200, Cy's point just before it is at 100
    assert classes.sweep(TEACHER, "label_smoothing") == [
        {"slot": 1, "pseudonym": "ada", "page": "2D lab", "x": 0.0, "modes_captured": 4, "hq_percent": 40.0,
         "iteration": 200},
        {"slot": 2, "pseudonym": "bob", "page": "2D lab", "x": 0.1, "modes_captured": 5, "hq_percent": 50.0,
         "iteration": 200},
        {"slot": 3, "pseudonym": "cy-", "page": "2D lab", "x": 0.2, "modes_captured": 3, "hq_percent": 30.0,
         "iteration": 100}]
    at_260 = classes.sweep(TEACHER, "label_smoothing", at_iteration=260)
    assert [(p["x"], p["iteration"], p["modes_captured"]) for p in at_260] == [(0.0, 200, 4), (0.1, 200, 5),
                                                                             (0.2, 250, 6)]
    with pytest.raises(ClassError, match="'real_label' is not a setting"):  # the sweep names it label_smoothing
        classes.sweep(TEACHER, "real_label")
    assert classes.sweep(TEACHER, "batch_size", at_iteration=99) == []
    with pytest.raises(ClassError, match="'colour' is not a setting"):
        classes.sweep(TEACHER, "colour")


def test_exports_keep_a_formula_pseudonym_as_text(classes):
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA, "=HYPERLINK(\"x\")")
    run = FakeRun(ring(batch_size=64), iteration=10, modes=1, hq=5.0)  # held: the class holds it weakly
    classes.attach_run(ADA, "2D lab", run)
    classes.record()
    (row,) = list(csv.DictReader(io.StringIO(classes.gallery_csv(TEACHER).decode())))
    assert row["pseudonym"] == "'=HYPERLINK(\"x\")"
    assert (row["slot"], row["page"], row["live"], row["iteration"], row["modes_captured"], row["hq_percent"],
            row["differs"], row["batch_size"], row["target"]) == \
        ("1", "2D lab", "True", "10", "1", "5.0", "batch_size=64", "64", "ring8")
    (point,) = list(csv.DictReader(io.StringIO(classes.curves_csv(TEACHER).decode())))
    assert point["pseudonym"] == "'=HYPERLINK(\"x\")"


# ---- kept across a restart ----------------------------------------------------------------------------

def test_a_restarted_server_finds_the_class_its_members_gallery_sweep_and_curves(path, clock):
    before = Classes(ClassStore(path), record_every=None, clock=clock)
    info = before.start_class(TEACHER, "Monday", RING)
    before.join(info.code, ADA, "Ada")
    before.join(info.code, BOB, "Bob")
    ada = FakeRun(ring(batch_size=64), iteration=100, modes=3, hq=30.0, playing=True)
    bob = FakeRun(ring(seed=4), iteration=100, modes=6, hq=70.0)
    before.attach_run(ADA, "2D lab", ada)
    before.attach_run(BOB, "2D lab", bob)
    before.record()
    clock.now += 2.0
    ada.iteration, ada.modes, ada.hq = 200, 5, 55.0
    before.record()
    sweep, curves = before.sweep(TEACHER, "batch_size"), before.curves_csv(TEACHER)
    del before  # the server stops; its runs go with it

    after = Classes(ClassStore(path), record_every=None, clock=clock)
    assert after.teaching(TEACHER) == info.__class__(**{**dataclasses.asdict(info), "members": 2})
    assert after.membership(ADA) == Member(info.code, "Ada", 1)
    rows = after.gallery(TEACHER)
    assert [(r.slot, r.pseudonym, r.live, r.playing, r.iteration, r.modes_captured, r.hq_percent, r.differs)
            for r in rows] == [(1, "Ada", False, False, 200, 5, 55.0, {"batch_size": 64}),
                               (2, "Bob", False, False, 100, 6, 70.0, {"seed": 4})]
    assert rows[0].n_modes == 8 and rows[0].target == "ring8"
    np.testing.assert_array_equal(rows[0].fakes, ada.fakes)  # last lesson's thumbnail
    assert rows[0].settings["batch_size"] == 64
    assert after.sweep(TEACHER, "batch_size") == sweep == [
        {"slot": 1, "pseudonym": "Ada", "page": "2D lab", "x": 64, "modes_captured": 3, "hq_percent": 30.0,
         "iteration": 100},
        {"slot": 2, "pseudonym": "Bob", "page": "2D lab", "x": 256, "modes_captured": 6, "hq_percent": 70.0,
         "iteration": 100}]
    assert after.curves_csv(TEACHER) == curves and curves.count(b"\n") == 4
    assert after.spotlight(TEACHER, 1) is None  # no live run before the student reattaches
    assert after.pending_preset(ADA, 0)[1] == RING


def test_an_ended_class_is_reopened_by_its_code_by_its_teacher_only(path, clock):
    before = Classes(ClassStore(path), record_every=None, clock=clock)
    last = before.start_class(TEACHER, "last week")
    before.join(last.code, ADA, "Ada")
    run = FakeRun(ring(batch_size=64), iteration=90, modes=4, hq=44.0)
    before.attach_run(ADA, "2D lab", run)
    before.record()
    clock.now += 60.0
    before.end_class(TEACHER)
    now = before.start_class(TEACHER, "today")
    after = Classes(ClassStore(path), record_every=None, clock=clock)  # a restarted server
    assert [(c.code, c.title, c.ended) for c in after.classes_taught(TEACHER)] == [
        (now.code, "today", None), (last.code, "last week", 1060.0)]
    assert after.gallery(TEACHER) == []  # the open class: nobody yet
    (row,) = after.gallery(TEACHER, code=last.code.lower())
    assert (row.pseudonym, row.live, row.iteration, row.modes_captured, row.differs) == \
        ("Ada", False, 90, 4, {"batch_size": 64})
    assert [p["x"] for p in after.sweep(TEACHER, "batch_size", code=last.code)] == [64]
    assert after.curves_csv(TEACHER, code=last.code).decode().splitlines()[1] == "1,Ada,2D lab,90,4,44.0,1000.0"
    (csv_row,) = csv.DictReader(io.StringIO(after.gallery_csv(TEACHER, code=last.code).decode()))
    assert (csv_row["pseudonym"], csv_row["live"], csv_row["iteration"]) == ("Ada", "False", "90")
    for key in (ADA, OTHER_TEACHER, ""):
        assert after.classes_taught(key) == []
        for read in (lambda k: after.gallery(k, code=last.code), lambda k: after.sweep(k, "seed", code=last.code),
                     lambda k: after.curves_csv(k, code=last.code), lambda k: after.gallery_csv(k, code=last.code)):
            with pytest.raises(ClassError, match="does not teach that class: only the teacher of this class can"):
                read(key)
    with pytest.raises(ClassError, match="only the teacher"):
        after.gallery(TEACHER, code="ZZZZZZ" if last.code != "ZZZZZZ" else "YYYYYY")


def test_a_freed_or_closed_run_shows_its_last_stored_numbers(classes):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    classes.join(code, BOB, "Bob")
    ada, bob = FakeRun(ring(), iteration=40, modes=2, hq=20.0), FakeRun(ring(), iteration=50, modes=1, hq=5.0)
    classes.attach_run(ADA, "2D lab", ada)
    classes.attach_run(BOB, "2D lab", bob)
    classes.record()
    ada.closed = True
    del bob  # the tab's session went: only a weak reference was held
    rows = classes.gallery(TEACHER)
    assert [(r.live, r.iteration, r.modes_captured) for r in rows] == [(False, 40, 2), (False, 50, 1)]
    assert classes.spotlight(TEACHER, 1) is None
