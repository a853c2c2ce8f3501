"""A run is never replaced by accident (issue 11): a rerun that carries an older address than the
one the app last wrote (the browser had not yet applied it when a slider moved) only retunes the
running trainer; a reload (a new tab session) with the run id in the address finds the same run, in
the browser that started it and in no other (issue 20, 3.1: the address bar is not a remote control)."""


import pytest
from page_support import open_app

TEACHER = "teacher-browser-owner-key-000001"  # the owner cookies of two browsers
STUDENT = "student-browser-owner-key-000002"
PAGES = {"views/toy_2d.py": ("2D lab", "toy"), "views/toy_1d.py": ("1D lab (Figure 1)", "toy1d")}


def run_of(at, name):
    return at.session_state["_live_runs"][name]


@pytest.mark.parametrize("page", PAGES)
def test_a_stale_address_during_slider_moves_never_replaces_the_run(page):
    name, prefix = PAGES[page]
    at = open_app(page)
    run = run_of(at, name)
    trainer = run.trainer
    run.run_steps("both", n=5)
    stale = {k: at.query_params[k] for k in at.query_params}  # what the browser shows now
    at.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.2).run()
    assert at.query_params["label_smoothing"] == "0.2"
    # the next move's rerun still carries the address from before the first move
    at.query_params.clear()
    at.query_params.update(stale)
    at.select_slider(key=f"{prefix}_knob_batch_size").set_value(32).run()
    assert not at.exception, at.exception
    assert run_of(at, name) is run and run.trainer is trainer, "the run was replaced"
    assert trainer.iteration == 5
    assert trainer.config.label_smoothing == pytest.approx(0.2, abs=1e-12) and trainer.config.batch_size == 32
    # widgets, address bar and trainer agree after the moves
    assert at.session_state[f"{prefix}_knob_label_smoothing"] == pytest.approx(0.2, abs=1e-12)
    assert at.session_state[f"{prefix}_knob_batch_size"] == 32
    assert at.query_params["label_smoothing"] == "0.2" and at.query_params["batch_size"] == "32"
    assert at.query_params["run"] == run.run_id


@pytest.mark.parametrize("page", PAGES)
def test_a_reloaded_tab_finds_its_run_by_the_id_in_the_address(page):
    name, prefix = PAGES[page]
    first = open_app(page, browser=TEACHER)
    run = run_of(first, name)
    first.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.1).run()
    run.run_steps("both", n=3)
    address = {k: first.query_params[k] for k in first.query_params}
    assert address["run"] == run.run_id

    reloaded = open_app(page, address, browser=TEACHER)  # F5: a new session opens the same address
    assert run_of(reloaded, name) is run and run.trainer.iteration == 3
    assert reloaded.session_state[f"{prefix}_knob_label_smoothing"] == pytest.approx(0.1, abs=1e-12)
    assert not reloaded.error and not reloaded.warning


def test_an_unknown_run_id_applies_the_rest_of_the_link_to_a_fresh_run():
    at = open_app("views/toy_2d.py", {"run": "gone-long-ago", "batch_size": "64"})
    run = run_of(at, "2D lab")
    assert run.trainer.config.batch_size == 64 and run.trainer.iteration == 0
    assert at.query_params["run"] == run.run_id != "gone-long-ago"
    assert not at.error


@pytest.mark.parametrize("page, name", [("views/side_by_side.py", "Side by side"),
                                        ("views/mnist.py", "MNIST step by step")])
def test_every_training_page_is_found_again_after_a_reload(page, name):
    first = open_app(page, browser=TEACHER)
    run = run_of(first, name)
    run.run_steps("both", n=2)
    address = {k: first.query_params[k] for k in first.query_params}
    assert address["run"] == run.run_id
    reloaded = open_app(page, address, browser=TEACHER)
    assert run_of(reloaded, name) is run and run.trainer.iteration == 2
    assert reloaded.query_params["run"] == run.run_id


TRAINING_PAGES = {"views/toy_2d.py": "2D lab", "views/toy_1d.py": "1D lab (Figure 1)",
                  "views/side_by_side.py": "Side by side", "views/mnist.py": "MNIST step by step"}


@pytest.mark.parametrize("page", TRAINING_PAGES)
def test_the_teachers_address_bar_gives_a_student_the_setup_on_a_run_of_their_own(page):
    """A student opens the teacher's address-bar URL (run id included): they get a fresh run with the
    teacher's settings; nothing they press reaches the teacher's run."""
    name = TRAINING_PAGES[page]
    teacher = open_app(page, browser=TEACHER)
    teachers_run = run_of(teacher, name)
    teachers_run.run_steps("both", n=4)
    teachers_run.update(batch_size=32)
    teacher.run()
    address = {k: teacher.query_params[k] for k in teacher.query_params}
    assert address["run"] == teachers_run.run_id and address["batch_size"] == "32"

    for student_cookie in (STUDENT, None):  # a browser with its own key, and one with none yet
        student = open_app(page, address, browser=student_cookie)
        students_run = run_of(student, name)
        assert students_run is not teachers_run and students_run.run_id != teachers_run.run_id
        assert students_run.trainer.iteration == 0
        assert students_run.trainer.config.batch_size == 32  # the link's setup, on the student's own run
        assert student.query_params["run"] == students_run.run_id
        assert any("not open in this browser" in t.value for t in student.toast)
        students_run.play()
        students_run.pause()
        students_run.run_steps("both", n=1)
    assert teachers_run.trainer.iteration == 4 and not teachers_run.playing
    # the teacher's reload still finds the teacher's run
    again = open_app(page, address, browser=TEACHER)
    assert run_of(again, name) is teachers_run


def test_a_students_pause_and_reset_buttons_act_on_their_own_run():
    """The 2D lab's transport, pressed by a student who opened the teacher's URL (the reported case:
    the teacher's iteration went 94 -> 0)."""
    teacher = open_app("views/toy_2d.py", browser=TEACHER)
    teachers_run = run_of(teacher, "2D lab")
    teachers_run.run_steps("both", n=6)
    teacher.run()
    address = {k: teacher.query_params[k] for k in teacher.query_params}
    student = open_app("views/toy_2d.py", address, browser=STUDENT)
    students_run = run_of(student, "2D lab")
    for key in ("toy_step_both", "toy_play", "toy_play", "toy_reset"):  # step, play, pause, reset
        student.button(key=key).click().run()
        assert not student.exception, student.exception
    assert students_run.trainer.iteration == 0 and not students_run.playing
    assert teachers_run.trainer.iteration == 6 and not teachers_run.playing
