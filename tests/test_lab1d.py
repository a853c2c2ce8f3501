"""gan_core.lab1d: the Figure-1 frame against an independent computation (exact kernel sum on a
much finer grid, D evaluated by the trainer), the z quantiles, and the estimate trace."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import norm

from gan_core import theory as T
from gan_core.lab1d import EstimateTrace, figure1_frame, lab_config, z_quantiles
from gan_core.trainer import Trainer


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(lab_config("bimodal_1d", seed=3))
    trainer.train(60)
    return trainer


def test_frame_matches_an_independent_computation(trained):
    f = figure1_frame(trained)
    # the same 2000 samples the frame used (its own seeded stream), summed exactly on a fine grid
    samples = trained.sample(2000, generator=torch.Generator().manual_seed(trained.config.seed + 3)).numpy().ravel()
    x = np.linspace(samples.min() - 3, samples.max() + 3, 20001)
    x = np.linspace(min(x[0], -6.5), max(x[-1], 6.5), 20001)  # and all of the target's mass
    p_data = trained.target.density(x[:, None])
    p_g = T.kde(samples, x)
    d = trained.d_probability(torch.as_tensor(x, dtype=torch.float32)[:, None]).double().numpy()
    assert f.jsd == pytest.approx(T.jsd(p_data, p_g, x), abs=2e-3)
    assert f.value == pytest.approx(T.value(d, p_data, p_g, x), abs=2e-3)
    assert f.c_of_g == pytest.approx(-math.log(4) + 2 * f.jsd, abs=1e-12)
    # the drawn curves
    assert f.p_data == pytest.approx(trained.target.density(f.x[:, None]), rel=1e-12)
    assert f.p_g == pytest.approx(T.kde(samples, f.x), abs=1e-3 * f.p_g.max())
    assert f.d_star == pytest.approx(T.optimal_discriminator(f.p_data, f.p_g), abs=1e-12)
    g_of_z = trained.generator(torch.as_tensor(f.z, dtype=torch.float32)[:, None]).detach().numpy().ravel()
    assert f.gz == pytest.approx(g_of_z, abs=1e-6)


def test_frame_is_deterministic_and_leaves_training_alone(trained):
    rng_state = trained.rng.get_state()
    a, b = figure1_frame(trained), figure1_frame(trained)
    assert a.jsd == b.jsd and a.value == b.value
    assert torch.equal(trained.rng.get_state(), rng_state)


def test_smoothed_frame_uses_the_real_label():
    trainer = Trainer(lab_config(label_smoothing=0.2))
    f = figure1_frame(trainer)
    assert f.real_label == pytest.approx(0.8)
    assert f.d_star == pytest.approx(0.8 * f.p_data / (f.p_data + f.p_g), abs=1e-12)


def test_z_quantiles():
    assert z_quantiles("uniform", 4) == pytest.approx([-0.75, -0.25, 0.25, 0.75])
    z = z_quantiles("gaussian", 5)
    assert z == pytest.approx(norm.ppf([0.1, 0.3, 0.5, 0.7, 0.9]))
    assert z[2] == 0.0 and z[0] == pytest.approx(-1.2815515655446004)


def test_estimate_trace_restarts_after_a_reset(trained):
    f = figure1_frame(trained)
    trace = EstimateTrace()
    trace.add(f)
    trace.add(f)  # the same iteration twice keeps one row
    assert list(trace.columns()["iteration"]) == [f.iteration]
    fresh = figure1_frame(Trainer(lab_config("bimodal_1d", seed=3)))  # iteration 0 < 60: a reset
    trace.add(fresh)
    cols = trace.columns()
    assert list(cols["iteration"]) == [0]
    assert cols["jsd"][0] == pytest.approx(fresh.jsd)


def test_lab_config_refuses_a_2d_target():
    with pytest.raises(ValueError, match="1D target"):
        lab_config("ring8")
    assert lab_config("trimodal_1d").z_dim == 1
