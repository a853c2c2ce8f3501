"""Issue 7, item 5: the fault and bad-input catalogue, one AppTest per entry that no other test
file covers. Each asserts the message the page shows AND that nothing was lost afterwards.

Entries already covered elsewhere (not repeated here):
- diverging run in step mode, message + rollback:
  tests/pages/test_toy_2d_page.py::test_diverging_run_stops_explains_and_rolls_back
  (this file adds the PLAY case: the background thread stops by itself, the page says so).
- corrupted and malicious (pickle payload, marker never created) checkpoint uploads on the MNIST page, and
  a toy-target checkpoint there:
  tests/pages/test_mnist_page.py::test_corrupted_and_malicious_uploads_are_refused_and_the_run_kept;
  weights_only loading: tests/gan_core/test_checkpoint.py::test_malicious_pickle_does_not_execute
  (this file adds the OTHER-ARCHITECTURE file uploaded on the MNIST page).
- malformed preset JSON and hostile query strings:
  tests/ui/test_share_ui.py::test_hostile_link_shows_messages_and_applies_the_sane_part,
  tests/ui/test_share_ui.py::test_preset_file_upload_applies_once_and_bad_files_change_nothing,
  tests/classroom/test_sharing.py::test_malformed_preset_files_change_nothing and its query tests; on the real pages
  tests/pages/test_page_share.py::test_2d_lab_hostile_link_shows_messages_and_keeps_sane_values,
  tests/pages/test_page_share.py::test_1d_lab_link_restores_and_refuses_a_2d_target_by_name and
  tests/pages/test_page_share.py::test_mnist_link_restores_and_hostile_values_are_refused.
- corrupt IDX files: tests/gan_core/test_mnist_data.py (truncated, truncated gzip, wrong magic, wrong dimensions,
  labels out of range, lone half of a pair, fallback with a warning) (this file adds the MNIST PAGE's warning).
- corrupt caches: tests/gan_core/test_mnist_data.py::test_corrupt_npz_cache_is_rebuilt,
  tests/gan_core/test_embedding.py::test_cache_roundtrip_and_corrupt_file_is_rebuilt and
  tests/gan_core/test_embedding.py::test_cache_with_nan_or_pickle_is_not_trusted
  (this file adds what the PAGES say: the coverage page names an unusable map file while it
  rebuilds it; the MNIST page names an unusable classifier file while it retrains it).
- a browser tab closed during play (training stops, memory released):
  tests/ui/test_session_cleanup.py::test_closed_tab_stops_training_and_frees_its_trainer and
  tests/ui/test_session_cleanup.py::test_janitor_releases_only_gone_and_untouched_sessions.

AppTest cannot tick the live fragment's timer; "playing" here is the real LiveRun thread
(run.play()), and each at.run() is one redraw a browser would have asked for."""

import io
import os
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core import mnist
from gan_core.checkpoint import checkpoint_bytes
from page_support import ROOT, open_app, open_toy_lab, readout_value, toy_lab_run
from train_support import weights

TOY = "views/toy_2d.py"
SMALL = dict(target="ring8", g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32)


