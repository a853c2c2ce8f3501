"""A worker process dies under a page (killed, or out of memory): the 2D lab says so in plain words,
keeps showing the run's last published frame, offers a restart from it, and the restarted run trains
on; a run on another worker process never stops (the runs of the dead worker all report the same)."""

import os
import signal
import time

from classroom.run_handle import RunHandle
from classroom.workers import WorkerPool
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from page_support import open_toy_lab, readout_value, toy_lab_run

SMALL = dict(target="ring8", g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32)


def test_a_killed_worker_is_reported_on_the_page_and_the_run_restarts_from_its_last_frame():
    at = open_toy_lab(**SMALL)
    run = toy_lab_run(at)
    other_pool = WorkerPool(size=1)  # another worker process, whatever the app's pool size
    other = RunHandle(Trainer(TrainConfig(**SMALL, seed=5)), other_pool.open, idle_timeout=120)
    try:
        for _ in range(4):
            at.button(key="toy_step_both").click().run()
        assert readout_value(at, "Iteration") == "4"
        worker = run._link.worker
        other.play()
        os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)
        at.button(key="toy_play").click().run()  # the teacher presses Play: nobody is there to train
        assert not at.exception
        [error] = [e.value for e in at.error if "stopped" in e.value]
        assert "killed, or out of memory" in error and "restart the run from it" in error
        assert readout_value(at, "Iteration") == "4"  # the last frame stays on the page
        assert not run.playing and run.lost
        start = other.call(lambda t: t.iteration)
        deadline = time.monotonic() + 30
        while other.call(lambda t: t.iteration) <= start + 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert other.trainer.iteration > start + 10  # nothing else stopped
        at.button(key="toy_restart").click().run()
        assert not at.exception and not [e for e in at.error if "stopped" in e.value]
        at.button(key="toy_step_both").click().run()
        assert readout_value(at, "Iteration") == "5" and not run.lost
    finally:
        other_pool.shutdown()


def test_a_stopped_worker_is_reported_on_its_page_and_a_new_student_gets_a_lab_elsewhere():
    """Issue 20 §3 item 3: after SIGSTOP of a worker its page said nothing and a new student's 2D lab
    was never drawn (the pool's request lock was held). Now the silent worker is ended within a few
    seconds, its page shows the lost-run panel, and the new student's lab opens on a fresh worker."""
    from classroom.workers import DEFAULT_HANG_AFTER
    from page_support import open_app

    at = open_toy_lab(**SMALL)
    run = toy_lab_run(at)
    at.button(key="toy_step_both").click().run()
    worker = run._link.worker
    os.kill(worker.process.pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        newcomer = open_app("views/toy_2d.py")  # fails on any exception; AppTest's own timeout is 120 s
        opened_in = time.monotonic() - start
        assert toy_lab_run(newcomer)._link.worker is not worker and readout_value(newcomer, "Iteration") == "0"
        assert opened_in < DEFAULT_HANG_AFTER + 60, opened_in  # the watchdog, then a fresh interpreter
        at.run()
        assert not at.exception
        [error] = [e.value for e in at.error if "stopped" in e.value]
        assert "stopped answering" in error and "restart the run from it" in error
        assert readout_value(at, "Iteration") == "1" and run.lost
        at.button(key="toy_restart").click().run()
        at.button(key="toy_step_both").click().run()
        assert readout_value(at, "Iteration") == "2" and not run.lost
    finally:
        if worker.process.poll() is None:  # only if the watchdog had not ended it: never leave it stopped
            os.kill(worker.process.pid, signal.SIGCONT)
