"""Learning-rate half-life and instance noise (which anneals on the same curve), checked against a
plain reference GAN loop written from the paper (tests/reference_gan.py) and by hand; both off
replay the default run bit-identically."""

import copy

import pytest
import torch
import torch.nn.functional as F

import gan_core.trainer as trainer_module
from gan_core.stabilizers import schedule_factor
from gan_core.trainer import Trainer
from reference_gan import reference_run
from train_support import SMALL, max_diff, params, same, same_tensors, whole_run


# ---- learning-rate half-life -------------------------------------------------------------------------

def test_recorded_lr_follows_the_half_life_and_reaches_the_optimizers():
    c = SMALL.replace(lr_d=2e-3, lr_g=1e-3, lr_half_life=4, d_steps=2)
    t = Trainer(c)
    t.train(10)
    records = list(t.history)
    assert len(records) == 30
    for r in records:
        ran_at = r.iteration if r.kind == "D" else r.iteration - 1  # a G record counts its own update
        base = c.lr_d if r.kind == "D" else c.lr_g
        assert r.lr == pytest.approx(base * 0.5 ** (ran_at / 4), rel=1e-12, abs=0), r
    assert records[-1].lr == pytest.approx(1e-3 * 0.5 ** (9 / 4), rel=1e-12)
    assert records[-1].lr < 0.3 * c.lr_g  # it did decay
    assert t.opt_d.param_groups[0]["lr"] == pytest.approx(2e-3 * 0.5 ** (9 / 4), rel=1e-12)
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5 ** (9 / 4), rel=1e-12)
    # a live change of the base rate lands at today's point of the schedule
    t.update(lr_d=4e-3)
    assert t.opt_d.param_groups[0]["lr"] == pytest.approx(4e-3 * 0.5 ** (10 / 4), rel=1e-12)
    assert t.step_d().lr == pytest.approx(4e-3 * 0.5 ** (10 / 4), rel=1e-12)
    # changing the half-life itself reaches the optimizers at once
    t.update(lr_half_life=5)
    assert t.opt_g.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5 ** (10 / 5), rel=1e-12)
    t.update(lr_half_life=0)
    assert t.opt_g.param_groups[0]["lr"] == 1e-3 and t.opt_d.param_groups[0]["lr"] == 4e-3
    assert t.step_d().lr == 4e-3 and t.step_g().lr == 1e-3


def test_the_scheduled_lr_is_the_step_sgd_actually_takes():
    c = SMALL.replace(optimizer="sgd", lr_d=0.05, lr_g=0.05, lr_half_life=2)
    t = Trainer(c)
    t.train(3)
    for net, step in ((t.discriminator, t.step_d), (t.generator, t.step_g)):
        before = params(net)
        record = step()
        assert record.lr == pytest.approx(0.05 * 0.5 ** (3 / 2), rel=1e-12)
        grads = [p.grad.clone() for p in net.parameters()]
        assert all(float(gr.abs().max()) > 0 for gr in grads)
        moved = [a - b for a, b in zip(params(net), before)]
        for m, gr in zip(moved, grads):
            torch.testing.assert_close(m, -record.lr * gr, rtol=1e-4, atol=1e-7)  # float32 rounding of w - lr*g
            assert not torch.allclose(m, -c.lr_d * gr, rtol=1e-2, atol=1e-8)  # the base rate would not fit


def test_defaults_replay_a_plain_gan_loop_bit_identically():
    """No stabiliser on (and lr_half_life / instance_noise explicitly 0): the run is the plain loop."""
    steps = 12
    g_ref, d_ref, log = reference_run(SMALL, steps)
    for config in (SMALL, SMALL.replace(lr_half_life=0, instance_noise=0.0, ema_decay=0.0, spectral_norm=False)):
        t = Trainer(config)
        t.train(steps)
        assert same(params(t.generator), params(g_ref))
        assert same(params(t.discriminator), params(d_ref))
        records = list(t.history)
        assert [r.lr for r in records] == [config.lr_d, config.lr_g] * steps
        assert [r.loss_d_real for r in records[::2]] == [x[0] for x in log]
        assert [r.loss_g for r in records[1::2]] == [x[2] for x in log]


def test_half_life_replays_the_plain_loop_with_halving_rates():
    steps = 12
    c = SMALL.replace(lr_half_life=3, lr_d=5e-3, lr_g=5e-3)
    g_ref, d_ref, log = reference_run(c, steps)
    t = Trainer(c)
    t.train(steps)
    assert max_diff(params(t.generator), params(g_ref)) < 1e-6
    assert max_diff(params(t.discriminator), params(d_ref)) < 1e-6
    assert [r.lr for r in t.history] == pytest.approx([v for x in log for v in x[3:5]], rel=1e-12)
    constant = Trainer(c.replace(lr_half_life=0))
    constant.train(steps)
    assert max_diff(params(t.generator), params(constant.generator)) > 1e-5