def wait_for(condition, timeout: float = 90.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def browser_page_switch(at, page: str) -> None:
    """A click on a navigation link: the browser drops the old page's query string (AppTest's
    switch_page would carry it over, and the 1D lab's link is not one the 2D lab should restore)."""
    at.query_params.clear()
    at.switch_page(page).run()


def test_divergence_during_play_auto_pauses_explains_and_rolls_back():
    # plain SGD with learning rate 1 on least squares blows up within a few dozen iterations
    at = open_toy_lab(timeout=120, **SMALL | dict(optimizer="sgd", lr_d=1.0, lr_g=1.0, loss="least_squares",
                                                  snapshot_every=5))
    run = toy_lab_run(at)
    at.slider(key="toy_knob_label_smoothing").set_value(0.2).run()  # a setting that must survive
    run.play()
    try:
        wait_for(lambda: run.error is not None, 120, "the run to diverge")
        wait_for(lambda: not run.playing, 30, "the play thread to stop by itself")
    finally:
        run.pause()
    at.run()
    assert not at.exception
    assert at.button(key="toy_play").label == "Play"  # paused: the page shows Play again
    message = " ".join(e.value for e in at.error)
    assert "Training stopped" in message and "diverged" in message and "learning rate" in message
    failed_at = run.error.iteration
    snapshot = run.trainer.snapshots[-1][0]
    assert 0 <= snapshot <= failed_at
    assert at.button(key="toy_rollback").label == f"Roll back to iteration {snapshot}"

    at.button(key="toy_rollback").click().run()
    trainer = run.trainer
    assert run.error is None and trainer.iteration == snapshot
    assert all(torch.isfinite(p).all() for p in weights(trainer))
    assert trainer.config.label_smoothing == pytest.approx(0.2, abs=1e-12)  # settings kept
    assert any(f"Rolled back to the snapshot at iteration {snapshot}" in s.value for s in at.success)
    assert not at.error and not at.exception


def test_checkpoint_of_another_architecture_is_refused_on_the_mnist_page():
    from ui.mnist.run import PREFIX, RUN_NAME

    at = open_app("views/mnist.py", timeout=180, state={"mnist_tab": "Downloads, checkpoint & share"})
    run = at.session_state["_live_runs"][RUN_NAME]
    at.button(key=f"{PREFIX}_step_both").click().run()
    trainer, before = run.trainer, weights(run.trainer)
    # A file whose settings name one architecture while its weights are another's
    state = torch.load(io.BytesIO(checkpoint_bytes(trainer)), weights_only=True)
    state["config"]["arch"] = "dcgan" if trainer.config.arch != "dcgan" else "seed_mlp"
    buffer = io.BytesIO()
    torch.save(state, buffer)
    at.file_uploader(key=f"{PREFIX}_upload").set_value(("other.pt", buffer.getvalue(), "x")).run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Could not load “other.pt”" in errors and "current run is kept" in errors
    assert "do not fit the networks" in errors
    assert run.trainer is trainer and trainer.iteration == 1
    assert all(torch.equal(a, b) for a, b in zip(before, weights(trainer)))


def test_corrupt_idx_files_show_a_warning_on_the_mnist_page_and_training_works(tmp_path, monkeypatch):
    from ui.mnist.run import PREFIX, RUN_NAME

    # a truncated training-images file beside a valid labels file (the IDX header by hand)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + (4).to_bytes(4, "big")
                                                       + (28).to_bytes(4, "big") * 2 + b"\x00" * 100)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01" + (4).to_bytes(4, "big") + bytes(4))
    wrapped = mnist.load_mnist.__wrapped__
    monkeypatch.setattr(wrapped, "__defaults__", (str(tmp_path), mnist.CACHE_DIR))
    mnist.load_mnist.cache_clear()
    try:
        at = open_app("views/mnist.py", timeout=180)
        warnings = " ".join(w.value for w in at.warning)
        assert "train-images-idx3-ubyte" in warnings and "embedded" in warnings
        run = at.session_state["_live_runs"][RUN_NAME]
        data = run.trainer.target.data
        assert len(data) == 5000 and data.is_embedded and "train-images-idx3-ubyte" in data.warning
        at.button(key=f"{PREFIX}_step_both").click().run()
        assert not at.exception and run.error is None and run.trainer.iteration == 1
    finally:
        monkeypatch.undo()
        mnist.load_mnist.cache_clear()


def test_architecture_change_mid_run_restarts_and_keeps_live_settings():
    at = open_toy_lab(timeout=120, **SMALL)
    run = toy_lab_run(at)
    at.slider(key="toy_knob_label_smoothing").set_value(0.15).run()
    at.select_slider(key="toy_knob_batch_size").set_value(64).run()
    run.play()
    try:
        wait_for(lambda: run.trainer.iteration >= 5, 90, "the run to train a few iterations")
        at.session_state["toy_tab"] = "Architecture & your own target"  # only the open tab is built
        at.run()
        submit = at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)")
        assert "restarts the run" in submit.label
        at.number_input(key="toy_arch_g_width").set_value(32)
        submit.click().run()
        assert not at.exception and not at.error
        c = run.trainer.config
        assert (c.g_width, c.label_smoothing, c.batch_size) == (32, pytest.approx(0.15, abs=1e-12), 64)
        assert at.slider(key="toy_knob_label_smoothing").value == pytest.approx(0.15, abs=1e-12)
        assert run.playing  # the new run goes on playing
        new = run.trainer
        wait_for(lambda: run.trainer.iteration >= 1 and run.trainer is new, 90, "the rebuilt run to train")
    finally:
        run.pause()
    assert run.error is None


