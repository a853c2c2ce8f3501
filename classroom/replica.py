"""A run's published frame, and the page's replica built from it.

A run trains in a worker process (classroom.workers) or a Ray actor (classroom.ray_host); the page
never trains. What the page draws comes from a *replica*: a Trainer (or LockstepRun) in the web
server's process with the same config and architecture, which takes the worker's published frame
before each read: the networks' weights (G, D, G's weight average), the counters, the settings,
the training random streams,
the events, the newest update's batch, which snapshots exist, and the history rows it lacks. The
views then read the replica exactly as they would read the trainer itself, so every figure, export
and number is computed by the same code on the same weights; nothing the views do reaches the run.
Not replicated: the optimizers' state (a checkpoint is made where the run trains) and the weights
kept in rollback snapshots (only their iterations).

Also here: the blueprint, how a trainer built on the page (a preset, a rebuild, a loaded
checkpoint) travels to the worker that will train it.
"""

from __future__ import annotations

from collections import deque

from gan_core.stabilizers import GeneratorAverage
from gan_core.trainer import Trainer


def trainers_of(trainer_like) -> list[Trainer]:
    """The Trainers inside a Trainer (itself) or a classroom.lockstep.LockstepRun (its pair)."""
    return list(getattr(trainer_like, "trainers", (trainer_like,)))


# ---- the published frame ----------------------------------------------------------------------------

def frame_of(trainer_like, history_after: list[int] | None, weights: bool = True) -> list[dict]:
    """What a replica needs to look like `trainer_like` now. history_after: per trainer, the last
    update the replica's history already holds (None: send the whole history). weights=False: all
    but the networks' weights (settings, counters, history, events: what status lines and widgets
    read; an MNIST frame is then kB instead of ~12 MB). The tensors are the trainer's own, not
    copies: pack the frame before the next step (HostedRun.lock)."""
    parts = []
    for i, t in enumerate(trainers_of(trainer_like)):
        after = None if history_after is None else history_after[i]
        parts.append({
            "config": t.config,
            "weights": weights,
            "generator": t.generator.state_dict() if weights else None,
            "discriminator": t.discriminator.state_dict() if weights else None,
            "average": None if t.average is None or not weights else t.average.state_dict(),
            "counters": (t.iteration, t.updates, t.elapsed),
            "rng": (t.rng.get_state(), t.dropout_rng_state),  # the training streams (views have their own)
            "events": list(t.events),
            "snapshots": [it for it, _ in t.snapshots],
            "last_batch": dict(t.last_batch),
            "history": t.history.columns() if after is None else t.history.columns_after(after),
            "whole_history": after is None,
        })
    return parts


def history_cursor(trainer_like) -> list[int]:
    """Per trainer, the last update its history holds (-1: none): what to ask the next frame for."""
    return [int(t.history[-1].update) if len(t.history) else -1 for t in trainers_of(trainer_like)]


def apply_frame(replica, parts: list[dict]) -> None:
    """Make `replica` show the published frame (it was built with the same architecture)."""
    for t, part in zip(trainers_of(replica), parts):
        t.config = part["config"]
        if part["weights"]:
            t.generator.load_state_dict(part["generator"])
            t.discriminator.load_state_dict(part["discriminator"])
            if part["average"] is None:
                t.average = None
            else:
                if t.average is None:
                    t.average = GeneratorAverage(t.generator)
                t.average.load_state_dict(part["average"])
        t.iteration, t.updates, t.elapsed = part["counters"]
        t.rng.set_state(part["rng"][0])
        t.dropout_rng_state = part["rng"][1]
        t.events = deque(part["events"], maxlen=t.events.maxlen)
        # the replica knows which snapshots exist; their weights stay with the run (rollback is a command)
        t.snapshots = deque(((it, None) for it in part["snapshots"]), maxlen=t.snapshots.maxlen)
        t.last_batch = part["last_batch"]
        if part["whole_history"]:
            t.history.clear()
        t.history.extend(part["history"])


# ---- blueprints: a trainer built on the page, rebuilt in the worker ---------------------------------

def _trainer_blueprint(t: Trainer) -> dict:
    # a replica knows its snapshots by iteration only (their weights stayed with the run)
    return {"config": t.config, "state": t.state_dict(), "history": t.history.columns(),
            "snapshots": [(it, state) for it, state in t.snapshots if state is not None]}


def blueprint(trainer_like) -> tuple:
    """A picklable description from which build() makes the same trainer elsewhere (weights,
    optimizers, random streams, counters, history). A LockstepRun travels as its comparison and
    its two trainers. The data is not sent: the worker makes its own target from the config."""
    parts = [_trainer_blueprint(t) for t in trainers_of(trainer_like)]
    if hasattr(trainer_like, "trainers"):
        return ("lockstep", (trainer_like.base, trainer_like.setting, *trainer_like.values), parts)
    return ("trainer", None, parts)


def _load(t: Trainer, part: dict) -> Trainer:
    t.load_state_dict(part["state"])
    t.history.extend(part["history"])
    t.snapshots = deque(part["snapshots"], maxlen=t.snapshots.maxlen)  # rollback goes where it went on the page
    if not t.snapshots:  # a replica hosted again: rollback returns to where it starts again, not to fresh weights
        t.snapshot()
    return t


def build(plan: tuple):
    """The trainer (or LockstepRun) a blueprint describes."""
    kind, comparison, parts = plan
    if kind == "lockstep":
        from classroom.lockstep import LockstepRun

        pair = LockstepRun(*comparison)
        for t, part in zip(pair.trainers, parts):
            _load(t, part)
        return pair
    return _load(Trainer(parts[0]["config"]), parts[0])
