"""`python -m classroom train`: JSON on stdout, checkpoints that load and continue, one-line
errors with exit code 2 for bad arguments and 1 for a diverging run."""

import dataclasses
import json
import shlex
import subprocess
import sys

import pytest
import torch

from classroom import cli
from classroom.presets import MNIST_PRESETS, TOY_PRESETS, Preset
from classroom.sharing import preset_to_json
from gan_core import losses
from gan_core.checkpoint import load_checkpoint
from gan_core.config import FIELD_BOUNDS, TrainConfig
from page_support import ROOT

TINY = ["--set", "g_width=16", "--set", "d_width=16", "--set", "g_depth=2", "--set", "d_depth=2",
        "--set", "batch_size=32", "--threads", "1", "--samples", "500"]


def run_module(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "classroom", *args], cwd=ROOT, capture_output=True,
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
    (["train", "--seconds", "0"], "--seconds must be in (0, 86400]"),
    (["train", "--seconds", "-1"], "--seconds must be in"),
    (["train", "--seconds", "86401"], "--seconds must be in"),
    (["train", "--seconds", "nan"], "--seconds must be in"),
    (["train", "--seconds", "1", "--steps", "3"], "not allowed with argument"),
    (["train", "--steps", "3", "--seconds", "1"], "not allowed with argument"),
    (["train", "--preset", "Ring", "--load", "run.pt"], "give --preset or --load, not both"),
    (["train", "--preset", "  "], "--preset needs a name"),
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


def test_targets_without_modes_report_knn_kl_with_its_floor(capsys):
    code, out, _ = run_main(capsys, "train", "--target", "moons", "--steps", "3", *TINY)
    m = json.loads(out)["metrics"]
    assert code == 0 and 0 <= m["grid_js"] <= 0.6932 and "modes_captured" not in m and "grid_kl" not in m
    # TINY draws 500 samples: the floor spreads wider than at 2,500 (-0.06 seen); an untrained G is far off
    assert abs(m["knn_kl_floor"]) < 0.15 and m["knn_kl"] > 0.5
    code, out, _ = run_main(capsys, "train", "--target", "moons", "--steps", "1", *TINY, "--samples", "5")
    m = json.loads(out)["metrics"]
    assert code == 0 and m["knn_kl"] is None and m["knn_kl_floor"] is None  # 5 points: too few for k = 5


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


# ---- presets and --seconds ----------------------------------------------------------------------

QUICK = ["--steps", "2", "--samples", "200", "--threads", "1"]


def page_presets() -> dict:
    """What the CLI must offer: every preset of the pages' tables, read now."""
    return {**TOY_PRESETS, **MNIST_PRESETS}


def unique_part(name: str, names) -> str:
    """A proper part of `name`, case swapped, that no other preset name contains (ignoring case)."""
    others = [n.casefold() for n in names if n != name]
    for length in range(3, len(name)):
        for start in range(len(name) - length + 1):
            part = name[start:start + length]
            if part.strip() == part and not any(part.casefold() in o for o in others):
                return part.swapcase()
    raise AssertionError(f"no unique part in {name!r}")


def test_preset_names_are_unique_across_pages():
    assert not set(TOY_PRESETS) & set(MNIST_PRESETS)  # --preset finds a preset by its name alone


def test_list_presets_prints_every_page_preset_and_exits_0(capsys):
    code, out, err = run_main(capsys, "train", "--list-presets")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == len(page_presets())
    for (name, preset), line in zip(page_presets().items(), lines):
        page = "mnist" if name in MNIST_PRESETS else "toy_"
        assert line.startswith(page) and f"/{preset.kind} " in line
        assert f" {shlex.quote(name)} " in line  # copy it into --preset as it stands
        assert f"target={preset.config.target} " in line and f"seed={preset.config.seed}" in line


def test_list_presets_ignores_other_flags_like_help(capsys):
    code, out, _ = run_main(capsys, "train", "--list-presets", "--steps", "-5", "--preset", "nothing")
    assert code == 0 and len(out.splitlines()) == len(page_presets())


def test_list_presets_from_the_module_entry_point():
    proc = run_module("train", "--list-presets")
    assert proc.returncode == 0 and proc.stderr == ""
    assert all(shlex.quote(name) in proc.stdout for name in page_presets())


