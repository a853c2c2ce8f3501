"""Links a student may type or a crafted page may send, on every live page and again after a
reload (a second tab opened on the address the first one shows): whatever the link codec lets
through, the page's widgets can show, and what it does not is refused or clamped by name, never
a traceback (issue 20: `?d_steps=11`, `1e308`, full-width digits and "every field at its largest"
raised StreamlitValueAboveMaxError on the 2D lab, 1D lab, side by side and MNIST pages, and custom
points at 1e300 an OverflowError).

The expected values are written out by hand from gan_core.config.FIELD_BOUNDS' numbers (d_steps
1..50, batch_size 2..8192, lr 1e-7..1, seed 0..2**31-1), not read back from the code under test."""

import pytest

from page_support import open_app, plain

TRAINING_PAGES = {  # page -> (its run's name in _live_runs, its widget prefix)
    "views/toy_2d.py": ("2D lab", "toy"),
    "views/toy_1d.py": ("1D lab (Figure 1)", "toy1d"),
    "views/side_by_side.py": ("Side by side", "sbs"),
}
MNIST = {"views/mnist.py": ("MNIST step by step", "mnist")}

# One link with a value of each kind the codec used to pass on to a widget that could not show it.
MIXED = {"d_steps": "11", "lr_d": "1e308", "batch_size": "１２８", "seed": "７"}
# Every numeric setting a link may carry, at the largest value TrainConfig allows (by hand).
LARGEST = {"z_dim": "256", "g_depth": "8", "g_width": "2048", "d_depth": "8", "d_width": "2048",
           "d_dropout": "0.9", "pack": "16", "seed": "2147483647", "batch_size": "8192", "lr_d": "1",
           "lr_g": "1", "adam_beta1": "0.9999", "adam_beta2": "0.99999", "sgd_momentum": "0.999",
           "d_steps": "50", "gp_weight": "1000", "r1_gamma": "1000", "label_smoothing": "0.5",
           "ema_decay": "0.9999", "lr_half_life": "10000000", "instance_noise": "2", "fake_label": "0.5"}
# the largest live knobs after the link: what the trainer and the widgets must both hold
LARGEST_LIVE = {"d_steps": 50, "batch_size": 8192, "lr_d": 1.0, "lr_g": 1.0, "r1_gamma": 1000.0,
                "gp_weight": 1000.0, "ema_decay": 0.9999, "lr_half_life": 10_000_000, "instance_noise": 2.0,
                "label_smoothing": 0.5}


def _reload(at, page: str):
    """A second browser session on the address the first one shows (the reload of issue 20)."""
    return open_app(page, {k: at.query_params[k] for k in at.query_params}, timeout=240)


def _knob_values(at, prefix: str, run) -> dict:
    config = run.trainer.config
    shown = {}
    for field in LARGEST_LIVE:
        key = f"{prefix}_knob_{field}"
        if key in at.session_state:  # the knobs this page draws
            shown[field] = (at.session_state[key],
                            config.label_smoothing if field == "label_smoothing" else getattr(config, field))
    return shown


def _check_mixed(at, run_name: str, prefix: str) -> None:
    errors, warnings = plain(at.error), plain(at.warning)
    assert "lr_d=1e+308 is above the largest allowed value; using 1" in warnings
    assert "batch_size must be written with the digits 0-9" in errors and "got '１２８'" in errors
    assert "seed must be written with the digits 0-9" in errors
    run = at.session_state["_live_runs"][run_name]
    config = run.trainer.config
    assert (config.d_steps, config.lr_d) == (11, 1.0)
    assert at.slider(key=f"{prefix}_knob_d_steps").value == 11  # the slider reaches 50 like the codec
    assert at.session_state[f"{prefix}_knob_lr_d"] == 1.0


def _check_largest(at, run_name: str, prefix: str) -> None:
    errors = plain(at.error)
    assert "the shared architecture: its networks would hold" in errors
    assert "kept the page's z_dim, g_depth, g_width, d_depth, d_width" in errors
    run = at.session_state["_live_runs"][run_name]
    config = run.trainer.config
    assert config.seed == 2147483647 and config.fake_label == 0.5 and config.d_dropout == 0.9
    shown = _knob_values(at, prefix, run)
    assert "d_steps" in shown and "batch_size" in shown
    for field, (widget, used) in shown.items():
        assert widget == pytest.approx(used, rel=1e-12) and used == pytest.approx(LARGEST_LIVE[field], rel=1e-12), field


@pytest.mark.parametrize("page", list(TRAINING_PAGES))
@pytest.mark.parametrize("link,check", [(MIXED, _check_mixed), (LARGEST, _check_largest)], ids=["mixed", "largest"])
def test_bad_links_end_in_words_on_every_training_page_and_after_a_reload(page, link, check):
    run_name, prefix = TRAINING_PAGES[page]
    at = open_app(page, dict(link), timeout=240)  # open_app fails on any exception the page raised
    check(at, run_name, prefix)
    again = _reload(at, page)
    assert not again.exception, again.exception


@pytest.mark.slow
@pytest.mark.parametrize("link,check", [(MIXED, _check_mixed), (LARGEST, _check_largest)], ids=["mixed", "largest"])
def test_bad_links_end_in_words_on_the_mnist_page_and_after_a_reload(link, check):
    (page, (run_name, prefix)), = MNIST.items()
    at = open_app(page, dict(link), timeout=240)
    check(at, run_name, prefix)
    again = _reload(at, page)
    assert not again.exception, again.exception


def test_custom_points_far_off_the_plane_are_refused_by_name():
    at = open_app("views/toy_2d.py", {"target": "custom", "custom_points": "1e300,1e300;0,0"})
    errors = plain(at.error)
    assert "custom_points must lie within ±100; got (1e+300, 1e+300)" in errors
    assert at.session_state["_live_runs"]["2D lab"].trainer.config.target == "ring8"  # the page's own


def test_the_architecture_form_shows_the_runs_own_widths_and_noise_dimension():
    # g_width 1000 and z_dim 100 are inside the config's table but were outside the form's ranges
    # (4..512, 1..16): the form showed 4 and 1.
    at = open_app("views/toy_2d.py", {"g_width": "1000", "z_dim": "100", "d_width": "600"},
                  state={"toy_tab": "Architecture & your own target"})
    config = at.session_state["_live_runs"]["2D lab"].trainer.config
    assert (config.g_width, config.z_dim, config.d_width) == (1000, 100, 600)
    assert at.number_input(key="toy_arch_g_width").value == 1000
    assert at.number_input(key="toy_arch_z_dim").value == 100
    assert at.number_input(key="toy_arch_d_width").value == 600


@pytest.mark.parametrize("page,query", [("views/toy_1d.py", {"z_dim": "256"}),
                                        ("views/side_by_side.py", {"target": "bimodal_1d", "z_dim": "3"})])
def test_a_noise_dimension_figure_1_cannot_draw_is_refused_by_name(page, query):
    # z_dim 256 is inside the config's table, but Figure 1 draws G as a curve z -> x: the page
    # used to accept it and then say it could not draw anything
    at = open_app(page, query)
    assert f"z_dim={query['z_dim']} cannot be drawn on a 1D target" in plain(at.error)
    run_name, _ = TRAINING_PAGES[page]
    assert at.session_state["_live_runs"][run_name].trainer.config.z_dim == 1
    assert "Cannot draw Figure 1" not in plain(at.error)
