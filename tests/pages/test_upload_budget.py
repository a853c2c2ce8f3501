"""Uploads on the 2D lab that used to be accepted or to raise (issue 20, 3.7): a checkpoint saved on
'cuda', one of NaN weights, a crafted 28 kB file describing 58.8 M weights, one asking for a
snapshot every iteration with 100 kept, and a 40 MB points CSV. Each ends in words; a refused one
builds nothing and the class's run goes on untouched."""

import io

import pytest
import torch

from gan_core import checkpoint as checkpoint_module
from gan_core.checkpoint import FORMAT, checkpoint_bytes
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from page_support import open_app, plain

SMALL = TrainConfig(target="grid25", seed=3, g_width=32, d_width=32)


def open_lab(tab: str):
    at = open_app("views/toy_2d.py", state={"toy_tab": tab})
    run = at.session_state["_live_runs"]["2D lab"]
    run.replace_trainer(Trainer(SMALL))
    at.run()
    return at, run


def saved_state(**config_changes) -> dict:
    trainer = Trainer(SMALL)
    trainer.step()
    state = torch.load(io.BytesIO(checkpoint_bytes(trainer)), weights_only=True)
    state["config"].update(config_changes)
    return state


def as_file(state: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="toy_checkpoint_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception


def test_refused_checkpoints_say_why_and_build_nothing(monkeypatch):
    at, run = open_lab("Downloads & share")
    trainer = run.trainer
    nan = saved_state()
    first = next(iter(nan["discriminator"]))
    nan["discriminator"][first] = torch.full_like(nan["discriminator"][first], float("nan"))
    huge = {"format": FORMAT, "config": SMALL.replace(g_width=2048, g_depth=8, d_width=2048, d_depth=8).to_dict(),
            "generator": {}, "discriminator": {}}
    built = []
    real_trainer = checkpoint_module.Trainer
    monkeypatch.setattr(checkpoint_module, "Trainer", lambda *a, **k: built.append(1) or real_trainer(*a, **k))
    cases = {"nan.pt": (as_file(nan), f"it holds NaN or infinite values (discriminator.{first})"),
             # G 2-2048x8-2 and D 2-2048x8-1, weights and biases counted by hand: 29,384,706 + 29,382,657
             "huge.pt": (as_file(huge), "its networks would hold 58,767,363 weights, more than the 5,000,000")}
    assert len(cases["huge.pt"][0]) < 28_000
    for name, (data, reason) in cases.items():
        upload(at, name, data)
        errors = plain(at.error)
        assert f"Could not load “{name}”: {reason}" in errors and "The current run is kept." in errors, errors
        assert run.trainer is trainer and not at.success
    assert built == []  # refused before a network was made


def test_a_cuda_checkpoint_loads_on_the_cpu_and_snapshot_settings_are_the_pages():
    at, run = open_lab("Downloads & share")
    upload(at, "gpu.pt", as_file(saved_state(device="cuda")))
    assert run.trainer.config.device == "cpu" and run.trainer.iteration == 1 and not at.error
    assert "Loaded “gpu.pt”: iteration 1" in plain(at.success)

    upload(at, "greedy.pt", as_file(saved_state(snapshot_every=1, snapshots_kept=100)))
    config = run.trainer.config
    assert (config.snapshot_every, config.snapshots_kept) == (200, 5)  # TrainConfig's, the lab's own
    assert "bookkeeping replaced the file's: snapshot_every 1 → 200, snapshots_kept 100 → 5" in plain(at.success)
    run.run_steps(n=5)
    assert len(run.trainer.snapshots) == 1


def test_an_oversized_points_csv_is_refused_in_words_and_the_points_are_kept():
    at, run = open_lab("Architecture & your own target")
    text_before = at.session_state["toy_draw_text"]
    data = b"0.5,0.5\n" * 5_000_000  # 40 MB
    at.file_uploader(key="toy_draw_upload").set_value(("big.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert ("Those points cannot be used: big.csv: the points are 40,000,000 bytes long, more than the 256,000"
            in plain(at.error))
    assert at.session_state["toy_draw_text"] == text_before and run.trainer.config.target == "grid25"


@pytest.mark.parametrize("widths,words", [((1000, 600), None), ((2048, 2048), "would hold")])
def test_the_architecture_form_rebuilds_within_the_budget_and_refuses_beyond_it(widths, words):
    at, run = open_lab("Architecture & your own target")
    at.number_input(key="toy_arch_g_width").set_value(widths[0])
    at.number_input(key="toy_arch_d_width").set_value(widths[1])
    at.button(key="FormSubmitter:toy_arch_form-Rebuild (restarts the run)").click().run()
    assert not at.exception, at.exception
    config = run.trainer.config
    if words is None:
        assert (config.g_width, config.d_width) == widths and not at.error
    else:
        assert (config.g_width, config.d_width) == (32, 32)
        assert "Not rebuilt: its networks would hold" in plain(at.error)


def test_a_rollback_with_no_finite_snapshot_left_is_said_in_words():
    # the state an accepted NaN checkpoint left behind: a run that diverges with only a NaN
    # snapshot to go back to ("Roll back" raised RuntimeError and the page stopped drawing)
    import time

    at = open_app("views/toy_2d.py")
    run = at.session_state["_live_runs"]["2D lab"]
    trainer = Trainer(TrainConfig(target="ring8", g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32,
                                  optimizer="sgd", lr_d=1.0, lr_g=1.0, loss="least_squares",
                                  snapshot_every=1_000_000))
    (_, state), = trainer.snapshots
    for tensor in state["generator"].values():
        tensor.fill_(float("nan"))
    run.replace_trainer(trainer)
    run.play()
    deadline = time.monotonic() + 120
    while run.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    run.pause()
    assert run.error is not None, "the run did not diverge"
    at.run()
    at.button(key="toy_rollback").click().run()
    assert not at.exception, at.exception
    assert "No snapshot with finite weights is left to roll back to" in plain(at.error)
