"""classroom.registry: runs by id across tabs, only for the browser that owns them, bounded by count and by
time since last touch."""

import pytest

from classroom.registry import RunRegistry
from gan_core.config import TrainConfig
from classroom.live import LiveRun
from gan_core.trainer import Trainer

OWNER = "teacher-browser-key-0123456789"
SMALL = TrainConfig(target="ring8", batch_size=16, g_width=8, d_width=8, g_depth=1, d_depth=1)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_run(clock: Clock) -> LiveRun:
    run = LiveRun(Trainer(SMALL), idle_timeout=5)
    run.last_touch = clock.now
    return run


def test_a_registered_run_is_found_by_id_and_kind_only():
    clock = Clock()
    reg = RunRegistry(capacity=4, ttl=60, clock=clock)
    run = make_run(clock)
    run_id = reg.register(run, "2D lab", OWNER)
    assert len(run_id) == 12 and run.run_id == run_id
    assert reg.register(run, "2D lab", OWNER) == run_id  # stable across reruns
    assert reg.get(run_id, "2D lab", OWNER) is run
    assert reg.get(run_id, "MNIST", OWNER) is None  # a 2D id on another page finds nothing
    assert reg.get("not-an-id", "2D lab", OWNER) is None and reg.get(None, "2D lab", OWNER) is None
    run.close()  # the janitor closed it (its tab went away): a reload must not attach an empty run
    assert run.trainer is None and reg.get(run_id, "2D lab", OWNER) is None


def test_another_browser_never_gets_the_run_by_its_id():
    """Everything in a URL is public: the id alone opens nothing (issue 20, 3.1)."""
    clock = Clock()
    reg = RunRegistry(capacity=4, ttl=60, clock=clock)
    run = make_run(clock)
    run_id = reg.register(run, "2D lab", OWNER)
    assert reg.get(run_id, "2D lab", "student-browser-key-9876543210") is None
    assert reg.get(run_id, "2D lab", "") is None
    assert reg.get(run_id, "2D lab", OWNER[:-1]) is None  # a prefix is not the key
    with pytest.raises(PermissionError):  # nor can another browser take it over by registering it
        reg.register(run, "2D lab", "student-browser-key-9876543210")
    assert reg.get(run_id, "2D lab", OWNER) is run


def test_a_closed_run_leaves_the_registry():
    """A closed tab's run is dropped from the index at the next look, not kept until its ttl."""
    clock = Clock()
    reg = RunRegistry(capacity=8, ttl=600, clock=clock)
    runs = [make_run(clock) for _ in range(3)]
    for run in runs:
        reg.register(run, "2D lab", OWNER)
    runs[0].close()
    assert len(reg) == 2


def test_ids_differ_between_runs():
    clock = Clock()
    reg = RunRegistry(capacity=8, ttl=60, clock=clock)
    ids = {reg.register(make_run(clock), "2D lab", OWNER) for _ in range(5)}
    assert len(ids) == 5


def test_an_untouched_run_expires_after_ttl_and_a_touch_keeps_it():
    clock = Clock()
    reg = RunRegistry(capacity=4, ttl=60, clock=clock)
    kept, dropped = make_run(clock), make_run(clock)
    kept_id, dropped_id = reg.register(kept, "2D lab", OWNER), reg.register(dropped, "2D lab", OWNER)
    clock.now += 59
    kept.last_touch = clock.now  # its tab is watching
    clock.now += 2  # dropped is now 61 s old, kept 2 s
    assert reg.get(dropped_id, "2D lab", OWNER) is None
    assert reg.get(kept_id, "2D lab", OWNER) is kept
    assert len(reg) == 1


def test_capacity_drops_the_least_recently_touched_run():
    clock = Clock()
    reg = RunRegistry(capacity=2, ttl=600, clock=clock)
    runs = []
    for age in (30, 10, 20):  # seconds since last touch
        run = make_run(clock)
        run.last_touch = clock.now - age
        runs.append((reg.register(run, "2D lab", OWNER), run))
    assert len(reg) == 2
    assert reg.get(runs[0][0], "2D lab", OWNER) is None  # the oldest (30 s) went
    assert reg.get(runs[1][0], "2D lab", OWNER) is runs[1][1] and reg.get(runs[2][0], "2D lab", OWNER) is runs[2][1]


@pytest.mark.parametrize("raw", ["0", "-3", "nan", "lots"])
def test_bad_environment_values_fall_back_to_defaults(monkeypatch, raw):
    monkeypatch.setenv("GAN_CLASSROOM_MAX_RUNS", raw)
    monkeypatch.setenv("GAN_CLASSROOM_RUN_TTL", raw)
    reg = RunRegistry()
    assert reg.capacity == 32 and reg.ttl == 600.0


def test_the_registry_does_not_keep_a_run_alive():
    """A run goes with the last session that holds it (memory freed); its id then finds nothing."""
    import gc
    import weakref

    clock = Clock()
    reg = RunRegistry(capacity=4, ttl=600, clock=clock)
    run = make_run(clock)
    run_id = reg.register(run, "2D lab", OWNER)
    trainer = weakref.ref(run.trainer)
    del run
    gc.collect()
    assert trainer() is None
    assert reg.get(run_id, "2D lab", OWNER) is None and len(reg) == 0
