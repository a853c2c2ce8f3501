"""A plain GAN loop written from the 2014 paper, not from the Trainer, drawing in the trainer's
order: the independent computation the stabiliser tests replay runs against."""

import torch
import torch.nn.functional as F

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer


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
