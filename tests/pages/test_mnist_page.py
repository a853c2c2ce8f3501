"""The MNIST step-by-step page in AppTest: steps, grids, live knobs, checkpoints, latent walk."""

import copy
import html
import io
import re
import time

import numpy as np
import pytest
import torch

from gan_core.checkpoint import FORMAT, load_checkpoint
from gan_core.classifier import get_classifier
from gan_core.mnist import load_mnist
from gan_core.mnist_metrics import evaluate_digits
from classroom.presets import MNIST_PRESETS
from gan_core.step_probe import to_unit_images
from ui.kit.preset_kinds import option_label
from ui.mnist.metrics import _loader
from ui.mnist.run import PREFIX, RUN_NAME, checkpoint_payload
from classroom.step_views import SHOWN
from page_support import open_app, readout_values

PAGE = "views/mnist.py"
TAB = "mnist_tab"  # the tabs below the first screen: only the open one is built
OVER_TIME, WALKTHROUGH, WALK, FILES = ("Over training: losses, digits, frames", "Step walk-through", "Latent walk",
                                      "Downloads, checkpoint & share")


def the_run(at):
    return at.session_state["_live_runs"][RUN_NAME]


def click(at, what):
    at.button(key=f"{PREFIX}_{what}").click().run()
    assert not at.exception, at.exception


def weights(net):
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def same(a, b):
    return all(torch.equal(a[k], b[k]) for k in a)


