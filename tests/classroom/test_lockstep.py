"""classroom.lockstep: two runs in lockstep differing in one setting, driven by classroom.live.LiveRun."""

import threading
import time

import pytest
import torch

from gan_core.config import TrainConfig
from classroom.live import LiveRun
from classroom.lockstep import LockstepRun, Side
from gan_core.step_record import NonFiniteError
from gan_core.trainer import Trainer
from train_support import weights

SMALL = TrainConfig(target="ring8", g_width=16, d_width=16, g_depth=1, d_depth=1, batch_size=32, seed=3)


def same_weights(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(weights(a), weights(b)))


def close_weights(a, b) -> bool:
    # Equal up to float rounding: once in a full-suite run (never alone) the bit-identical check
    # failed here, so the order of float reductions can depend on what ran before; a different
    # seed or setting moves the weights by orders of magnitude more than this tolerance.
    return all(torch.allclose(x, y, rtol=1e-5, atol=1e-7) for x, y in zip(weights(a), weights(b)))


def test_lockstep_keeps_both_runs_at_the_same_iteration_even_when_k_differs():
    pair = LockstepRun(SMALL, "d_steps", 1, 3)
    live = LiveRun(pair)
    live.run_steps("both", 7)
    a, b = pair.trainers
    assert (a.iteration, b.iteration, pair.iteration) == (7, 7, 7)
    assert (a.updates, b.updates) == (7 * 2, 7 * 4)  # k D updates + 1 G update per iteration
    live.run_steps("d")
    live.run_steps("g")
    assert (a.iteration, b.iteration) == (8, 8)
    assert (a.updates, b.updates) == (16, 30)
    live._train_quantum(threading.Event())  # the play loop's own path: LiveRun calls pair.step()
    assert a.iteration == b.iteration == pair.iteration


def test_same_seed_and_equal_setting_give_identical_runs():
    pair = LockstepRun(SMALL, "label_smoothing", 0.1, 0.1)
    LiveRun(pair).run_steps("both", 15)
    a, b = pair.trainers
    assert close_weights(a, b)
    la = [r.loss_d for r in a.history if r.kind == "D"]
    lb = [r.loss_d for r in b.history if r.kind == "D"]
    assert len(la) == 15 and la == pytest.approx(lb, rel=1e-5, abs=1e-7)
    # and each equals a lone Trainer with that config: the pair adds nothing of its own
    lone = Trainer(SMALL.replace(label_smoothing=0.1))
    lone.train(15)
    assert close_weights(lone, a)
    other_seed = Trainer(SMALL.replace(label_smoothing=0.1, seed=4))
    other_seed.train(15)
    assert not close_weights(other_seed, a)  # the tolerance still tells different runs apart


def test_the_differing_setting_reaches_only_its_own_run():
    pair = LockstepRun(SMALL, "batch_size", 32, 512)
    a, b = pair.trainers
    assert (a.config.batch_size, b.config.batch_size) == (32, 512)
    assert a.config.replace(batch_size=512) == b.config  # nothing else differs
    assert same_weights(a, b)  # same seed: the same initial networks
    LiveRun(pair).run_steps("both", 3)
    assert {r.batch_size for r in a.history} == {32} and {r.batch_size for r in b.history} == {512}
    assert not same_weights(a, b)

    pair = LockstepRun(SMALL, "label_smoothing", 0.0, 0.1)
    assert pair.trainers[0].config.real_label == pytest.approx(1.0, abs=1e-12)
    assert pair.trainers[1].config.real_label == pytest.approx(0.9, abs=1e-12)


def test_shared_changes_reach_both_and_the_compared_setting_is_refused():
    pair = LockstepRun(SMALL, "loss", "nonsaturating", "least_squares")
    pair.update(lr_d=0.0005)
    assert [t.config.lr_d for t in pair.trainers] == [0.0005, 0.0005]
    assert [t.config.loss for t in pair.trainers] == ["nonsaturating", "least_squares"]
    with pytest.raises(ValueError, match="being compared"):
        pair.update(loss="hinge")
    with pytest.raises(ValueError):
        pair.update(batch_size=-4)  # refused before either run changes
    assert [t.config.batch_size for t in pair.trainers] == [32, 32]
    fresh = pair.rebuilt()
    assert fresh.values == ("nonsaturating", "least_squares") and fresh.iteration == 0


def test_divergence_names_the_run_and_rollback_resynchronises():
    pair = LockstepRun(SMALL.replace(snapshot_every=5), "lr_d", 1e-3, 1e-3)
    live = LiveRun(pair)
    live.run_steps("both", 10)
    b = pair.trainers[1]
    with torch.no_grad():
        next(b.discriminator.parameters()).fill_(float("nan"))
    with pytest.raises(NonFiniteError, match="run B"):
        live.run_steps("both")
    assert pair.trainers[0].iteration == 11 and b.iteration == 10  # A stepped before B failed
    assert pair.snapshots[-1][0] == 10
    assert pair.rollback() == 10
    assert pair.trainers[0].iteration == b.iteration == 10
    live.run_steps("both", 2)
    assert pair.trainers[0].iteration == b.iteration == 12


def test_side_shows_one_run_to_single_trainer_code():
    live = LiveRun(LockstepRun(SMALL, "seed", 3, 4))
    left, right = Side(live, 0), Side(live, 1)
    with left.locked() as t:
        assert t is live.trainer.trainers[0] and t.config.seed == 3
    assert right.call(lambda t: t.config.seed) == 4 and right.trainer is live.trainer.trainers[1]
    assert left.rate == live.rate and left.playing is False


def test_play_loop_drives_the_pair_and_stops_in_step():
    live = LiveRun(LockstepRun(SMALL, "batch_size", 32, 64))
    live.play()
    deadline = time.monotonic() + 30
    while live.trainer.iteration < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    live.pause()
    a, b = live.trainer.trainers
    assert a.iteration == b.iteration >= 3 and live.error is None and live.stopped_reason == ""
