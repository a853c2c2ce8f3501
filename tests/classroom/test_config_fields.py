"""classroom.config_fields: the one table of a run's shareable settings, checked against the
engine's own description of TrainConfig (its fields, FIELD_BOUNDS, types and choices)."""

import dataclasses

import pytest

from classroom.budget import SERVER_FIELDS
from classroom.config_fields import (CONFIG_TABLE, config_from_values, config_value, config_values, setting_bounds,
                                     shared_fields)
from classroom.settings_codec import Flag, Number, OneOf, Points, Whole
from gan_core.config import FIELD_BOUNDS, TrainConfig, field_choices


def test_the_table_holds_every_field_but_the_servers_under_the_pages_names():
    fields = [f.name for f in dataclasses.fields(TrainConfig)]
    expected = {("label_smoothing" if f == "real_label" else f) for f in fields if f not in SERVER_FIELDS}
    assert set(shared_fields()) == expected and len(shared_fields()) == len(fields) - len(SERVER_FIELDS)
    assert shared_fields()[:2] == ("target", "seed")  # a link starts with what makes it the same run


def test_each_setting_has_the_engines_range_type_and_choices():
    for name, setting in CONFIG_TABLE.settings.items():
        default = config_value(TrainConfig(), name)
        assert setting.default == default, name
        if name == "label_smoothing":
            assert (setting.lo, setting.hi) == (0.0, 0.5)
        elif isinstance(setting, Number):
            assert (setting.lo, setting.hi) == FIELD_BOUNDS[name], name
            assert isinstance(setting, Whole) == isinstance(default, int), name
            assert setting.step is None  # a config field takes any value in its range
        elif isinstance(setting, OneOf):
            assert setting.choices == field_choices()[name], name
        else:
            assert isinstance(setting, (Flag, Points)), name
    assert setting_bounds("batch_size") == FIELD_BOUNDS["batch_size"]
    assert setting_bounds("real_label") == (0.5, 1.0)  # read from older links, never written


def test_values_round_trip_through_json_and_name_label_smoothing():
    config = TrainConfig(target="custom", custom_points=((0.123456, -1.5), (2.0, 3.0)), real_label=0.85,
                         batch_size=64, loss="hinge", minibatch_std=True, seed=9)
    values = config_values(config)
    assert values["label_smoothing"] == pytest.approx(0.15, abs=1e-12) and "real_label" not in values
    assert values["custom_points"] == [[0.1235, -1.5], [2.0, 3.0]]  # four decimals, as links write them
    assert not set(values) & set(SERVER_FIELDS)
    back = config_from_values(values, TrainConfig())
    assert back == config.replace(custom_points=((0.1235, -1.5), (2.0, 3.0)))
    assert config_from_values({"real_label": 0.9}, TrainConfig()).label_smoothing == pytest.approx(0.1, abs=1e-12)
    with pytest.raises(ValueError):
        config_from_values({"batch_size": 10**9}, TrainConfig())  # the engine still refuses what it refuses