def test_presets_added_to_the_tables_are_found_without_a_change(capsys, monkeypatch):
    name = "Zz test: three bumps in 1D"
    monkeypatch.setitem(TOY_PRESETS, name, Preset(name, TrainConfig(target="trimodal_1d", seed=4), "watch"))
    code, out, _ = run_main(capsys, "train", "--list-presets")
    assert code == 0 and any(line.startswith("toy_1d/neutral") and shlex.quote(name) in line
                             for line in out.splitlines())
    code, out, err = run_main(capsys, "train", "--preset", "THREE BUMPS", *QUICK)
    assert code == 0, err
    result = json.loads(out)
    assert result["preset"] == name and result["config"]["target"] == "trimodal_1d"
    assert result["config"]["seed"] == 4 and result["metrics"]["n_modes"] == 3


@pytest.mark.parametrize("name", list(TOY_PRESETS))
def test_preset_by_exact_name_runs_its_config(capsys, name):
    code, out, err = run_main(capsys, "train", "--preset", name, *QUICK)
    assert code == 0, err
    result = json.loads(out)
    assert result["preset"] == name and result["steps"] == 2
    assert result["config"] == TOY_PRESETS[name].config.to_dict()


def test_preset_by_unique_part_with_settings_on_top_in_order(capsys):
    name = next(iter(TOY_PRESETS))
    part = unique_part(name, page_presets())
    code, out, err = run_main(capsys, "train", "--preset", part, *QUICK, "--target", "grid25",
                              "--seed", "5", "--set", "seed=7", "--set", "lr_g=2e-4",
                              "--set", "label_smoothing=0.2", "--set", "g_width=16")
    assert code == 0, err
    result = json.loads(out)
    expected = TOY_PRESETS[name].config.replace(target="grid25", seed=7, lr_g=2e-4,
                                                label_smoothing=0.2, g_width=16)
    assert result["preset"] == name and result["config"] == expected.to_dict()
    assert result["config"]["real_label"] == pytest.approx(0.8) and result["metrics"]["n_modes"] == 25
    # everything else is the preset's, not TrainConfig's default
    untouched = {"target", "seed", "lr_g", "real_label", "g_width"}
    preset = TOY_PRESETS[name].config.to_dict()
    assert {k: v for k, v in result["config"].items() if k not in untouched} == \
        {k: v for k, v in preset.items() if k not in untouched}


def test_mnist_preset_builds_with_zero_steps(capsys):
    name = next(iter(MNIST_PRESETS))
    code, out, err = run_main(capsys, "train", "--preset", unique_part(name, page_presets()),
                              "--steps", "0", "--threads", "1", "--set", "lr_d=1e-4")
    assert code == 0, err
    result = json.loads(out)
    assert result["preset"] == name and result["steps"] == 0 and result["iteration"] == 0
    assert result["config"] == MNIST_PRESETS[name].config.replace(lr_d=1e-4).to_dict()
    assert result["metrics"]["loss_d"] is None  # MNIST: last-step figures only, none yet


def test_ambiguous_preset_exits_2_naming_the_candidates(capsys):
    names = list(page_presets())
    letter = next(c for c in "abcdefghijklmnopqrstuvwxyz" if sum(c in n.casefold() for n in names) >= 2)
    code, out, err = run_main(capsys, "train", "--preset", letter, *QUICK)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")
    matching = [n for n in names if letter in n.casefold()]
    assert f"matches {len(matching)} presets" in err and all(repr(n) in err for n in matching)


@pytest.mark.parametrize("query, words", [
    ("zzqx no such preset", "no preset matches 'zzqx no such preset'; presets: "),
    (next(iter(TOY_PRESETS)) + "x", "close: "),
])
def test_unknown_preset_exits_2_with_one_line(capsys, query, words):
    code, out, err = run_main(capsys, "train", "--preset", query, *QUICK)
    assert code == 2 and out == "" and err.count("\n") == 1 and words in err
    assert repr(next(iter(TOY_PRESETS))) in err  # a name to try instead


# ---- a preset file saved from a page's "Share this setup" box -----------------------------------

