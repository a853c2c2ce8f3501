"""TrainConfig: defaults, validation messages naming field and value, aliases, round trips."""

import dataclasses

import pytest

from gan_core.config import LIVE_FIELDS, TrainConfig, field_types


def test_defaults_are_valid_and_match_the_design():
    c = TrainConfig()
    assert (c.target, c.batch_size, c.real_label, c.fake_label, c.d_steps) == ("ring8", 256, 1.0, 0.0, 1)
    assert (c.optimizer, c.adam_beta1, c.init, c.loss) == ("adam", 0.5, "xavier", "nonsaturating")


@pytest.mark.parametrize("field, value", [
    ("batch_size", 1), ("batch_size", 10_000), ("batch_size", 3.5), ("batch_size", True),
    ("lr_d", 0.0), ("lr_d", 5.0), ("lr_g", float("nan")), ("lr_g", float("inf")),
    ("real_label", 0.4), ("real_label", 1.1), ("fake_label", 0.6), ("d_steps", 0),
    ("loss", "wasserstein"), ("noise", "cauchy"), ("optimizer", "rmsprop"), ("init", "he"),
    ("target", "ring9"), ("g_depth", 0), ("d_width", 4096), ("z_dim", 0), ("seed", -1),
    ("d_dropout", 0.95), ("pack", 0), ("device", "tpu"), ("g_activation", "swish"),
    ("minibatch_std", 1), ("lr_d", "0.001"),
])
def test_invalid_values_raise_valueerror_naming_field_and_value(field, value):
    with pytest.raises(ValueError) as info:
        TrainConfig(**{field: value})
    message = str(info.value)
    assert field in message
    assert repr(value) in message or str(value) in message


def test_cross_field_rules():
    with pytest.raises(ValueError, match="multiple of pack"):
        TrainConfig(batch_size=30, pack=4)
    with pytest.raises(ValueError, match="dcgan"):
        TrainConfig(arch="dcgan", target="ring8")
    with pytest.raises(ValueError, match="custom_points"):
        TrainConfig(target="custom")


def test_label_smoothing_alias_and_property():
    c = TrainConfig().replace(label_smoothing=0.1)
    assert c.real_label == pytest.approx(0.9, abs=1e-12)
    assert c.label_smoothing == pytest.approx(0.1, abs=1e-12)
    with pytest.raises(ValueError, match="label_smoothing"):
        TrainConfig().replace(label_smoothing=0.7)


def test_replace_validates_and_leaves_original_alone():
    c = TrainConfig()
    with pytest.raises(ValueError, match="batch_size"):
        c.replace(batch_size=0)
    assert c.batch_size == 256
    assert c.replace(batch_size=64).batch_size == 64


def test_dict_round_trip_and_unknown_keys():
    c = TrainConfig(target="custom", custom_points=((0.0, 1.0), (2.0, -1.0)), batch_size=64)
    d = c.to_dict()
    assert d["custom_points"] == [[0.0, 1.0], [2.0, -1.0]]
    assert TrainConfig.from_dict(d) == c
    with pytest.raises(ValueError, match="unknown config field.*colour"):
        TrainConfig.from_dict({**d, "colour": "red"})


def test_field_types_follow_defaults():
    types = field_types()
    assert types["batch_size"] is int and types["lr_d"] is float and types["target"] is str
    assert types["minibatch_std"] is bool and types["custom_points"] is tuple
    assert set(types) == {f.name for f in dataclasses.fields(TrainConfig)}


def test_live_fields_are_fields():
    assert LIVE_FIELDS <= set(field_types())
    assert "g_width" not in LIVE_FIELDS and "batch_size" in LIVE_FIELDS


@pytest.mark.parametrize("points", [((0.0, float("nan")),), ((1.0,),), ((0.0, float("inf")),), (("a", 1.0),)])
def test_custom_points_must_be_finite_pairs(points):
    with pytest.raises(ValueError, match="custom_points must hold finite"):
        TrainConfig(target="custom", custom_points=points)
    with pytest.raises(ValueError, match="custom_points"):
        TrainConfig().replace(target="custom", custom_points=points)
