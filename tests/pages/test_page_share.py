"""Shareable setups on the training pages (2D lab, 1D lab, MNIST) through ui.share.page_setup: a link
restores target, seed and hyperparameters into the page's trainer and its widgets; a hostile link
shows its messages and the page still renders with clamped or default values; the address bar
follows later changes; the 2D lab and MNIST pages offer their downloads."""


import pytest

from gan_core.config import TrainConfig
from gan_core.lab1d import lab_config
from classroom.sharing import preset_to_json
from ui.mnist.run import default_preset
from page_support import open_app

HOSTILE = {"batch_size": "999999999", "loss": "evil", "unknown": "1", "lr_d": "nan"}


def config_of(at, run_name: str):
    return at.session_state["_live_runs"][run_name].trainer.config


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def assert_hostile_messages(at) -> None:
    errors, warnings = texts(at.error), texts(at.warning)
    assert "Unknown setting\\(s\\) ignored: unknown" in errors
    assert "loss must be one of" in errors and "got 'evil'" in errors
    assert "lr\\_d must be a finite number" in errors
    assert "batch\\_size=999999999 is above the largest allowed value; using 8192" in warnings


def test_2d_lab_link_restores_target_seed_and_settings_into_trainer_and_widgets():
    at = open_app("views/toy_2d.py", {"target": "grid25", "seed": "3", "label_smoothing": "0.1",
                                      "batch_size": "64"})
    c = config_of(at, "2D lab")
    assert (c.target, c.seed, c.batch_size) == ("grid25", 3, 64)
    assert c.real_label == pytest.approx(0.9, abs=1e-12)
    assert at.session_state["toy_knob_batch_size"] == 64
    assert at.session_state["toy_knob_label_smoothing"] == pytest.approx(0.1, abs=1e-12)
    assert at.session_state["toy_arch_target"] == "grid25" and at.session_state["toy_arch_seed"] == 3
    assert not at.error and not at.warning
    # a later change on the page goes into the address bar, and the old link is not re-applied
    at.select_slider(key="toy_knob_batch_size").set_value(128).run()
    assert config_of(at, "2D lab").batch_size == 128 and at.query_params["batch_size"] == "128"
    assert at.query_params["target"] == "grid25" and at.query_params["seed"] == "3"
    at.session_state["toy_tab"] = "Downloads & share"  # the 2D lab builds only its open tab
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert ":material/download: History (CSV)" in labels and ":material/download: Samples (PNG)" in labels
    assert any(label.startswith(":material/download: Timeline (GIF") for label in labels)


def test_2d_lab_hostile_link_shows_messages_and_keeps_sane_values():
    at = open_app("views/toy_2d.py", dict(HOSTILE, target="grid25"))
    assert_hostile_messages(at)
    c = config_of(at, "2D lab")
    base = TrainConfig(target="ring8")  # the 2D lab's own default run
    assert (c.target, c.batch_size, c.loss, c.lr_d) == ("grid25", 8192, base.loss, base.lr_d)
    assert at.query_params["batch_size"] == "8192" and "unknown" not in at.query_params
    assert at.markdown[0].value == "### 2D toys & mode collapse"


def test_1d_lab_link_restores_and_refuses_a_2d_target_by_name():
    at = open_app("views/toy_1d.py", {"target": "bimodal_1d", "seed": "3", "label_smoothing": "0.1",
                                      "batch_size": "64"})
    c = config_of(at, "1D lab (Figure 1)")
    assert (c.target, c.seed, c.batch_size) == ("bimodal_1d", 3, 64)
    assert c.real_label == pytest.approx(0.9, abs=1e-12)
    assert at.selectbox(key="toy1d_target").value == "bimodal_1d"
    assert at.session_state["toy1d_knob_batch_size"] == 64 and not at.error

    at = open_app("views/toy_1d.py", dict(HOSTILE, target="grid25"))
    assert_hostile_messages(at)
    assert "target 'grid25' is not available on this page" in texts(at.error)
    c, base = config_of(at, "1D lab (Figure 1)"), lab_config("gaussian_1d")
    assert (c.target, c.batch_size, c.loss, c.lr_d) == ("gaussian_1d", 8192, base.loss, base.lr_d)
    assert at.selectbox(key="toy1d_target").value == "gaussian_1d"


@pytest.mark.slow
def test_mnist_link_restores_and_hostile_values_are_refused():
    at = open_app("views/mnist.py", dict(HOSTILE, seed="3", label_smoothing="0.2", batch_size="32"), timeout=240)
    c, base = config_of(at, "MNIST step by step"), default_preset().config
    assert (c.target, c.seed, c.batch_size, c.loss, c.lr_d) == ("mnist", 3, 32, base.loss, base.lr_d)
    assert c.real_label == pytest.approx(0.8, abs=1e-12)
    errors = texts(at.error)
    assert "Unknown setting\\(s\\) ignored: unknown" in errors and "lr\\_d must be a finite number" in errors
    assert at.session_state["mnist_knob_batch_size"] == 32 and at.session_state["mnist_seed"] == 3
    assert at.query_params["seed"] == "3" and at.query_params["batch_size"] == "32"
    at.session_state["mnist_tab"] = "Downloads, checkpoint & share"  # only the open tab is built
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert ":material/download: History (CSV)" in labels and ":material/download: Digit grid (PNG)" in labels


def test_2d_lab_preset_file_starts_a_fresh_run_and_a_1d_file_is_refused_by_name():
    at = open_app("views/toy_2d.py", {})
    at.session_state["toy_tab"] = "Downloads & share"  # the Share expander's tab
    at.run()
    good = preset_to_json(TrainConfig(target="circles", seed=9, batch_size=64), "toy_2d", "circles 64", "Watch.")
    at.file_uploader(key="toy_2d_share_upload").set_value(("p.json", good.encode(), "application/json")).run()
    assert not at.exception
    c = config_of(at, "2D lab")
    assert (c.target, c.seed, c.batch_size) == ("circles", 9, 64)
    assert at.session_state["toy_knob_batch_size"] == 64 and at.query_params["target"] == "circles"
    assert any("Loaded circles 64" in s.value for s in at.success)
    run = at.session_state["_live_runs"]["2D lab"]
    run.run_steps("both", 30)
    at.run()  # the live render records a timeline frame for the GIF
    assert any(b.label.startswith((":material/download: Timeline (GIF, 1 frames)",
                                   ":material/download: Timeline (GIF, 2 frames)"))
               for b in at.get("download_button"))

    at = open_app("views/toy_1d.py", {}, state={"toy1d_section": "Share & checkpoint"})  # the open section
    other = preset_to_json(TrainConfig(target="ring8", seed=5), "toy_1d", "wrong target")
    at.file_uploader(key="toy_1d_share_upload").set_value(("p.json", other.encode(), "application/json")).run()
    assert not at.exception
    assert "target 'ring8' is not available on this page" in texts(at.error)
    c = config_of(at, "1D lab (Figure 1)")
    assert (c.target, c.seed) == ("gaussian_1d", 5)  # the rest of the file applied
