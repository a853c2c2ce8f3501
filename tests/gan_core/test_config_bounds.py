"""config.FIELD_BOUNDS is the one table of numeric ranges: every numeric field has an entry,
both ends are accepted and one step beyond either end is refused by TrainConfig itself."""

import math

import pytest

from gan_core.config import ALIAS_BOUNDS, FIELD_BOUNDS, FIELD_CHOICES, TrainConfig, field_choices, field_types

NOT_RANGED = {"custom_points", "device", "minibatch_std"}  # checked by shape / form, not a range


def test_every_numeric_field_has_bounds_of_its_own_type():
    types = field_types()
    numeric = {k for k, t in types.items() if t in (int, float)} - NOT_RANGED
    assert numeric == set(FIELD_BOUNDS)
    for name, (lo, hi) in FIELD_BOUNDS.items():
        assert type(lo) is types[name] and type(hi) is types[name], name
        assert lo < hi
        assert lo <= getattr(TrainConfig(), name) <= hi  # the default lies inside its own range


def test_choice_fields_are_exactly_the_string_fields_with_a_set():
    types = field_types()
    assert set(field_choices()) == {k for k, t in types.items() if t is str} - {"device"}
    assert set(FIELD_CHOICES) == set(field_choices()) - {"target"}
    assert "ring8" in field_choices()["target"] and "mnist" in field_choices()["target"]


@pytest.mark.parametrize("name", sorted(FIELD_BOUNDS))
def test_both_ends_accepted_and_beyond_refused(name):
    lo, hi = FIELD_BOUNDS[name]
    base = {"batch_size": 80} if name == "pack" else {}  # both ends of pack (1, 16) divide 80
    for ok in (lo, hi):
        assert getattr(TrainConfig(**{**base, name: ok}), name) == ok
    step = 1 if isinstance(lo, int) else max(abs(hi) * 1e-6, 1e-9)
    for bad in (lo - step, hi + step):
        with pytest.raises(ValueError, match=name):
            TrainConfig(**{**base, name: bad})
    if isinstance(lo, float):
        with pytest.raises(ValueError, match=name):
            TrainConfig(**{**base, name: math.nan})


def test_alias_bounds_match_real_label_range():
    lo, hi = ALIAS_BOUNDS["label_smoothing"]
    assert (1 - hi, 1 - lo) == FIELD_BOUNDS["real_label"]
    assert TrainConfig().replace(label_smoothing=hi).real_label == pytest.approx(0.5, abs=1e-12)
    with pytest.raises(ValueError, match="label_smoothing"):
        TrainConfig().replace(label_smoothing=hi + 0.01)
