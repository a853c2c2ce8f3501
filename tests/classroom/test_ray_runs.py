"""A 2D-lab run on a local Ray cluster (ray.init(num_cpus=2)) through the same RunHandle the pages
hold: its iterations advance while it plays, its settings apply, it equals a run in this process,
and a killed actor is reported like a killed worker. Skipped only where `ray` is not installed
(requirements-ray.txt; .ci/run installs it)."""

import time

import pytest

ray = pytest.importorskip("ray")

from classroom.ray_host import ray_opener  # noqa: E402
from classroom.run_handle import RunHandle, RunLost  # noqa: E402
from gan_core.trainer import Trainer  # noqa: E402
from train_support import SMALL, same, weights  # noqa: E402


def test_a_run_opened_by_a_page_script_thread_outlives_that_thread(monkeypatch):
    """Streamlit runs each page script on a thread that then ends; Ray tied its driver to the
    thread that called ray.init, so the first runs died with their page run (seen in the app)."""
    import threading

    monkeypatch.delenv("GAN_CLASSROOM_RAY_ADDRESS", raising=False)
    if ray.is_initialized():
        ray.shutdown()
    opened = {}
    page_run = threading.Thread(target=lambda: opened.setdefault("run", RunHandle(Trainer(SMALL), ray_opener(), 60)))
    page_run.start()
    page_run.join()
    run = opened["run"]
    try:
        run.play()
        end = time.monotonic() + 60
        while run.call(lambda t: t.iteration) < 20 and time.monotonic() < end and not run.lost:
            time.sleep(0.1)
        assert not run.lost and run.trainer.iteration >= 20
    finally:
        run.close()
        ray.shutdown()


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_run_on_ray_trains_applies_settings_and_reports_a_dead_actor(local_ray):
    run = RunHandle(Trainer(SMALL), ray_opener(), idle_timeout=60)
    run.run_steps("both", 3)
    assert run.update(label_smoothing=0.1) == {"real_label": (1.0, 0.9)}
    run.run_steps("both", 2)
    reference = Trainer(SMALL)
    reference.train(3)
    reference.update(label_smoothing=0.1)
    reference.train(2)
    assert same(weights(run.trainer), weights(reference)) and run.trainer.config.real_label == 0.9

    run.play()
    end = time.monotonic() + 60
    while run.call(lambda t: t.iteration) < 50 and time.monotonic() < end:
        time.sleep(0.1)
    assert run.trainer.iteration >= 50 and run.playing
    run.pause()
    assert not run.playing
    facts = ray.get(run._link.actor.facts.remote())
    assert facts["has_streamlit"] is False

    ray.kill(run._link.actor)
    with pytest.raises(RunLost):
        for _ in range(100):  # the kill lands asynchronously
            run.run_steps("both", 1)
            time.sleep(0.05)
    kept = run.trainer.iteration
    run.restart()
    run.run_steps("both", 1)
    assert run.trainer.iteration == kept + 1 and not run.lost
    run.close()
