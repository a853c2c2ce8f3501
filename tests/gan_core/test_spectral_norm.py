"""Spectral normalisation of D (gan_core.stabilizers.SpectralNorm): singular values from
torch.linalg, exactly one power iteration per D update, and looking at D never changes a run."""


import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_core.checkpoint import load_checkpoint, save_checkpoint
from gan_core.stabilizers import SpectralNorm
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
        assert abs(sigma_max(m.weight) - 1) < 0.02
        assert float(torch.linalg.matrix_norm(m.weight.detach(), 2)) == pytest.approx(1, abs=0.02)
    assert not sn_modules(t.generator)
    t.train(20)
    for m in layers:
        assert sigma_max(m.weight) == pytest.approx(1, abs=0.02)
    assert max(abs(sigma_max(m.parametrizations.weight.original) - s) for m, s in zip(layers, raw)) > 3e-3  # D did move


def test_each_d_update_runs_exactly_one_power_iteration_on_the_weight_it_starts_from():
    t = Trainer(SN)
    norms = sn_modules(t.discriminator)
    weights = [m.parametrizations.weight.original for m in linears(t.discriminator)]
    start_u = [m.u.clone() for m in norms]
    for _ in range(30):
        w0 = [w.detach().clone() for w in weights]
        u0 = [m.u.clone() for m in norms]
        t.step_d()
        for m, w, u in zip(norms, w0, u0):
            v_want = F.normalize(w.t() @ u, dim=0)
            u_want = F.normalize(w @ v_want, dim=0)
            torch.testing.assert_close(m.v, v_want, rtol=0, atol=1e-6)
            torch.testing.assert_close(m.u, u_want, rtol=0, atol=1e-6)
            # and the layer divides by u^T W v with today's weight
            torch.testing.assert_close(m(w), w / (m.u @ w @ m.v), rtol=1e-6, atol=1e-7)
        t.step_g()
    moved = max(float((m.u - u).abs().max()) for m, u in zip(norms, start_u))
    assert moved > 1e-2, "u hardly moved: the recurrence check above could not fail"


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
        assert not a.refresh and not b.refresh
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
