"""classroom.digit_views.DigitView: while the run plays, the classifier's reading of G's samples is
made off the request that found it due and joins a later view; paused, the view waits for it."""

import threading

import pytest

from classroom.digit_views import DigitView
from classroom.live import LiveRun
from classroom.run_views import Hold
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer

CONFIG = TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=8, d_width=8, g_output="tanh",
                     batch_size=16, seed=5)


class GatedMeasure:
    """A stand-in for the classifier's reading that finishes only when the test says so."""

    def __init__(self):
        self.gate, self.calls = threading.Event(), []

    def __call__(self, images):
        self.calls.append(len(images))
        assert self.gate.wait(30)
        return {"digits_covered": float(len(self.calls))}


def _view(measure) -> DigitView:
    view = DigitView(classifier=lambda: None)
    view.progress.measure = measure
    return view


def _compute(view, run, paused):
    return view.compute(Hold(run.locked, run.trainer, 0, paused=paused))


def test_playing_the_reading_joins_a_later_view_and_never_piles_up():
    measure, run = GatedMeasure(), LiveRun(Trainer(CONFIG))
    view = _view(measure)
    first = _compute(view, run, paused=False)
    assert first["metrics"] is None and first["iteration"] == 0  # answered without waiting for the reading
    run.run_steps("both", 1)
    second = _compute(view, run, paused=False)
    assert second["metrics"] is None and second["iteration"] == 1
    measure.gate.set()
    view._reading.values.result(30)
    third = _compute(view, run, paused=False)
    assert third["metrics"] == (0, {"digits_covered": 1.0})  # the reading of iteration 0, made once
    assert measure.calls == [500]


def test_paused_the_view_waits_for_its_reading():
    measure, run = GatedMeasure(), LiveRun(Trainer(CONFIG))
    measure.gate.set()
    view = _view(measure)
    assert _compute(view, run, paused=True)["metrics"] == (0, {"digits_covered": 1.0})


def test_a_reading_of_a_trainer_no_longer_shown_is_dropped():
    measure, run = GatedMeasure(), LiveRun(Trainer(CONFIG))
    view = _view(measure)
    assert _compute(view, run, paused=False)["metrics"] is None
    run.replace_trainer(Trainer(CONFIG.replace(seed=6)))  # a new run (a preset, a Reset) while it reads
    measure.gate.set()
    view._reading.values.result(30)
    fresh = _compute(view, run, paused=False)
    assert fresh["generation"] == 2 and fresh["metrics"] is None  # not the old trainer's reading
    # the new trainer's own reading of iteration 0 is made at the next view
    assert _compute(view, run, paused=True)["metrics"] == (0, {"digits_covered": 2.0})
    assert measure.calls == [500, 500]


def test_a_failed_reading_is_reported():
    def broken(images):
        raise RuntimeError("classifier file unreadable")

    run = LiveRun(Trainer(CONFIG))
    view = _view(broken)
    with pytest.raises(RuntimeError, match="unreadable"):
        _compute(view, run, paused=True)