def test_rapid_slider_changes_during_play():
    at = open_toy_lab(timeout=120, **SMALL)
    run = toy_lab_run(at)
    trainer = run.trainer
    values = [0.05, 0.3, 0.1, 0.45, 0.0, 0.25, 0.5, 0.2, 0.35, 0.15] * 2
    seen = []
    run.play()
    try:
        for value in values:
            at.slider(key="toy_knob_label_smoothing").set_value(value).run()
            assert not at.exception, at.exception
            seen.append(run.trainer.iteration)
        final_iteration = run.trainer.iteration
        wait_for(lambda: run.trainer.iteration > final_iteration, 90, "training to go on after the changes")
    finally:
        run.pause()
    assert run.trainer is trainer and run.error is None and not at.error
    assert seen == sorted(seen)  # the iteration never went back
    assert run.trainer.config.label_smoothing == pytest.approx(values[-1], abs=1e-12)
    assert run.trainer.config.real_label == pytest.approx(1 - values[-1], abs=1e-12)
    logged = [e for e in run.trainer.events if e[1] == "real_label"]
    assert len(logged) == len(values)  # every change reached the trainer, in order
    at.run()
    assert any(f"Real label in use: **{1 - values[-1]:.2f}**" in m.value for m in at.caption)


def test_page_switches_during_play_keep_the_run():
    at = open_toy_lab(timeout=120, **SMALL)
    run = toy_lab_run(at)
    trainer = run.trainer
    at.slider(key="toy_knob_label_smoothing").set_value(0.1).run()
    run.play()
    try:
        wait_for(lambda: run.trainer.iteration >= 3, 90, "the run to start")
        seen = [run.trainer.iteration]
        for page in ("views/home.py", "views/value_function.py", "views/toy_1d.py", TOY):
            browser_page_switch(at, page)
            assert not at.exception, (page, at.exception)
            assert toy_lab_run(at) is run and run.trainer is trainer
            seen.append(run.trainer.iteration)
        assert run.playing  # nothing paused or reset it
        wait_for(lambda: run.trainer.iteration > seen[-1], 90, "training to go on after the switches")
    finally:
        run.pause()
    assert seen == sorted(seen) and run.error is None
    iteration = run.trainer.iteration
    kept = weights(run.trainer)
    browser_page_switch(at, "views/home.py")
    browser_page_switch(at, TOY)
    assert run.trainer.iteration == iteration and all(torch.equal(a, b) for a, b in zip(kept, weights(run.trainer)))
    assert readout_value(at, "Iteration") == f"{iteration:,}"
    assert at.slider(key="toy_knob_label_smoothing").value == pytest.approx(0.1, abs=1e-12)
    assert not at.error


