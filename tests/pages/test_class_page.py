"""The Class page in AppTest (issue 19): a teacher's browser starts a class and gets the console;
a student's browser joins by code, their 2D lab says so and belongs to the class; a pushed preset
reaches the student's lab; the console refuses a student in words; class problems are sentences.

Browsers are owner keys (page_support.open_app(browser=KEY) stands in for the owner cookie); the
class lives in a fresh SQLite file per test (classroom.classes.shared_classes is swapped)."""

import pytest

from classroom import classes as class_runtime
from classroom.class_store import ClassStore, ClassStoreError
from classroom.class_push import class_presets
from classroom.classes import Classes
from classroom.sharing import preset_to_json
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from page_support import canvas_scenes, open_app, plain, readout_values, toy_lab_run

PAGE = "views/class_mode.py"
TOY_LAB = "views/toy_2d.py"
TEACHER = "teacher-browser-key-0123456789"
ANA = "student-browser-key-ana-0123456789"
BEN = "student-browser-key-ben-0123456789"


@pytest.fixture
def classes(tmp_path, monkeypatch):
    """This test's classes, on its own database file, recorded by hand (no recorder thread)."""
    made = Classes(ClassStore(tmp_path / "classroom.sqlite3"), record_every=None)
    monkeypatch.setattr(class_runtime, "shared_classes", lambda: made)
    return made


def start_class(at, title: str = "Monday", preset: str = "") -> None:
    at.text_input(key="class_start_title").input(title)
    if preset:
        at.selectbox(key="class_start_preset").select(preset)
    at.button(key="class_start_submit").click().run()
    assert not at.exception, at.exception


def join(at, code: str, name: str = "") -> None:
    at.text_input(key="class_join_code").input(code)
    at.text_input(key="class_join_name").input(name)
    at.button(key="class_join_submit").click().run()
    assert not at.exception, at.exception


def pushed_preset() -> str:
    """A 2D preset whose settings are not the 2D lab's default run (so applying it shows)."""
    return next(name for name, p in class_presets().items()
                if p.config.target != "ring8" or p.config.batch_size != TrainConfig().batch_size)


def test_a_browser_starts_a_class_and_gets_the_console(classes):
    at = open_app(PAGE, browser=TEACHER)
    assert at.text_input(key="class_join_code") is not None and at.button(key="class_start_submit") is not None
    start_class(at, "Monday")
    info = classes.teaching(TEACHER)
    assert info is not None and info.title == "Monday"
    numbers = readout_values(at)
    assert numbers["Class code"] == info.code and numbers["Students"] == "0"
    assert at.query_params["class"] == info.code  # a reload of the console comes back to it
    assert "class_gallery_canvas" in canvas_scenes(at)
    # the join link's words say the link carries the code only
    assert any("never your key" in c.value for c in at.caption)


