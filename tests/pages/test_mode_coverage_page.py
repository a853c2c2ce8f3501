"""AppTest of the mode-coverage page with a small cached map (300 digits, built once here), so
the test never builds the full 5k map; and the page's shareable setup (links, presets)."""

import json
import os

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from download_support import download_bytes
from gan_core import embedding
from gan_core.classifier import get_classifier
from gan_core.coverage import read_generated
from gan_core.mnist import load_mnist
from page_support import APP, ROOT, plain

PAGE = os.path.join(ROOT, "views", "mode_coverage.py")
MAP_POINTS = 300


def shared_params(at) -> dict:
    """The address bar's setup, without this tab's run id (which a reload uses, a link never)."""
    return {k: v for k, v in dict(at.query_params).items() if k != "run"}


@pytest.fixture(scope="module")
def small_map_dir(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("tsne_cache"))
    old = embedding.N_JOBS
    embedding.N_JOBS = 1  # see tests/gan_core/test_embedding.py: torch's OpenMP runtime spins with 2
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

    # An untrained generator draws noise: the classifier reads it as one digit, but no image looks
    # like a digit (gan_core.digit_likeness), so the page says "not digits yet", not "collapsed".
    trainer = at.session_state["_live_runs"]["Mode coverage quick run"].trainer
    assert trainer.iteration == 0
    read = read_generated(trainer, get_classifier(), 1000)
    assert np.bincount(read.digits).max() >= 900  # what the classifier alone would call a collapse
    assert metric(at, "Digits covered") == "0 / 10" and metric(at, "KL(p_gen ‖ uniform)") == "—"
    assert metric(at, "Samples counted") == "1,000"
    key, placed = at.session_state["cov_placed"]
    assert placed.positions.shape == (1000, 2) and np.isfinite(placed.positions).all()
    # the live map's fakes were read where the run trains and placed as this map places them
    (map_file,) = [f for f in os.listdir(env) if f.startswith("tsne_map_")]
    digit_map = embedding.read_cached_map(map_file[len("tsne_map_"):-len(".npz")])
    live = at.session_state["cov_live_placed"][1]
    fakes = read_generated(trainer, get_classifier(), len(live.positions)).images
    if not live.placed_by_host:  # a worker started before this test set its map folder cannot read the map
        fakes = live.read.images  # (tests/classroom/test_run_views.py checks the host's placing)
    np.testing.assert_allclose(live.positions, digit_map.place(fakes, n_iter=embedding.QUICK_PLACE), rtol=0, atol=1e-4)
    verdicts = [m.value for m in list(at.warning) + list(at.success) + list(at.info)]
    assert any(v.startswith("None of the 1,000 generated images looks like a digit yet") for v in verdicts)
    assert not any("collapse" in v for v in verdicts)
    subheaders = [s.value for s in at.subheader]
    assert "Not digits yet: 1,000 of 1,000" in subheaders and "Between modes: 0 of 1,000" in subheaders
    assert any("not a digit yet" in c.proto.spec for c in at.get("plotly_chart"))  # grey circles on the map

    # fewer digits: the placement follows the slider
    at.slider(key="cov_n").set_value(200).run()
    assert not at.exception
    assert metric(at, "Samples counted") == "200"
    assert at.session_state["cov_placed"][1].positions.shape == (200, 2)

    # one training step moves the run on: the page judges the new iteration
    at.button(key="cov_step_both").click().run()
    assert not at.exception
    assert any("at iteration 1" in c.value for c in at.caption)
    # the placement's line is outside the live fragment: it names the iteration of its digits, and
    # no iteration of the run (that number would stand still while the run plays)
    judged = [c.value for c in at.caption if c.value.startswith("Judging")]
    assert len(judged) == 1
    placed_at = int(judged[0].split(" digits at iteration ")[1].split(" ")[0].rstrip(".").replace(",", ""))
    assert placed_at == at.session_state["cov_placed"][0][1]
    assert ("has trained on since" in judged[0]) == (placed_at != trainer.iteration)
    assert "the run is at" not in judged[0]
    at.button(key="cov_step_both").click().run()  # another step: the placement stays, the line says the run moved on
    judged = [c.value for c in at.caption if c.value.startswith("Judging")]
    assert trainer.iteration == 2 and f"digits at iteration {placed_at} (the run has trained on since" in judged[0]


