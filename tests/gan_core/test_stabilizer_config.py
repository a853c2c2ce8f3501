"""The stabilisers' settings: bad values refused by name, edges accepted, which are live."""


import pytest

from gan_core.config import RebuildRequired, TrainConfig
from gan_core.stabilizers import SpectralNorm
from gan_core.trainer import Trainer
from train_support import SMALL


# ---- configuration -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("ema_decay", -0.1), ("ema_decay", 1.0), ("ema_decay", 0.99995), ("ema_decay", "0.9"),
    ("ema_decay", float("nan")), ("ema_decay", True),
    ("lr_half_life", -1), ("lr_half_life", 2.5), ("lr_half_life", True), ("lr_half_life", "10"),
    ("lr_half_life", 10_000_001),
    ("instance_noise", -0.01), ("instance_noise", 2.01), ("instance_noise", float("nan")),
    ("instance_noise", None),
    ("spectral_norm", 1), ("spectral_norm", "yes"), ("spectral_norm", None), ("spectral_norm", 0),
])
def test_bad_stabiliser_settings_are_refused_by_name(field, value):
    with pytest.raises(ValueError, match=field):
        TrainConfig(**{field: value})
    with pytest.raises(ValueError, match=field):
        SMALL.replace(**{field: value})


@pytest.mark.parametrize("field, value", [
    ("ema_decay", 0.0), ("ema_decay", 0.9999), ("ema_decay", 0.5),
    ("lr_half_life", 0), ("lr_half_life", 1), ("lr_half_life", 10_000_000),
    ("instance_noise", 0.0), ("instance_noise", 2.0), ("instance_noise", 1),
    ("spectral_norm", True), ("spectral_norm", False),
])
def test_edge_values_are_accepted(field, value):
    assert getattr(TrainConfig(**{field: value}), field) == value


def test_spectral_norm_needs_a_rebuild_and_the_other_three_are_live():
    t = Trainer(SMALL)
    t.step()
    with pytest.raises(RebuildRequired, match="spectral_norm"):
        t.update(spectral_norm=True)
    assert t.config.spectral_norm is False
    assert t.update(spectral_norm=False) == {}  # not a change
    with pytest.raises(ValueError, match="ema_decay"):
        t.update(ema_decay=1.5, lr_half_life=10)
    assert t.config.lr_half_life == 0 and t.average is None  # nothing changed
    diff = t.update(ema_decay=0.95, lr_half_life=10, instance_noise=0.2)
    assert diff == {"ema_decay": (0.0, 0.95), "lr_half_life": (0, 10), "instance_noise": (0.0, 0.2)}
    assert (t.config.ema_decay, t.config.lr_half_life, t.config.instance_noise) == (0.95, 10, 0.2)
    assert t.average is not None
    assert [e[1] for e in list(t.events)[-3:]] == ["ema_decay", "lr_half_life", "instance_noise"]
    record = t.step()[-1]
    assert record.lr == pytest.approx(SMALL.lr_g * 0.5 ** (1 / 10), rel=1e-12)
    assert t.average.updates == 1
    rebuilt = t.rebuilt(spectral_norm=True)
    assert rebuilt.config.spectral_norm and any(isinstance(m, SpectralNorm) for m in rebuilt.discriminator.modules())
    assert rebuilt.config.ema_decay == 0.95 and rebuilt.average is not None
