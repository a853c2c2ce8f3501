"""LiveRun: background play/pause, synchronous steps, idle pause, error capture, no double loop.
Every wait is bounded (a few seconds at most) so a broken thread fails the test, not the suite."""

import threading
import time

import pytest
import torch

from gan_core.config import TrainConfig
from classroom.live import LiveRun
from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer

SMALL = TrainConfig(g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)


def wait_until(condition, timeout=5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def live_threads() -> int:
    return sum(t.name == "gan-live-run" and t.is_alive() for t in threading.enumerate())


@pytest.fixture
def run():
    r = LiveRun(Trainer(SMALL), idle_timeout=30)
    yield r
    r.pause()


def test_run_steps_d_g_both(run):
    assert [r.kind for r in run.run_steps("d")] == ["D"]
    assert [r.kind for r in run.run_steps("g", n=2)] == ["G", "G"]
    run.call(lambda t: t.update(d_steps=2))
    assert [r.kind for r in run.run_steps("both")] == ["D", "D", "G"]
    assert run.trainer.iteration == 3 and run.trainer.updates == 6


def test_play_trains_in_background_and_pause_stops_it(run):
    run.play()
    assert run.playing
    assert wait_until(lambda: run.trainer.iteration >= 3)
    run.pause()
    assert not run.playing and live_threads() == 0
    frozen = run.trainer.iteration
    time.sleep(0.1)
    assert run.trainer.iteration == frozen
    run.play()  # resumes the same run, it does not restart it
    assert wait_until(lambda: run.trainer.iteration > frozen)


def test_call_and_locked_run_between_steps(run):
    run.play()
    for _ in range(5):  # a retune while playing lands between two steps
        diff = run.call(lambda t: t.update(batch_size=24 if t.config.batch_size == 16 else 16))
        assert set(diff) == {"batch_size"}
    with run.locked() as trainer:
        n = trainer.updates
        time.sleep(0.05)
        assert trainer.updates == n  # the loop waits while the lock is held
    run.pause()
    assert run.call(lambda t: t.config.batch_size) == 24  # five toggles from 16


def test_idle_timeout_pauses_an_unwatched_run():
    run = LiveRun(Trainer(SMALL), idle_timeout=0.2)
    run.play()
    assert wait_until(lambda: not run.playing, timeout=5)
    assert "nobody was watching" in run.stopped_reason
    assert wait_until(lambda: live_threads() == 0, timeout=2)


def test_divergence_in_play_is_captured(monkeypatch, run):
    calls = {"n": 0}
    step = run.trainer.step

    def flaky_step():
        calls["n"] += 1
        if calls["n"] == 3:
            raise NonFiniteError("D's loss", run.trainer.iteration, float("nan"))
        return step()

    monkeypatch.setattr(run.trainer, "step", flaky_step)
    run.play()
    assert wait_until(lambda: not run.playing)
    assert isinstance(run.error, NonFiniteError) and "D's loss became nan" in run.stopped_reason
    assert run.trainer.iteration == 2 and run.rate == 0.0


def test_other_errors_in_play_are_reported_not_swallowed(monkeypatch, run):
    monkeypatch.setattr(run.trainer, "step", lambda: 1 / 0)
    run.play()
    assert wait_until(lambda: not run.playing)
    assert run.stopped_reason.startswith("training stopped: ZeroDivisionError")


def test_run_steps_records_and_reraises_divergence(monkeypatch, run):
    def nan_step():
        raise NonFiniteError("G's loss", 0, float("inf"))

    monkeypatch.setattr(run.trainer, "step_g", nan_step)
    with pytest.raises(NonFiniteError):
        run.run_steps("g")
    assert run.error is not None and run.error.what == "G's loss"
    monkeypatch.undo()  # a healthy step_g again, so the new loop cannot set a fresh error
    run.play()  # play clears the old error
    assert run.error is None


def test_pause_without_wait_then_play_leaves_exactly_one_loop(monkeypatch, run):
    step = run.trainer.step
    in_step = threading.Event()

    def slow_step():
        in_step.set()
        time.sleep(0.2)
        return step()

    monkeypatch.setattr(run.trainer, "step", slow_step)
    run.play()
    assert in_step.wait(5)
    run.pause(wait=False)  # the old loop is still inside its step
    run.play()
    time.sleep(0.6)  # the old loop finishes its step and must exit, the new one must go on
    assert live_threads() == 1
    assert run.playing


def test_replace_trainer_keeps_playing_with_the_new_one(run):
    run.play()
    assert wait_until(lambda: run.trainer.iteration >= 1)
    fresh = Trainer(SMALL.replace(seed=5))
    run.replace_trainer(fresh)
    assert run.trainer is fresh and run.playing
    assert wait_until(lambda: fresh.iteration >= 1)
    assert live_threads() == 1


def test_delay_slows_play(run):
    run.run_steps("both", 3)
    n = run.trainer.iteration
    assert n == 3
    run.delay = 0.2
    run.play()
    time.sleep(0.5)
    run.pause()
    assert 1 <= run.trainer.iteration - n <= 4  # about 3 with 0.2 s between steps
    assert torch.isfinite(run.trainer.sample(4)).all()
