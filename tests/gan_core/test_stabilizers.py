"""Stabilisers (gan_core.stabilizers and their use in the Trainer), checked against independent
computations: the EMA recurrence by hand, a plain reference GAN loop that draws in the trainer's
order (constant or halving learning rates, with or without instance noise), singular values from
torch.linalg, bit-identical replays for everything that must not change a run."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import gan_core.trainer as trainer_module
from gan_core.checkpoint import FORMAT, load_checkpoint, save_checkpoint
from gan_core.config import RebuildRequired, TrainConfig
from gan_core.stabilizers import EMA_WARMUP, GeneratorAverage, SpectralNorm, schedule_factor
from gan_core.toy_fields import generator_loss_gradient
from gan_core.trainer import Trainer
from train_support import opt_tensors, params

SMALL = TrainConfig(g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=3)


# ---- helpers ------------------------------------------------------------------------------------

def tensors(net) -> dict[str, torch.Tensor]:
    """Parameters and buffers (spectral-norm u and v included), cloned."""
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def same_tensors(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def same_list(a, b) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def max_diff(a, b) -> float:
    return max(float((x.detach().double() - y.detach().double()).abs().max()) for x, y in zip(a, b))


def whole_run(t: Trainer) -> dict:
    """Everything that must match when two runs are the same run."""
    out = {f"g.{k}": v for k, v in tensors(t.generator).items()}
    out.update({f"d.{k}": v for k, v in tensors(t.discriminator).items()})
    if t.average is not None:
        out.update({f"avg.{k}": v for k, v in tensors(t.average.net).items()})
    for i, v in enumerate(opt_tensors(t.opt_g) + opt_tensors(t.opt_d)):
        out[f"opt.{i}"] = v
    out["rng"] = t.rng.get_state()
    return out


def sn_modules(net) -> list[SpectralNorm]:
    return [m for m in net.modules() if isinstance(m, SpectralNorm)]


def linears(net) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def reference_run(config: TrainConfig, iterations: int):
    """A plain GAN loop written from the paper, not from the trainer: nonsaturating loss, Adam,
    learning rates base * 0.5 ** (it / half_life), instance noise of std
    instance_noise * 0.5 ** (it / half_life) on every input D sees (drawn after the batch it
    perturbs), draws in this order from one stream seeded by config.seed:
        D update: real batch, z, noise on real, noise on fake
        G update: z, noise on fake
    Returns (G, D, [(loss_real, loss_fake, loss_g, lr_d, lr_g, std) per iteration])."""
    c = config
    assert c.loss == "nonsaturating" and c.optimizer == "adam" and c.d_steps == 1
    start = Trainer(c)  # only for the initial weights and the target (not trained)
    g, d, target = start.generator, start.discriminator, start.target
    opt_g = torch.optim.Adam(g.parameters(), lr=c.lr_g, betas=(c.adam_beta1, c.adam_beta2))
    opt_d = torch.optim.Adam(d.parameters(), lr=c.lr_d, betas=(c.adam_beta1, c.adam_beta2))
    gen = torch.Generator().manual_seed(c.seed)
    log = []
    for it in range(iterations):
        factor = 0.5 ** (it / c.lr_half_life) if c.lr_half_life else 1.0
        std = c.instance_noise * factor
        lr_d, lr_g = c.lr_d * factor, c.lr_g * factor
        # D update
        for group in opt_d.param_groups:
            group["lr"] = lr_d
        real = target.sample(c.batch_size, gen)
        z = torch.randn(c.batch_size, c.z_dim, generator=gen)
        with torch.no_grad():
            fake = g(z)
        if std > 0:
            real = real + std * torch.randn(real.shape, generator=gen)
            fake = fake + std * torch.randn(fake.shape, generator=gen)
        out_real, out_fake = d(real), d(fake)
        loss_real = F.binary_cross_entropy_with_logits(out_real, torch.ones_like(out_real))
        loss_fake = F.binary_cross_entropy_with_logits(out_fake, torch.zeros_like(out_fake))
        opt_d.zero_grad(set_to_none=True)
        (loss_real + loss_fake).backward()
        opt_d.step()
        # G update
        for group in opt_g.param_groups:
            group["lr"] = lr_g
        z = torch.randn(c.batch_size, c.z_dim, generator=gen)
        for p in d.parameters():
            p.requires_grad_(False)
        fake = g(z)
        if std > 0:
            fake = fake + std * torch.randn(fake.shape, generator=gen)
        loss_g = F.softplus(-d(fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        for p in d.parameters():
            p.requires_grad_(True)
        log.append((loss_real.item(), loss_fake.item(), loss_g.item(), lr_d, lr_g, std))
    return g, d, log


# ---- EMA of G's weights ----------------------------------------------------------------------------

@pytest.mark.parametrize("decay", [0.5, 0.99])
def test_average_follows_the_ema_recurrence_with_warmup(decay):
    t = Trainer(SMALL.replace(ema_decay=decay, lr_d=1e-2, lr_g=1e-2))
    ema = [p.double() for p in params(t.generator)]  # the average starts as G
    assert same_list(params(t.average.net), params(t.generator))
    plain = [p.clone() for p in ema]  # without the warm-up ramp: d_t = decay throughout
    uncapped = [p.clone() for p in ema]  # the ramp alone: d_t = (1 + n) / (10 + n), never capped
    steps = 15  # (1 + n) / (10 + n) passes 0.5 at n = 8: both regimes for decay 0.5
    for n in range(steps):
        t.step()
        g = [p.double() for p in params(t.generator)]
        d_n = min(decay, (1 + n) / (10 + n))
        ema = [d_n * e + (1 - d_n) * x for e, x in zip(ema, g)]
        plain = [decay * e + (1 - decay) * x for e, x in zip(plain, g)]
        ramp = (1 + n) / (10 + n)
        uncapped = [ramp * e + (1 - ramp) * x for e, x in zip(uncapped, g)]
    got = params(t.average.net)
    assert t.average.updates == steps
    assert max_diff(got, ema) < 1e-6
    # the recurrence is told apart from its near misses (so the check above can fail)
    wrong = uncapped if decay == 0.5 else plain  # decay 0.5: the cap matters; 0.99: the ramp does
    assert max_diff(got, wrong) > 1e-3
    assert max_diff(got, params(t.generator)) > 1e-3, "the average is just G"


def test_decay_now_ramps_then_caps():
    avg = GeneratorAverage(nn.Linear(2, 2))
    seen = []
    for n in range(30):
        assert avg.updates == n
        seen.append(avg.decay_now(0.7))
        avg.update(0.7)
    expected = [min(0.7, (1 + n) / (EMA_WARMUP + n)) for n in range(30)]
    assert seen == pytest.approx(expected, rel=1e-15, abs=0)
    assert seen[0] == pytest.approx(0.1) and seen[-1] == 0.7


def test_average_never_receives_gradients():
    t = Trainer(SMALL.replace(ema_decay=0.9))
    t.train(5)
    g_ids = {id(p) for p in t.generator.parameters()}
    opt_ids = {id(p) for group in t.opt_g.param_groups for p in group["params"]}
    for p in t.average.net.parameters():
        assert not p.requires_grad and p.grad is None
        assert id(p) not in g_ids and id(p) not in opt_ids
    g_ptrs = {p.data_ptr() for p in t.generator.parameters()}
    assert not g_ptrs & {p.data_ptr() for p in t.average.net.parameters()}, "average shares G's storage"
    assert all(p.grad is not None for p in t.generator.parameters())  # G itself did get gradients
    assert not t.sample(8).requires_grad


def test_batchnorm_buffers_are_copied_and_affine_parameters_averaged():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2))
    avg = GeneratorAverage(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    ema = [p.double() for p in params(net)]
    x_gen = torch.Generator().manual_seed(1)
    for n in range(6):
        x = torch.randn(16, 3, generator=x_gen) * 2 + 1
        loss = net(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        before = tensors(avg.net)
        avg.update(0.8)
        d_n = min(0.8, (1 + n) / (10 + n))
        ema = [d_n * e + (1 - d_n) * p for e, p in zip(ema, [p.double() for p in params(net)])]
        bn_mine, bn_theirs = avg.net[1], net[1]
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            assert torch.equal(getattr(bn_mine, name), getattr(bn_theirs, name)), name
            if name != "num_batches_tracked":
                assert not torch.equal(before[f"1.{name}"], getattr(bn_mine, name))  # moved this step
        assert max_diff(params(avg.net), ema) < 1e-6
    assert int(avg.net[1].num_batches_tracked) == 6
    assert max_diff([avg.net[1].weight], [net[1].weight]) > 1e-4  # BN's affine weight is averaged, not copied
    # the copy is independent: moving the net does not move the average until update()
    frozen = tensors(avg.net)
    with torch.no_grad():
        net[0].weight.add_(1.0)
        net[1].running_mean.add_(1.0)
    assert same_tensors(tensors(avg.net), frozen)


def test_sample_and_fixed_samples_show_the_average_unless_told_otherwise():
    c = SMALL.replace(ema_decay=0.9)
    t = Trainer(c)
    t.train(10)
    avg, g = t.average.net, t.generator
    z = torch.randn(64, c.z_dim, generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        want_avg, want_g = avg(z), g(z)
    assert float((want_avg - want_g).abs().max()) > 1e-4, "average and G coincide: nothing to tell apart"
    assert torch.equal(t.sample(64, generator=torch.Generator().manual_seed(11)), want_avg)
    assert torch.equal(t.sample(64, generator=torch.Generator().manual_seed(11), average=True), want_avg)
    assert torch.equal(t.sample(64, generator=torch.Generator().manual_seed(11), average=False), want_g)
    # the default stream is the view stream (seed + 2), untouched by training
    z_view = torch.randn(16, c.z_dim, generator=torch.Generator().manual_seed(c.seed + 2))
    with torch.no_grad():
        assert torch.equal(t.sample(16), avg(z_view))
    # fixed samples: the first n of 512 z drawn from seed + 1
    z_fixed = torch.randn(512, c.z_dim, generator=torch.Generator().manual_seed(c.seed + 1))[:32]
    with torch.no_grad():
        assert torch.equal(t.fixed_samples(32), avg(z_fixed))
        assert torch.equal(t.fixed_samples(32, average=False), g(z_fixed))
    assert t.shown_generator() is avg and t.shown_generator(False) is g


def test_without_average_views_show_the_trained_generator():
    t = Trainer(SMALL)
    t.train(3)
    assert t.average is None
    assert t.shown_generator() is t.generator and t.shown_generator(True) is t.generator
    z = torch.randn(8, 2, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        want = t.generator(z)
    assert torch.equal(t.sample(8, generator=torch.Generator().manual_seed(4), average=True), want)


def test_update_turns_the_average_on_from_todays_g_and_off_again():
    t = Trainer(SMALL)
    t.train(5)
    assert t.average is None
    diff = t.update(ema_decay=0.99)
    assert diff == {"ema_decay": (0.0, 0.99)}
    assert t.average is not None and t.average.updates == 0
    assert same_list(params(t.average.net), params(t.generator))
    g_before = [p.double() for p in params(t.generator)]
    t.step()
    d_0 = min(0.99, 1 / 10)  # first update of a fresh average
    want = [d_0 * a + (1 - d_0) * b for a, b in zip(g_before, [p.double() for p in params(t.generator)])]
    assert max_diff(params(t.average.net), want) < 1e-6
    # changing the decay keeps the running average
    kept = t.average
    t.update(ema_decay=0.5)
    assert t.average is kept and t.average.updates == 1
    t.update(ema_decay=0)
    assert t.average is None
    assert t.shown_generator() is t.generator


def test_state_dict_round_trip_keeps_the_average_and_continues_identically():
    c = SMALL.replace(ema_decay=0.9)
    t = Trainer(c)
    t.train(7)
    state = copy.deepcopy(t.state_dict())
    assert state["average"]["updates"] == 7
    other = Trainer(c)
    assert not same_tensors(tensors(other.average.net), tensors(t.average.net))  # would have to change
    other.load_state_dict(state)
    assert other.average.updates == 7
    assert same_tensors(tensors(other.average.net), tensors(t.average.net))
    t.train(5)
    other.train(5)
    assert same_tensors(whole_run(other), whole_run(t))


def test_rollback_restores_the_average_bit_identically():
    t = Trainer(SMALL.replace(ema_decay=0.9, snapshot_every=5))
    t.train(5)  # snapshot at iteration 5
    at_5 = tensors(t.average.net)
    t.train(3)
    at_8 = whole_run(t)
    assert not same_tensors(tensors(t.average.net), at_5)
    assert t.rollback() == 5
    assert t.average.updates == 5
    assert same_tensors(tensors(t.average.net), at_5)
    t.train(3)  # the same three iterations again
    assert same_tensors(whole_run(t), at_8)


def test_rollback_across_turning_the_average_on_or_off():
    t = Trainer(SMALL.replace(snapshot_every=4))
    t.train(4)  # snapshot without an average
    g_at_4 = params(t.generator)
    t.train(2)
    t.update(ema_decay=0.9)  # turned on after the snapshot: rollback keeps it on, from the restored G
    t.train(1)
    assert t.rollback() == 4
    assert t.average is not None and t.average.updates == 0
    assert same_list(params(t.average.net), g_at_4)

    t = Trainer(SMALL.replace(ema_decay=0.9, snapshot_every=4))
    t.train(6)
    t.update(ema_decay=0)  # turned off after the snapshot: rollback keeps today's setting
    assert t.rollback() == 4 and t.average is None


def test_state_without_an_average_loads_with_a_fresh_average_of_g(tmp_path):
    c = SMALL.replace(ema_decay=0.9)
    t = Trainer(c)
    t.train(6)
    state = copy.deepcopy(t.state_dict())
    del state["average"]  # a checkpoint written before the average existed
    other = Trainer(c)
    other.load_state_dict(state)
    assert other.average is not None and other.average.updates == 0
    assert same_list(params(other.average.net), params(t.generator))
    assert not same_list(params(t.average.net), params(t.generator))  # the saved run's average was not G
    # through a checkpoint file as well
    path = tmp_path / "old.pt"
    torch.save({"format": FORMAT, **state}, path)
    loaded = load_checkpoint(path)
    assert loaded.average is not None and loaded.average.updates == 0
    assert same_list(params(loaded.average.net), params(t.generator))


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
        assert same_list(params(t.generator), params(g_ref))
        assert same_list(params(t.discriminator), params(d_ref))
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
    assert same_list(params(plain.generator), params(sn.generator))
    # the spectral-norm D wraps exactly the weights the plain D starts from
    originals = [m.parametrizations.weight.original for m in linears(sn.discriminator)]
    assert same_list(originals, [m.weight for m in linears(plain.discriminator)])


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
    assert not same_list([m.u for m in sn_modules(quiet.discriminator)], start_u), "u never moved"


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


# ---- configuration -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("ema_decay", -0.1), ("ema_decay", 1.0), ("ema_decay", 0.99995), ("ema_decay", "0.9"),
    ("ema_decay", float("nan")), ("ema_decay", True),
    ("lr_half_life", -1), ("lr_half_life", 2.5), ("lr_half_life", True), ("lr_half_life", "10"),
    ("lr_half_life", 10_000_001),
    ("instance_noise", -0.01), ("instance_noise", 2.01), ("instance_noise", float("nan")),
    ("instance_noise", None),
    ("spectral_norm", 1), ("spectral_norm", "yes"), ("spectral_norm", None), ("spectral_norm", 0),
])
def test_bad_stabiliser_settings_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})
    with pytest.raises(ValueError, match=field):
        SMALL.replace(**{field: value})


@pytest.mark.parametrize("field, value", [
    ("ema_decay", 0.0), ("ema_decay", 0.9999), ("ema_decay", 0.5),
    ("lr_half_life", 0), ("lr_half_life", 1), ("lr_half_life", 10_000_000),
    ("instance_noise", 0.0), ("instance_noise", 2.0), ("instance_noise", 1),
    ("spectral_norm", True), ("spectral_norm", False),
])
def test_edge_values_are_accepted(field, value):
    assert getattr(TrainConfig(**{field: value}), field) == value


def test_spectral_norm_needs_a_rebuild_and_the_other_three_are_live():
    t = Trainer(SMALL)
    t.step()
    with pytest.raises(RebuildRequired, match="spectral_norm"):
        t.update(spectral_norm=True)
    assert t.config.spectral_norm is False
    assert t.update(spectral_norm=False) == {}  # not a change
    with pytest.raises(ValueError, match="ema_decay"):
        t.update(ema_decay=1.5, lr_half_life=10)
    assert t.config.lr_half_life == 0 and t.average is None  # nothing changed
    diff = t.update(ema_decay=0.95, lr_half_life=10, instance_noise=0.2)
    assert diff == {"ema_decay": (0.0, 0.95), "lr_half_life": (0, 10), "instance_noise": (0.0, 0.2)}
    assert (t.config.ema_decay, t.config.lr_half_life, t.config.instance_noise) == (0.95, 10, 0.2)
    assert t.average is not None
    assert [e[1] for e in list(t.events)[-3:]] == ["ema_decay", "lr_half_life", "instance_noise"]
    record = t.step()[-1]
    assert record.lr == pytest.approx(SMALL.lr_g * 0.5 ** (1 / 10), rel=1e-12)
    assert t.average.updates == 1
    rebuilt = t.rebuilt(spectral_norm=True)
    assert rebuilt.config.spectral_norm and sn_modules(rebuilt.discriminator)
    assert rebuilt.config.ema_decay == 0.95 and rebuilt.average is not None
