"""Trainer: alternating updates touch only their own network, update() reaches the next step,
runs replay by seed, and a non-finite step is refused and can be rolled back."""

import copy

import pytest
import torch

from gan_core import losses
from gan_core.config import RebuildRequired, TrainConfig
from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer
from train_support import opt_tensors, params, same

SMALL = TrainConfig(g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=3)


@pytest.mark.parametrize("config", [SMALL, SMALL.replace(pack=4, minibatch_std=True, d_dropout=0.3),
                                    SMALL.replace(loss="wgan_gp", r1_gamma=1.0)])
def test_step_d_moves_only_d_and_step_g_moves_only_g(config):
    t = Trainer(config)
    t.step()  # give both optimizers some state
    g0, d0, opt_d0 = params(t.generator), params(t.discriminator), opt_tensors(t.opt_d)
    t.step_d()
    assert same(params(t.generator), g0), "step_d changed a G parameter"
    moved = [not torch.equal(a, b) for a, b in zip(params(t.discriminator), d0)]
    if config.loss == "wgan_gp":  # E[D(x)] - E[D(G(z))] and the penalties ignore D's output bias
        moved = moved[:-1]
    assert all(moved), "step_d left a D parameter"
    d1, opt_d1 = params(t.discriminator), opt_tensors(t.opt_d)
    assert not same(opt_d1, opt_d0)
    t.step_g()
    assert same(params(t.discriminator), d1), "step_g changed a D parameter"
    assert same(opt_tensors(t.opt_d), opt_d1), "step_g changed D's optimizer state"
    assert all(not torch.equal(a, b) for a, b in zip(params(t.generator), g0)), "step_g left a G parameter"
    assert all(p.requires_grad for p in t.discriminator.parameters())  # D unfrozen afterwards


def test_step_is_k_d_updates_then_one_g_update_and_records_it():
    t = Trainer(SMALL.replace(d_steps=3))
    records = t.step()
    assert [r.kind for r in records] == ["D", "D", "D", "G"]
    assert [r.update for r in records] == [1, 2, 3, 4]
    assert [r.iteration for r in records] == [0, 0, 0, 1]
    assert t.iteration == 1 and len(t.history) == 4
    d = records[0]
    assert d.loss_d == pytest.approx(d.loss_d_real + d.loss_d_fake + d.penalty, abs=1e-5)
    assert 0 <= d.d_real <= 1 and 0 <= d.d_fake <= 1 and 0 <= d.d_accuracy <= 1
    assert d.grad_norm > 0 and d.step_seconds > 0 and d.loss_g != d.loss_g  # NaN: not a G update
    cols = t.history.columns()
    assert cols["kind"].tolist() == ["D", "D", "D", "G"] and cols["loss_g"].shape == (4,)


