"""gan_core.history.History against a plain Python list of the same records: bounded to the
newest maxlen, columns equal to a rebuild from the records (before and after the ring wraps),
reversed / last / tail / drop_after, and the trainer's history is what its steps returned."""

import dataclasses
import math

import numpy as np
import pytest

from gan_core.config import TrainConfig
from gan_core.history import History, field_dtype
from gan_core.step_record import NAN, RECORD_FIELDS, StepRecord
from gan_core.trainer import Trainer

SMALL = TrainConfig(g_width=16, d_width=16, g_depth=2, d_depth=2, batch_size=32, seed=3)


def record(update: int) -> StepRecord:
    """A made-up record: every third update a G update (D fields NaN), the others D updates."""
    kind = "G" if update % 3 == 0 else "D"
    values = dict.fromkeys(RECORD_FIELDS, NAN)
    values.update(kind=kind, iteration=update // 3, update=update, batch_size=16 + update % 5,
                  grad_norm=0.5 + update, lr=1e-3 / update, step_seconds=0.001 * update, elapsed=0.01 * update)
    if kind == "D":
        values.update(loss_d_real=update * 0.25, loss_d_fake=-update * 0.5, penalty=0.0, loss_d=update * 0.125,
                      d_real=1 / update, d_fake=1 / (update + 1), d_accuracy=0.5)
    else:
        values.update(loss_g=update * 1.5, d_fake=1 / (update + 2))
    return StepRecord(**values)


def rebuilt(records: list) -> dict:
    """The old way: one np.array per field from the records' attributes."""
    return {f: np.array([getattr(r, f) for r in records]) for f in RECORD_FIELDS}


def same_record(a: StepRecord, b: StepRecord) -> bool:
    return all(x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))
               for x, y in zip(dataclasses.astuple(a), dataclasses.astuple(b)))


def assert_matches(h: History, model: list) -> None:
    assert len(h) == len(model) and bool(h) == bool(model)
    assert list(h) == model  # NaN fields come back as NAN itself, so records compare equal
    cols = h.columns()
    assert list(cols) == list(RECORD_FIELDS)
    expected = rebuilt(model)
    for f in RECORD_FIELDS:
        assert cols[f].dtype == np.dtype(field_dtype(f)), f
        assert cols[f].shape == (len(model),), f
        if model:
            assert expected[f].dtype.kind == cols[f].dtype.kind, f
            assert np.array_equal(cols[f], expected[f], equal_nan=f != "kind"), f


def test_append_beyond_the_bound_keeps_the_newest_in_order_and_columns_equal_a_rebuild():
    h, model = History(7, initial_rows=2), []  # grows 2 -> 4 -> 7, then wraps
    assert_matches(h, model)
    for u in range(1, 40):
        h.append(record(u))
        model = (model + [record(u)])[-7:]
        assert_matches(h, model)
        assert len(h._update) <= 7  # memory bounded by maxlen
    assert [r.update for r in h] == list(range(33, 40))


def test_reversed_last_tail_and_index_against_a_list():
    h, model = History(10, initial_rows=4), []
    assert h.last("D") is None and h.tail(3) == [] and list(reversed(h)) == []
    for u in range(1, 27):  # wrapped twice over
        h.append(record(u))
        model.append(record(u))
        kept = model[-10:]
        assert list(reversed(h)) == kept[::-1]
        for kind in "DG":
            assert h.last(kind) == next((r for r in reversed(kept) if r.kind == kind), None)
        for n in (0, 1, 3, 10, 50):
            assert h.tail(n) == (kept[-n:] if n else [])
            tail = h.tail_columns(n)
            for f in RECORD_FIELDS:
                assert np.array_equal(tail[f], h.columns()[f][len(kept) - min(n, len(kept)):],
                                      equal_nan=f != "kind")
        assert h[-1] == kept[-1] and h[0] == kept[0] and h[len(kept) // 2] == kept[len(kept) // 2]
    with pytest.raises(IndexError):
        h[10]
    with pytest.raises(IndexError):
        h[-11]
    with pytest.raises(TypeError):
        h[-3:]


@pytest.mark.parametrize("appended", [5, 12, 31])  # not full, just wrapped, wrapped several times
def test_drop_after_forgets_later_updates_and_appends_continue(appended):
    h, model = History(12, initial_rows=4), []
    for u in range(1, appended + 1):
        h.append(record(u))
        model.append(record(u))
    model = model[-12:]
    cut = appended - 3
    assert h.drop_after(cut) == 3
    model = [r for r in model if r.update <= cut]
    assert_matches(h, model)
    assert h.drop_after(cut) == 0
    for u in range(cut + 1, cut + 20):  # the rolled-back run goes on
        h.append(record(u))
        model = (model + [record(u)])[-12:]
        assert_matches(h, model)
    assert h.drop_after(0) == 12 and len(h) == 0
    assert_matches(h, [])


def test_columns_are_copies_that_later_appends_do_not_change():
    h = History(4, initial_rows=4)
    for u in range(1, 5):
        h.append(record(u))
    cols = h.columns()
    before = {f: c.copy() for f, c in cols.items()}
    cols["loss_d"][:] = 99.0
    for u in range(5, 11):  # overwrite every row of the ring
        h.append(record(u))
    assert [r.update for r in h] == [7, 8, 9, 10]
    for f in RECORD_FIELDS:
        if f != "loss_d":
            assert np.array_equal(cols[f], before[f], equal_nan=f != "kind"), f


def test_iteration_is_a_snapshot_of_when_it_began():
    h = History(5)
    for u in range(1, 4):
        h.append(record(u))
    seen = []
    for r in h:
        seen.append(r.update)
        h.append(record(10 + len(seen)))
    assert seen == [1, 2, 3] and len(h) == 5


def test_a_bound_below_one_is_refused():
    with pytest.raises(ValueError):
        History(0)


# ---- the trainer's history ----------------------------------------------------------------------

def test_trainer_history_is_what_the_steps_returned_within_the_bound():
    t = Trainer(SMALL.replace(d_steps=2, history_len=25))
    assert isinstance(t.history, History) and t.history.maxlen == 25
    returned = []
    for _ in range(11):  # 33 updates: the oldest 8 are dropped
        returned += t.step()
    returned.append(t.step_d())
    assert len(t.history) == 25
    assert all(same_record(a, b) for a, b in zip(t.history, returned[-25:]))
    assert list(t.history) == returned[-25:]
    cols, expected = t.history.columns(), rebuilt(returned[-25:])
    for f in RECORD_FIELDS:
        assert np.array_equal(cols[f], expected[f], equal_nan=f != "kind"), f
    assert t.history.last("G") == returned[-2] and t.history.last("D") == returned[-1]


def test_rollback_drops_the_records_after_the_snapshot():
    t = Trainer(SMALL.replace(snapshot_every=5, history_len=60))
    returned = []
    for _ in range(7):
        returned += t.step()
    assert t.rollback() == 5
    assert list(t.history) == [r for r in returned if r.update <= t.updates]
    assert t.history[-1].update == t.updates == 10
    more = t.step()
    assert list(t.history)[-2:] == more and [r.update for r in more] == [11, 12]
    assert np.all(np.diff(t.history.columns()["update"]) == 1)