@pytest.mark.slow
def test_the_quick_runs_coverage_record_is_read_where_it_trains(env):
    """The live map's redraw records the quick run's coverage points from its "mnist" view (the
    classifier reads on the run's host, every METRIC_EVERY iterations): the points equal the
    classifier's reading of the same 500 fakes here."""
    import torch

    from classroom.digit_views import METRIC_EVERY, digit_values
    from classroom.image_progress import METRIC_SEED_OFFSET
    from gan_core.step_probe import generate

    at = AppTest.from_file(PAGE, default_timeout=240).run()
    run = at.session_state["_live_runs"]["Mode coverage quick run"]
    run.run_steps("both", METRIC_EVERY)
    at.run()
    assert not at.exception, at.exception
    points = at.session_state["cov_progress"].points
    assert [iteration for iteration, _ in points] == [0, METRIC_EVERY]
    trainer = run.trainer  # paused: the replica holds the run's weights exactly
    assert trainer.iteration == METRIC_EVERY
    z = trainer.noise(500, torch.Generator().manual_seed(trainer.config.seed + METRIC_SEED_OFFSET))
    expected = digit_values(generate(trainer, z), get_classifier())
    assert points[-1][1] == pytest.approx(expected, abs=1e-5)
    assert points[-1][1]["samples"] == 500


def test_uploaded_checkpoint_paths(env):
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    assert not at.exception
    at.radio(key="cov_source").set_value("Uploaded checkpoint").run()
    assert not at.exception
    assert any("Upload a checkpoint" in i.value for i in at.info)


def test_mnist_page_run_is_offered_and_judged(env):
    from classroom.live import LiveRun
    from classroom.presets import MNIST_PRESETS
    from gan_core.trainer import Trainer
    from ui.mnist.run import RUN_NAME

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
    assert any(m.value.startswith("### Mode coverage") for m in at.markdown)  # one short line


# ---- shareable setup (ui.share.widget_setup on ui.mode_coverage.sources.SETTINGS) -----------------

DCGAN = "DCGAN (fast, all ten digits)"
COLLAPSED = "collapsed MLP (G outruns D)"
QUICK, UPLOADED = "Quick run on this page", "Uploaded checkpoint"
UPLOAD = "mode_coverage_share_upload"


def open_coverage(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=240)
    at.query_params.update(query or {})
    at.run()
    assert not at.exception, at.exception
    return at


def quick_config(at):
    return at.session_state["_live_runs"]["Mode coverage quick run"].trainer.config


def adjusted(at) -> list:
    return [w.value for w in at.warning if w.value.startswith("Adjusted")]  # not the coverage verdict


def test_link_restores_preset_count_and_threshold_and_the_url_follows_the_widgets(env):
    from classroom.presets import MNIST_PRESETS

    at = open_coverage({"preset": DCGAN, "n": "300", "threshold": "0.45"})
    assert not at.error and adjusted(at) == []
    assert at.radio(key="cov_source").value == QUICK and at.selectbox(key="cov_preset").value == DCGAN
    assert quick_config(at) == MNIST_PRESETS[DCGAN].config  # the quick run is the link's preset
    assert (at.slider(key="cov_n").value, at.slider(key="cov_threshold").value) == (300, 0.45)
    assert metric(at, "Samples counted") == "300"
    placed = at.session_state["cov_placed"][1]
    assert any(s.value == f"Between modes: {len(placed.read.between_modes(0.45))} of 300" for s in at.subheader)
    assert shared_params(at) == {"preset": DCGAN, "n": "300", "threshold": "0.45"}

    at.slider(key="cov_threshold").set_value(0.6).run()  # the default again: it leaves the URL
    assert shared_params(at) == {"preset": DCGAN, "n": "300"}
    at.selectbox(key="cov_preset").set_value(COLLAPSED).run()
    assert not at.exception
    assert quick_config(at) == MNIST_PRESETS[COLLAPSED].config and shared_params(at) == {"n": "300"}


def test_settings_survive_a_visit_to_the_upload_source(env):
    """The upload view does not draw the preset picker. Streamlit forgets the value of a widget a
    finished run did not draw, so the picker came back naming another preset than the run's."""
    from gan_core.checkpoint import checkpoint_bytes
    from classroom.presets import MNIST_PRESETS

    at = open_coverage()
    at.selectbox(key="cov_preset").set_value(DCGAN).run()
    at.slider(key="cov_n").set_value(300).run()
    saved = checkpoint_bytes(at.session_state["_live_runs"]["Mode coverage quick run"].trainer)
    at.radio(key="cov_source").set_value(UPLOADED).run()
    at.file_uploader(key="cov_upload").set_value(("quick.pt", saved, "application/octet-stream")).run()
    assert not at.exception and not at.error and "cov_preset" not in [s.key for s in at.selectbox]
    assert any("checkpoint quick.pt" in c.value for c in at.caption)  # the run finished, judging the upload
    at.run()
    at.radio(key="cov_source").set_value(QUICK).run()
    assert not at.exception
    assert at.selectbox(key="cov_preset").value == DCGAN
    assert quick_config(at) == MNIST_PRESETS[DCGAN].config  # picker and run agree
    assert at.slider(key="cov_n").value == 300
    assert shared_params(at) == {"preset": DCGAN, "n": "300"}


