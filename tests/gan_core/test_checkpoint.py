"""Checkpoint files: exact round trip, bit-identical continuation, hostile and mismatched files."""

import io
import os
import pickle
import zipfile

import pytest
import torch

from gan_core.checkpoint import CheckpointError, checkpoint_bytes, load_checkpoint, save_checkpoint
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from train_support import weights

SMALL = TrainConfig(g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=1,
                    d_dropout=0.2, snapshot_every=3)


def test_round_trip_gives_identical_outputs_and_settings(tmp_path):
    t = Trainer(SMALL)
    t.train(4)
    t.update(label_smoothing=0.1, batch_size=48, lr_g=5e-4)
    path = tmp_path / "run.pt"
    save_checkpoint(t, path)
    u = load_checkpoint(path)
    assert u.config == t.config and u.config.real_label == pytest.approx(0.9)
    assert (u.iteration, u.updates) == (4, 8)
    assert u.elapsed == pytest.approx(t.elapsed, abs=0)
    assert list(u.events) == list(t.events)
    assert torch.equal(u.fixed_samples(32), t.fixed_samples(32))
    grid = torch.linspace(-3, 3, 20).reshape(10, 2)
    assert torch.equal(u.d_probability(grid), t.d_probability(grid))
    assert u.opt_g.param_groups[0]["lr"] == 5e-4
    assert [s[0] for s in u.snapshots] == [4]  # rollback returns to the loaded state


def test_continuation_is_bit_identical(tmp_path):
    t = Trainer(SMALL)
    t.train(5)
    data = checkpoint_bytes(t)
    u = load_checkpoint(data)
    t.train(5)
    u.train(5)
    assert all(torch.equal(a, b) for a, b in zip(weights(t), weights(u)))
    assert [r.loss_d for r in list(t.history)[-4:]] == [r.loss_d for r in list(u.history)[-4:]]


