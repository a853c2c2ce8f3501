"""`python -m gan_core train`: JSON on stdout, checkpoints that load and continue, one-line
errors with exit code 2 for bad arguments and 1 for a diverging run."""

import json
import os
import subprocess
import sys

import pytest
import torch

from gan_core import cli, losses
from gan_core.checkpoint import load_checkpoint

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ["--set", "g_width=16", "--set", "d_width=16", "--set", "g_depth=2", "--set", "d_depth=2",
        "--set", "batch_size=32", "--threads", "1", "--samples", "500"]


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gan_core", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_module_entry_point_trains_saves_and_prints_one_json_object(tmp_path):
    out = tmp_path / "run.pt"
    proc = run_module("train", "--target", "ring8", "--steps", "20", "--seed", "0",
                      "--set", "label_smoothing=0.1", "--out", str(out), *TINY)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)  # the whole stdout is one JSON object
    assert {"config", "steps", "seconds", "iterations_per_s", "metrics", "checkpoint"} <= set(result)
    assert result["steps"] == 20 and result["iteration"] == 20
    assert result["config"]["real_label"] == pytest.approx(0.9) and result["config"]["g_width"] == 16
    assert result["iterations_per_s"] == pytest.approx(20 / result["seconds"], rel=1e-9)
    m = result["metrics"]
    assert {"modes_captured", "n_modes", "hq_percent", "kl", "js", "mode_counts", "loss_d",
            "loss_d_real", "loss_d_fake", "loss_g", "d_real", "d_fake", "d_accuracy"} <= set(m)
    assert m["n_modes"] == 8 and sum(m["mode_counts"]) == round(m["hq_percent"] * 500 / 100)
    assert 0 <= m["d_real"] <= 1 and m["loss_d"] == pytest.approx(m["loss_d_real"] + m["loss_d_fake"], abs=1e-5)
    trainer = load_checkpoint(out)
    assert trainer.iteration == 20 and trainer.config.real_label == pytest.approx(0.9)
    assert result["threads"] == 1


def test_bad_flag_exits_2_with_one_line():
    proc = run_module("train", "--bogus-flag")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: ")
    assert "--bogus-flag" in proc.stderr


@pytest.mark.parametrize("args, words", [
    (["train", "--set", "colour=red"], "unknown setting 'colour'"),
    (["train", "--set", "batch_size=abc"], "batch_size expects an integer"),
    (["train", "--set", "lr_d=5"], "lr_d must be a number in"),
    (["train", "--set", "minibatch_std=maybe"], "minibatch_std expects true or false"),
    (["train", "--set", "noequals"], "--set expects KEY=VALUE"),
    (["train", "--target", "ring9"], "target must be one of"),
    (["train", "--steps", "-1"], "--steps must be in"),
    (["train", "--steps", "ten"], "invalid int value"),
    (["train", "--threads", "0"], "--threads must be in"),
    (["train", "--set", "label_smoothing=0.1", "--set", "real_label=0.8"], "not both"),
    (["train", "--out", "/nonexistent-folder/run.pt"], "existing folder"),
    (["train", "--load", "/nonexistent-folder/run.pt"], "No such file"),
    (["fly"], "invalid choice"),
    ([], "required"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, args, words):
    code, out, err = run_main(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err


def test_unreadable_checkpoint_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    code, out, err = run_main(capsys, "train", "--load", str(bad))
    assert code == 2 and "not a readable checkpoint" in err and err.count("\n") == 1


def test_set_values_are_parsed_by_field_type(capsys):
    code, out, _ = run_main(capsys, "train", "--steps", "2", *TINY, "--set", "minibatch_std=true",
                            "--set", "loss=least_squares", "--set", "lr_g=2e-4", "--set", "pack=2",
                            "--set", "target=custom", "--set", "custom_points=[[0, 0], [1, 1]]")
    assert code == 0
    config = json.loads(out)["config"]
    assert config["minibatch_std"] is True and config["loss"] == "least_squares"
    assert config["lr_g"] == 2e-4 and config["pack"] == 2
    assert config["custom_points"] == [[0.0, 0.0], [1.0, 1.0]]
    assert json.loads(out)["metrics"]["n_modes"] == 2


def test_load_continues_bit_identically(capsys, tmp_path):
    first, straight = tmp_path / "a.pt", tmp_path / "b.pt"
    assert run_main(capsys, "train", "--steps", "6", "--seed", "2", *TINY, "--out", str(first))[0] == 0
    code, out, _ = run_main(capsys, "train", "--load", str(first), "--steps", "6", "--threads", "1",
                            "--out", str(first))
    assert code == 0 and json.loads(out)["iteration"] == 12 and json.loads(out)["steps"] == 6
    assert run_main(capsys, "train", "--steps", "12", "--seed", "2", *TINY, "--out", str(straight))[0] == 0
    a, b = load_checkpoint(first), load_checkpoint(straight)
    assert all(torch.equal(x, y) for x, y in zip(a.generator.parameters(), b.generator.parameters()))


def test_load_accepts_live_settings_and_refuses_architecture_changes(capsys, tmp_path):
    path = tmp_path / "a.pt"
    assert run_main(capsys, "train", "--steps", "1", *TINY, "--out", str(path))[0] == 0
    code, out, _ = run_main(capsys, "train", "--load", str(path), "--steps", "1",
                            "--set", "label_smoothing=0.2", "--set", "batch_size=16")
    assert code == 0 and json.loads(out)["config"]["batch_size"] == 16
    code, _, err = run_main(capsys, "train", "--load", str(path), "--steps", "1", "--set", "g_width=64")
    assert code == 2 and "g_width" in err and err.count("\n") == 1


def test_targets_without_modes_report_grid_divergences(capsys):
    code, out, _ = run_main(capsys, "train", "--target", "moons", "--steps", "3", *TINY)
    m = json.loads(out)["metrics"]
    assert code == 0 and 0 <= m["grid_js"] <= 0.6932 and m["grid_kl"] >= 0 and "modes_captured" not in m


def test_one_dimensional_target(capsys):
    code, out, _ = run_main(capsys, "train", "--target", "trimodal_1d", "--steps", "3", *TINY)
    assert code == 0 and json.loads(out)["metrics"]["n_modes"] == 3


def test_mnist_target_runs(capsys):
    code, out, err = run_main(capsys, "train", "--target", "mnist", "--steps", "2", *TINY)
    assert code == 0, err
    result = json.loads(out)
    assert result["config"]["target"] == "mnist" and result["metrics"]["loss_g"] is not None


def test_zero_steps_reports_null_speed(capsys):
    code, out, _ = run_main(capsys, "train", "--steps", "0", *TINY)
    result = json.loads(out)
    assert code == 0 and result["iterations_per_s"] is None and result["metrics"]["loss_d"] is None


def test_diverging_run_exits_1_and_keeps_the_last_finite_state(capsys, tmp_path, monkeypatch):
    real_loss = losses.generator_loss
    calls = {"n": 0}

    def nan_after_three(loss, d_fake):
        calls["n"] += 1
        value = real_loss(loss, d_fake)
        return value * float("nan") if calls["n"] > 3 else value

    monkeypatch.setattr(losses, "generator_loss", nan_after_three)
    out_path = tmp_path / "run.pt"
    code, out, err = run_main(capsys, "train", "--steps", "10", *TINY, "--set", "snapshot_every=2",
                              "--out", str(out_path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "G's loss became nan at iteration 3" in err
    assert "iteration 2" in err
    saved = load_checkpoint(out_path)
    assert saved.iteration == 2
    assert all(torch.isfinite(p).all() for p in saved.generator.parameters())