def test_link_restores_the_generator_source_and_refuses_text_for_a_number(env):
    at = open_coverage({"source": UPLOADED, "n": "many", "threshold": "0.93"})
    assert at.radio(key="cov_source").value == UPLOADED
    assert any("Upload a checkpoint" in i.value for i in at.info)
    assert "n must be a whole number; got 'many'; kept the default" in plain(at.error)
    # shown at the top, and again in the Share expander ("From the link this page was opened with")
    assert adjusted(at) == ["Adjusted: threshold=0\\.93 is above the largest allowed value; using 0\\.9"] * 2
    assert (at.session_state["cov_n"], at.session_state["cov_threshold"]) == (1000, 0.9)
    assert shared_params(at) == {"source": UPLOADED, "threshold": "0.9"}


def test_hostile_link_shows_messages_and_applies_the_sane_part(env):
    at = open_coverage({"evil<script>": "1", "n": "-5", "threshold": "nan", "preset": "x" * 150,
                        "source": "MNIST step-by-step run (this tab)"})
    errors = plain(at.error)
    assert "Unknown setting(s) ignored: evil<script>" in errors
    assert "threshold must be a finite number; got 'nan'; kept the default" in errors
    assert "preset: value of 150 characters is too long; kept the default" in errors
    assert ("source must be one of Quick run on this page, Uploaded checkpoint; "
            "got 'MNIST step-by-step run (this t…'") in errors  # another tab's own run cannot be linked
    assert plain(at.warning).count("n=-5 is below the smallest allowed value; using 100") == 2  # top and expander
    assert at.radio(key="cov_source").value == QUICK and at.selectbox(key="cov_preset").value == COLLAPSED
    assert (at.slider(key="cov_n").value, at.slider(key="cov_threshold").value) == (100, 0.6)
    assert metric(at, "Samples counted") == "100"
    assert shared_params(at) == {"n": "100"}
    assert any(m.value.startswith("### Mode coverage") for m in at.markdown)


def test_a_downloaded_preset_loads_into_a_fresh_tab_and_bad_files_change_nothing(env, downloads):
    from classroom.presets import MNIST_PRESETS
    from classroom.setting_values import FORMAT

    link = {"preset": DCGAN, "n": "200", "threshold": "0.5"}
    open_coverage(link)
    doc = json.loads(download_bytes(downloads, ":material/download: Download preset"))
    assert doc == {"format": FORMAT, "page": "mode_coverage", "name": "mode coverage setup",
                   "settings": {"source": QUICK, "preset": DCGAN, "n": 200, "threshold": 0.5}}

    fresh = open_coverage({"source": UPLOADED})  # no quick run yet in this tab
    fresh.file_uploader(key=UPLOAD).set_value(("p.json", json.dumps(doc).encode(), "application/json")).run()
    assert not fresh.exception, fresh.exception
    assert any("Loaded mode coverage setup" in s.value for s in fresh.success)
    assert fresh.radio(key="cov_source").value == QUICK and quick_config(fresh) == MNIST_PRESETS[DCGAN].config
    assert metric(fresh, "Samples counted") == "200" and shared_params(fresh) == link

    other_page = json.dumps({"format": FORMAT, "page": "value_function", "settings": {"alpha": 0.7}}).encode()
    for bad, phrase in ((b"{oops", "not valid JSON"), (other_page, "saved on the page 'value_function'"),
                        (b" " * 70_000, "more than 64,000")):
        fresh.file_uploader(key=UPLOAD).set_value(("bad.json", bad, "application/json")).run()
        assert not fresh.exception
        assert (fresh.session_state["cov_preset"], fresh.session_state["cov_n"]) == (DCGAN, 200), phrase
        assert shared_params(fresh) == link
        assert "The preset file was not applied." in plain(fresh.error) and phrase in plain(fresh.error)


@pytest.mark.slow
def test_a_quick_run_whose_worker_died_shows_the_restart_panel_not_an_exception(env):
    """Issue 20 §3 item 5: the coverage timeline asks the run's worker for its snapshots' samples;
    when that worker had died since the last snapshot, the page showed RunLost's traceback."""
    import signal
    import time

    from gan_core.trainer import Trainer

    at = AppTest.from_file(PAGE, default_timeout=240).run()
    assert not at.exception, at.exception
    run = at.session_state["_live_runs"]["Mode coverage quick run"]
    trainer = run.trainer
    run.replace_trainer(Trainer(trainer.config.replace(snapshot_every=1), target=trainer.target))
    run.run_steps("both", 1)  # a snapshot the page has not judged yet
    worker = run._link.worker
    os.kill(worker.process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not worker.dead and time.monotonic() < deadline:
        time.sleep(0.05)
    at.run()
    assert not at.exception, at.exception
    assert any("restart the run from it" in e.value for e in at.error)
    assert at.button(key="cov_restart").label == "Restart from the last frame"