SHARED = TrainConfig(target="grid25", seed=3, lr_d=5e-4, lr_g=2e-3, batch_size=64, real_label=0.8,
                     g_width=16, d_width=16, g_depth=2, d_depth=2, noise="uniform", minibatch_std=True)


def test_trains_from_a_preset_file_and_its_checkpoint_keeps_that_config(capsys, tmp_path):
    preset_file, out = tmp_path / "toy_2d-preset.json", tmp_path / "run.pt"
    preset_file.write_text(preset_to_json(SHARED, page="toy_2d"))
    code, stdout, err = run_main(capsys, "train", "--preset", str(preset_file), *QUICK, "--out", str(out))
    assert code == 0 and err == "", err  # nothing refused, nothing to note
    result = json.loads(stdout)
    assert result["preset"] == str(preset_file) and result["steps"] == 2  # no name in the file: its path
    saved = load_checkpoint(out).config
    for f in dataclasses.fields(TrainConfig):
        assert getattr(saved, f.name) == getattr(SHARED, f.name), f.name
    assert result["config"] == SHARED.to_dict() and result["metrics"]["n_modes"] == 25


def test_preset_file_from_the_module_entry_point_with_settings_on_top(tmp_path):
    preset_file = tmp_path / "mine.json"
    preset_file.write_text(preset_to_json(SHARED, page="toy_2d", name="my grid"))
    proc = run_module("train", "--preset", str(preset_file), *QUICK, "--set", "lr_g=1e-4")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    result = json.loads(proc.stdout)
    assert result["preset"] == "my grid" and result["config"] == SHARED.replace(lr_g=1e-4).to_dict()


def test_preset_file_notes_go_to_stderr_and_the_run_goes_on(capsys, tmp_path):
    text = preset_to_json(SHARED, page="toy_2d").replace('"lr_g": 0.002', '"lr_g": 50')
    preset_file = tmp_path / "p.json"
    preset_file.write_text(text.replace('"seed": 3,', '"seed": 3, "colour": "red",'))
    code, stdout, err = run_main(capsys, "train", "--preset", str(preset_file), *QUICK)
    assert code == 0
    notes = err.splitlines()
    assert len(notes) == 2 and all(n.startswith("note: ") for n in notes)
    assert "colour" in notes[0] and "lr_g=50" in notes[1]
    config = json.loads(stdout)["config"]
    assert config["lr_g"] == FIELD_BOUNDS["lr_g"][1] and config["seed"] == 3 and config["target"] == "grid25"


@pytest.mark.parametrize("text, words", [
    ('{"format": "gan-classroom-preset/1", "config": {"seed": 3', "not valid JSON"),
    ("\x00\xff not json at all", "not valid JSON"),
    ('{"format": "gan-classroom-preset/1", "config": {"colour": "red"}}', "colour"),  # applied nothing
])
def test_corrupt_preset_file_exits_2_with_one_line(capsys, tmp_path, text, words):
    preset_file = tmp_path / "bad.json"
    preset_file.write_text(text)
    code, out, err = run_main(capsys, "train", "--preset", str(preset_file), *QUICK)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: preset file {str(preset_file)!r}: ")
    assert words in err


def test_missing_preset_file_exits_2(capsys, tmp_path):
    code, out, err = run_main(capsys, "train", "--preset", str(tmp_path / "gone.json"), *QUICK)
    assert code == 2 and out == "" and err.count("\n") == 1 and "No such file" in err


def test_seconds_trains_for_that_long(capsys):
    code, out, err = run_main(capsys, "train", "--seconds", "0.5", *TINY[:-2], "--samples", "200")
    assert code == 0, err
    result = json.loads(out)
    assert result["steps"] > 0 and result["iteration"] == result["steps"]
    assert 0.5 <= result["seconds"] <= 0.5 + 10  # the last iteration may overrun; generous on a busy CPU
    assert result["iterations_per_s"] == pytest.approx(result["steps"] / result["seconds"], rel=1e-9)
    assert result["preset"] is None


def test_steps_default_without_steps_or_seconds(capsys, monkeypatch):
    monkeypatch.setattr(cli, "DEFAULT_STEPS", 3)
    code, out, _ = run_main(capsys, "train", *TINY)
    assert code == 0 and json.loads(out)["steps"] == 3 and json.loads(out)["preset"] is None
