"""ui.kit.run_install.install_run, the one way a page puts a new trainer in its LiveRun (issue 13):
the run holds the new trainer, the page's knob widgets and setup widgets show its settings
(label_smoothing through its real_label alias), errors of the old trainer are gone, the message
is said once, and the play state is kept (playing plays on with the new trainer; paused stays)."""

import os
import time

import pytest
from streamlit.testing.v1 import AppTest

from classroom.live import LiveRun
from classroom.lockstep import LockstepRun
from gan_core.config import TrainConfig
from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer
from page_support import TEST_PAGES

PAGE = os.path.join(TEST_PAGES, "install_page.py")
SMALL = dict(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1)
# every knob the page draws differs from the page's first run (batch 16, seed 2, defaults elsewhere)
NEW = TrainConfig(**SMALL, batch_size=64, seed=7, real_label=0.8, lr_d=1e-3, lr_g=5e-4, d_steps=2,
                  loss="least_squares", noise="uniform", ema_decay=0.99)
EXPECTED = {"label_smoothing": 0.2, "batch_size": 64, "lr_d": 1e-3, "lr_g": 5e-4, "d_steps": 2,
            "loss": "least_squares", "noise": "uniform", "ema_decay": 0.99}


def open_page(draw_knobs: bool = True) -> tuple[AppTest, LiveRun]:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["draw_knobs"] = draw_knobs
    at.run()
    assert not at.exception, at.exception
    return at, at.session_state["_live_runs"]["install test"]


def install(at: AppTest, trainer) -> None:
    at.session_state["next_trainer"] = trainer
    at.button(key="it_install").click().run()
    assert not at.exception, at.exception


def test_the_run_holds_the_new_trainer_and_the_widgets_show_its_settings():
    at, run = open_page(draw_knobs=False)  # nothing but install_run writes the knob keys
    old, new = run.trainer, Trainer(NEW)
    install(at, new)
    assert run.trainer is new and run.trainer is not old
    for field, value in EXPECTED.items():
        assert at.session_state[f"it_knob_{field}"] == pytest.approx(value, abs=1e-12), field
    assert at.session_state["it_knob_label_smoothing"] == pytest.approx(1 - new.config.real_label, abs=1e-12)
    assert at.session_state["it_seed_shown"] == 7  # the page's sync_setup saw the new trainer
    assert [s.value for s in at.success] == ["Installed: a fresh run."]
    at.run()
    assert not at.success  # said once


def test_the_drawn_knobs_show_the_new_settings():
    at, run = open_page()
    assert at.slider(key="it_knob_label_smoothing").value == 0.0
    install(at, Trainer(NEW))
    assert at.slider(key="it_knob_label_smoothing").value == pytest.approx(0.2, abs=1e-12)
    assert at.select_slider(key="it_knob_batch_size").value == 64
    assert at.selectbox(key="it_knob_loss").value == "least_squares"
    assert at.select_slider(key="it_knob_ema_decay").value == 0.99


def test_errors_of_the_old_trainer_are_cleared():
    at, run = open_page()
    broken = Trainer(NEW)
    next(broken.generator.parameters()).data[0, 0] = float("nan")  # the first step diverges
    run.replace_trainer(broken)
    run.play()
    deadline = time.monotonic() + 30
    while run.playing and time.monotonic() < deadline:
        time.sleep(0.02)
    assert isinstance(run.error, NonFiniteError) and "became nan" in run.stopped_reason
    at.session_state["it_knob_error"] = "batch_size must be at least 1"
    install(at, Trainer(NEW))
    assert run.error is None and run.stopped_reason == ""
    assert "it_knob_error" not in at.session_state
    assert not at.error


def test_a_playing_run_plays_on_with_the_new_trainer():
    at, run = open_page()
    run.play()
    try:
        new = Trainer(NEW)
        install(at, new)
        assert run.playing and run.trainer is new
        run.touch()
        deadline = time.monotonic() + 30
        while run.trainer.iteration < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert run.trainer is new and new.iteration >= 1  # the loop trains the new trainer, not the old one
    finally:
        run.pause()


def test_a_paused_run_stays_paused():
    at, run = open_page()
    install(at, Trainer(NEW))
    assert not run.playing and run.trainer.iteration == 0


def test_a_lockstep_pair_installs_like_a_trainer():
    """The side-by-side page installs a LockstepRun: the knobs read its config (run A's)."""
    at, run = open_page(draw_knobs=False)
    pair = LockstepRun(TrainConfig(**SMALL, batch_size=32), "label_smoothing", 0.0, 0.3)
    install(at, pair)
    assert run.trainer is pair
    assert at.session_state["it_knob_label_smoothing"] == 0.0 and at.session_state["it_knob_batch_size"] == 32
    run.run_steps("both")
    assert [t.iteration for t in pair.trainers] == [1, 1]
