"""DCGAN shapes, options, initialisation and a training step through the Trainer; MNIST presets."""

import math

import pytest
import torch
from torch import nn

from gan_core.config import TrainConfig
from gan_core.dcgan import DCGANDiscriminator, DCGANGenerator, build_dcgan
from gan_core.models import build_models
from classroom.presets import MNIST_PRESETS
from gan_core.trainer import Trainer


def mnist_config(**changes) -> TrainConfig:
    base = dict(target="mnist", arch="dcgan", z_dim=100, g_width=16, d_width=16, g_output="tanh",
                batch_size=8, seed=0)
    return TrainConfig(**{**base, **changes})


def test_generator_and_discriminator_shapes():
    g, d = build_dcgan(mnist_config())
    z = torch.randn(5, 100)
    x = g(z)
    assert x.shape == (5, 1, 28, 28)
    assert d(x).shape == (5,)
    assert isinstance(g, DCGANGenerator) and isinstance(d, DCGANDiscriminator)


def test_layers_follow_the_dcgan_recipe():
    g, d = build_dcgan(mnist_config(d_dropout=0.3))
    g_kinds = [type(m) for m in g.modules()]
    d_kinds = [type(m) for m in d.modules()]
    assert g_kinds.count(nn.ConvTranspose2d) == 3 and g_kinds.count(nn.BatchNorm2d) == 2
    assert nn.ReLU in g_kinds and nn.Tanh in g_kinds
    assert d_kinds.count(nn.Conv2d) == 2 and d_kinds.count(nn.BatchNorm2d) == 1
    assert nn.LeakyReLU in d_kinds and d_kinds.count(nn.Dropout) == 2
    assert nn.Sigmoid not in d_kinds  # D returns logits


@pytest.mark.parametrize("output,lo,hi", [("tanh", -1.0, 1.0), ("sigmoid", 0.0, 1.0)])
def test_output_range(output, lo, hi):
    g, _ = build_dcgan(mnist_config(g_output=output))
    with torch.no_grad():
        x = g(torch.randn(16, 100) * 10)
    assert float(x.min()) >= lo and float(x.max()) <= hi


def test_widths_set_channels():
    g, d = build_dcgan(mnist_config(g_width=32, d_width=24))
    convs = [m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert [c.out_channels for c in convs] == [32, 16, 1]
    dconvs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in dconvs] == [12, 24]


def test_normal02_init_statistics():
    torch.manual_seed(0)
    g, d = build_models(mnist_config(g_width=64, d_width=64, init="normal02"), (1, 28, 28))
    weight = next(m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)).weight.detach()  # 100*64*49 values
    assert float(weight.mean()) == pytest.approx(0.0, abs=0.001)
    assert float(weight.std()) == pytest.approx(0.02, abs=0.001)


def test_xavier_init_bound():
    torch.manual_seed(0)
    _, d = build_models(mnist_config(d_width=32, init="xavier"), (1, 28, 28))
    conv = next(m for m in d.modules() if isinstance(m, nn.Conv2d))  # 1 -> 16 channels, 4x4
    fan_in, fan_out = 1 * 16, 16 * 16
    bound = math.sqrt(6 / (fan_in + fan_out))
    w = conv.weight.detach()
    assert float(w.abs().max()) <= bound
    assert float(w.abs().max()) == pytest.approx(bound, rel=0.05)


def test_pack_and_minibatch_std():
    _, d = build_dcgan(mnist_config(pack=2, minibatch_std=True))
    assert d(torch.randn(8, 1, 28, 28)).shape == (4,)


