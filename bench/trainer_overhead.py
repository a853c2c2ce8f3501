"""How much does gan_core's Trainer cost over a bare hand-written PyTorch GAN loop?

Both sides train the same architecture (deep copies of the Trainer's own networks), the same
batch size, the same optimizer settings and the same non-saturating BCE losses, in one process.
The bare loop is the fastest honest version of Algorithm 1: fresh real data and noise every
step, D frozen during G's update, and nothing else (no records, no finite checks, no stats, no
snapshots). Rounds alternate A/B/A/B so machine noise (other processes on a shared CPU) hits
both sides alike; the ratio is the median of the per-pair ratios. Both wall-clock and process
CPU time are measured: on a loaded machine wall time mostly measures the scheduler, CPU time
what the code costs (with several threads it also counts their spin-waiting).

    python bench/trainer_overhead.py                   # --threads 2, both settings
    python bench/trainer_overhead.py --rounds 12 --iters 100
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer

SETTINGS = {  # name: (config, share of --iters per round: the larger nets are ~10x slower)
    "ring8 MLP defaults (3x128, batch 256)": (TrainConfig(target="ring8"), 1.0),
    "larger (4x512, batch 512)": (TrainConfig(target="ring8", g_width=512, d_width=512, g_depth=4,
                                              d_depth=4, batch_size=512), 0.2),
}


class BareLoop:
    """Algorithm 1 by hand: the loop a tutorial writes, on copies of the trainer's networks."""

    def __init__(self, trainer: Trainer):
        c = trainer.config
        self.g = copy.deepcopy(trainer.generator)
        self.d = copy.deepcopy(trainer.discriminator)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=c.lr_g, betas=(c.adam_beta1, c.adam_beta2))
        self.opt_d = torch.optim.Adam(self.d.parameters(), lr=c.lr_d, betas=(c.adam_beta1, c.adam_beta2))
        self.target, self.batch, self.z_dim = trainer.target, c.batch_size, c.z_dim
        self.rng = torch.Generator().manual_seed(c.seed)

    def step(self) -> None:
        b = self.batch
        real = self.target.sample(b, self.rng)  # (B, 2)
        z = torch.randn(b, self.z_dim, generator=self.rng)  # (B, z_dim)
        with torch.no_grad():
            fake = self.g(z)
        d_real, d_fake = self.d(real), self.d(fake)  # (B,) logits
        loss_d = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                  + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
        self.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        self.opt_d.step()
        z = torch.randn(b, self.z_dim, generator=self.rng)
        self.d.requires_grad_(False)
        loss_g = F.softplus(-self.d(self.g(z))).mean()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        self.d.requires_grad_(True)
        self.opt_g.step()


def iterations_per_s(step, iters: int) -> tuple[float, float]:
    """(iterations per wall-clock second, iterations per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(iters):
        step()
    return iters / (time.perf_counter() - wall), iters / (time.process_time() - cpu)


def measure(name: str, config: TrainConfig, rounds: int, iters: int) -> dict:
    trainer = Trainer(config)
    bare = BareLoop(trainer)
    for _ in range(max(5, iters // 5)):  # warm-up: allocator, Adam state, thread pool
        trainer.step()
        bare.step()
    rows = []  # (gan_core wall, bare wall, gan_core cpu, bare cpu) per round
    for r in range(rounds):
        # A/B in alternating order: B/A on odd rounds, so neither side always goes first
        if r % 2 == 0:
            a = iterations_per_s(trainer.step, iters)
            b = iterations_per_s(bare.step, iters)
        else:
            b = iterations_per_s(bare.step, iters)
            a = iterations_per_s(trainer.step, iters)
        rows.append((a[0], b[0], a[1], b[1]))
    med = lambda xs: statistics.median(xs)  # noqa: E731
    wall_ratios = [r[0] / r[1] for r in rows]
    cpu_ratios = [r[2] / r[3] for r in rows]
    return {"setting": name, "gan_core": med([r[0] for r in rows]), "bare": med([r[1] for r in rows]),
            "ratio": med(wall_ratios), "ratio_min": min(wall_ratios), "ratio_max": max(wall_ratios),
            "gan_core_cpu": med([r[2] for r in rows]), "bare_cpu": med([r[3] for r in rows]),
            "cpu_ratio": med(cpu_ratios)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--rounds", type=int, default=16, help="A/B pairs per setting (default 16)")
    parser.add_argument("--iters", type=int, default=50,
                        help="iterations per round for the default setting (default 50)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.rounds} A/B rounds "
          f"of {args.iters} iterations; it/s are medians over rounds", flush=True)
    print(f"{'setting':40s} {'wall it/s: gan_core':>19s} {'bare':>7s} {'ratio':>6s} {'(min-max)':>13s}"
          f" | {'CPU it/s: gan_core':>18s} {'bare':>7s} {'ratio':>6s}")
    for name, (config, share) in SETTINGS.items():
        res = measure(name, config, args.rounds, max(3, round(args.iters * share)))
        print(f"{name:40s} {res['gan_core']:19.1f} {res['bare']:7.1f} {res['ratio']:6.3f} "
              f"({res['ratio_min']:.3f}-{res['ratio_max']:.3f}) | {res['gan_core_cpu']:18.1f} "
              f"{res['bare_cpu']:7.1f} {res['cpu_ratio']:6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
