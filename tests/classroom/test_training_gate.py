"""TrainingGate: at most `slots` runs train at once, waiting runs enter in arrival order, a stop
event cancels a wait, and LiveRuns that share a small gate all advance (nobody starves).
Every wait is bounded so a broken gate fails a test instead of hanging the suite."""

import threading
import time

import pytest

from classroom.live import LiveRun
from gan_core.trainer import Trainer
from classroom.training_gate import TRAINING_SLOTS_ENV, TrainingGate, default_slots
from test_live import SMALL, wait_until


class CountingGate(TrainingGate):
    """Records the most runs that were ever inside at once."""

    def __init__(self, slots, quantum=0.02):
        super().__init__(slots, quantum)
        self.most_inside = 0

    def acquire(self, stop=None, poll=0.05):
        entered = super().acquire(stop, poll)
        if entered:
            with self._lock:
                self.most_inside = max(self.most_inside, self._active)
        return entered


def test_never_more_than_slots_inside():
    gate = CountingGate(2)
    inside, most, guard = [0], [0], threading.Lock()

    def worker():
        for _ in range(5):
            assert gate.acquire()
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.01)
            with guard:
                inside[0] -= 1
            gate.release()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert most[0] == 2 and gate.most_inside == 2  # 6 workers, 10 ms each: the 2 slots did fill
    assert gate.active == 0 and gate.queued == 0


def test_waiters_enter_in_arrival_order():
    gate = TrainingGate(1)
    assert gate.acquire()  # the slot is taken: everybody after this queues
    order, threads = [], []
    for name in "ABC":
        def enter(name=name):
            assert gate.acquire()
            order.append(name)
            gate.release()
        threads.append(threading.Thread(target=enter))
        threads[-1].start()
        assert wait_until(lambda: gate.queued == len(threads))  # queued before the next arrives
    gate.release()
    for t in threads:
        t.join(timeout=5)
    assert order == ["A", "B", "C"]


def test_a_stop_event_cancels_a_wait_without_taking_a_slot():
    gate = TrainingGate(1)
    assert gate.acquire()
    stop, result = threading.Event(), []
    waiter = threading.Thread(target=lambda: result.append(gate.acquire(stop, poll=0.01)))
    waiter.start()
    assert wait_until(lambda: gate.queued == 1)
    stop.set()
    waiter.join(timeout=2)
    assert result == [False]
    assert gate.active == 1 and gate.queued == 0  # only the first holder is inside
    gate.release()
    assert gate.acquire(threading.Event()) and gate.active == 1


def test_zero_slots_means_no_limit():
    gate = TrainingGate(0)
    for _ in range(50):
        assert gate.acquire()
    assert gate.active == 50


def test_release_without_acquire_and_bad_sizes_are_refused():
    with pytest.raises(RuntimeError, match="without a matching acquire"):
        TrainingGate(1).release()
    with pytest.raises(ValueError):
        TrainingGate(-1)
    with pytest.raises(ValueError):
        TrainingGate(1, quantum=0.0)


@pytest.mark.parametrize("raw, expected", [("3", 3), ("0", 0), ("1", 1)])
def test_slots_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv(TRAINING_SLOTS_ENV, raw)
    assert default_slots() == expected


@pytest.mark.parametrize("raw", ["", "many", "-2", "1.5"])
def test_bad_or_missing_slot_counts_fall_back_to_cores_minus_one(monkeypatch, raw):
    monkeypatch.setenv(TRAINING_SLOTS_ENV, raw)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert default_slots() == 7
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert default_slots() == 1


def test_runs_sharing_one_slot_take_turns_and_all_advance():
    gate = CountingGate(1, quantum=0.01)
    runs = [LiveRun(Trainer(SMALL.replace(seed=i)), idle_timeout=30, gate=gate) for i in range(3)]
    try:
        for run in runs:
            run.play()
        assert wait_until(lambda: min(r.trainer.iteration for r in runs) >= 5, timeout=20)
        assert all(r.playing for r in runs)
    finally:
        for run in runs:
            run.pause()
    assert gate.most_inside == 1
    assert gate.active == 0 and gate.queued == 0


def test_pausing_a_queued_run_does_not_wait_for_a_slot():
    gate = TrainingGate(1)
    assert gate.acquire()  # another run holds the only slot
    run = LiveRun(Trainer(SMALL), idle_timeout=30, gate=gate)
    run.play()
    assert wait_until(lambda: gate.queued == 1)
    t0 = time.monotonic()
    run.pause()
    assert time.monotonic() - t0 < 2.0  # pause() joins with a 10 s limit: it did not need it
    assert not run.playing and run.trainer.iteration == 0
    assert gate.active == 1 and gate.queued == 0
    gate.release()


@pytest.mark.parametrize("base, playing, expected", [
    (0.25, 1, 0.25), (0.25, 2, 0.25), (0.25, 8, 1.0), (0.25, 20, 2.5), (0.25, 100, 5.0),
    (1.0, 4, 1.0), (1.0, 12, 1.5), (6.0, 100, 6.0),
])
def test_redraw_interval_stretches_with_the_runs_playing(base, playing, expected):
    from classroom.live import redraw_interval

    # 8 live redraws a second for the whole server, at most 5 s apart, never faster than the page asks
    assert redraw_interval(base, playing) == pytest.approx(expected, abs=1e-12)
