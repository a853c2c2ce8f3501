"""The run service with local worker processes: a run trains in a worker, the page's replica shows
exactly what an uninterrupted run in this process would hold, commands apply between steps, a
freed handle frees its run, and a killed worker is reported with its last frame kept while the
other worker's runs go on."""

import gc
import os
import signal
import threading
import time

import numpy as np
import pytest

from classroom.lockstep import LockstepRun
from classroom.replica import blueprint, build
from classroom.run_handle import RunHandle, RunLost
from classroom.workers import WorkerPool
from gan_core.checkpoint import checkpoint_bytes, load_checkpoint
from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer
from train_support import SMALL, same, weights

TIMING = ("step_seconds", "elapsed")  # wall-clock fields: the only ones two equal runs may differ in


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(size=2)
    yield pool
    pool.shutdown()


def open_run(pool, trainer, idle_timeout=30.0) -> RunHandle:
    return RunHandle(trainer, pool.open, idle_timeout=idle_timeout)


def same_history(a: Trainer, b: Trainer) -> bool:
    ca, cb = a.history.columns(), b.history.columns()
    return all(np.array_equal(ca[f], cb[f], equal_nan=ca[f].dtype.kind == "f") for f in ca if f not in TIMING)


def wait_for(condition, seconds=20.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def worker_of(run: RunHandle):
    return run._link.worker


def test_steps_and_updates_in_a_worker_match_a_run_in_this_process(pool):
    run = open_run(pool, Trainer(SMALL))
    reference = Trainer(SMALL)
    run.run_steps("both", 4)
    run.run_steps("d")
    assert run.update(label_smoothing=0.2, batch_size=48) == {"real_label": (1.0, 0.8), "batch_size": (32, 48)}
    run.run_steps("g", 2)
    reference.train(4)
    reference.step_d()
    reference.update(label_smoothing=0.2, batch_size=48)
    reference.step_g()
    reference.step_g()
    assert same(weights(run.trainer), weights(reference))
    assert (run.trainer.iteration, run.trainer.updates) == (reference.iteration, reference.updates) == (6, 11)
    assert run.trainer.config == reference.config
    assert list(run.trainer.events) == list(reference.events)
    assert same_history(run.trainer, reference)
    run.close()


def test_play_trains_in_the_worker_and_the_replica_follows(pool):
    run = open_run(pool, Trainer(SMALL))
    run.play()
    assert wait_for(lambda: run.call(lambda t: t.iteration) >= 30)
    assert wait_for(lambda: run.rate > 0) and run.playing
    run.pause()
    assert not run.playing
    run.sync()
    reference = Trainer(SMALL)
    reference.train(run.trainer.iteration)
    assert same(weights(run.trainer), weights(reference))  # training elsewhere is the same run
    assert same_history(run.trainer, reference)
    run.close()


def test_a_setting_changed_while_playing_is_on_the_replica_with_the_answer(pool):
    """Playing, update() brings the new settings back with its answer: no frame is asked for (that
    second request waited for another step in flight); the weights come with the next sync."""
    run = open_run(pool, Trainer(SMALL))
    run.play()
    assert wait_for(lambda: run.rate > 0)
    asked = []
    real_request = run._request
    run._request = lambda name, *args: asked.append(name) or real_request(name, *args)
    assert run.update(label_smoothing=0.3, batch_size=16) == {"real_label": (1.0, 0.7), "batch_size": (32, 16)}
    assert asked == ["update"]
    assert (run.trainer.config.real_label, run.trainer.config.batch_size) == (0.7, 16)
    run._request = real_request
    run.pause()  # paused: the replica is brought over whole, settings and weights
    assert run.trainer.config == SMALL.replace(real_label=0.7, batch_size=16)
    assert run.trainer.iteration > 0
    run.close()


class OlderUpdateAnsweredLast:
    """A run link whose first `update` answer is held back until `answer_now` is set: the run has
    that update, its answer is still on the way (a second tab's request, a busy thread)."""

    def __init__(self, link):
        self.link, self.holding, self.answer_now = link, threading.Event(), threading.Event()

    def request(self, name, *args):
        answer = self.link.request(name, *args)
        if name == "update" and not self.holding.is_set():
            self.holding.set()
            self.answer_now.wait(60)
        return answer

    def close(self):
        self.link.close()

    def release(self):
        self.link.release()


def test_an_older_update_answered_last_does_not_set_the_replica_back(pool, monkeypatch):
    """Two tabs of one browser share a handle (a reload reattaches it). Tab 1 sets label smoothing
    0.3; before its answer is back, tab 2 sets 0.35 and is answered. Tab 1's late answer must leave
    the replica, which the sliders read, at 0.35: the run's setting."""
    monkeypatch.setattr("classroom.run_handle.SYNC_FRESH", 60.0)  # the replica as it is, no new frame
    links = []

    def opener(plan, idle_timeout):
        links.append(OlderUpdateAnsweredLast(pool.open(plan, idle_timeout)))
        return links[-1]

    run = RunHandle(Trainer(SMALL), opener, idle_timeout=30.0)
    run.play()
    assert wait_for(lambda: run.rate > 0)
    run.sync(weights=False)  # the replica's frame is fresh: reads below take the replica as it is
    first = threading.Thread(target=run.update, kwargs={"label_smoothing": 0.3})
    first.start()
    assert links[0].holding.wait(60)  # the run has 0.3; its answer waits
    assert run.update(label_smoothing=0.35) == {"real_label": (0.7, 0.65)}
    links[0].answer_now.set()
    first.join(60)
    assert run.trainer.config.real_label == pytest.approx(0.65)
    run.pause()  # the whole frame: the run itself has 0.35 too
    assert run.trainer.config.real_label == pytest.approx(0.65)
    run.close()


def test_nobody_watching_pauses_the_run_where_it_trains(pool):
    run = open_run(pool, Trainer(SMALL), idle_timeout=0.5)
    run.play()
    assert wait_for(lambda: not run.playing, seconds=10)
    assert run.stopped_reason == "paused because nobody was watching"
    run.close()


def test_rollback_and_replace_reach_the_run_and_the_replica(pool):
    run = open_run(pool, Trainer(SMALL.replace(snapshot_every=5)))
    run.run_steps("both", 12)
    assert [it for it, _ in run.trainer.snapshots] == [0, 5, 10]
    assert run.rollback() == 10
    assert run.trainer.iteration == 10 and run.trainer.history[-1].iteration == 10
    reference = Trainer(SMALL.replace(snapshot_every=5))
    reference.train(10)
    assert same(weights(run.trainer), weights(reference))
    # a trainer loaded from a checkpoint travels whole: the run goes on as the saved one would have
    saved = Trainer(SMALL.replace(seed=9))
    saved.train(3)
    loaded = load_checkpoint(checkpoint_bytes(saved))
    run.replace_trainer(loaded)
    run.run_steps("both", 2)
    saved.train(2)
    assert same(weights(run.trainer), weights(saved)) and run.trainer.iteration == 5
    assert run.checkpoint()[:2] == checkpoint_bytes(saved)[:2]  # made in the worker: a real file
    run.close()


def test_a_lockstep_pair_trains_in_a_worker():
    pair = LockstepRun(SMALL, "label_smoothing", 0.0, 0.2)
    copy = build(blueprint(pair))
    assert [t.config.real_label for t in copy.trainers] == [1.0, 0.8]
    pool = WorkerPool(size=1)
    try:
        run = open_run(pool, pair)
        run.run_steps("both", 3)
        reference = LockstepRun(SMALL, "label_smoothing", 0.0, 0.2)
        reference.step(), reference.step(), reference.step()
        for mine, theirs in zip(run.trainer.trainers, reference.trainers):
            assert same(weights(mine), weights(theirs)) and mine.iteration == 3
        with pytest.raises(ValueError, match="being compared"):
            run.update(label_smoothing=0.3)
    finally:
        pool.shutdown()


def test_a_diverging_run_reports_its_error_from_the_worker(pool):
    broken = Trainer(SMALL)
    broken.train(2)
    next(broken.generator.parameters()).data[0, 0] = float("nan")  # travels with the blueprint
    run = open_run(pool, broken)
    with pytest.raises(NonFiniteError):
        run.run_steps("both", 1)
    assert isinstance(run.error, NonFiniteError) and run.error.iteration == 2
    run.play()  # play clears the error; the next step diverges again and play stops by itself
    assert wait_for(lambda: not run.playing) and "became nan" in run.stopped_reason
    run.close()


def test_workers_import_no_streamlit_and_free_runs_of_freed_handles(pool):
    run = open_run(pool, Trainer(SMALL))
    worker = worker_of(run)
    facts, _ = worker.request("", "worker")
    assert facts["has_streamlit"] is False and facts["runs"] >= 1
    before = facts["runs"]
    del run
    gc.collect()
    facts, _ = worker.request("", "worker")  # a freed handle's run goes with the worker's next request
    assert facts["runs"] == before - 1


def test_a_killed_worker_is_reported_and_the_other_workers_runs_go_on():
    pool = WorkerPool(size=2)
    try:
        doomed, other = open_run(pool, Trainer(SMALL)), open_run(pool, Trainer(SMALL.replace(seed=4)))
        assert worker_of(doomed) is not worker_of(other)
        doomed.run_steps("both", 5)
        other.play()
        os.kill(worker_of(doomed).process.pid, signal.SIGKILL)
        worker_of(doomed).process.wait(timeout=10)
        with pytest.raises(RunLost, match="stopped"):
            doomed.run_steps("both", 1)
        assert doomed.lost and not doomed.playing and "killed, or out of memory" in doomed.stopped_reason
        assert f"What was seen: {worker_of(doomed).why_dead}" in doomed.stopped_reason  # the host link's own words
        assert doomed.trainer.iteration == 5  # the last frame is kept on the page
        start = other.call(lambda t: t.iteration)
        assert wait_for(lambda: other.call(lambda t: t.iteration) > start + 20)  # nothing else stopped
        doomed.restart()  # a fresh worker takes it from the last frame
        doomed.run_steps("both", 2)
        assert not doomed.lost and doomed.trainer.iteration == 7
        assert len(pool.workers()) == 2
    finally:
        pool.shutdown()


def test_a_run_put_away_after_its_lease_is_hosted_again_from_the_replica(pool):
    run = open_run(pool, Trainer(SMALL))
    run.run_steps("both", 3)
    kept = weights(run.trainer)
    worker = worker_of(run)
    worker.request(run._link.run_id, "drop")  # what the worker's lease sweep does to an untouched run
    run.run_steps("both", 1)  # the next command hosts it again from the replica and is answered
    assert run.trainer.iteration == 4 and not run.lost
    assert "put it away" in run.stopped_reason and "optimizer moments" in run.stopped_reason
    reference = Trainer(SMALL)
    reference.train(3)
    assert same(kept, weights(reference))
    assert [it for it, _ in run.trainer.snapshots] == [3]  # rollback returns to where it started again
    run.play()
    assert run.stopped_reason == ""
    run.close()


def test_the_lease_sweep_drops_only_paused_untouched_runs():
    from classroom.run_host import HostedRun
    from classroom.worker_process import put_away_untouched

    old, recent, playing = (HostedRun(Trainer(SMALL), idle_timeout=60) for _ in range(3))
    old.last_touch, recent.last_touch, playing.last_touch = 0.0, 950.0, 0.0
    playing.playing = True
    runs = {"old": old, "recent": recent, "playing": playing}
    put_away_untouched(runs, lease=100.0, now=1000.0)
    assert set(runs) == {"recent", "playing"}