def test_schedule_factor():
    assert schedule_factor(0, 123) == 1.0
    assert schedule_factor(10, 0) == 1.0
    assert schedule_factor(10, 10) == pytest.approx(0.5, rel=1e-15)
    assert schedule_factor(10, 25) == pytest.approx(2 ** -2.5, rel=1e-12)


# ---- instance noise -----------------------------------------------------------------------------------

def test_instance_noise_replays_the_plain_loop_with_noise_on_every_d_input():
    steps = 8
    c = SMALL.replace(instance_noise=0.3, lr_half_life=5)
    g_ref, d_ref, log = reference_run(c, steps)
    t = Trainer(c)
    t.train(steps)
    records = list(t.history)
    d_records, g_records = records[::2], records[1::2]
    for r, x in zip(d_records, log):
        assert r.loss_d_real == pytest.approx(x[0], rel=0, abs=1e-5)
        assert r.loss_d_fake == pytest.approx(x[1], rel=0, abs=1e-5)
    for r, x in zip(g_records, log):
        assert r.loss_g == pytest.approx(x[2], rel=0, abs=1e-5)
    assert max_diff(params(t.generator), params(g_ref)) < 1e-6
    assert max_diff(params(t.discriminator), params(d_ref)) < 1e-6
    clean = Trainer(c.replace(instance_noise=0.0))
    clean.train(steps)
    clean_records = list(clean.history)
    assert abs(clean_records[0].loss_d_real - d_records[0].loss_d_real) > 1e-4  # the noise made a difference
    assert max_diff(params(t.discriminator), params(clean.discriminator)) > 1e-5


def test_one_noisy_d_step_reproduced_by_hand_from_the_stream():
    c = SMALL.replace(instance_noise=0.5, lr_half_life=3)
    t = Trainer(c)
    t.train(4)
    gen = torch.Generator()
    gen.set_state(t.rng.get_state())  # the draws step_d is about to make
    g_w, d_net = copy.deepcopy(t.generator), copy.deepcopy(t.discriminator)
    record = t.step_d()
    std = 0.5 * 0.5 ** (4 / 3)
    real = t.target.sample(c.batch_size, gen)
    z = torch.randn(c.batch_size, c.z_dim, generator=gen)
    with torch.no_grad():
        fake = g_w(z)
        real_seen = real + std * torch.randn(real.shape, generator=gen)
        fake_seen = fake + std * torch.randn(fake.shape, generator=gen)
        out_real, out_fake = d_net(real_seen), d_net(fake_seen)
    loss_real = F.binary_cross_entropy_with_logits(out_real, torch.ones_like(out_real)).item()
    loss_fake = F.binary_cross_entropy_with_logits(out_fake, torch.zeros_like(out_fake)).item()
    assert record.loss_d_real == pytest.approx(loss_real, rel=0, abs=1e-5)
    assert record.loss_d_fake == pytest.approx(loss_fake, rel=0, abs=1e-5)
    assert torch.equal(t.rng.get_state(), gen.get_state())  # nothing else was drawn
    with torch.no_grad():
        bare = F.binary_cross_entropy_with_logits(d_net(real), torch.ones(c.batch_size)).item()
    assert abs(bare - loss_real) > 1e-4


def test_noise_std_follows_the_half_life(monkeypatch):
    seen = []
    original = trainer_module.with_instance_noise

    def spy(x, std, generator):
        seen.append((x.shape[0], std))
        return original(x, std, generator)

    monkeypatch.setattr(trainer_module, "with_instance_noise", spy)
    c = SMALL.replace(instance_noise=0.4, lr_half_life=2, d_steps=2)
    t = Trainer(c)
    t.train(5)
    per_iteration = 2 * c.d_steps + 1  # real and fake for each D update, fake for the G update
    assert len(seen) == 5 * per_iteration
    for i, (_, std) in enumerate(seen):
        it = i // per_iteration
        assert std == pytest.approx(0.4 * 0.5 ** (it / 2), rel=1e-12, abs=0), (i, std)
    # live: switching the noise off stops the stds at 0 on the very next step
    seen.clear()
    t.update(instance_noise=0.0)
    t.step()
    assert [s for _, s in seen] == [0.0] * per_iteration


def test_instance_noise_zero_is_bit_identical_to_the_default():
    t, u = Trainer(SMALL), Trainer(SMALL.replace(instance_noise=0.0))
    t.train(6)
    u.train(6)
    assert same_tensors(whole_run(t), whole_run(u))
    noisy = Trainer(SMALL.replace(instance_noise=0.1))
    noisy.train(6)
    assert not torch.equal(noisy.rng.get_state(), t.rng.get_state())  # noise draws from the stream
