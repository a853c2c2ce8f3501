"""Step probes and the progress record, checked against independent computations."""

import copy
import math

import numpy as np
import pytest
import torch

from gan_core.config import TrainConfig
from classroom.image_progress import ImageProgress
from gan_core.step_probe import (d_scores, d_step_view, d_verdict, g_step_view, interpolate,
                                 latent_walk, quiet, to_unit_images)
from gan_core.trainer import Trainer

SEED_MLP = TrainConfig(target="mnist", arch="seed_mlp", z_dim=100, g_output="tanh",
                       d_activation="leaky_relu", g_activation="leaky_relu", d_dropout=0.3,
                       batch_size=32, lr_d=2e-4, lr_g=2e-4, real_label=0.9)


@pytest.fixture(scope="module")
def mnist_target():
    return Trainer(SEED_MLP).target  # share the digits between the trainers of this module


def _eval_probability(net, x):
    """Independent reference: D in eval mode (dropout off; an MLP has no BatchNorm)."""
    net = copy.deepcopy(net).eval()
    with torch.no_grad():
        return torch.sigmoid(net(x)).numpy()


def test_d_step_view_shows_the_scores_and_losses_of_the_update(mnist_target):
    trainer = Trainer(SEED_MLP, target=mnist_target)
    trainer.step_d()
    view = d_step_view(trainer, n=8)
    batch = trainer.last_batch
    np.testing.assert_allclose(view.p_real, batch["p_real"][:8].numpy(), rtol=0, atol=0)
    np.testing.assert_allclose(view.p_fake, batch["p_fake"][:8].numpy(), rtol=0, atol=0)
    # The real error by hand: binary cross-entropy at the smoothed label 0.9 over the whole batch.
    p = batch["p_real"].double().numpy()
    real_error = -np.mean(0.9 * np.log(p) + 0.1 * np.log1p(-p))
    fake_error = -np.mean(np.log1p(-batch["p_fake"].double().numpy()))
    assert view.loss_real == pytest.approx(real_error, abs=1e-5)
    assert view.loss_fake == pytest.approx(fake_error, abs=1e-5)
    accuracy = ((p > 0.5).mean() + (batch["p_fake"].numpy() < 0.5).mean()) / 2
    assert view.accuracy == pytest.approx(accuracy, abs=1e-6)
    # Images are the batch mapped from [-1, 1] to [0, 1].
    np.testing.assert_allclose(view.real[0], (batch["real"][0, 0].numpy() + 1) / 2, atol=1e-6)
    assert view.real.shape == (8, 28, 28) and view.real_label == 0.9
    assert g_step_view(trainer) is None  # the latest update was not a G update


def test_g_step_view_is_the_same_z_before_and_after(mnist_target):
    trainer = Trainer(SEED_MLP, target=mnist_target)
    trainer.step_d()
    g_before = copy.deepcopy(trainer.generator)
    trainer.step_g()
    z = trainer.last_batch["z"]
    view = g_step_view(trainer, n=8)
    with torch.no_grad():
        before, after = g_before(z), trainer.generator(z)
    np.testing.assert_allclose(view.before, to_unit_images(before[:8]), atol=1e-6)
    np.testing.assert_allclose(view.after, to_unit_images(after[:8]), atol=1e-6)
    assert not np.allclose(view.before, view.after)  # G moved
    p_before = _eval_probability(trainer.discriminator, before)
    p_after = _eval_probability(trainer.discriminator, after)
    np.testing.assert_allclose(view.p_before, p_before[:8], atol=1e-6)
    np.testing.assert_allclose(view.p_after, p_after[:8], atol=1e-6)
    assert view.mean_after == pytest.approx(float(p_after.mean()), abs=1e-6)
    assert view.improved == pytest.approx(float((p_after > p_before).mean()), abs=1e-9)
    assert d_step_view(trainer) is None


def test_quiet_changes_nothing_in_a_batchnorm_network():
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Dropout(0.5))
    net.train()
    before = copy.deepcopy(net.state_dict())
    x = torch.randn(16, 4)
    with quiet(net):
        y1, y2 = net(x), net(x)
    assert torch.equal(y1, y2)  # dropout off: deterministic
    # BatchNorm still used the batch's statistics: the output is standardised per feature.
    np.testing.assert_allclose(y1.mean(0).numpy(), net[1].bias.detach().numpy(), atol=1e-5)
    for k, v in net.state_dict().items():
        assert torch.equal(v, before[k]), k  # running averages put back
    assert net.training and net[2].training


def test_probes_leave_the_run_untouched(mnist_target):
    """Looking (views, walk, scores) between steps must not change the next steps."""
    a, b = Trainer(SEED_MLP, target=mnist_target), Trainer(SEED_MLP, target=mnist_target)
    for trainer in (a, b):
        torch.manual_seed(7)  # D's dropout masks come from the global stream: same for both
        trainer.step()
    d_step_view(a), g_step_view(a), latent_walk(a, 1, 2, 5), d_scores(a, a.real_batch(4, torch.Generator()))
    torch.manual_seed(8)
    ra = a.step()
    torch.manual_seed(8)
    rb = b.step()
    assert [r.loss_d for r in ra] == [r.loss_d for r in rb]
    assert [r.loss_g for r in ra] == [r.loss_g for r in rb]


