"""Spectral normalisation of D (gan_core.stabilizers.SpectralNorm): every normalised layer's largest
singular value, computed by torch.linalg.svdvals, stays within SPECTRAL_NORM_TOLERANCE of 1 after
every update (one power step per update let it reach 1.35 at width 128 and 3.3 at width 512), and
looking at D never changes a run."""


import numpy as np
import pytest
import torch
from torch import nn

from gan_core.checkpoint import load_checkpoint, save_checkpoint
from gan_core.config import TrainConfig
from gan_core.stabilizers import SPECTRAL_NORM_TOLERANCE, SpectralNorm
from gan_core.toy_fields import generator_loss_gradient
from gan_core.trainer import Trainer
from train_support import SMALL, params, same, same_tensors, tensors, whole_run


def sn_modules(net) -> list[SpectralNorm]:
    return [m for m in net.modules() if isinstance(m, SpectralNorm)]


def linears(net) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


# ---- spectral normalisation ------------------------------------------------------------------------------

SN = SMALL.replace(spectral_norm=True)


def sigma_max(w: torch.Tensor) -> float:
    return float(torch.linalg.svdvals(w.detach().reshape(w.shape[0], -1).double())[0])


def test_spectral_norm_makes_each_d_layer_unit_norm_after_build_and_training():
    t = Trainer(SN)
    layers = linears(t.discriminator)
    assert len(layers) == SN.d_depth + 1 and len(sn_modules(t.discriminator)) == len(layers)
    raw = [sigma_max(m.parametrizations.weight.original) for m in layers]
    assert any(abs(s - 1) > 0.1 for s in raw), "raw weights already unit norm: the check means nothing"
    for m in layers:
        assert abs(sigma_max(m.weight) - 1) < 1e-3
        assert float(torch.linalg.matrix_norm(m.weight.detach(), 2)) == pytest.approx(1, abs=1e-3)
    assert not sn_modules(t.generator)
    t.train(20)
    for m in layers:
        assert sigma_max(m.weight) == pytest.approx(1, abs=1e-3)
    assert max(abs(sigma_max(m.parametrizations.weight.original) - s) for m, s in zip(layers, raw)) > 3e-3  # D did move


# The cases (issue 20, 2.4): the default 2D D, and a wide D with a large learning rate, where
# one power step per update let the largest singular value reach 1.35 (width 128, iteration 12)
# and 3.3 (width 512, iteration 3).
FAST_MOVING_DS = [TrainConfig(spectral_norm=True, batch_size=64),
                  TrainConfig(spectral_norm=True, d_width=512, d_depth=2, g_width=32, lr_d=3e-3, lr_g=3e-3,
                              batch_size=64)]


@pytest.mark.parametrize("config", FAST_MOVING_DS, ids=["default_2d_d", "width_512_lr_3e-3"])
def test_every_normalised_layer_stays_unit_norm_whenever_d_is_read(config):
    t = Trainer(config)
    layers = linears(t.discriminator)
    worst_raw = 0.0
    for _ in range(30):
        t.step_d()
        d_after_its_update = [sigma_max(m.weight) for m in layers]  # what G's step and the views read
        t.step_g()
        for sigma in d_after_its_update + [sigma_max(m.weight) for m in layers]:
            assert sigma == pytest.approx(1, abs=SPECTRAL_NORM_TOLERANCE)
        worst_raw = max(worst_raw, *(abs(sigma_max(m.parametrizations.weight.original) - 1) for m in layers))
    assert worst_raw > 0.2, "the raw weights stayed near unit norm: the check above could not fail"


def test_settle_finds_the_largest_singular_value_of_a_matrix_with_a_known_spectrum():
    """W = U diag(s) V^T with s = (3, 2.99, 2.98, 2.97, 1, ...): a cluster on top, where power iteration
    is slowest; the singular values are set by hand, not computed."""
    gen = torch.Generator().manual_seed(0)
    left, _ = torch.linalg.qr(torch.randn(40, 40, generator=gen, dtype=torch.float64))
    right, _ = torch.linalg.qr(torch.randn(60, 40, generator=gen, dtype=torch.float64))
    s = torch.cat([torch.tensor([3.0, 2.99, 2.98, 2.97]), torch.linspace(1.0, 0.1, 36)]).double()
    w = (left * s) @ right.t()  # (40, 60)
    norm = SpectralNorm(w.float())
    normalised = norm(w.float()).double()
    assert float(torch.linalg.svdvals(normalised)[0]) == pytest.approx(1, abs=1e-5)
    assert float(norm.u.double() @ w @ norm.v.double()) == pytest.approx(3.0, rel=1e-5)
    w_next = w + 0.05 * torch.randn(40, 60, generator=gen, dtype=torch.float64)  # an update moves W
    norm.settle(w_next.float())
    assert float(torch.linalg.svdvals(norm(w_next.float()).double())[0]) == pytest.approx(1, abs=1e-5)


