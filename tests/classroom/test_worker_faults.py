"""Faults and neighbours in the local worker pool (issue 20, section 3, items 2-4 and 8): a heavy run
does not starve a light one on the same worker nor delay its commands or a new run; a stopped
(hung) worker is reported lost within a bounded time and new runs open elsewhere; dead workers are
reaped (no zombie); a run put away by its lease and hosted again is counted once."""

import os
import signal
import time

import pytest

from browser_support import wait_until

from classroom.run_handle import RunHandle, RunLost
from classroom.worker_process import FairShare
from classroom.workers import DEFAULT_HANG_AFTER, WorkerPool
from gan_core.trainer import Trainer
from train_support import SMALL

# A step of seconds on one core (measured 3-6 s here), against SMALL's few milliseconds.
HEAVY = SMALL.replace(g_width=512, d_width=512, g_depth=3, d_depth=3, batch_size=4096, seed=1)


def process_state(pid: int) -> str | None:
    """The state letter of /proc/<pid>/stat ('Z' for a zombie), None once the process is reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def iteration(run: RunHandle) -> int:
    run.sync()
    return run.trainer.iteration


# ---- fair shares, by hand ----------------------------------------------------------------------

def test_fair_share_gives_a_light_and_a_heavy_run_equal_seconds_not_equal_steps():
    share, cost = FairShare(), {"light": 1 / 128, "heavy": 1 / 2}  # exact in binary: no rounding
    seconds, picks = {"light": 0.0, "heavy": 0.0}, {"light": 0, "heavy": 0}
    while sum(seconds.values()) < 8.0:
        run = share.pick(["light", "heavy"])
        share.charge(run, cost[run])
        seconds[run] += cost[run]
        picks[run] += 1
    # equal time within one heavy step: 4 s each = 512 light steps and 8 heavy ones (round robin: 8 and 8)
    assert abs(seconds["light"] - seconds["heavy"]) <= 0.5
    assert 448 <= picks["light"] <= 576 and 7 <= picks["heavy"] <= 9
    # a run that joins late starts level with the least served, so it gets no burst for the time it sat out
    late = 0
    for _ in range(3):
        run = share.pick(["light", "heavy", "late"])
        share.charge(run, 1 / 2)
        late += run == "late"
    assert late == 1


# ---- a heavy neighbour (item 2) ----------------------------------------------------------------

def test_a_heavy_run_leaves_its_neighbour_half_the_worker_and_commands_answer_at_once():
    pool = WorkerPool(size=1)  # one worker: the two runs must share it
    try:
        light = RunHandle(Trainer(SMALL), pool.open, idle_timeout=600)
        heavy = RunHandle(Trainer(HEAVY), pool.open, idle_timeout=600)
        light.play()
        heavy.play()
        wait_until(lambda: iteration(heavy) >= 1, 120, 0.05)
        # sync() waits for the heavy step in flight: both counts are read at a heavy step's end
        light_start, heavy_start = iteration(light), iteration(heavy)
        start = time.monotonic()
        wait_until(lambda: iteration(heavy) >= heavy_start + 1, 120, 0.05)
        cycle = time.monotonic() - start  # the light run's share, then one heavy step: seconds here
        light_steps = iteration(light) - light_start
        # Its fair share is as many seconds as the heavy step took: hundreds of light steps (one, in
        # turn, before). 30 allows a light step of 100 ms on a crowded machine.
        assert light_steps >= 30, light_steps
        # In the middle of the next heavy step (after the light run's share), the light run's pause and
        # a new run's first frame answer at once. Where a heavy step is short, the count above tells.
        time.sleep(0.75 * cycle)
        start = time.monotonic()
        light.pause()
        paused_in = time.monotonic() - start
        start = time.monotonic()
        newcomer = RunHandle(Trainer(SMALL.replace(seed=8)), pool.open, idle_timeout=600)
        newcomer.sync()
        opened_in = time.monotonic() - start
        assert not light.playing and paused_in < 1.0, paused_in
        assert opened_in < 1.0 and newcomer.trainer.iteration == 0, opened_in
        heavy.pause()
    finally:
        pool.shutdown()


# ---- a hung worker (item 3) and zombies (item 4) -----------------------------------------------

def test_a_stopped_worker_is_reported_lost_and_new_runs_open_on_a_fresh_worker():
    pool = WorkerPool(size=1)  # no other worker to fall back on: a fresh one must be started
    try:
        run = RunHandle(Trainer(SMALL), pool.open, idle_timeout=600)
        run.run_steps("both", 3)
        run.play()
        worker = run._link.worker
        os.kill(worker.process.pid, signal.SIGSTOP)
        start = time.monotonic()
        newcomer = RunHandle(Trainer(SMALL.replace(seed=5)), pool.open, idle_timeout=600)
        opened_in = time.monotonic() - start
        assert newcomer._link.worker is not worker
        newcomer.run_steps("both", 2)
        assert newcomer.trainer.iteration == 2 and not newcomer.lost
        # bounded: the watchdog's silence limit, then a fresh interpreter importing torch
        assert opened_in < DEFAULT_HANG_AFTER + 60, opened_in
        wait_until(lambda: not run.playing, DEFAULT_HANG_AFTER + 5, 0.05)  # a status poll finds it lost
        assert run.lost and "stopped answering" in run.stopped_reason
        assert run.trainer.iteration >= 3  # the last frame stays
        with pytest.raises(RunLost):
            run.run_steps("both", 1)
        assert "sent nothing" in worker.why_dead
        wait_until(lambda: process_state(worker.process.pid) is None, 10, 0.05)  # killed and reaped
        run.restart()  # from the last frame, on a worker that answers
        run.run_steps("both", 1)
        assert not run.lost
    finally:
        pool.shutdown()


def test_killed_and_shut_down_workers_are_reaped_by_the_server():
    pool = WorkerPool(size=1)
    try:
        run = RunHandle(Trainer(SMALL), pool.open, idle_timeout=600)
        run.play()
        worker = run._link.worker
        pid = worker.process.pid
        os.kill(pid, signal.SIGKILL)
        # nobody here calls wait(): the server must reap it by itself, page request or not
        wait_until(lambda: worker.dead, 10, 0.05)
        wait_until(lambda: process_state(pid) is None, 10, 0.05, what="the killed worker to be reaped")
        assert worker.process.returncode == -signal.SIGKILL
        with pytest.raises(RunLost):
            run.run_steps("both", 1)
        run.restart()  # on a fresh worker
        [fresh] = pool.workers()
        assert fresh is not worker and process_state(fresh.process.pid) not in (None, "Z")
    finally:
        pool.shutdown()
    assert process_state(fresh.process.pid) is None  # a shut-down worker is reaped too


# ---- placement counts (item 8) -----------------------------------------------------------------

def test_a_run_put_away_by_its_lease_and_hosted_again_counts_once(monkeypatch):
    monkeypatch.setenv("GAN_CLASSROOM_RUN_LEASE", "0.5")  # the worker sweeps every 0.25 s
    pool = WorkerPool(size=1)
    try:
        run = RunHandle(Trainer(SMALL), pool.open, idle_timeout=600)
        run.run_steps("both", 2)
        worker = run._link.worker
        assert worker.runs == 1
        wait_until(lambda: worker.request("", "worker")[0]["runs"] == 0, 10, 0.05)  # put away
        run.run_steps("both", 1)  # hosted again from the replica
        assert run._link.worker is worker and run.trainer.iteration == 3
        assert worker.request("", "worker")[0]["runs"] == 1
        assert worker.runs == 1  # the put-away one no longer counts (it counted 2)
    finally:
        pool.shutdown()


def test_a_new_run_goes_to_the_worker_with_fewer_runs_playing_before_fewer_hosted():
    pool = WorkerPool(size=2)
    try:
        busy = RunHandle(Trainer(SMALL), pool.open, idle_timeout=600)
        paused = [RunHandle(Trainer(SMALL.replace(seed=1)), pool.open, idle_timeout=600)]
        busy_worker, quiet_worker = busy._link.worker, paused[0]._link.worker
        assert busy_worker is not quiet_worker  # the pool starts its second worker for the second run
        busy.play()
        wait_until(lambda: busy_worker.playing == 1, 10, 0.05)  # its heartbeat says so
        paused.append(RunHandle(Trainer(SMALL.replace(seed=2)), pool.open, idle_timeout=600))
        assert paused[1]._link.worker is quiet_worker  # 0 playing beats 1 playing (both hosted 1)
        newcomer = RunHandle(Trainer(SMALL.replace(seed=3)), pool.open, idle_timeout=600)
        # 2 paused runs there, 1 playing here: here it would get half a worker's time, there all of it
        assert newcomer._link.worker is quiet_worker and (quiet_worker.runs, busy_worker.runs) == (3, 1)
    finally:
        pool.shutdown()
