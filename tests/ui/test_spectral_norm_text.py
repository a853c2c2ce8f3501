"""What the pages say about spectral normalisation, checked numerically (issue 20, 2.5): the 2D lab's
D is 1-Lipschitz with it (the page says so), the DCGAN's D is not (the page says so too: "roughly
1-Lipschitz" was false there, its convolutions and BatchNorm stretch). The numbers come from
autograd and from a power iteration on the convolution itself, not from the spectral-norm code."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_core.config import TrainConfig
from classroom.presets import MNIST_PRESETS
from gan_core.trainer import Trainer
from ui.toy_2d.stabilizer_texts import STABILIZERS

PARAGRAPH = STABILIZERS["spectral_norm"].paragraph


def input_gradient_norms(d: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """(N,) ||d D(x) / dx|| per sample, D in eval mode (no dropout), one sample per forward row."""
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(d(x).sum(), x)  # rows are independent: each row's gradient is its own
    return grad.reshape(len(x), -1).norm(dim=1)


def conv_operator_norm(conv: nn.Conv2d, shape: tuple, steps: int = 300) -> float:
    """The most the convolution (bias aside) stretches an input of `shape`, by power iteration on
    the map itself: x <- A^T A x, with A^T from autograd."""
    w = conv.weight.detach().double()
    x = torch.randn(1, *shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for _ in range(steps):
        x = (x / x.norm()).requires_grad_(True)
        y = F.conv2d(x, w, stride=conv.stride, padding=conv.padding)
        (x,) = torch.autograd.grad((y * y).sum() / 2, x)
    x = x / x.norm()
    return float(F.conv2d(x, w, stride=conv.stride, padding=conv.padding).norm())


@pytest.mark.parametrize("d_width", [128, 512])
def test_the_2d_labs_d_is_1_lipschitz_with_spectral_norm_as_the_page_says(d_width):
    assert "this page's D, built of such layers, is 1-Lipschitz" in PARAGRAPH
    config = TrainConfig(spectral_norm=True, d_width=d_width, d_depth=2 if d_width > 128 else 3, batch_size=64,
                         lr_d=3e-3, lr_g=3e-3)
    t = Trainer(config)
    t.train(30)
    d = t.discriminator.eval()
    gen = torch.Generator().manual_seed(1)
    points = torch.cat([torch.rand(3000, 2, generator=gen) * 8 - 4, t.real_batch(500), t.sample(500)])
    slopes = input_gradient_norms(d, points)
    assert float(slopes.max()) <= 1 + 1e-3  # every layer within 1e-6 of 1: the product too
    assert float(slopes.max()) > 0.03, "D is flat: the bound above says nothing"  # measured 0.12 at width 128
    a, b = points[:2000], points[2000:4000]
    with torch.no_grad():
        ratio = (d(a) - d(b)).abs() / (a - b).norm(dim=1)
    assert float(ratio.max()) <= 1 + 1e-3


def test_the_slope_measurement_sees_a_d_steeper_than_1_without_spectral_norm():
    plain = Trainer(TrainConfig(batch_size=64, lr_d=3e-3, lr_g=3e-3))
    plain.train(30)
    points = torch.rand(3000, 2, generator=torch.Generator().manual_seed(1)) * 8 - 4
    assert float(input_gradient_norms(plain.discriminator.eval(), points).max()) > 1.5


def test_the_dcgan_d_is_not_1_lipschitz_with_spectral_norm_as_the_page_says():
    assert "so that D is not 1-Lipschitz" in PARAGRAPH and "1.6" in PARAGRAPH and "1.45" in PARAGRAPH
    config = next(p.config for p in MNIST_PRESETS.values() if p.config.arch == "dcgan").replace(spectral_norm=True)
    t = Trainer(config)
    t.train(40)
    d = t.discriminator
    convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    for conv in convs:  # normalised as a matrix (out, in * 4 * 4) ...
        matrix = conv.weight.detach().reshape(conv.weight.shape[0], -1).double()
        assert float(torch.linalg.svdvals(matrix)[0]) == pytest.approx(1, abs=1e-3)
    first = conv_operator_norm(convs[0], (config.pack, 28, 28))  # ... but not as the map on images
    second = conv_operator_norm(convs[1], (convs[1].in_channels, 14, 14))
    assert 1.45 <= first <= 1.65 and 1.2 <= second <= 1.45  # the page: "up to 1.6", "1.45"
    bn = next(m for m in d.modules() if isinstance(m, nn.BatchNorm2d))
    scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).detach()
    assert float(scale.max()) > 4  # channels multiplied, not normalised to 1
    images = t.real_batch(64)
    slopes = input_gradient_norms(d.eval(), images)
    assert float(slopes.max()) > 2  # D as a whole: far steeper than 1
