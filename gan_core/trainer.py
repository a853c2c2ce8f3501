"""Trainer: a steppable GAN. The UI is the outer loop; this object owns every piece of state.

Algorithm 1 of Goodfellow et al. (2014), one call at a time:
    step_d()  one discriminator update with G frozen (fakes made under no_grad)
    step_g()  one generator update with D frozen (D, already updated, re-scores fresh fakes)
    step()    d_steps x step_d(), then step_g()
Hyperparameters in config.LIVE_FIELDS change between steps through update(); batch size and
labels are read fresh inside every step, so nothing needs rebuilding.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import math
import time
from collections import deque

import torch

from gan_core import losses
from gan_core.config import LIVE_FIELDS, RebuildRequired, TrainConfig, normalize_changes
from gan_core.distributions import make_target
from gan_core.frozen import batch_norms, dropout_off, frozen_batch_norm
from gan_core.history import History
from gan_core.models import build_models
from gan_core.stabilizers import GeneratorAverage, schedule_factor, settle_spectral_norms, with_instance_noise
from gan_core.step_record import (NAN, RECORD_FIELDS, NonFiniteError, StepRecord, grad_norms, l2_of,
                                  optimized_params, read_numbers)

FIXED_NOISE_SIZE = 512  # fixed z for progress views; views take a prefix of it


def make_data(config: TrainConfig):
    """The real-data source: a toy target or MNIST; each has sample(n, generator) and data_shape."""
    if config.target == "mnist":
        from gan_core.mnist import mnist_target  # MNIST pulls in file I/O only when asked for

        return mnist_target()
    return make_target(config.target, config.custom_points)


class Trainer:
    def __init__(self, config: TrainConfig | None = None, target=None):
        self.config = config or TrainConfig()
        c = self.config
        self.device = torch.device(c.device)
        self.target = target if target is not None else make_data(c)
        self.data_shape = tuple(getattr(self.target, "data_shape", (self.target.dim,)))
        with torch.random.fork_rng(devices=[]):  # seed the weights without touching global RNG
            torch.manual_seed(c.seed)
            self.generator, self.discriminator = build_models(c, self.data_shape)
        self.generator.to(self.device)
        self.discriminator.to(self.device)
        self.g_batch_norms = batch_norms(self.generator)  # frozen while D steps and for views
        self.d_batch_norms = batch_norms(self.discriminator)  # frozen while G steps and for views
        self.opt_g = self._optimizer(self.generator, c.lr_g)
        self.opt_d = self._optimizer(self.discriminator, c.lr_d)
        # The average of G's weights (config.ema_decay > 0): what views show, beside or instead of G
        self.average: GeneratorAverage | None = GeneratorAverage(self.generator) if c.ema_decay > 0 else None
        # Separate seeded streams: training, fixed progress noise, and samples drawn for views,
        # so looking at the run never changes the run.
        self.rng = torch.Generator().manual_seed(c.seed)
        fixed = torch.Generator().manual_seed(c.seed + 1)
        self.fixed_gaussian = torch.randn(FIXED_NOISE_SIZE, c.z_dim, generator=fixed)
        self.fixed_uniform = torch.rand(FIXED_NOISE_SIZE, c.z_dim, generator=fixed) * 2 - 1
        self.view_rng = torch.Generator().manual_seed(c.seed + 2)
        # Dropout draws its masks from torch's global RNG, which other code shares; steps swap in
        # a seeded state of their own so runs with dropout replay too (CPU RNG; see _step_rng).
        self.uses_dropout = any(isinstance(m, torch.nn.modules.dropout._DropoutNd)
                                for net in (self.generator, self.discriminator) for m in net.modules())
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(c.seed + 3)
            self.dropout_rng_state = torch.get_rng_state()
        self.iteration = 0  # completed G updates
        self.updates = 0  # D and G updates
        self.elapsed = 0.0
        self.history = History(c.history_len)  # the records, as columns (history.columns())
        self.events: deque[tuple] = deque(maxlen=1000)  # (iteration, field, old, new)
        self.snapshots: deque[tuple[int, dict]] = deque(maxlen=c.snapshots_kept)
        self.last_batch: dict = {}  # tensors of the latest update, for step-by-step views
        self.snapshot()

    # ---- building blocks ---------------------------------------------------------------------
    def _optimizer(self, net: torch.nn.Module, lr: float) -> torch.optim.Optimizer:
        c = self.config
        if c.optimizer == "sgd":
            return torch.optim.SGD(net.parameters(), lr=lr, momentum=c.sgd_momentum)
        return torch.optim.Adam(net.parameters(), lr=lr, betas=(c.adam_beta1, c.adam_beta2))

    def noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ the configured prior: N(0, I) or U(-1, 1); (n, z_dim)."""
        gen = generator or self.rng
        if self.config.noise == "uniform":
            z = torch.rand(n, self.config.z_dim, generator=gen) * 2 - 1
        else:
            z = torch.randn(n, self.config.z_dim, generator=gen)
        return z if z.device == self.device else z.to(self.device)

    def real_batch(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        real = self.target.sample(n, generator or self.rng)  # (n, *data_shape)
        return real if real.device == self.device else real.to(self.device)

    def _scheduled_lr(self, opt: torch.optim.Optimizer, base_lr: float) -> float:
        """The learning rate of this update: base_lr, halved every lr_half_life iterations."""
        if self.config.lr_half_life <= 0:
            return base_lr  # update() keeps param_groups at the base rate
        lr = base_lr * schedule_factor(self.config.lr_half_life, self.iteration)
        for group in opt.param_groups:
            group["lr"] = lr
        return lr

    def _instance_noise(self, x: torch.Tensor) -> torch.Tensor:
        """x plus annealed Gaussian noise (config.instance_noise, on the lr schedule); x when off."""
        c = self.config
        return with_instance_noise(x, c.instance_noise * schedule_factor(c.lr_half_life, self.iteration), self.rng)

    def _check_finite(self, names: tuple, values: list) -> None:
        for name, value in zip(names, values):
            if not math.isfinite(value):
                raise NonFiniteError(name, self.iteration, value)

    @contextlib.contextmanager
    def _step_rng(self):
        """Run a step on the trainer's own dropout stream, leaving the global RNG as it was."""
        if not self.uses_dropout:  # nothing in the step draws from the global RNG
            yield
            return
        outside = torch.get_rng_state()
        torch.set_rng_state(self.dropout_rng_state)
        try:
            yield
        finally:
            self.dropout_rng_state = torch.get_rng_state()
            torch.set_rng_state(outside)

    def _record(self, kind: str, t0: float, batch_size: int, **fields) -> StepRecord:
        seconds = time.perf_counter() - t0
        self.elapsed += seconds
        self.updates += 1
        values = dict.fromkeys(RECORD_FIELDS, NAN)
        values.update(kind=kind, iteration=self.iteration, update=self.updates,
                      batch_size=batch_size, step_seconds=seconds, elapsed=self.elapsed, **fields)
        record = StepRecord(**values)
        self.history.append(record)
        return record

    # ---- Algorithm 1 -------------------------------------------------------------------------
    def step_d(self, real: torch.Tensor | None = None, z: torch.Tensor | None = None) -> StepRecord:
        """One discriminator update with G frozen. `real` and `z` default to fresh draws."""
        c, d = self.config, self.discriminator
        t0 = time.perf_counter()
        real = self.real_batch(c.batch_size) if real is None else real.to(self.device)  # (B, *shape)
        z = self.noise(real.shape[0]) if z is None else z.to(self.device)  # (B, z_dim)
        lr = self._scheduled_lr(self.opt_d, c.lr_d)
        with self._step_rng():  # dropout masks from the trainer's own seeded stream
            # G frozen: no graph through G, so its weights cannot move; nor can its BatchNorm statistics
            with torch.no_grad(), frozen_batch_norm(self.g_batch_norms):
                fake = self.generator(z)  # (B, *shape)
            use_r1 = c.r1_gamma > 0
            real_seen = self._instance_noise(real)  # what D sees: x, or x + noise
            fake_seen = self._instance_noise(fake)
            real_in = real_seen.detach().requires_grad_(True) if use_r1 else real_seen
            d_real, d_fake = d(real_in), d(fake_seen)  # (B/pack,) raw outputs
            # D: maximize log D(x) + log(1 - D(G(z)))  ==  minimize real error + fake error
            terms = losses.discriminator_loss(c.loss, d_real, d_fake, c.real_label, c.fake_label)
            loss_d = terms.total
            penalties = []  # (,) tensors added to D's loss: gradient penalty, R1
            if c.loss == "wgan_gp" and c.gp_weight > 0:
                penalties.append(c.gp_weight * losses.gradient_penalty(d, real_seen, fake_seen, self.rng))
            if use_r1:
                penalties.append(losses.r1_penalty(d_real, real_in, c.r1_gamma, getattr(d, "pack", 1)))
            for term in penalties:
                loss_d = loss_d + term
            self.opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
        # The numbers of the record, read in one go. Per-step cost matters here (see
        # bench/trainer_overhead.py): few small ops, sums and the total computed in Python.
        with torch.no_grad():
            p_real, p_fake = losses.probability(c.loss, d_real), losses.probability(c.loss, d_fake)
            th = losses.decision_threshold(c.loss)
            stats = read_numbers([terms.real, terms.fake, p_real.sum(), p_fake.sum(), (d_real > th).sum(),
                           (d_fake < th).sum(), *penalties, *grad_norms(optimized_params(self.opt_d))])
        loss_real, loss_fake, sum_p_real, sum_p_fake, right_real, right_fake = stats[:6]
        n_real, n_fake = d_real.numel(), d_fake.numel()
        penalty = sum(stats[6:6 + len(penalties)])
        grad_norm = l2_of(stats[6 + len(penalties):])
        loss_total = loss_real + loss_fake + penalty
        self._check_finite(("D's real loss", "D's fake loss", "D's penalty", "D's loss",
                            "D's gradient norm"), (loss_real, loss_fake, penalty, loss_total, grad_norm))
        self.opt_d.step()
        if c.spectral_norm:
            settle_spectral_norms(d)  # each layer's largest singular value back to 1 for whoever reads D next
        self.last_batch = {"kind": "D", "real": real.detach() if real.requires_grad else real,
                           "fake": fake, "z": z, "p_real": p_real, "p_fake": p_fake}
        return self._record("D", t0, real.shape[0], loss_d_real=loss_real, loss_d_fake=loss_fake,
                            penalty=penalty, loss_d=loss_total, grad_norm=grad_norm,
                            d_real=sum_p_real / n_real, d_fake=sum_p_fake / n_fake,
                            d_accuracy=(right_real / n_real + right_fake / n_fake) / 2, lr=lr)

    def step_g(self, z: torch.Tensor | None = None) -> StepRecord:
        """One generator update with D frozen. G never sees real data: it learns only through
        D's gradient at its own fakes."""
        c, g, d = self.config, self.generator, self.discriminator
        t0 = time.perf_counter()
        z = self.noise(c.batch_size) if z is None else z.to(self.device)  # (B, z_dim)
        lr = self._scheduled_lr(self.opt_g, c.lr_g)
        d_params = optimized_params(self.opt_d)
        for p in d_params:  # D frozen: gradients flow through D into G but D stays put
            p.requires_grad_(False)
        try:
            with self._step_rng():  # dropout masks from the trainer's own seeded stream
                fake = g(z)  # (B, *shape)
                with frozen_batch_norm(self.d_batch_norms):  # D frozen, its running statistics too
                    d_fake = d(self._instance_noise(fake))  # (B/pack,) D sees the fakes as in its own step
                # G: minimize log(1 - D(G(z))) (minimax) or -log D(G(z)) (non-saturating), ...
                loss_g = losses.generator_loss(c.loss, d_fake)
                self.opt_g.zero_grad(set_to_none=True)
                loss_g.backward()
        finally:
            for p in d_params:
                p.requires_grad_(True)
        with torch.no_grad():
            p_fake = losses.probability(c.loss, d_fake)
            stats = read_numbers([loss_g, p_fake.sum(), *grad_norms(optimized_params(self.opt_g))])
        loss_value, mean_p_fake, grad_norm = stats[0], stats[1] / p_fake.numel(), l2_of(stats[2:])
        self._check_finite(("G's loss", "G's gradient norm"), (loss_value, grad_norm))
        self.opt_g.step()
        if self.average is not None:
            self.average.update(c.ema_decay)
        self.iteration += 1
        self.last_batch = {"kind": "G", "fake": fake.detach(), "z": z, "p_fake": p_fake}
        record = self._record("G", t0, z.shape[0], loss_g=loss_value, grad_norm=grad_norm,
                              d_fake=mean_p_fake, lr=lr)
        if self.iteration % c.snapshot_every == 0:
            self._check_weights()
            self.snapshot()
        return record

    def step(self) -> list[StepRecord]:
        """One iteration of Algorithm 1: d_steps discriminator updates, then one generator update."""
        records = [self.step_d() for _ in range(self.config.d_steps)]
        records.append(self.step_g())
        return records

    def train(self, iterations: int) -> None:
        for _ in range(iterations):
            self.step()

    @torch.no_grad()
    def _check_weights(self) -> None:
        """Weights can overflow even when the loss that moved them was finite (huge SGD steps)."""
        for name, net in (("G's weights", self.generator), ("D's weights", self.discriminator)):
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(list(net.parameters()))))
            self._check_finite((name,), [float(norm)])

    # ---- live changes ------------------------------------------------------------------------
    def update(self, **changes) -> dict:
        """Change live hyperparameters between steps, keeping weights and optimizer state.
        Returns {field: (old, new)} for what actually changed. Architecture fields raise
        RebuildRequired; invalid values raise ValueError and change nothing."""
        changes = normalize_changes(changes)
        known = {f.name for f in dataclasses.fields(TrainConfig)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        rebuild = sorted(k for k in changes if k not in LIVE_FIELDS and changes[k] != getattr(self.config, k))
        if rebuild:
            raise RebuildRequired(f"changing {', '.join(rebuild)} needs new networks: rebuild the run")
        new = dataclasses.replace(self.config, **changes)  # validates before anything changes
        diff = {k: (getattr(self.config, k), v) for k, v in changes.items() if getattr(self.config, k) != v}
        self.config = new
        if new.ema_decay > 0 and self.average is None:  # the average starts from today's G
            self.average = GeneratorAverage(self.generator)
        elif new.ema_decay == 0:
            self.average = None
        factor = schedule_factor(new.lr_half_life, self.iteration)
        for opt, lr in ((self.opt_d, new.lr_d), (self.opt_g, new.lr_g)):
            for group in opt.param_groups:
                group["lr"] = lr * factor
                if "betas" in group:
                    group["betas"] = (new.adam_beta1, new.adam_beta2)
                if "momentum" in group:
                    group["momentum"] = new.sgd_momentum
        for k, (old, value) in diff.items():
            self.events.append((self.iteration, k, old, value))
        return diff

    def rebuilt(self, **changes) -> "Trainer":
        """A fresh trainer (new weights) with `changes` applied: for architecture changes."""
        return Trainer(self.config.replace(**changes),
                       target=self.target if "target" not in changes and "custom_points" not in changes else None)

    # ---- sampling ----------------------------------------------------------------------------
    def shown_generator(self, average: bool | None = None) -> torch.nn.Module:
        """The G that views draw: the weight average when there is one (average None or True),
        else (or with average=False) the G being trained."""
        use_average = self.average is not None and average is not False
        return self.average.net if use_average else self.generator

    @contextlib.contextmanager
    def looking_at(self, net: torch.nn.Module):
        """Use `net` (G, its average or D) for a view: dropout off, BatchNorm statistics untouched."""
        norms = self.d_batch_norms if net is self.discriminator else batch_norms(net)
        with torch.no_grad(), dropout_off(net), frozen_batch_norm(norms):
            yield net

    def sample(self, n: int, generator: torch.Generator | None = None,
               average: bool | None = None) -> torch.Tensor:
        """n fresh samples (B, *data_shape) of the shown G (see shown_generator), from the view
        stream (training unaffected)."""
        with self.looking_at(self.shown_generator(average)) as g:  # looking moves nothing
            return g(self.noise(n, generator or self.view_rng))

    def fixed_noise(self, n: int = 64) -> torch.Tensor:
        base = self.fixed_uniform if self.config.noise == "uniform" else self.fixed_gaussian
        return base[:n].to(self.device)

    def fixed_samples(self, n: int = 64, average: bool | None = None) -> torch.Tensor:
        """The shown G applied to the same z every time: progress frames comparable over time."""
        with self.looking_at(self.shown_generator(average)) as g:
            return g(self.fixed_noise(n))

    def d_output(self, x: torch.Tensor) -> torch.Tensor:
        """D's raw output (a logit for every loss but least squares) at points x (B, *data_shape),
        dropout off; pack > 1 judges a pack of copies of each point."""
        x = x.to(self.device)
        pack = getattr(self.discriminator, "pack", 1)
        if pack > 1:  # judge a pack made of copies of the same point
            x = x.repeat_interleave(pack, dim=0)
        with self.looking_at(self.discriminator) as d:
            return d(x)

    @torch.no_grad()
    def d_probability(self, x: torch.Tensor) -> torch.Tensor:
        """D's output as a probability at points x (B, *data_shape) (see d_output)."""
        return losses.probability(self.config.loss, self.d_output(x))

    # ---- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to continue the run bit-identically; loadable with weights_only=True."""
        return {
            "config": self.config.to_dict(),
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "rng": self.rng.get_state(),
            "view_rng": self.view_rng.get_state(),
            "dropout_rng": self.dropout_rng_state.clone(),
            "counters": [self.iteration, self.updates, self.elapsed],
            "events": [list(e) for e in self.events],
            "average": None if self.average is None else self.average.state_dict(),
        }

    def load_state_dict(self, state: dict, restore_config: bool = True) -> None:
        """Restore weights, optimizers, RNG and counters (and, unless told not to, the live
        hyperparameters saved with them). Architecture must match this trainer."""
        try:
            self.generator.load_state_dict(state["generator"])
            self.discriminator.load_state_dict(state["discriminator"])
            self.opt_g.load_state_dict(state["opt_g"])
            self.opt_d.load_state_dict(state["opt_d"])
            self.rng.set_state(state["rng"])
            self.view_rng.set_state(state["view_rng"])
            iteration, updates, elapsed = state["counters"]
            if "dropout_rng" in state:  # absent from checkpoints written before it existed
                self.dropout_rng_state = torch.as_tensor(state["dropout_rng"], dtype=torch.uint8).clone()
        except (KeyError, RuntimeError, TypeError, ValueError) as exc:
            raise ValueError(f"state does not fit this trainer's networks: {exc}") from exc
        self.iteration, self.updates, self.elapsed = int(iteration), int(updates), float(elapsed)
        self.events = deque((tuple(e) for e in state.get("events", [])), maxlen=1000)
        self._restore_average(state.get("average"))
        live = {k: v for k, v in state.get("config", {}).items() if k in LIVE_FIELDS}
        if restore_config and live:
            self.update(**live)
        else:  # keep today's settings: push them into the restored optimizer state
            self.update()

    def _restore_average(self, saved: dict | None) -> None:
        """The saved weight average, or (saved without one) a fresh average of the restored G."""
        if self.config.ema_decay <= 0 and saved is None:
            self.average = None
            return
        self.average = GeneratorAverage(self.generator)
        if saved is not None:
            try:
                self.average.load_state_dict(saved)
            except (KeyError, RuntimeError, TypeError, ValueError) as exc:
                raise ValueError(f"the saved weight average does not fit this G: {exc}") from exc

    def snapshot(self) -> None:
        """Keep a copy of the current state for rollback (bounded: config.snapshots_kept)."""
        self.snapshots.append((self.iteration, copy.deepcopy(self.state_dict())))

    def rollback(self) -> int:
        """Restore the newest snapshot whose weights are finite, keeping the current settings
        (the teacher's fix, e.g. a lower learning rate, stays); returns its iteration and drops
        the history recorded after it."""
        while self.snapshots:
            iteration, state = self.snapshots[-1]
            finite = all(torch.isfinite(t).all() for k in ("generator", "discriminator")
                         for t in state[k].values() if t.is_floating_point())
            if finite:
                self.load_state_dict(copy.deepcopy(state), restore_config=False)
                self.history.drop_after(self.updates)
                self.last_batch = {}
                return iteration
            self.snapshots.pop()
        raise RuntimeError("no finite snapshot to roll back to")