class Payload:
    """Unpickling this runs os.system: a loader that executes pickles would create the marker."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_does_not_execute(tmp_path):
    marker = tmp_path / "pwned"
    # a torch zip file whose data.pkl calls os.system ...
    zipped = tmp_path / "evil.pt"
    torch.save({"format": "gan-classroom-checkpoint/1", "x": Payload(str(marker))}, zipped)
    # ... and a bare pickle stream doing the same
    bare = tmp_path / "evil.pkl"
    bare.write_bytes(pickle.dumps(Payload(str(marker))))
    for path in (zipped, bare):
        with pytest.raises(CheckpointError, match="not a readable checkpoint"):
            load_checkpoint(path)
        assert not marker.exists()
    with pytest.raises(CheckpointError):
        load_checkpoint(zipped.read_bytes())
    assert not marker.exists()


def test_other_architecture_is_refused_with_a_message():
    t = Trainer(SMALL)
    state = torch.load(io.BytesIO(checkpoint_bytes(t)), weights_only=True)
    state["config"]["g_width"] = 32  # settings say 32 units, the weights hold 16
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with pytest.raises(CheckpointError, match="do not fit the networks") as info:
        load_checkpoint(buffer.getvalue())
    assert "size mismatch" in str(info.value)
    # and loading another architecture's state into a live trainer says the same
    other = Trainer(SMALL.replace(d_depth=3))
    with pytest.raises(ValueError, match="does not fit"):
        other.load_state_dict(t.state_dict())


def test_invalid_settings_and_foreign_files_are_refused(tmp_path):
    t = Trainer(SMALL)
    state = torch.load(io.BytesIO(checkpoint_bytes(t)), weights_only=True)
    state["config"]["batch_size"] = -5
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with pytest.raises(CheckpointError, match="settings are invalid.*batch_size"):
        load_checkpoint(buffer.getvalue())
    buffer = io.BytesIO()
    torch.save({"weights": torch.zeros(3)}, buffer)  # a valid torch file, not ours
    with pytest.raises(CheckpointError, match="format marker"):
        load_checkpoint(buffer.getvalue())
    truncated = checkpoint_bytes(t)[:500]
    with pytest.raises(CheckpointError):
        load_checkpoint(truncated)
    with pytest.raises(CheckpointError):
        load_checkpoint(b"this is not a checkpoint")
    with pytest.raises(FileNotFoundError):
        load_checkpoint(tmp_path / "missing.pt")
    assert zipfile.is_zipfile(io.BytesIO(checkpoint_bytes(t)))  # the modern torch format


# What torch.load's refusal says: it advises retrying with weights_only=False (unpickling a file of
# unknown origin, which can run its code). None of these words may reach a teacher.
TORCH_ADVICE = ("weights_only", "trust", "safe_globals", "add_safe_globals", "arbitrary code", "file an issue")


def refusal(data) -> str:
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(data)
    text = str(info.value)
    assert not any(words in text for words in TORCH_ADVICE), text
    return text


def test_unreadable_files_are_described_in_our_words_never_with_torchs_retry_advice(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"format": "gan-classroom-checkpoint/1", "x": Payload(str(marker))}, evil)
    assert refusal(evil).endswith("it asks to rebuild the Python object posix.system, which a GAN Classroom "
                                  "checkpoint never holds (a file like this can run code when opened); it was "
                                  "refused before anything in it ran")
    assert refusal(evil.read_bytes()) == refusal(evil)  # a path and the uploaded bytes say the same
    assert not marker.exists()
    good = checkpoint_bytes(Trainer(SMALL))
    cut = "the file is cut short or damaged (an interrupted download?); save or download it again"
    for n in (30, 500, len(good) // 2, len(good) - 5):  # every cut of a real checkpoint
        assert refusal(good[:n]) == f"not a readable checkpoint file: {cut}"
    assert refusal(b"") == "not a readable checkpoint file: the file is empty"
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("notes.txt", "hello")
    assert "it is a zip archive, but not a checkpoint saved by PyTorch" in refusal(other_zip.getvalue())
    not_torch = "it is not a file saved by PyTorch (no tensors and settings could be read from it)"
    for data in (b"this is not a checkpoint", pickle.dumps({"a": 1}), pickle.dumps(Payload(str(marker))),
                 b"\x89PNG\r\n\x1a\n" + bytes(64)):
        assert refusal(data) == f"not a readable checkpoint file: {not_torch}"
    assert not marker.exists()


def test_load_checkpoint_for_refuses_a_valid_run_of_another_target_by_name():
    from gan_core.checkpoint import load_checkpoint_for

    ring = checkpoint_bytes(Trainer(SMALL))  # SMALL trains on the ring of 8
    assert load_checkpoint_for(ring, ("ring8", "grid25"), "a 2D target").config == SMALL
    with pytest.raises(CheckpointError) as info:
        load_checkpoint_for(ring, ("gaussian_1d", "bimodal_1d"), "a 1D target")
    assert str(info.value) == "it holds a run on “ring8”, not on a 1D target"


def _rewritten(trainer: Trainer, change) -> bytes:
    """The trainer's checkpoint with `change(state)` applied, saved again."""
    state = torch.load(io.BytesIO(checkpoint_bytes(trainer)), weights_only=True)
    change(state)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def test_a_checkpoint_naming_cuda_loads_on_the_cpu_the_loader_chose():
    t = Trainer(SMALL)
    t.train(2)
    data = _rewritten(t, lambda s: s["config"].update(device="cuda"))  # torch raised AssertionError here
    u = load_checkpoint(data)
    assert u.config.device == "cpu" and u.config == SMALL and u.iteration == 2
    assert torch.equal(u.fixed_samples(16), t.fixed_samples(16))


@pytest.mark.parametrize("where", ["generator", "opt_d", "counters"])
def test_non_finite_numbers_are_refused_by_name_before_anything_is_built(where, monkeypatch):
    from gan_core import checkpoint

    t = Trainer(SMALL)
    t.train(2)

    def poison(state):
        if where == "counters":
            state["counters"][2] = float("inf")  # elapsed seconds
            return
        tensors = state[where] if where == "generator" else state[where]["state"][0]
        name = next(k for k, v in tensors.items() if torch.is_tensor(v) and v.is_floating_point() and v.dim())
        tensors[name] = torch.full_like(tensors[name], float("nan"))

    data = _rewritten(t, poison)
    monkeypatch.setattr(checkpoint, "Trainer", lambda *a, **k: pytest.fail("a trainer was built"))
    with pytest.raises(CheckpointError, match=rf"NaN or infinite values \({where}\."):
        load_checkpoint(data)