def test_trainer_steps_d_then_g_on_mnist():
    trainer = Trainer(mnist_config())
    g_before = [p.detach().clone() for p in trainer.generator.parameters()]
    d_before = [p.detach().clone() for p in trainer.discriminator.parameters()]
    record = trainer.step_d()
    assert record.kind == "D" and math.isfinite(record.loss_d)
    assert all(torch.equal(a, b) for a, b in zip(g_before, trainer.generator.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(d_before, trainer.discriminator.parameters()))
    d_after = [p.detach().clone() for p in trainer.discriminator.parameters()]
    record = trainer.step_g()
    assert record.kind == "G" and math.isfinite(record.loss_g)
    assert all(torch.equal(a, b) for a, b in zip(d_after, trainer.discriminator.parameters()))
    assert any(not torch.equal(a, b) for a, b in zip(g_before, trainer.generator.parameters()))
    assert trainer.sample(3).shape == (3, 1, 28, 28)


def test_mnist_presets_validate_and_build():
    assert len(MNIST_PRESETS) >= 3
    kinds = {p.kind for p in MNIST_PRESETS.values()}
    assert {"collapse", "cure"} <= kinds
    seed = MNIST_PRESETS["seed tutorial MLP (label smoothing 0.9)"].config
    assert (seed.arch, seed.real_label, seed.d_dropout, seed.lr_d, seed.adam_beta1) == \
        ("seed_mlp", 0.9, 0.3, 2e-4, 0.5)
    for preset in MNIST_PRESETS.values():
        c = preset.config
        assert c.target == "mnist" and c.z_dim == 100 and c.g_output == "tanh"
        assert TrainConfig.from_dict(c.to_dict()) == c
        g, d = build_models(c, (1, 28, 28))
        assert g(torch.randn(2, 100)).shape == (2, 1, 28, 28)
        assert d(torch.zeros(4, 1, 28, 28)).shape == (4 // c.pack,)  # PacGAN: one verdict per pack
        assert preset.what_to_watch


def test_dcgan_checkpoint_round_trip_restores_identical_outputs():
    from gan_core.checkpoint import checkpoint_bytes, load_checkpoint

    trainer = Trainer(mnist_config(d_dropout=0.3))
    trainer.train(2)
    restored = load_checkpoint(checkpoint_bytes(trainer), target=trainer.target)
    assert restored.iteration == 2
    for net in ("generator", "discriminator"):
        a, b = getattr(trainer, net).state_dict(), getattr(restored, net).state_dict()
        assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)  # BN buffers too
    torch.testing.assert_close(trainer.fixed_samples(8), restored.fixed_samples(8), rtol=0, atol=0)
    trainer.step()
    restored.step()  # same RNG state, same weights: the continued runs agree
    torch.testing.assert_close(trainer.fixed_samples(8), restored.fixed_samples(8), rtol=0, atol=1e-6)


# ---- BatchNorm running statistics: only the network being updated moves its own (issue 12 item 9)

def _bn_buffers(net: nn.Module) -> list[torch.Tensor]:
    return [b.detach().clone() for m in net.modules() if isinstance(m, nn.BatchNorm2d)
            for b in (m.running_mean, m.running_var, m.num_batches_tracked)]


def _same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def _expected_running_mean(net: nn.Module, run) -> list[torch.Tensor]:
    """Each BatchNorm2d's running_mean after `run()`, by the definition: every training-mode
    forward pass blends in the channel mean of the layer's input with momentum m,
    r <- (1 - m) r + m mean(input). The inputs are captured with hooks; nothing of gan_core is used."""
    layers = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    expected = [m.running_mean.detach().clone() for m in layers]
    seen = {i: [] for i in range(len(layers))}
    hooks = [m.register_forward_pre_hook(lambda mod, inp, i=i: seen[i].append(inp[0].detach().mean((0, 2, 3))))
             for i, m in enumerate(layers)]
    try:
        run()
    finally:
        for h in hooks:
            h.remove()
    for i, m in enumerate(layers):
        for mean in seen[i]:
            expected[i] = (1 - m.momentum) * expected[i] + m.momentum * mean
    return expected


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan_gp"])
def test_each_step_moves_only_its_own_networks_batch_norm_statistics(loss):
    t = Trainer(mnist_config(loss=loss, seed=3))
    g_before = _bn_buffers(t.generator)
    d_expected = _expected_running_mean(t.discriminator, t.step_d)
    assert _same(_bn_buffers(t.generator), g_before), "step_d moved G's BatchNorm statistics"
    d_bn = [m for m in t.discriminator.modules() if isinstance(m, nn.BatchNorm2d)]
    for m, want in zip(d_bn, d_expected):  # D's own statistics moved, by the momentum rule
        assert torch.allclose(m.running_mean, want, atol=1e-6)
        assert not torch.equal(m.running_mean, torch.zeros_like(want))
    d_before = _bn_buffers(t.discriminator)
    g_expected = _expected_running_mean(t.generator, t.step_g)
    assert _same(_bn_buffers(t.discriminator), d_before), "step_g moved D's BatchNorm statistics"
    g_bn = [m for m in t.generator.modules() if isinstance(m, nn.BatchNorm2d)]
    for m, want in zip(g_bn, g_expected):
        assert torch.allclose(m.running_mean, want, atol=1e-6)


def test_looking_at_a_dcgan_moves_no_batch_norm_statistics():
    t = Trainer(mnist_config())
    t.step()
    g_before, d_before = _bn_buffers(t.generator), _bn_buffers(t.discriminator)
    t.sample(16)
    t.fixed_samples(16)
    t.d_probability(t.real_batch(8))
    assert _same(_bn_buffers(t.generator), g_before) and _same(_bn_buffers(t.discriminator), d_before)
    assert all(m.training for m in t.generator.modules())  # still training-mode networks


def test_freezing_statistics_does_not_change_the_training_step():
    """The D loss a step records equals BCE computed on copies of the networks in plain training
    mode (batch statistics), i.e. freezing the buffers did not change the forward pass."""
    import copy

    import torch.nn.functional as F

    t = Trainer(mnist_config(seed=5))
    real, z = t.real_batch(8, torch.Generator().manual_seed(1)), torch.randn(8, 100)
    g, d = copy.deepcopy(t.generator), copy.deepcopy(t.discriminator)
    with torch.no_grad():
        fake = g(z)
        want = (F.binary_cross_entropy_with_logits(d(real), torch.ones(8))
                + F.binary_cross_entropy_with_logits(d(fake), torch.zeros(8))).item()
    record = t.step_d(real=real, z=z)
    assert record.loss_d == pytest.approx(want, rel=1e-5, abs=1e-6)