def test_spectral_norm_off_leaves_the_models_as_they_were():
    plain, sn = Trainer(SMALL), Trainer(SN)
    for net in (plain.generator, plain.discriminator, sn.generator):
        assert not any("parametrizations" in name for name, _ in net.named_parameters())
        assert not sn_modules(net)
    assert all("parametrizations" in name for name, _ in sn.discriminator.named_parameters() if "weight" in name)
    assert same(params(plain.generator), params(sn.generator))
    # the spectral-norm D wraps exactly the weights the plain D starts from
    originals = [m.parametrizations.weight.original for m in linears(sn.discriminator)]
    assert same(originals, [m.weight for m in linears(plain.discriminator)])


SN_VARIANTS = [SN, SN.replace(pack=2, minibatch_std=True, d_dropout=0.3),
               SN.replace(loss="wgan_gp", r1_gamma=1.0), SN.replace(loss="hinge", instance_noise=0.2)]


@pytest.mark.parametrize("config", SN_VARIANTS)
def test_looking_at_the_run_does_not_change_it(config):
    c = config.replace(ema_decay=0.9)
    quiet, watched = Trainer(c), Trainer(c)
    start_u = [m.u.clone() for m in sn_modules(quiet.discriminator)]
    grid = torch.stack(torch.meshgrid(torch.linspace(-3, 3, 9), torch.linspace(-3, 3, 9), indexing="ij"), -1)
    grid = grid.reshape(-1, 2)
    for _ in range(8):
        quiet.step()
        watched.step_d()
        watched.d_output(grid)
        watched.d_probability(grid)
        watched.sample(20)
        watched.fixed_samples(20, average=False)
        generator_loss_gradient(watched, grid.numpy())
        watched.step_g()
        watched.d_probability(grid)
        generator_loss_gradient(watched, np.zeros((3, 2), dtype=np.float32))
    assert same_tensors(whole_run(quiet), whole_run(watched))
    for a, b in zip(sn_modules(quiet.discriminator), sn_modules(watched.discriminator)):
        assert torch.equal(a.u, b.u) and torch.equal(a.v, b.v)
    assert not same([m.u for m in sn_modules(quiet.discriminator)], start_u), "u never moved"


@pytest.mark.parametrize("config", SN_VARIANTS)
def test_step_g_leaves_d_and_its_power_iteration_alone_and_step_d_refreshes_it(config):
    t = Trainer(config)
    t.step()
    d_before = tensors(t.discriminator)
    assert any(k.endswith(".u") for k in d_before) and any(k.endswith(".v") for k in d_before)
    t.step_g()
    assert same_tensors(tensors(t.discriminator), d_before)
    t.step_d()
    after = tensors(t.discriminator)
    moved_uv = [k for k in after if k.endswith((".u", ".v")) and not torch.equal(after[k], d_before[k])]
    assert moved_uv, "D's own update did not refresh the power iteration"
    for m in sn_modules(t.discriminator):
        assert torch.linalg.vector_norm(m.u) == pytest.approx(1, abs=1e-5)
        assert torch.linalg.vector_norm(m.v) == pytest.approx(1, abs=1e-5)


def test_spectral_norm_checkpoint_continues_bit_identically(tmp_path):
    c = SN.replace(ema_decay=0.9, instance_noise=0.1, lr_half_life=20)
    t = Trainer(c)
    t.train(5)
    path = tmp_path / "sn.pt"
    save_checkpoint(t, path)
    loaded = load_checkpoint(path)
    assert loaded.config == c
    assert same_tensors(whole_run(loaded), whole_run(t))
    t.train(5)
    loaded.train(5)
    assert same_tensors(whole_run(loaded), whole_run(t))
    assert [r.loss_d for r in list(t.history)[-10:]] == [r.loss_d for r in list(loaded.history)[-10:]]


def test_spectral_norm_state_dict_round_trip_and_rollback():
    t = Trainer(SN.replace(snapshot_every=3))
    t.train(3)
    at_3 = whole_run(t)
    t.train(2)
    at_5 = whole_run(t)
    assert t.rollback() == 3
    assert same_tensors(whole_run(t), at_3)
    t.train(2)
    assert same_tensors(whole_run(t), at_5)


def test_a_spectral_norm_d_builds_on_the_meta_device_for_counting_weights():
    """classroom.budget counts weights on torch's meta device, where there are no values to settle."""
    from gan_core.models import build_models

    with torch.device("meta"):
        _, d = build_models(SN, (2,))
    assert sn_modules(d) and all(p.is_meta for p in d.parameters())
    assert sum(p.numel() for p in d.parameters()) == sum(p.numel() for p in Trainer(SN).discriminator.parameters())
