"""The server's budget for setups from outside (classroom.budget): a checkpoint, link or preset
that asks for too large a network is refused in words before anything is built, and one that
asks for a snapshot every iteration gets the page's own bookkeeping (issue 20, 3.7: a 28 kB file
describing 58.8 M weights cost the web server 489 MiB; snapshot_every=1 with 100 kept grew a
worker by 55 MiB an iteration). Weight counts are worked out by hand below."""

import io

import pytest
import torch

from classroom import budget
from classroom.budget import MAX_PARAMETERS, OverBudget, check_network, load_checkpoint_upload
from gan_core import checkpoint as checkpoint_module
from gan_core.checkpoint import FORMAT, CheckpointError, checkpoint_bytes
from gan_core.config import TrainConfig
from gan_core.trainer import Trainer

SMALL = TrainConfig(target="ring8", g_width=16, g_depth=2, d_width=16, d_depth=2, batch_size=32)
OWN = TrainConfig(target="ring8")  # the page's run: history 20000, a snapshot every 200, 5 kept


def mlp_weights(sizes: list[int]) -> int:
    """Weights and biases of fully connected layers sizes[0] -> sizes[1] -> ... (by hand)."""
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def crafted(config: dict, **state) -> bytes:
    """A file in our format whose tensors are empty: small on disk, whatever its config describes."""
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "config": config, "generator": {}, "discriminator": {}, **state}, buffer)
    return buffer.getvalue()


def test_parameter_count_matches_real_networks_and_a_hand_count():
    config = TrainConfig(target="ring8", g_width=16, g_depth=2, d_width=8, d_depth=1, pack=2, batch_size=32)
    trainer = Trainer(config)
    real = sum(p.numel() for net in (trainer.generator, trainer.discriminator) for p in net.parameters())
    # G 2->16->16->2 = 48+272+34 = 354; D (2*2)->8->1 = 40+9 = 49
    assert budget.parameter_count(config) == real == mlp_weights([2, 16, 16, 2]) + mlp_weights([4, 8, 1]) == 403


def test_check_network_refuses_what_is_over_the_budget_in_words():
    huge = TrainConfig(target="ring8", g_width=2048, g_depth=8, d_width=2048, d_depth=8)
    by_hand = mlp_weights([2] + [2048] * 8 + [2]) + mlp_weights([2] + [2048] * 8 + [1])
    assert by_hand == 58_767_363  # the "58.8 M weights" of the issue
    with pytest.raises(OverBudget, match="would hold 58,767,363 weights, more than the 5,000,000"):
        check_network(huge)
    seed_mlp = TrainConfig(target="mnist", arch="seed_mlp", z_dim=100, g_output="tanh")
    # the tutorials' MLP, the largest preset: G 100-256-512-1024-784, D 784-1024-512-256-1
    assert check_network(seed_mlp) == mlp_weights([100, 256, 512, 1024, 784]) + mlp_weights([784, 1024, 512, 256, 1])
    assert check_network(seed_mlp) < MAX_PARAMETERS


def test_a_crafted_28_kb_checkpoint_of_58_million_weights_is_refused_before_anything_is_built(monkeypatch):
    data = crafted(TrainConfig(target="ring8", g_width=2048, g_depth=8, d_width=2048, d_depth=8).to_dict())
    assert len(data) < 28_000
    built = []
    monkeypatch.setattr(checkpoint_module, "Trainer", lambda *a, **k: built.append(a) or pytest.fail("built"))
    before = rss_bytes()
    with pytest.raises(CheckpointError, match="would hold 58,767,363 weights"):
        load_checkpoint_upload(data, ("ring8",), "a 2D target", OWN)
    assert built == []
    assert rss_bytes() - before < 20 * 2**20  # the networks alone would take 224 MiB of float32


def test_a_checkpoint_asking_for_a_snapshot_every_iteration_gets_the_pages_bookkeeping():
    trainer = Trainer(SMALL.replace(snapshot_every=1, snapshots_kept=100, history_len=1_000_000))
    trainer.step()
    loaded, notes = load_checkpoint_upload(checkpoint_bytes(trainer), ("ring8",), "a 2D target", OWN)
    assert (loaded.config.snapshot_every, loaded.config.snapshots_kept, loaded.config.history_len) == (200, 5, 20000)
    assert notes == ["history_len 1000000 → 20000", "snapshot_every 1 → 200", "snapshots_kept 100 → 5"]
    for _ in range(20):
        loaded.step()
    assert len(loaded.snapshots) == 1  # the loaded state only: the next snapshot is at iteration 200
    assert loaded.iteration == 21 and (loaded.config.g_width, loaded.config.seed) == (16, SMALL.seed)


def test_a_checkpoint_saved_on_cuda_loads_on_the_cpu():
    trainer = Trainer(SMALL)
    trainer.step()
    state = torch.load(io.BytesIO(checkpoint_bytes(trainer)), weights_only=True)
    state["config"]["device"] = "cuda"
    buffer = io.BytesIO()
    torch.save(state, buffer)
    loaded, notes = load_checkpoint_upload(buffer.getvalue(), ("ring8",), "a 2D target", OWN)
    assert loaded.config.device == "cpu" and notes == []
    assert all(torch.equal(a, b) for a, b in zip(trainer.generator.parameters(), loaded.generator.parameters()))


def test_a_checkpoint_of_nan_weights_is_refused_in_words_naming_the_tensor():
    trainer = Trainer(SMALL)
    state = torch.load(io.BytesIO(checkpoint_bytes(trainer)), weights_only=True)
    name = next(iter(state["generator"]))
    state["generator"][name] = torch.full_like(state["generator"][name], float("nan"))
    buffer = io.BytesIO()
    torch.save(state, buffer)
    with pytest.raises(CheckpointError, match=rf"NaN or infinite values \(generator\.{name}\)"):
        load_checkpoint_upload(buffer.getvalue(), ("ring8",), "a 2D target", OWN)