def grids(at):
    """Caption lists of the page's tile grids (st.html blocks of figures), in page order."""
    return [[html.unescape(c) for c in re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", h.value)]
            for h in at.get("html") if "gan-tile" in h.value]


def captions(at, i):
    return grids(at)[i]


def eval_scores(trainer, x):
    """Independent reference for the page's quiet scores: D in eval mode (an MLP: dropout off)."""
    d = copy.deepcopy(trainer.discriminator).eval()
    with torch.no_grad():
        return torch.sigmoid(d(x)).numpy()


@pytest.fixture(scope="module", autouse=True)
def classifier_ready():
    """The page trains a missing classifier on a thread of its own; these tests want its metrics
    from the first draw, so make sure it exists (trained once, then read from the disk cache)."""
    get_classifier()
    loader = _loader()
    deadline = time.monotonic() + 600
    while loader.classifier is None and not loader.error and time.monotonic() < deadline:
        time.sleep(0.5)
    assert loader.classifier is not None, loader.error


@pytest.fixture(scope="module")
def page():
    return open_app(PAGE, timeout=180)


def test_page_renders_with_its_data_source_and_presets(page):
    assert any(m.value == "### MNIST, step by step" for m in page.markdown)  # one short line
    # each preset by name, its kind in words unless the name says it (ui.kit.preset_kinds)
    assert page.selectbox(key=f"{PREFIX}_preset").options == [option_label(n, p.kind) for n, p in MNIST_PRESETS.items()]
    trainer = the_run(page).trainer
    assert trainer.config == next(iter(MNIST_PRESETS.values())).config
    # Before any step: a hint instead of grids (the batches tab is open first); the main view is
    # G(fixed z) now, the fixed-noise frame of iteration 0 is in the tab of curves.
    assert any("Press **Step D**" in i.value for i in page.info)
    assert any("G(fixed z) now, iteration 0" in c.value for c in page.caption)
    assert readout_values(page)["Digits covered"] == "0 / 10"  # first screen, beside the histogram
    page.session_state[TAB] = WALKTHROUGH  # the data source is named under the walk-through
    page.run()
    data = load_mnist()
    assert any(f"{data.source} — {len(data):,} images" in c.value for c in page.caption)
    page.session_state[TAB] = OVER_TIME
    page.run()
    assert not page.exception, page.exception
    assert any("G(fixed z) at iteration 0" in c for img in page.image for c in img.captions)
    # The digit metrics of iteration 0: the classifier on G of the metric z (seed + 3), by hand.
    # The page's classifier is the one its loader read from disk; another process of the suite
    # (a browser test's server) may have trained and saved it, with weights that differ from a
    # classifier trained in this process, so the reference uses the page's own.
    z = trainer.noise(500, torch.Generator().manual_seed(trainer.config.seed + 3))
    with torch.no_grad():
        expected = evaluate_digits(trainer.generator(z), _loader().classifier)
    metrics = readout_values(page)
    assert metrics["Digits covered"] == f"{expected.digits_covered} / 10"
    # An untrained G draws noise, which looks like no digit: no histogram, so no KL yet ("—").
    assert expected.not_digits == 500 and metrics["Digits covered"] == "0 / 10"
    assert metrics["KL to uniform"] == "—" and np.isnan(expected.kl_uniform)
    assert any(m.value.startswith("**None of the 500 generated images looks like a digit yet") for m in page.markdown)
    assert metrics["Mean confidence"] == f"{expected.mean_confidence:.2f}"
    assert float(metrics["Fréchet distance"]) == pytest.approx(expected.frechet, abs=0.051)


def test_step_d_changes_only_d_and_grids_show_its_scores():
    at = open_app(PAGE, timeout=180)
    trainer = the_run(at).trainer
    g0, d0 = weights(trainer.generator), weights(trainer.discriminator)
    click(at, "step_d")
    assert same(g0, weights(trainer.generator))
    assert not same(d0, weights(trainer.discriminator))
    batch = trainer.last_batch
    assert batch["kind"] == "D"
    assert captions(at, 0) == [f"D={p:.2f}" for p in batch["p_real"][:SHOWN].tolist()]
    assert captions(at, 1) == [f"D={p:.2f}" for p in batch["p_fake"][:SHOWN].tolist()]
    # The two loss terms by hand, at the preset's real label.
    label = trainer.config.real_label
    p = batch["p_real"].double().numpy()
    real_error = -np.mean(label * np.log(p) + (1 - label) * np.log1p(-p))
    fake_error = -np.mean(np.log1p(-batch["p_fake"].double().numpy()))
    metrics = readout_values(at)
    assert float(metrics["Real error"]) == pytest.approx(real_error, abs=6e-4)
    assert float(metrics["Fake error"]) == pytest.approx(fake_error, abs=6e-4)
    accuracy = ((p > 0.5).mean() + (batch["p_fake"].numpy() < 0.5).mean()) / 2
    assert metrics["D accuracy"] == f"{100 * accuracy:.0f}%"


def test_step_g_changes_only_g_and_shows_before_and_after():
    at = open_app(PAGE, timeout=180)
    trainer = the_run(at).trainer
    click(at, "step_d")
    g0, d0 = weights(trainer.generator), weights(trainer.discriminator)
    g_before = copy.deepcopy(trainer.generator)
    click(at, "step_g")
    assert same(d0, weights(trainer.discriminator))
    assert not same(g0, weights(trainer.generator))
    z = trainer.last_batch["z"]
    with torch.no_grad():
        before, after = g_before(z), trainer.generator(z)
    p_before, p_after = eval_scores(trainer, before)[:SHOWN], eval_scores(trainer, after)[:SHOWN]
    # Images: D's grids (2, kept from the D step), then G's before and after grids.
    assert captions(at, 2) == [f"D={p:.2f}" for p in p_before]
    assert captions(at, 3) == [f"D={a:.2f} ({a - b:+.2f})" for a, b in zip(p_after, p_before)]
    metrics = readout_values(at)
    mean_after = float(metrics["Mean D(G(z)) after"].split()[0])
    assert mean_after == pytest.approx(eval_scores(trainer, after).mean(), abs=6e-4)
    assert any("update(s) ago" in c.value for c in at.caption)  # the D view is labelled stale
    np.testing.assert_allclose(to_unit_images(before[:1])[0], to_unit_images(trainer.last_batch["fake"][:1])[0])


def test_sliders_reach_the_trainer_without_a_reset():
    at = open_app(PAGE, timeout=180)
    run = the_run(at)
    trainer = run.trainer
    click(at, "step_both")
    click(at, "step_both")
    g0, d0, iteration = weights(trainer.generator), weights(trainer.discriminator), trainer.iteration
    at.slider(key=f"{PREFIX}_knob_label_smoothing").set_value(0.2).run()
    at.select_slider(key=f"{PREFIX}_knob_batch_size").set_value(128).run()
    at.select_slider(key=f"{PREFIX}_knob_lr_d").set_value(1e-3).run()
    at.slider(key=f"{PREFIX}_knob_d_steps").set_value(2).run()
    assert not at.exception
    assert run.trainer is trainer and trainer.iteration == iteration == 2
    assert same(g0, weights(trainer.generator)) and same(d0, weights(trainer.discriminator))
    c = trainer.config
    assert (c.real_label, c.batch_size, c.lr_d, c.d_steps) == (pytest.approx(0.8), 128, 1e-3, 2)
    saved = torch.load(io.BytesIO(run.checkpoint()), weights_only=True)  # the optimizer lives in the worker
    assert saved["opt_d"]["param_groups"][0]["lr"] == 1e-3
    assert [e[1] for e in trainer.events][-4:] == ["real_label", "batch_size", "lr_d", "d_steps"]
    click(at, "step_d")  # the next update uses the new settings
    record, p = trainer.history[-1], trainer.last_batch["p_real"].double().numpy()
    assert record.batch_size == 128 and len(p) == 128
    assert record.loss_d_real == pytest.approx(-np.mean(0.8 * np.log(p) + 0.2 * np.log1p(-p)), abs=1e-5)
    click(at, "step_both")  # k = 2: two D updates, then one G update
    assert [r.kind for r in list(trainer.history)[-3:]] == ["D", "D", "G"]


def test_checkpoint_download_and_upload_restore_identical_outputs():
    at = open_app(PAGE, timeout=180, state={TAB: FILES})
    run = the_run(at)
    for _ in range(3):
        click(at, "step_both")
    assert at.get("download_button")[0].proto.label == ":material/download: Download checkpoint"
    payload = checkpoint_payload(run)  # what the download button serves when clicked
    saved = run.trainer
    with torch.no_grad():
        fixed_out = saved.generator(saved.fixed_noise(64)).clone()
        real = saved.real_batch(32, torch.Generator().manual_seed(0))
        d_out = copy.deepcopy(saved.discriminator).eval()(real).clone()
    state = copy.deepcopy(saved.state_dict())
    click(at, "step_both")  # the run moves on; the upload must bring iteration 3 back
    at.file_uploader(key=f"{PREFIX}_upload").set_value(("run.pt", payload, "application/octet-stream")).run()
    assert not at.exception
    loaded = run.trainer
    assert loaded is not saved and loaded.iteration == 3 and loaded.config == saved.config
    with torch.no_grad():
        assert torch.equal(loaded.generator(loaded.fixed_noise(64)), fixed_out)
        assert torch.equal(copy.deepcopy(loaded.discriminator).eval()(real), d_out)
    for net in ("generator", "discriminator"):
        assert same(state[net], loaded.state_dict()[net])
    assert torch.equal(loaded.rng.get_state(), state["rng"])
    assert any("Loaded “run.pt”: iteration 3" in s.value for s in at.success)


def test_corrupted_and_malicious_uploads_are_refused_and_the_run_kept(tmp_path):
    at = open_app(PAGE, timeout=180, state={TAB: FILES})
    run = the_run(at)
    click(at, "step_both")
    trainer = run.trainer
    payload = checkpoint_payload(run)
    at.file_uploader(key=f"{PREFIX}_upload").set_value(("half.pt", payload[: len(payload) // 2], "x")).run()
    assert run.trainer is trainer and trainer.iteration == 1
    assert any("Could not load “half.pt”" in e.value and "current run is kept" in e.value for e in at.error)

    marker = tmp_path / "pwned"

    class Payload:  # unpickling this would create `marker`
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "config": {}, "x": Payload()}, evil)
    at.file_uploader(key=f"{PREFIX}_upload").set_value(("evil.pt", evil.read_bytes(), "x")).run()
    assert not marker.exists()
    assert run.trainer is trainer and trainer.iteration == 1
    assert any("Could not load “evil.pt”" in e.value and "not a readable checkpoint" in e.value
               for e in at.error)
    # A toy-target checkpoint is a valid file but not an MNIST run: refused by name.
    from gan_core.checkpoint import checkpoint_bytes
    from gan_core.trainer import Trainer
    from gan_core.config import TrainConfig
    toy = checkpoint_bytes(Trainer(TrainConfig(target="ring8")))
    at.file_uploader(key=f"{PREFIX}_upload").set_value(("toy.pt", toy, "x")).run()
    assert run.trainer is trainer
    assert any("“ring8”, not on MNIST" in e.value for e in at.error)
    assert load_checkpoint(payload).iteration == 1  # the good file still loads


def test_latent_walk_renders_the_seeded_path(page):
    page.session_state[TAB] = WALK
    page.run()
    page.slider(key=f"{PREFIX}_walk_steps").set_value(5).run()
    assert not page.exception
    walk = [g for g in grids(page) if g and g[0].startswith("t=0.00")]
    assert len(walk) == 1 and len(walk[0]) == 5
    trainer = the_run(page).trainer
    ends = torch.cat([torch.randn(1, 100, generator=torch.Generator().manual_seed(s)) for s in (1, 2)])
    with torch.no_grad():
        scores = eval_scores(trainer, trainer.generator(ends))
    assert walk[0][0].startswith(f"t=0.00 D={scores[0]:.2f} → ")
    assert walk[0][-1].startswith(f"t=1.00 D={scores[1]:.2f} → ")


def test_presets_and_architecture_rebuild(page):
    run = the_run(page)
    names = list(MNIST_PRESETS)
    last = MNIST_PRESETS[names[-1]]
    page.selectbox(key=f"{PREFIX}_preset").set_value(names[-1]).run()
    assert any(last.what_to_watch in c.value for c in page.caption)
    click(page, "load_preset")
    assert run.trainer.config == last.config and run.trainer.iteration == 0
    assert page.slider(key=f"{PREFIX}_knob_label_smoothing").value == pytest.approx(last.config.label_smoothing)
    assert page.select_slider(key=f"{PREFIX}_knob_batch_size").value == last.config.batch_size
    other = "dcgan" if last.config.arch != "dcgan" else "seed_mlp"
    page.selectbox(key=f"{PREFIX}_arch").set_value(other).run()
    page.number_input(key=f"{PREFIX}_seed").set_value(5).run()
    click(page, "rebuild")
    c = run.trainer.config
    assert (c.arch, c.seed, c.batch_size, c.lr_g) == (other, 5, last.config.batch_size, last.config.lr_g)
    click(page, "step_both")
    assert run.trainer.iteration == 1
