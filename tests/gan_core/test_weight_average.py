"""The EMA of G's weights (gan_core.stabilizers.GeneratorAverage in the Trainer), checked against
the recurrence computed by hand; views show the average, training never does; snapshots,
checkpoints and rollback keep it bit-identically."""

import copy

import pytest
import torch
from torch import nn

from gan_core.checkpoint import FORMAT, load_checkpoint
from gan_core.stabilizers import EMA_WARMUP, GeneratorAverage
from gan_core.trainer import Trainer
from train_support import SMALL, max_diff, params, same, same_tensors, tensors, whole_run


# ---- EMA of G's weights ----------------------------------------------------------------------------

@pytest.mark.parametrize("decay", [0.5, 0.99])
def test_average_follows_the_ema_recurrence_with_warmup(decay):
    t = Trainer(SMALL.replace(ema_decay=decay, lr_d=1e-2, lr_g=1e-2))
    ema = [p.double() for p in params(t.generator)]  # the average starts as G
    assert same(params(t.average.net), params(t.generator))
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
    assert same(params(t.average.net), params(t.generator))
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
    assert same(params(t.average.net), g_at_4)

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
    assert same(params(other.average.net), params(t.generator))
    assert not same(params(t.average.net), params(t.generator))  # the saved run's average was not G
    # through a checkpoint file as well
    path = tmp_path / "old.pt"
    torch.save({"format": FORMAT, **state}, path)
    loaded = load_checkpoint(path)
    assert loaded.average is not None and loaded.average.updates == 0
    assert same(params(loaded.average.net), params(t.generator))
