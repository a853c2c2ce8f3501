"""Class mode with real runs: thread runs, side-by-side pairs and runs in a worker process read into
the gallery (their "summary" view, computed where they train), the recorder thread, many threads at
once."""

import os
import signal
import threading
import time

import numpy as np
import torch

from classroom.class_store import ClassStore
from classroom.classes import Classes, GalleryRow
from classroom.live import LiveRun
from classroom.lockstep import LockstepRun
from classroom.run_handle import RunHandle
from classroom.training_gate import TrainingGate
from classroom.workers import WorkerPool
from gan_core.trainer import Trainer
from train_support import SMALL

from class_support import ADA, BOB, RING, TEACHER, FakeRun, as_stored, ring


# ---- real runs -------------------------------------------------------------------------------------------

def modes_by_hand(samples: np.ndarray, target) -> tuple[int, float]:
    """Modes with a sample within 3 sigma of the centre, and the % of such samples, counted directly."""
    d = np.linalg.norm(samples[:, None, :] - target.centers[None], axis=2)
    near = d.min(1) <= 3 * target.sigma
    return len(set(d.argmin(1)[near].tolist())), 100.0 * near.mean()


def test_a_real_live_run_in_the_gallery(classes):
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA, "Ada")
    live = LiveRun(Trainer(SMALL.replace(target="ring8", label_smoothing=0.1)), gate=TrainingGate(1))
    classes.attach_run(ADA, "2D lab", live)
    live.run_steps("both", 300)
    assert classes.record() == 1
    (row,) = classes.gallery(TEACHER)
    trainer = live.trainer
    assert (row.live, row.playing, row.iteration, row.n_modes, row.target) == (True, False, 300, 8, "ring8")
    np.testing.assert_array_equal(row.fakes, trainer.fixed_samples(256).numpy())
    assert row.settings == as_stored(trainer.config)
    assert row.differs == {"g_depth": 2, "g_width": 16, "d_depth": 2, "d_width": 16, "batch_size": 32, "seed": 3,
                           "label_smoothing": 0.1}
    modes, hq = modes_by_hand(trainer.sample(2500, generator=torch.Generator().manual_seed(5)).numpy(),
                              trainer.target)
    assert abs(row.modes_captured - modes) <= 1  # another 2,500 samples of the same G
    assert abs(row.hq_percent - hq) <= 5.0  # 5 points: > 5 standard errors of a % on 2,500 samples
    live.close()
    assert classes.gallery(TEACHER)[0].live is False


def test_a_side_by_side_run_shows_its_first_run(classes):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    pair = LockstepRun(SMALL.replace(target="grid25"), "batch_size", 32, 64)
    live = LiveRun(pair, gate=TrainingGate(1))
    classes.attach_run(ADA, "side by side", live)  # held here: the class holds it weakly
    live.run_steps("both", 5)
    (row,) = classes.gallery(TEACHER)
    assert (row.page, row.iteration, row.n_modes, row.settings["batch_size"]) == ("side by side", 5, 25, 32)
    np.testing.assert_array_equal(row.fakes, pair.trainers[0].fixed_samples(256).numpy())


def test_runs_in_a_worker_process_in_the_gallery_and_a_killed_worker_shows_the_stored_row(classes, clock):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    classes.join(code, BOB, "Bob")
    pool = WorkerPool(size=1)
    try:
        single = RunHandle(Trainer(SMALL.replace(target="ring8")), pool.open, idle_timeout=30.0)
        pair = RunHandle(LockstepRun(SMALL.replace(target="ring8"), "batch_size", 32, 64), pool.open, idle_timeout=30.0)
        classes.attach_run(ADA, "2D lab", single)
        classes.attach_run(BOB, "side by side", pair)
        single.run_steps("both", 6)
        pair.run_steps("both", 4)
        assert classes.record() == 2
        reference = Trainer(SMALL.replace(target="ring8"))  # the same seed and steps: the same weights
        for _ in range(6):
            reference.step()
        rows = classes.gallery(TEACHER)
        assert [(r.slot, r.page, r.live, r.iteration, r.n_modes) for r in rows] == [
            (1, "2D lab", True, 6, 8), (2, "side by side", True, 4, 8)]
        np.testing.assert_allclose(rows[0].fakes, reference.fixed_samples(256).numpy(), rtol=0, atol=1e-6)
        assert classes.play_all(TEACHER) == 2 and single.playing and pair.playing
        assert classes.pause_all(TEACHER) == 2 and not single.playing and not pair.playing
        iteration = single.trainer.iteration
        os.kill(single._link.worker.process.pid, signal.SIGKILL)
        single._link.worker.process.wait(timeout=10)
        clock.now += 2.0
        classes.record()  # reads the lost run: at most its last frame is stored, nothing raised
        (ada, _) = classes.gallery(TEACHER)
        assert (ada.live, ada.iteration) == (False, iteration) and iteration >= 6  # the last frame it showed
    finally:
        pool.shutdown()


def test_the_recorder_thread_records_a_playing_run(path):
    classes = Classes(ClassStore(path), record_every=0.05)
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA, "Ada")
    live = LiveRun(Trainer(SMALL.replace(target="ring8")), gate=TrainingGate(1))
    classes.attach_run(ADA, "2D lab", live)
    live.play()
    try:
        deadline = time.monotonic() + 60
        while classes.curves_csv(TEACHER).count(b"\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        live.close()
    lines = classes.curves_csv(TEACHER).decode().splitlines()
    assert len(lines) >= 3, lines  # two points or more, 2 s apart
    iterations = [int(line.split(",")[3]) for line in lines[1:]]
    assert iterations == sorted(iterations) and iterations[-1] > 0
    assert classes.recorder_error == ""


def test_many_threads_at_once_neither_fail_nor_lose_a_member(path):
    classes = Classes(ClassStore(path), record_every=0.01)
    code = classes.start_class(TEACHER, preset=RING).code
    runs, errors = [], []

    def student(i):
        try:
            key = f"student-{i}"
            classes.join(code, key, f"S{i}")
            run = FakeRun(ring(seed=i), iteration=i, modes=1, hq=1.0)
            runs.append(run)
            classes.attach_run(key, "2D lab", run)
            for step in range(20):
                run.iteration += 1
                classes.gallery(TEACHER)
                classes.pending_preset(key, step)
        except Exception as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for _ in range(10):
        classes.record()
        classes.sweep(TEACHER, "seed")
    for t in threads:
        t.join()
    assert errors == []
    rows = classes.gallery(TEACHER)
    assert sorted(r.slot for r in rows) == list(range(1, 7))
    assert sorted(r.settings["seed"] for r in rows) == list(range(6))
    assert classes.recorder_error == ""


def test_gallery_rows_are_the_contract_type(classes):
    code = classes.start_class(TEACHER).code
    classes.join(code, ADA)
    classes.attach_run(ADA, "2D lab", FakeRun(ring()))
    assert isinstance(classes.gallery(TEACHER)[0], GalleryRow)
