"""classroom.turn_lock.TurnLock: a command waits for the step in flight, not for several steps."""

import threading
import time

from classroom.turn_lock import TurnLock


def _trainer(lock: TurnLock, steps: list, stop: threading.Event) -> None:
    while not stop.is_set():
        with lock.for_step():
            time.sleep(0.01)  # a step: holds the lock, as HostedRun.step_once does
            steps[0] += 1


def test_a_waiting_command_gets_the_lock_after_the_step_in_flight():
    lock, steps, stop = TurnLock(), [0], threading.Event()
    trainer = threading.Thread(target=_trainer, args=(lock, steps, stop), daemon=True)
    trainer.start()
    try:
        waited = []
        for _ in range(20):
            time.sleep(0.013)  # somewhere inside a step
            asked_at = steps[0]
            with lock:
                waited.append(steps[0] - asked_at)  # steps finished while this command waited
        # the step in flight; a plain RLock measured 2 every time here (the trainer retakes it first).
        # A step begun just as the command asked may count once or twice on a loaded machine.
        assert sum(w <= 1 for w in waited) >= 16 and max(waited) <= 2, waited
        before = steps[0]
        time.sleep(0.2)
        assert steps[0] - before >= 5  # with nobody waiting, training goes on
    finally:
        stop.set()
        trainer.join(5)
    assert lock.waiting == 0


def test_the_lock_is_reentrant_for_a_command_that_packs_under_it():
    lock = TurnLock()
    with lock:
        with lock:  # HostedRun.answer -> handle: the same thread twice
            assert lock.waiting == 0
    with lock.for_step():  # free again: the trainer takes it at once
        pass