def test_d_verdict_scores_fresh_digits_without_touching_the_run(mnist_target):
    trainer = Trainer(SEED_MLP, target=mnist_target)
    trainer.step()
    rng_state, view_state = trainer.rng.get_state(), trainer.view_rng.get_state()
    verdict = d_verdict(trainer, n=6)
    assert torch.equal(trainer.rng.get_state(), rng_state)
    assert torch.equal(trainer.view_rng.get_state(), view_state)
    real = torch.from_numpy(verdict.real).unsqueeze(1) * 2 - 1  # back to [-1, 1]
    np.testing.assert_allclose(verdict.p_real, _eval_probability(trainer.discriminator, real), atol=1e-5)
    accuracy = ((verdict.p_real > 0.5).mean() + (verdict.p_fake < 0.5).mean()) / 2
    assert verdict.accuracy == pytest.approx(accuracy, abs=1e-9)
    again = d_verdict(trainer, n=6)  # the same iteration: the same digits (a steady picture)
    np.testing.assert_array_equal(again.real, verdict.real)


def test_interpolation_linear_and_spherical():
    z_a, z_b = torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 3.0]])
    line = interpolate(z_a, z_b, 3, spherical=False)
    np.testing.assert_allclose(line[1].numpy(), [1.5, 1.5], atol=1e-6)
    arc = interpolate(z_a, z_b, 3, spherical=True)
    # slerp halfway between two orthogonal vectors of norm 3: norm 3, at 45 degrees.
    np.testing.assert_allclose(arc[1].numpy(), [3 / math.sqrt(2), 3 / math.sqrt(2)], atol=1e-5)
    np.testing.assert_allclose(arc[[0, 2]].numpy(), torch.cat([z_a, z_b]).numpy(), atol=1e-5)


def test_latent_walk_ends_at_the_two_seeded_z(mnist_target):
    trainer = Trainer(SEED_MLP, target=mnist_target)
    walk = latent_walk(trainer, 5, 9, steps=6)
    z5 = torch.randn(1, 100, generator=torch.Generator().manual_seed(5))
    z9 = torch.randn(1, 100, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        ends = trainer.generator(torch.cat([z5, z9]))
    np.testing.assert_allclose(walk.images[[0, -1]], to_unit_images(ends), atol=1e-6)
    np.testing.assert_allclose(walk.p_real[[0, -1]], _eval_probability(trainer.discriminator, ends), atol=1e-6)
    assert walk.images.shape == (6, 28, 28) and walk.t[0] == 0 and walk.t[-1] == 1


class _Call:
    def __init__(self, trainer):
        self.trainer = trainer

    def __call__(self, fn):
        return fn(self.trainer)


def test_progress_frames_every_n_bounded_and_rolled_back(mnist_target):
    trainer = Trainer(SEED_MLP.replace(batch_size=8, snapshot_every=10), target=mnist_target)
    progress = ImageProgress(frame_every=3, max_frames=6, frame_size=4)
    call = _Call(trainer)
    for i in range(25):
        progress.update(call)
        if i == 24:  # the newest frame is G(fixed z) at iteration 24, as uint8
            with torch.no_grad():
                expected = (to_unit_images(trainer.generator(trainer.fixed_noise(4))) * 255).round()
        trainer.step()
    progress.update(call)  # iteration 25: not due (24 + 3 > 25)
    its = [f.iteration for f in progress.frames]
    assert len(its) <= 6 and its[0] == 0 and its[-1] == 24  # whole run kept, thinned
    assert all(b - a >= 3 for a, b in zip(its, its[1:]))
    np.testing.assert_array_equal(progress.frames[-1].images, expected.astype(np.uint8))
    trainer.rollback()  # back to the snapshot at iteration 20
    progress.update(call)  # 20 - 18 < 3: no new frame; the frames after 20 are forgotten
    assert trainer.iteration == 20
    assert [f.iteration for f in progress.frames] == [it for it in its if it <= 20]
    progress.update(_Call(trainer.rebuilt()))  # a new trainer: a fresh record
    assert [f.iteration for f in progress.frames] == [0]


def test_progress_metrics_use_the_same_z_and_are_cached(mnist_target):
    trainer = Trainer(SEED_MLP.replace(batch_size=8), target=mnist_target)
    seen = []

    def measure(images):
        seen.append(images.clone())
        return {"mean": float(images.mean())}

    progress = ImageProgress(metric_every=5, metric_samples=20, measure=measure)
    call = _Call(trainer)
    progress.update(call)
    progress.update(call)  # not due again at the same iteration: measured once
    assert len(seen) == 1 and seen[0].shape == (20, 1, 28, 28)
    z = progress.metric_noise(trainer)
    assert torch.equal(z, progress.metric_noise(trainer))  # the same z at every check
    trainer.train(5)
    progress.update(call)
    cols = progress.metric_columns()
    np.testing.assert_array_equal(cols["iteration"], [0, 5])
    assert cols["mean"][1] == pytest.approx(float(seen[1].mean()), abs=1e-7)
