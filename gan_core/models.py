"""Generator and discriminator networks. D always returns logits (no sigmoid): losses apply it.

The MLPs serve the toys (2 -> 2) and the seed MNIST tutorial (100 -> 256 -> 512 -> 1024 -> 784).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from gan_core.config import TrainConfig
from gan_core.stabilizers import add_spectral_norm


def activation(name: str) -> nn.Module:
    # LeakyReLU slope 0.2 as in the DCGAN paper and the seed tutorials.
    return {"relu": nn.ReLU, "tanh": nn.Tanh, "elu": nn.ELU,
            "leaky_relu": lambda: nn.LeakyReLU(0.2)}[name]()


def output_layer(name: str) -> nn.Module:
    return {"linear": nn.Identity, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[name]()


def init_weights(module: nn.Module, scheme: str) -> None:
    """Xavier (Glorot) uniform as in the TF seed, or N(0, 0.02) as in DCGAN; biases start at 0."""
    if scheme == "default":
        return
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            if scheme == "xavier":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d) and scheme == "normal02":
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def hidden_stack(in_dim: int, width: int, depth: int, act: str, dropout: float = 0.0) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(in_dim if i == 0 else width, width), activation(act)]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """G(z): noise (B, z_dim) -> samples (B, *data_shape)."""

    def __init__(self, z_dim: int, data_shape: tuple, width: int, depth: int, act: str, output: str,
                 widths: tuple | None = None):
        super().__init__()
        self.data_shape = tuple(data_shape)
        out_dim = math.prod(self.data_shape)
        if widths:  # explicit per-layer widths, e.g. the seed tutorial's 256, 512, 1024
            layers, prev = [], z_dim
            for w in widths:
                layers += [nn.Linear(prev, w), activation(act)]
                prev = w
            self.body = nn.Sequential(*layers)
        else:
            self.body = hidden_stack(z_dim, width, depth, act)
            prev = width
        self.head = nn.Sequential(nn.Linear(prev, out_dim), output_layer(output))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.head(self.body(z))  # (B, prod(data_shape))
        return x.view(z.shape[0], *self.data_shape)


class MinibatchStd(nn.Module):
    """Appends the batch's mean feature standard deviation as one more feature.

    A collapsed generator makes near-identical fakes, so their batch std is tiny; D sees that
    directly and G is pushed to spread out (Karras et al. 2018, a cure for mode collapse)."""

    def forward(self, h: torch.Tensor) -> torch.Tensor:  # (B, F) -> (B, F + 1)
        std = h.std(dim=0, unbiased=False).mean() if h.shape[0] > 1 else h.new_zeros(())
        return torch.cat([h, std.expand(h.shape[0], 1)], dim=1)


class MLPDiscriminator(nn.Module):
    """D(x): samples (B, *data_shape) -> logits (B // pack,).

    With pack > 1 (PacGAN) D judges `pack` samples concatenated, so it can spot a batch whose
    members look alike: mode collapse becomes visible to D."""

    def __init__(self, data_shape: tuple, width: int, depth: int, act: str, dropout: float = 0.0,
                 pack: int = 1, minibatch_std: bool = False, widths: tuple | None = None):
        super().__init__()
        self.pack = pack
        in_dim = math.prod(data_shape) * pack
        if widths:
            layers, prev = [], in_dim
            for w in widths:
                layers += [nn.Linear(prev, w), activation(act)]
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
                prev = w
            self.body = nn.Sequential(*layers)
        else:
            self.body = hidden_stack(in_dim, width, depth, act, dropout)
            prev = width
        self.mbstd = MinibatchStd() if minibatch_std else nn.Identity()
        self.head = nn.Linear(prev + int(minibatch_std), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.reshape(x.shape[0] // self.pack, -1)  # (B / pack, pack * features)
        return self.head(self.mbstd(self.body(h))).squeeze(1)  # (B / pack,) logits


# The seed tutorials' MNIST MLP: G 100 -> 256 -> 512 -> 1024 -> 784, D 784 -> 1024 -> 512 -> 256 -> 1.
SEED_G_WIDTHS = (256, 512, 1024)
SEED_D_WIDTHS = (1024, 512, 256)


def build_models(config: TrainConfig, data_shape: tuple) -> tuple[nn.Module, nn.Module]:
    """(generator, discriminator) for `config`, initialised by config.init (seed the RNG first)."""
    if config.arch == "dcgan":
        from gan_core.dcgan import build_dcgan  # image-only architecture lives in its own module

        g, d = build_dcgan(config)
    else:
        seed = config.arch == "seed_mlp"  # the tutorials' pyramid instead of uniform widths
        g = MLPGenerator(config.z_dim, data_shape, config.g_width, config.g_depth,
                         config.g_activation, config.g_output, widths=SEED_G_WIDTHS if seed else None)
        d = MLPDiscriminator(data_shape, config.d_width, config.d_depth, config.d_activation,
                             config.d_dropout, config.pack, config.minibatch_std,
                             widths=SEED_D_WIDTHS if seed else None)
    init_weights(g, config.init)
    init_weights(d, config.init)
    if config.spectral_norm:  # after init: the parametrization wraps the initialised weights
        add_spectral_norm(d)
    return g, d
