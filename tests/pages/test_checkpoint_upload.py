"""The 2D and 1D labs load their own checkpoints back (issue 12 item 13): the uploaded file's run
continues with the saved weights, optimizers, random streams and settings (every widget shows
them); a broken, malicious or foreign file is refused with what is wrong with it and the run goes
on untouched."""

import io

import pytest
import torch
from streamlit.testing.v1 import AppTest

from gan_core.checkpoint import FORMAT, checkpoint_bytes
from gan_core.config import TrainConfig
from gan_core.lab1d import lab_config
from gan_core.trainer import Trainer
from page_support import APP

LABS = {  # page, run name, prefix, a small config of its own, a config of the other lab
    "2d": ("views/toy_2d.py", "2D lab", "toy", TrainConfig(target="grid25", seed=3, g_width=32, d_width=32),
           lab_config("bimodal_1d")),
    "1d": ("views/toy_1d.py", "1D lab (Figure 1)", "toy1d", lab_config("bimodal_1d").replace(seed=3),
           TrainConfig(target="ring8")),
}


def open_lab(lab: str) -> tuple[AppTest, object]:
    page, name, _, config, _ = LABS[lab]
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.session_state["toy_tab"] = "Downloads & share"  # the labs build only their open section
    at.session_state["toy1d_section"] = "Share & checkpoint"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    run = at.session_state["_live_runs"][name]
    run.replace_trainer(Trainer(config))
    at.run()
    return at, run


def upload(at: AppTest, lab: str, name: str, data: bytes) -> None:
    at.file_uploader(key=f"{LABS[lab][2]}_checkpoint_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception


def text(elements) -> str:
    return " ".join(e.value for e in elements)


@pytest.mark.parametrize("lab", ["2d", "1d"])
def test_a_lab_continues_from_its_own_checkpoint_with_its_settings_in_the_widgets(lab):
    at, run = open_lab(lab)
    prefix = LABS[lab][2]
    at.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.2).run()
    run.run_steps(n=3)
    saved = run.trainer
    payload = checkpoint_bytes(saved)  # what the lab's ":material/download: Checkpoint (.pt)" button serves
    state = {k: v for k, v in saved.state_dict().items() if k in ("generator", "discriminator")}
    state = {net: {k: t.clone() for k, t in tensors.items()} for net, tensors in state.items()}
    rng = saved.rng.get_state().clone()
    # The class moves on: more steps and another label smoothing; the upload must bring iteration 3 back.
    at.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.0).run()
    run.run_steps(n=2)
    assert saved.iteration == 5 and saved.config.label_smoothing == 0.0

    upload(at, lab, "mine.pt", payload)
    loaded = run.trainer
    assert loaded is not saved and loaded.iteration == 3
    assert loaded.config == LABS[lab][3].replace(real_label=0.8)
    for net, tensors in state.items():
        assert all(torch.equal(t, loaded.state_dict()[net][k]) for k, t in tensors.items())
    assert torch.equal(loaded.rng.get_state(), rng)
    assert at.slider(key=f"{prefix}_knob_label_smoothing").value == pytest.approx(0.2, abs=1e-12)
    assert "Loaded “mine.pt”: iteration 3" in text(at.success) and not at.error
    run.run_steps(n=1)  # it trains on from there
    assert loaded.iteration == 4 and run.error is None


def test_the_1d_lab_offers_its_checkpoint_download():
    at, run = open_lab("1d")
    labels = [b.proto.label for b in at.get("download_button")]
    assert ":material/download: Checkpoint (.pt)" in labels


def malicious_file(tmp_path) -> tuple[bytes, object]:
    marker = tmp_path / "pwned"

    class Payload:  # unpickling this would create `marker`
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "config": {}, "x": Payload()}, buffer)
    return buffer.getvalue(), marker


@pytest.mark.parametrize("lab", ["2d", "1d"])
def test_broken_malicious_and_foreign_files_are_refused_with_the_reason_and_the_run_kept(lab, tmp_path):
    at, run = open_lab(lab)
    run.run_steps(n=2)
    trainer = run.trainer
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    good = checkpoint_bytes(trainer)
    evil, marker = malicious_file(tmp_path)
    foreign = checkpoint_bytes(Trainer(LABS[lab][4]))
    cases = {
        "half.pt": (good[: len(good) // 2], "the file is cut short or damaged"),
        "empty.pt": (b"", "the file is empty"),
        "evil.pt": (evil, "it asks to rebuild the Python object io.open"),
        "other.pt": (foreign, f"it holds a run on “{LABS[lab][4].target}”, not on a {lab.upper()} target"),
    }
    for name, (data, reason) in cases.items():
        upload(at, lab, name, data)
        errors = text(at.error)
        assert f"Could not load “{name}”: " in errors and reason in errors, errors
        assert "The current run is kept." in errors
        assert "weights_only" not in errors and "trust" not in errors  # never advise loading a pickle
        assert run.trainer is trainer and trainer.iteration == 2 and not at.success
    assert not marker.exists()
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.generator.parameters()))
