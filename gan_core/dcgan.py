"""DCGAN for 28x28 digits (Radford et al. 2016, sized for a laptop CPU).

    build_dcgan(config) -> (generator, discriminator)   models.build_models calls it for arch "dcgan"

G: z (B, z_dim) -> (B, 1, 28, 28). A 7x7 transposed convolution projects z to g_width feature
maps of 7x7 (the "project and reshape" of the paper), then two strided transposed convolutions
double the size twice, 7 -> 14 -> 28, each hidden one followed by BatchNorm and ReLU
(config.g_activation); the output goes through config.g_output (tanh for images in [-1, 1]).
D: (B, 1, 28, 28) -> logits (B // pack,). Two strided convolutions halve the size, 28 -> 14 -> 7,
with LeakyReLU (config.d_activation) and Dropout (config.d_dropout); BatchNorm on the second one
only (the paper leaves it off D's input layer), then a linear layer gives one logit. D returns
logits, never probabilities: the losses apply the sigmoid.
Widths: g_width / d_width are the channels of the 7x7 layers, halved at 14x14. g_depth and
d_depth do not apply (the depth is set by 28 = 7 * 2 * 2). pack > 1 (PacGAN) stacks `pack`
images as channels; minibatch_std appends the batch's feature std before the last layer.
Weights start by config.init (models.init_weights: Xavier or N(0, 0.02)).
"""

from __future__ import annotations

import torch
from torch import nn

from gan_core.config import TrainConfig


class DCGANGenerator(nn.Module):
    def __init__(self, z_dim: int, width: int, act: str, output: str):
        from gan_core.models import activation, output_layer  # models imports us lazily

        super().__init__()
        half = max(width // 2, 1)
        self.data_shape = (1, 28, 28)
        self.net = nn.Sequential(
            # (B, z_dim, 1, 1) -> (B, width, 7, 7): a dense projection written as a convolution
            nn.ConvTranspose2d(z_dim, width, 7, 1, 0, bias=False), nn.BatchNorm2d(width), activation(act),
            # (B, width, 7, 7) -> (B, width/2, 14, 14)
            nn.ConvTranspose2d(width, half, 4, 2, 1, bias=False), nn.BatchNorm2d(half), activation(act),
            # (B, width/2, 14, 14) -> (B, 1, 28, 28)
            nn.ConvTranspose2d(half, 1, 4, 2, 1), output_layer(output),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z.view(z.shape[0], -1, 1, 1))  # (B, 1, 28, 28)


class DCGANDiscriminator(nn.Module):
    def __init__(self, width: int, act: str, dropout: float, pack: int = 1, minibatch_std: bool = False):
        from gan_core.models import MinibatchStd, activation

        super().__init__()
        half = max(width // 2, 1)
        self.pack = pack
        def drop() -> list[nn.Module]:  # a fresh Dropout per layer (shared modules print badly)
            return [nn.Dropout(dropout)] if dropout > 0 else []

        self.body = nn.Sequential(
            # (B/pack, pack, 28, 28) -> (B/pack, width/2, 14, 14); no BatchNorm on D's input layer
            nn.Conv2d(pack, half, 4, 2, 1), activation(act), *drop(),
            # -> (B/pack, width, 7, 7)
            nn.Conv2d(half, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), activation(act), *drop(),
            nn.Flatten(),  # (B/pack, width * 49)
        )
        self.mbstd = MinibatchStd() if minibatch_std else nn.Identity()
        self.head = nn.Linear(width * 49 + int(minibatch_std), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.reshape(x.shape[0] // self.pack, self.pack, 28, 28)  # packed images as channels
        return self.head(self.mbstd(self.body(x))).squeeze(1)  # (B/pack,) logits


def build_dcgan(config: TrainConfig) -> tuple[nn.Module, nn.Module]:
    """(G, D) for 28x28 images; build_models applies config.init afterwards."""
    g = DCGANGenerator(config.z_dim, config.g_width, config.g_activation, config.g_output)
    d = DCGANDiscriminator(config.d_width, config.d_activation, config.d_dropout, config.pack,
                           config.minibatch_std)
    return g, d