def test_d_rescores_fakes_after_its_own_update():
    t = Trainer(SMALL)
    t.step_d()
    z = torch.randn(32, 2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = torch.sigmoid(t.discriminator(t.generator(z))).mean().item()
    record = t.step_g(z=z)
    assert record.d_fake == pytest.approx(expected, abs=1e-6)  # D's updated weights, G's old ones


def test_update_batch_size_reaches_the_next_step():
    t = Trainer(SMALL)
    t.step()
    assert t.update(batch_size=48) == {"batch_size": (32, 48)}
    record = t.step_d()
    assert record.batch_size == 48
    assert t.last_batch["real"].shape == (48, 2) and t.last_batch["fake"].shape == (48, 2)
    assert t.last_batch["z"].shape == (48, 2) and t.last_batch["p_real"].shape == (48,)
    record = t.step_g()
    assert record.batch_size == 48 and t.last_batch["fake"].shape == (48, 2)


def test_record_reports_the_batch_actually_used():
    t = Trainer(SMALL)
    assert t.step_d(real=torch.zeros(7, 2)).batch_size == 7
    assert t.step_g(z=torch.zeros(5, 2)).batch_size == 5


def test_update_real_label_changes_the_next_d_loss_by_the_hand_computed_amount():
    # Same seed: same weights and the same batch; only the real label differs.
    plain, smoothed = Trainer(SMALL), Trainer(SMALL)
    for t in (plain, smoothed):
        t.step()
    assert smoothed.update(label_smoothing=0.1) == {"real_label": (1.0, pytest.approx(0.9))}
    real = plain.real_batch(32, torch.Generator().manual_seed(5))
    z = plain.noise(32, torch.Generator().manual_seed(6))
    with torch.no_grad():
        logits = plain.discriminator(real)  # (32,) identical weights in both trainers
    a, b = plain.step_d(real=real, z=z), smoothed.step_d(real=real, z=z)
    # BCE(l, a) = softplus(l) - a l, so moving the label from 1 to 0.9 adds 0.1 * mean(l)
    assert b.loss_d_real - a.loss_d_real == pytest.approx(0.1 * logits.mean().item(), abs=1e-5)
    assert b.loss_d_real == pytest.approx(losses.d_loss_bce(logits, logits, 0.9).real.item(), abs=1e-6)
    assert b.loss_d_fake == a.loss_d_fake  # the fake term does not depend on the real label


def test_update_keeps_weights_and_optimizer_state_and_pushes_lr():
    t = Trainer(SMALL)
    t.train(3)
    g0, d0 = params(t.generator), params(t.discriminator)
    opt0 = opt_tensors(t.opt_g) + opt_tensors(t.opt_d)
    diff = t.update(lr_d=2e-4, lr_g=5e-4, d_steps=2, loss="least_squares", noise="uniform",
                    adam_beta1=0.0, label_smoothing=0.2)
    assert set(diff) == {"lr_d", "lr_g", "d_steps", "loss", "noise", "adam_beta1", "real_label"}
    assert same(params(t.generator), g0) and same(params(t.discriminator), d0)
    assert same(opt_tensors(t.opt_g) + opt_tensors(t.opt_d), opt0)
    assert t.opt_d.param_groups[0]["lr"] == 2e-4 and t.opt_g.param_groups[0]["lr"] == 5e-4
    assert t.opt_g.param_groups[0]["betas"] == (0.0, 0.999)
    assert [e[1] for e in t.events] == list(diff)
    assert len(t.step()) == 3  # d_steps=2 took effect


def test_architecture_change_raises_rebuild_required_and_changes_nothing():
    t = Trainer(SMALL)
    t.step()
    before, g0 = t.config, params(t.generator)
    for change in ({"g_width": 32}, {"arch": "seed_mlp"}, {"seed": 9}, {"target": "grid25"},
                   {"batch_size": 64, "optimizer": "sgd"}):
        with pytest.raises(RebuildRequired, match=next(k for k in change if k != "batch_size")):
            t.update(**change)
        assert t.config == before and same(params(t.generator), g0)
    with pytest.raises(ValueError, match="batch_size"):
        t.update(batch_size=1, lr_d=1e-4)
    assert t.config == before
    with pytest.raises(ValueError, match="unknown setting"):
        t.update(colour="red")
    assert t.update(g_width=16) == {}  # "changing" to the current value is no change
    fresh = t.rebuilt(g_width=32)
    assert fresh.config.g_width == 32 and fresh.target is t.target


def test_same_seed_gives_bit_identical_weights_different_seeds_differ():
    config = SMALL.replace(d_dropout=0.3)  # dropout included: it must not use the global RNG
    a, b, c = Trainer(config), Trainer(config), Trainer(config.replace(seed=4))
    for _ in range(8):
        a.step()
        torch.rand(5)  # other code using torch's global RNG must not change either run
        b.step()
        c.step()
    assert same(params(a.generator) + params(a.discriminator), params(b.generator) + params(b.discriminator))
    assert not same(params(a.generator), params(c.generator))
    assert torch.equal(a.sample(16), b.sample(16))


def test_steps_leave_the_global_rng_alone():
    t = Trainer(SMALL.replace(d_dropout=0.5))
    state = torch.get_rng_state()
    t.step()
    assert torch.equal(torch.get_rng_state(), state)


def test_views_do_not_change_the_run():
    a, b = Trainer(SMALL), Trainer(SMALL)
    a.step()
    a.sample(100), a.fixed_samples(10), a.d_probability(torch.zeros(4, 2))
    b.step()
    a.step(), b.step()
    assert same(params(a.generator), params(b.generator))


def test_fixed_samples_and_d_probability_shapes_and_pack():
    t = Trainer(SMALL.replace(pack=4))
    assert torch.equal(t.fixed_samples(10), t.fixed_samples(10))
    x = torch.tensor([[0.0, 0.0], [2.0, 0.0], [0.0, -2.0]])
    p = t.d_probability(x)
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()
    # each point is judged as a pack of 4 copies of itself
    with torch.no_grad():
        ref = torch.sigmoid(t.discriminator(x[1:2].repeat(4, 1)))
    assert p[1].item() == pytest.approx(ref.item(), abs=1e-7)
    t.update(noise="uniform")
    assert t.fixed_noise(8).abs().max() <= 1


def test_nonfinite_d_loss_is_refused_before_the_update(monkeypatch):
    t = Trainer(SMALL)
    t.step()
    g0, d0, opt0, n_hist = params(t.generator), params(t.discriminator), opt_tensors(t.opt_d), len(t.history)
    nan_loss = lambda *a, **k: losses.DLoss(torch.tensor(float("nan"), requires_grad=True) * 1,  # noqa: E731
                                             torch.zeros((), requires_grad=True) * 1)
    monkeypatch.setattr(losses, "discriminator_loss", nan_loss)
    with pytest.raises(NonFiniteError) as info:
        t.step_d()
    assert info.value.what == "D's real loss" and info.value.iteration == 1
    assert "diverged" in str(info.value)
    assert same(params(t.discriminator), d0) and same(params(t.generator), g0)
    assert same(opt_tensors(t.opt_d), opt0) and len(t.history) == n_hist


def test_nonfinite_g_loss_is_refused(monkeypatch):
    t = Trainer(SMALL)
    g0 = params(t.generator)
    monkeypatch.setattr(losses, "generator_loss", lambda loss, d_fake: d_fake.mean() * float("inf"))
    with pytest.raises(NonFiniteError, match="G's loss"):
        t.step_g()
    assert same(params(t.generator), g0) and t.iteration == 0
    assert all(p.requires_grad for p in t.discriminator.parameters())


def test_huge_sgd_step_diverges_and_rollback_restores_a_finite_snapshot():
    t = Trainer(SMALL.replace(optimizer="sgd", lr_d=1.0, lr_g=1.0, snapshot_every=2))
    t.train(2)  # snapshot at iteration 2
    good = params(t.generator) + params(t.discriminator)
    with torch.no_grad():
        for p in t.discriminator.parameters():
            p.mul_(1e30)  # absurd weights: the next losses overflow
    with pytest.raises(NonFiniteError):
        t.train(5)
    t.update(lr_d=1e-3, lr_g=1e-3)  # the teacher's fix before rolling back
    assert t.rollback() == 2
    assert t.iteration == 2 and same(params(t.generator) + params(t.discriminator), good)
    assert t.config.lr_d == 1e-3 and t.opt_d.param_groups[0]["lr"] == 1e-3  # the fix stays
    assert all(r.update <= t.updates for r in t.history) and t.last_batch == {}
    t.train(2)
    assert all(torch.isfinite(p).all() for p in t.discriminator.parameters())


def test_rollback_skips_nonfinite_snapshots_and_fails_clearly_without_any():
    t = Trainer(SMALL.replace(snapshot_every=1))
    t.train(1)  # snapshots: iteration 0 and 1
    state = copy.deepcopy(t.snapshots[-1][1])
    next(iter(state["generator"].values())).fill_(float("nan"))
    t.snapshots.append((1, state))
    t.train(1)
    t.snapshots.pop()  # drop the automatic snapshot at 2: the NaN one is newest now
    assert t.rollback() == 1
    assert all(torch.isfinite(p).all() for p in t.generator.parameters())
    t.snapshots.clear()
    with pytest.raises(RuntimeError, match="no finite snapshot"):
        t.rollback()


def test_history_is_bounded():
    t = Trainer(SMALL.replace(history_len=10))
    t.train(8)
    assert len(t.history) == 10 and t.history[-1].update == 16


def test_views_read_d_without_dropout_masks():
    t = Trainer(SMALL.replace(d_dropout=0.5))
    t.step()
    x = torch.linspace(-2, 2, 40).reshape(20, 2)
    p = t.d_probability(x)
    assert torch.equal(p, t.d_probability(x))  # a function of x, not of a random mask
    t.discriminator.eval()
    with torch.no_grad():
        ref = torch.sigmoid(t.discriminator(x))
    t.discriminator.train()
    assert torch.allclose(p, ref, atol=1e-7, rtol=0)
    assert all(m.training for m in t.discriminator.modules())  # dropout back on for training
