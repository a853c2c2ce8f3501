"""gan_core.twin: a trainer's twin draws what the trainer drew at the copy, keeps drawing it after
the trainer steps on, and looking at it moves nothing of the run."""

import torch

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from gan_core.twin import TrainerTwin
from train_support import SMALL, same_tensors, tensors, whole_run

GRID = torch.linspace(-2, 2, 50).reshape(-1, 2)  # (25, 2): points where D is read


def looks(t: Trainer) -> tuple[torch.Tensor, ...]:
    """What views read of a trainer: G's fixed fakes, the average's when there is one, D on points."""
    shown = t.fixed_samples(64)
    trained = t.fixed_samples(64, average=False)
    return shown, trained, t.d_probability(GRID)


def equal(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_the_twin_draws_the_trainer_of_the_copy_after_the_trainer_stepped_on():
    trainer = Trainer(SMALL.replace(ema_decay=0.9))
    for _ in range(5):
        trainer.step()
    before = looks(trainer)
    twin = TrainerTwin().copy_of(trainer)
    assert equal(looks(twin), before)
    for _ in range(3):
        trainer.step()
    after = looks(trainer)
    assert not torch.equal(after[0], before[0]) and not torch.equal(after[2], before[2])  # the run moved
    assert equal(looks(twin), before)  # the twin did not
    assert (twin.iteration, trainer.iteration) == (5, 8)


def test_a_new_copy_follows_the_run_and_reuses_its_networks():
    trainer, twins = Trainer(SMALL), TrainerTwin()
    first = twins.copy_of(trainer)
    trainer.step()
    second = twins.copy_of(trainer)
    assert second.generator is first.generator  # weights copied into the same networks
    assert second.generator is not trainer.generator and second.discriminator is not trainer.discriminator
    assert equal(looks(second), looks(trainer))


def test_looking_at_the_twin_moves_no_weight_and_no_random_stream_of_the_run():
    trainer = Trainer(SMALL.replace(ema_decay=0.9, d_dropout=0.3))
    trainer.step()
    run = whole_run(trainer)
    view_stream, dropout_state = trainer.view_rng.get_state(), trainer.dropout_rng_state.clone()
    twin = TrainerTwin().copy_of(trainer)
    twin.sample(500)
    twin.fixed_samples(64)
    twin.d_probability(GRID)
    assert same_tensors(whole_run(trainer), run)
    assert torch.equal(trainer.view_rng.get_state(), view_stream)
    assert torch.equal(trainer.dropout_rng_state, dropout_state)
    # its view stream starts where the run's is: the same samples the run itself would draw next
    assert torch.equal(TrainerTwin().copy_of(trainer).sample(50), trainer.sample(50))


def test_the_twin_is_rebuilt_when_the_trainer_gets_new_networks():
    trainer, twins = Trainer(SMALL), TrainerTwin()
    assert twins.copy_of(trainer).average is None
    trainer.update(ema_decay=0.5)  # the average appears: a third network
    twin = twins.copy_of(trainer)
    assert twin.average is not None and twin.average.net is not trainer.average.net
    assert equal(looks(twin), looks(trainer))
    other = Trainer(SMALL.replace(g_width=24, seed=5))  # a replaced trainer, other shapes
    twin = twins.copy_of(other)
    assert [p.shape for p in twin.generator.parameters()] == [p.shape for p in other.generator.parameters()]
    assert equal(looks(twin), looks(other))


def test_batch_norm_statistics_are_copied_and_left_alone():
    trainer = Trainer(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=16, d_width=16,
                                  g_output="tanh", batch_size=8, seed=0))  # G and D with BatchNorm
    trainer.step()
    g_stats = tensors(trainer.generator)
    twin = TrainerTwin().copy_of(trainer)
    assert same_tensors(tensors(twin.generator), g_stats)  # running means and variances included
    twin.fixed_samples(8)
    twin.d_probability(trainer.fixed_samples(4))
    assert same_tensors(tensors(twin.generator), g_stats)  # looking froze them (frozen_batch_norm)
    assert torch.equal(twin.fixed_samples(8), trainer.fixed_samples(8))


def test_spectral_norm_vectors_travel_with_the_weights():
    trainer = Trainer(SMALL.replace(spectral_norm=True))
    for _ in range(3):
        trainer.step()
    twin = TrainerTwin().copy_of(trainer)
    assert same_tensors(tensors(twin.discriminator), tensors(trainer.discriminator))
    assert torch.equal(twin.d_probability(GRID), trainer.d_probability(GRID))
