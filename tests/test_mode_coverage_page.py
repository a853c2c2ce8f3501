"""AppTest of the mode-coverage page with a small cached map (300 digits, built once here), so
the test never builds the full 5k map."""

import os

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gan_core import embedding
from gan_core.classifier import get_classifier
from gan_core.coverage import read_generated
from gan_core.mnist import load_mnist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.join(ROOT, "app.py")
PAGE = os.path.join(ROOT, "views", "mode_coverage.py")
MAP_POINTS = 300


@pytest.fixture(scope="module")
def small_map_dir(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("tsne_cache"))
    old = embedding.N_JOBS
    embedding.N_JOBS = 1  # see tests/test_embedding.py: torch's OpenMP runtime spins with 2
    try:
        digit_map = embedding.load_or_build_map(load_mnist(), embedding.MapParams(n_points=MAP_POINTS), cache)
    finally:
        embedding.N_JOBS = old
    assert digit_map.origin == "built now"
    return cache


@pytest.fixture
def env(small_map_dir, monkeypatch):
    monkeypatch.setenv("GAN_TSNE_MAP_POINTS", str(MAP_POINTS))
    monkeypatch.setenv(embedding.CACHE_DIR_ENV, small_map_dir)
    monkeypatch.setattr(embedding, "N_JOBS", 1)
    return small_map_dir


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.slow
def test_page_renders_cached_map_and_collapsed_quick_run(env):
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    assert not at.exception, at.exception
    assert any("300 real digits" in c.value and "read from cache" in c.value for c in at.caption)
    radio = at.radio(key="cov_source")
    assert radio.options == ["Quick run on this page", "Uploaded checkpoint"]  # no MNIST run in this tab
    assert at.selectbox(key="cov_preset").value.startswith("collapsed")

    # The numbers on the page equal an independent reading of the same generator.
    trainer = at.session_state["_live_runs"]["Mode coverage quick run"].trainer
    read = read_generated(trainer, get_classifier(), 1000)
    assert metric(at, "Digits covered") == f"{read.coverage.n_covered} / 10"
    assert metric(at, "KL(p_gen ‖ uniform)") == f"{read.coverage.kl:.3f} nats"
    assert metric(at, "Samples counted") == "1,000"
    key, placed = at.session_state["cov_placed"]
    assert placed.positions.shape == (1000, 2) and np.isfinite(placed.positions).all()
    assert any(read.coverage.sentence in (w.value or "") for w in list(at.warning) + list(at.success))

    # fewer digits: the placement follows the slider
    at.slider(key="cov_n").set_value(200).run()
    assert not at.exception
    assert metric(at, "Samples counted") == "200"
    assert at.session_state["cov_placed"][1].positions.shape == (200, 2)

    # one training step moves the run on: the page judges the new iteration
    at.button(key="cov_step_both").click().run()
    assert not at.exception
    assert any("at iteration 1" in c.value for c in at.caption)


def test_uploaded_checkpoint_paths(env):
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    assert not at.exception
    at.radio(key="cov_source").set_value("Uploaded checkpoint").run()
    assert not at.exception
    assert any("Upload a checkpoint" in i.value for i in at.info)


def test_mnist_page_run_is_offered_and_judged(env):
    from gan_core.live import LiveRun
    from gan_core.presets import MNIST_PRESETS
    from gan_core.trainer import Trainer
    from ui.mnist_run import RUN_NAME

    trainer = Trainer(next(iter(MNIST_PRESETS.values())).config)
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.session_state["_live_runs"] = {RUN_NAME: LiveRun(trainer)}
    at.run()
    assert not at.exception, at.exception
    assert at.radio(key="cov_source").value == "MNIST step-by-step run (this tab)"
    assert any("Judging the MNIST step-by-step run" in c.value for c in at.caption)
    read = read_generated(trainer, get_classifier(), 1000)
    assert metric(at, "Digits covered") == f"{read.coverage.n_covered} / 10"


def test_registered_in_app(env):
    at = AppTest.from_file(APP, default_timeout=240).run()
    at.switch_page("views/mode_coverage.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Mode coverage")