@pytest.mark.slow
def test_corrupt_tsne_map_cache_is_named_rebuilt_and_the_page_works(tmp_path, monkeypatch):
    from gan_core import embedding
    from gan_core.mnist import load_mnist

    monkeypatch.setattr(embedding, "N_JOBS", 1)  # see tests/gan_core/test_embedding.py
    params = embedding.MapParams(n_points=300)
    good = embedding.load_or_build_map(load_mnist(), params, str(tmp_path))
    path = embedding.cache_path(good.key, str(tmp_path))
    with open(path, "wb") as fh:  # a half-written or foreign file where the map was
        fh.write(b"PK\x03\x04 not a map at all")
    monkeypatch.setenv("GAN_TSNE_MAP_POINTS", "300")
    monkeypatch.setenv(embedding.CACHE_DIR_ENV, str(tmp_path))

    at = AppTest.from_file(os.path.join(ROOT, "views", "mode_coverage.py"), default_timeout=240).run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "saved t-SNE map" in warning and "could not be used" in warning and "BadZipFile" in warning
    assert any("Map: 300 real digits" in c.value for c in at.caption)
    assert next(m for m in at.metric if m.label == "Digits covered").value.endswith("/ 10")
    assert embedding.cached_map_problem(path, good.key, good.labels) is None  # a good file replaced it
    at.run()  # the next redraw reads the map it built; the warning was about that one build
    assert not at.exception and "could not be used" not in " ".join(w.value for w in at.warning)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_corrupt_classifier_cache_is_named_while_it_retrains_and_the_mnist_page_works(tmp_path, monkeypatch):
    import threading

    import ui.mnist.metrics as mm
    from gan_core.classifier import get_classifier
    from ui.mnist.run import PREFIX, RUN_NAME

    real = get_classifier()  # the cached classifier the retraining stands in for
    corrupt = tmp_path / "digit_cnn.pt"
    corrupt.write_bytes(b"\x80\x04 truncated torch file")
    release = threading.Event()

    def slow_retraining():
        release.wait(30)
        return real

    monkeypatch.setattr(mm, "classifier_path", lambda: str(corrupt))
    monkeypatch.setattr(mm, "get_classifier", slow_retraining)
    mm._loader.clear()
    try:
        at = open_app("views/mnist.py", timeout=180)
        info = " ".join(i.value for i in at.info)
        assert "saved digit classifier could not be used" in info and "trained again" in info
        run = at.session_state["_live_runs"][RUN_NAME]
        at.button(key=f"{PREFIX}_step_both").click().run()  # the page works meanwhile
        assert not at.exception and run.error is None and run.trainer.iteration == 1
        release.set()
        wait_for(lambda: mm.ready_classifier() is not None, 30, "the retrained classifier")
        at.run()
        assert not at.exception
        assert "could not be used" not in " ".join(i.value for i in at.info)
        assert run.trainer.iteration == 1  # nothing was lost
    finally:
        release.set()
        monkeypatch.undo()
        mm._loader.clear()  # later tests get a loader that reads the real cache


def test_every_setup_button_on_a_run_whose_worker_died_ends_in_the_restart_panel():
    """Issue 20 §3 item 5: after the worker died, Apply preset, Reset, Rebuild and "Train on these
    points" showed the exception text; each now shows the lost-run panel, changes nothing (the last
    frame stays), and the restart goes on from that frame."""
    import signal

    at = open_toy_lab(timeout=120, **SMALL)
    run = toy_lab_run(at)
    for _ in range(3):
        at.button(key="toy_step_both").click().run()
    worker = run._link.worker
    os.kill(worker.process.pid, signal.SIGKILL)
    wait_for(lambda: worker.dead, 30, "the server to notice the worker's death")

    def shows_the_restart_panel(action: str) -> None:
        assert not at.exception, (action, at.exception)
        lost = [e.value for e in at.error if "stopped" in e.value]
        assert len(lost) == 1 and "restart the run from it" in lost[0], (action, [e.value for e in at.error])
        assert at.button(key="toy_restart").label == "Restart from the last frame", action
        assert not at.success, (action, [s.value for s in at.success])  # nothing says it was applied
        assert readout_value(at, "Iteration") == "3", action  # the last frame stays on the page
        assert (run.trainer.config.g_width, run.trainer.config.target) == (16, "ring8"), action

    at.button(key="toy_preset_apply").click().run()  # the first to meet the dead worker
    shows_the_restart_panel("Apply preset")
    at.button(key="toy_reset").click().run()
    shows_the_restart_panel("Reset")
    at.session_state["toy_tab"] = "Architecture & your own target"  # only the open tab is built
    at.run()
    at.number_input(key="toy_arch_g_width").set_value(32)
    at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)").click().run()
    shows_the_restart_panel("Rebuild")
    at.text_area(key="toy_draw_text").set_value("0,0\n1,1\n-1,1").run()
    at.button(key="toy_draw_train").click().run()
    shows_the_restart_panel("Train on these points")
    at.session_state["toy_tab"] = "Downloads & share"
    at.run()
    shows_the_restart_panel("Downloads")
    # a checkpoint is made where the optimizers live: none until the restart, and the button says so
    save = [d for d in at.get("download_button") if d.proto.id.endswith("toy_export_checkpoint")]
    assert len(save) == 1 and save[0].proto.disabled and "restart it" in save[0].proto.help
    at.button(key="toy_restart").click().run()
    assert not at.exception and not [e for e in at.error if "stopped" in e.value] and not run.lost
    at.button(key="toy_step_both").click().run()
    assert readout_value(at, "Iteration") == "4"  # went on from the last frame