def test_a_student_joins_and_their_lab_belongs_to_the_class(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    code = classes.teaching(TEACHER).code

    ana = open_app(PAGE, query={"join": code.lower()}, browser=ANA)  # a join link fills the code in
    assert at_value(ana, "class_join_code") == code
    join(ana, code.lower(), "Ana")
    assert f"You are in class {code} as Ana" in plain(ana.success).replace("*", "")

    ana.switch_page(TOY_LAB).run()
    assert not ana.exception, ana.exception
    assert f"You are in class {code} as Ana" in " ".join(m.value for m in ana.markdown).replace("*", "")
    rows = classes.gallery(TEACHER)
    assert [(r.slot, r.pseudonym, r.page, r.live) for r in rows] == [(1, "Ana", "2D lab", True)]
    assert rows[0].iteration == toy_lab_run(ana).trainer.iteration

    teacher.run()  # the gallery canvas draws Ana's run: her slot and pseudonym in the cell's title
    gallery = canvas_scenes(teacher)["class_gallery_canvas"]
    assert [p["title"] for p in gallery["panels"] if p["title"]] == ["1 Ana (paused)"]
    assert readout_values(teacher)["Students"] == "1"


def test_a_pushed_preset_reaches_the_students_lab_and_is_said(classes):
    teacher, ana = class_with_ana(classes)
    before = toy_lab_run(ana)

    name = pushed_preset()
    teacher.selectbox(key="class_push_preset").select(name)
    teacher.button(key="class_push").click().run()
    assert not teacher.exception, teacher.exception
    assert f"Pushed {name}" in plain(teacher.success).replace("*", "").replace("\\", "")

    ana.run()  # the student's next rerun takes the push
    assert not ana.exception, ana.exception
    run = toy_lab_run(ana)
    assert run is before  # the same run (its id in the address bar stays valid), a new trainer
    wanted = class_presets()[name].config
    assert (run.trainer.config.target, run.trainer.config.batch_size, run.trainer.config.real_label) == \
        (wanted.target, wanted.batch_size, wanted.real_label)
    assert run.trainer.iteration == 0
    words = " ".join(m.value for m in ana.markdown).replace("*", "").replace("\\", "")
    assert f"Your teacher set the class preset: {name}" in words
    # taken once: a later rerun does not restart the student's run again
    run.replace_trainer(Trainer(TrainConfig(target="moons", batch_size=32)))  # the student moves on
    ana.run()
    assert toy_lab_run(ana).trainer.config.target == "moons"
    assert classes.pending_preset(ANA, 0) is not None  # the class still has the preset for late joiners


def test_a_preset_file_the_teacher_uploads_reaches_the_students_lab(classes):
    teacher, ana = class_with_ana(classes)

    setup = TrainConfig(target="moons", batch_size=64, real_label=0.8, seed=3)
    data = preset_to_json(setup, page="toy_2d", name="moons, smoothed")  # as the 2D lab's Share box saves it
    teacher.file_uploader(key="class_push_file").set_value(("moons.json", data.encode(), "application/json")).run()
    assert not teacher.exception, teacher.exception
    assert "Pushed moons, smoothed to the class" in plain(teacher.success).replace("*", "").replace("\\", "")
    ana.run()
    config = toy_lab_run(ana).trainer.config
    assert (config.target, config.batch_size, config.real_label, config.seed) == ("moons", 64, 0.8, 3)
    assert "Your teacher set the class preset: moons, smoothed" in \
        " ".join(m.value for m in ana.markdown).replace("*", "").replace("\\", "")

    bad = '{"format": "gan-classroom-preset/1", "page": "toy_2d", "config": {"loss": "nonsense"}}'
    teacher.file_uploader(key="class_push_file").set_value(("bad.json", bad.encode(), "application/json")).run()
    assert not teacher.exception, teacher.exception
    assert "The preset file was not pushed: loss must be one of" in plain(teacher.error).replace("\\", "")
    assert classes.teaching(TEACHER).preset == "moons, smoothed"  # the class keeps what it was given


def test_a_student_cannot_open_the_console_by_its_address(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    code = classes.teaching(TEACHER).code
    ben = open_app(PAGE, query={"class": code}, browser=BEN)
    assert f"The console of class {code} opens only in the browser that started it" in plain(ben.warning)
    assert "Class code" not in readout_values(ben)  # no console
    assert "class_gallery_canvas" not in canvas_scenes(ben)
    assert at_value(ben, "class_join_code") == code  # offered to join instead
    join(ben, code, "Ben")  # a student of the class is refused the same way
    ben.query_params["class"] = code
    ben.run()
    assert f"The console of class {code} opens only in the browser that started it" in plain(ben.warning)
    assert "Class code" not in readout_values(ben) and "class_gallery_canvas" not in canvas_scenes(ben)


def test_a_wrong_code_and_a_bad_pseudonym_are_said_in_words(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    ben = open_app(PAGE, browser=BEN)
    join(ben, "ZZZZZZ", "Ben")
    assert "There is no open class with the code 'ZZZZZZ'" in plain(ben.error)
    join(ben, classes.teaching(TEACHER).code, "Ben\u202eevil")
    assert "control characters" in plain(ben.error)
    assert classes.membership(BEN) is None


def test_a_pseudonym_is_shown_as_text_never_as_markup(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    code = classes.teaching(TEACHER).code
    ben = open_app(PAGE, browser=BEN)
    name = "[x](http://e.vil)<b>"
    join(ben, code, name)
    shown = [s.value for s in ben.success]
    assert any(r"\[x\]\(http://e\.vil\)\<b\>" in s for s in shown), shown  # markdown escaped: no link
    ben.switch_page(TOY_LAB).run()
    teacher.run()
    titles = [p["title"] for p in canvas_scenes(teacher)["class_gallery_canvas"]["panels"] if p["title"]]
    assert titles == [f"1 {name} (paused)"]  # canvas text (fillText) is never parsed as HTML


def test_leaving_the_class_from_the_lab(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    ana = open_app(PAGE, browser=ANA)
    join(ana, classes.teaching(TEACHER).code, "Ana")
    ana.switch_page(TOY_LAB).run()
    ana.button(key="class_leave_2D_lab").click().run()
    assert not ana.exception, ana.exception
    assert classes.membership(ANA) is None
    assert "You are in class" not in " ".join(m.value for m in ana.markdown)


def test_a_lost_database_leaves_the_page_usable(tmp_path, monkeypatch):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the database's folder should be")

    def broken():
        return Classes(ClassStore(blocker / "classroom.sqlite3"), record_every=None)

    monkeypatch.setattr(class_runtime, "shared_classes", broken)
    at = open_app(PAGE, browser=TEACHER)
    assert "class database" in plain(at.error)
    at.switch_page(TOY_LAB).run()  # a lab page of a browser in no class says nothing and works
    assert not at.exception, at.exception
    assert not at.error


def at_value(at, key: str):
    return at.text_input(key=key).value


def class_with_ana(classes):
    """A teacher's console and Ana's 2D lab in one class: (teacher, ana)."""
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    ana = open_app(PAGE, browser=ANA)
    join(ana, classes.teaching(TEACHER).code, "Ana")
    ana.switch_page(TOY_LAB).run()
    assert not ana.exception, ana.exception
    return teacher, ana


def test_pause_all_and_play_all_reach_a_students_run(classes):
    teacher, ana = class_with_ana(classes)
    run = toy_lab_run(ana)
    run.play()
    try:
        teacher.button(key="class_pause_all").click().run()
        assert "Paused 1 run." in plain(teacher.info)
        assert not run.playing
        teacher.button(key="class_play_all").click().run()
        assert "Started 1 run." in plain(teacher.info)
        assert run.playing
    finally:
        run.pause()


def test_the_spotlight_shows_the_picked_students_run(classes):
    teacher, ana = class_with_ana(classes)
    run = toy_lab_run(ana)
    run.run_steps("both", 7)
    teacher.session_state["class_tab"] = "Spotlight"
    teacher.run()
    assert not teacher.exception, teacher.exception
    assert teacher.selectbox(key="class_spotlight").value == (1, "2D lab")
    assert "class_spotlight_canvas" in canvas_scenes(teacher)
    assert readout_values(teacher)["Iteration"] == f"{run.trainer.iteration:,}"
    assert run.trainer.iteration > 0


def test_the_sweep_and_the_downloads(classes):
    teacher, ana = class_with_ana(classes)
    run = toy_lab_run(ana)
    run.run_steps("both", 3)
    classes.record()  # one curve point (the recorder thread does this every 2 s on a server)
    teacher.session_state["class_tab"] = "Sweep"
    teacher.run()
    assert not teacher.exception, teacher.exception
    teacher.selectbox(key="class_sweep_field").select("batch_size").run()
    sweep = canvas_scenes(teacher)["class_sweep_canvas"]["panels"][0]
    (point,) = classes.sweep(TEACHER, "batch_size")
    assert sweep["title"] == f"modes captured against batch_size · 1 runs at iteration {point['iteration']}"
    assert point["x"] == run.trainer.config.batch_size

    teacher.button(key="class_prepare_exports").click().run()
    assert not teacher.exception, teacher.exception
    code, field, measure, files = teacher.session_state["class_exports"]
    assert (code, field, measure) == (classes.teaching(TEACHER).code, "batch_size", "modes captured")
    assert files["gallery"].decode().splitlines()[0].startswith("slot,pseudonym,page,live,playing,iteration")
    assert files["gallery"].decode().splitlines()[1].startswith("1,Ana,2D lab,True")
    assert files["curves"].decode().splitlines()[1].startswith(f"1,Ana,2D lab,{point['iteration']},")
    assert files["sweep"][:8] == b"\x89PNG\r\n\x1a\n"


def test_a_pushed_preset_restarts_the_side_by_side_pair_on_it(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    ana = open_app(PAGE, browser=ANA)
    join(ana, classes.teaching(TEACHER).code, "Ana")
    ana.switch_page("views/side_by_side.py").run()
    assert not ana.exception, ana.exception
    pair_run = ana.session_state["_live_runs"]["Side by side"]
    compared = (pair_run.trainer.setting, pair_run.trainer.values)
    assert [(r.slot, r.page) for r in classes.gallery(TEACHER)] == [(1, "side by side")]

    name = pushed_preset()
    teacher.selectbox(key="class_push_preset").select(name)
    teacher.button(key="class_push").click().run()
    ana.run()
    assert not ana.exception, ana.exception
    wanted = class_presets()[name].config
    pair = pair_run.trainer
    assert pair.config.target == wanted.target and (pair.setting, pair.values) == compared
    words = " ".join(m.value for m in ana.markdown).replace("*", "").replace("\\", "")
    assert f"Your teacher set the class preset: {name}" in words

    teacher.session_state["class_tab"] = "Spotlight"  # the pair's run A, full size
    teacher.run()
    assert not teacher.exception, teacher.exception
    assert teacher.selectbox(key="class_spotlight").value == (1, "side by side")
    assert "class_spotlight_canvas" in canvas_scenes(teacher)
    assert f"target {wanted.target}" in " ".join(c.value for c in teacher.caption).replace("*", "")


def test_a_database_failure_mid_lesson_is_a_sentence_and_the_console_stays(classes, monkeypatch):
    teacher, ana = class_with_ana(classes)
    full = "The disk holding the class database is full; free some space."

    def disk_full(*args, **kwargs):
        raise ClassStoreError(full)

    monkeypatch.setattr(classes.store, "runs", disk_full)  # every gallery and sweep read now fails
    teacher.run()
    assert not teacher.exception, teacher.exception
    assert full in plain(teacher.error)
    assert teacher.button(key="class_pause_all") is not None  # the console's controls are still there
    teacher.button(key="class_prepare_exports").click().run()
    assert not teacher.exception, teacher.exception
    assert "class_exports" not in teacher.session_state
    ana.run()  # the student's lab goes on (its banner reads memberships, which still work)
    assert not ana.exception, ana.exception


def test_the_gallery_sorts_as_the_teacher_picks(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    code = classes.teaching(TEACHER).code
    students = []  # each student's tab kept open: a freed session would close its run ("not open")
    for key, name in ((ANA, "Cleo"), (BEN, "ben")):  # Cleo joins first: slot 1
        student = open_app(PAGE, browser=key)
        students.append(student)
        join(student, code, name)
        student.switch_page(TOY_LAB).run()
        if name == "Cleo":
            toy_lab_run(student).run_steps("both", 2)  # Cleo's run is further on
    teacher.run()

    def titles():
        return [p["title"] for p in canvas_scenes(teacher)["class_gallery_canvas"]["panels"]]

    assert titles() == ["1 Cleo (paused)", "2 ben (paused)"]
    teacher.selectbox(key="class_sort").select("pseudonym").run()
    assert titles() == ["2 ben (paused)", "1 Cleo (paused)"]  # by name, whatever its case
    teacher.selectbox(key="class_sort").select("iteration").run()
    assert titles() == ["1 Cleo (paused)", "2 ben (paused)"]  # the furthest run first


def test_last_lessons_gallery_after_a_server_restart(classes, monkeypatch):
    teacher, ana = class_with_ana(classes)
    toy_lab_run(ana).run_steps("both", 4)
    classes.record()
    restarted = Classes(ClassStore(classes.store.path), record_every=None)  # a new server process, same file
    monkeypatch.setattr(class_runtime, "shared_classes", lambda: restarted)
    teacher.run()
    assert not teacher.exception, teacher.exception
    assert readout_values(teacher)["Class code"] == classes.teaching(TEACHER).code
    (cell,) = canvas_scenes(teacher)["class_gallery_canvas"]["panels"]
    assert cell["title"] == "1 Ana (not open)"  # nothing of Ana's run is live in the new process
    assert cell["legend"][0]["label"].endswith(f"it {toy_lab_run(ana).trainer.iteration:,}")
    assert cell["layers"], "the stored thumbnail is drawn"


def test_ending_the_class_closes_the_console_and_the_code(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    code = classes.teaching(TEACHER).code
    teacher.button(key="class_end").click().run()
    assert not teacher.exception, teacher.exception
    assert classes.teaching(TEACHER) is None and classes.find(code) is None
    assert "class" not in teacher.query_params
    assert teacher.button(key="class_start_submit") is not None  # this browser may start another
    ben = open_app(PAGE, browser=BEN)
    join(ben, code, "Ben")
    assert f"The class {code} has ended" in plain(ben.error)


def test_a_recorder_failure_is_said_on_the_console(classes):
    teacher = open_app(PAGE, browser=TEACHER)
    start_class(teacher)
    classes.recorder_error = "The class database is locked by another program; the curves wait for it."
    teacher.run()
    assert classes.recorder_error in plain(teacher.warning)


def test_last_lessons_gallery_and_sweep_after_the_class_ended(classes):
    teacher, ana = class_with_ana(classes)
    toy_lab_run(ana).run_steps("both", 3)
    classes.record()
    code = classes.teaching(TEACHER).code
    teacher.button(key="class_end").click().run()
    assert classes.teaching(TEACHER) is None

    ben = open_app(PAGE, browser=BEN)  # another browser has no last lessons to open
    assert not [b for b in ben.button if b.key == "class_last_open"]

    assert teacher.selectbox(key="class_last_pick").value == code
    teacher.button(key="class_last_open").click().run()
    assert not teacher.exception, teacher.exception
    assert readout_values(teacher)["Class code"] == code
    (cell,) = canvas_scenes(teacher)["class_gallery_canvas"]["panels"]
    assert cell["title"] == "1 Ana (not open)"
    assert not [b for b in teacher.button if b.key in ("class_push", "class_pause_all", "class_end")]  # read only
    teacher.session_state["class_review_tab"] = "Sweep"
    teacher.run()
    (point,) = classes.sweep(TEACHER, "label_smoothing", code=code)
    sweep = canvas_scenes(teacher)["class_sweep_canvas"]["panels"][0]
    assert sweep["title"].endswith(f"1 runs at iteration {point['iteration']}")
    teacher.button(key="class_review_back").click().run()
    assert teacher.button(key="class_start_submit") is not None
