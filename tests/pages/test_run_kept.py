"""A run is never replaced by accident (issue 11): a rerun that carries an older address than the
one the app last wrote (the browser had not yet applied it when a slider moved) only retunes the
running trainer; a reload (a new tab session) with the run id in the address finds the same run."""


import pytest
from page_support import open_app

PAGES = {"views/toy_2d.py": ("2D lab", "toy"), "views/toy_1d.py": ("1D lab (Figure 1)", "toy1d")}


def run_of(at, name):
    return at.session_state["_live_runs"][name]


@pytest.mark.parametrize("page", PAGES)
def test_a_stale_address_during_slider_moves_never_replaces_the_run(page):
    name, prefix = PAGES[page]
    at = open_app(page)
    run = run_of(at, name)
    trainer = run.trainer
    run.run_steps("both", n=5)
    stale = {k: at.query_params[k] for k in at.query_params}  # what the browser shows now
    at.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.2).run()
    assert at.query_params["label_smoothing"] == "0.2"
    # the next move's rerun still carries the address from before the first move
    at.query_params.clear()
    at.query_params.update(stale)
    at.select_slider(key=f"{prefix}_knob_batch_size").set_value(32).run()
    assert not at.exception, at.exception
    assert run_of(at, name) is run and run.trainer is trainer, "the run was replaced"
    assert trainer.iteration == 5
    assert trainer.config.label_smoothing == pytest.approx(0.2, abs=1e-12) and trainer.config.batch_size == 32
    # widgets, address bar and trainer agree after the moves
    assert at.session_state[f"{prefix}_knob_label_smoothing"] == pytest.approx(0.2, abs=1e-12)
    assert at.session_state[f"{prefix}_knob_batch_size"] == 32
    assert at.query_params["label_smoothing"] == "0.2" and at.query_params["batch_size"] == "32"
    assert at.query_params["run"] == run.run_id


@pytest.mark.parametrize("page", PAGES)
def test_a_reloaded_tab_finds_its_run_by_the_id_in_the_address(page):
    name, prefix = PAGES[page]
    first = open_app(page)
    run = run_of(first, name)
    first.slider(key=f"{prefix}_knob_label_smoothing").set_value(0.1).run()
    run.run_steps("both", n=3)
    address = {k: first.query_params[k] for k in first.query_params}
    assert address["run"] == run.run_id

    reloaded = open_app(page, address)  # F5: a new session opens the same address
    assert run_of(reloaded, name) is run and run.trainer.iteration == 3
    assert reloaded.session_state[f"{prefix}_knob_label_smoothing"] == pytest.approx(0.1, abs=1e-12)
    assert not reloaded.error and not reloaded.warning


def test_an_unknown_run_id_applies_the_rest_of_the_link_to_a_fresh_run():
    at = open_app("views/toy_2d.py", {"run": "gone-long-ago", "batch_size": "64"})
    run = run_of(at, "2D lab")
    assert run.trainer.config.batch_size == 64 and run.trainer.iteration == 0
    assert at.query_params["run"] == run.run_id != "gone-long-ago"
    assert not at.error


@pytest.mark.parametrize("page, name", [("views/side_by_side.py", "Side by side"),
                                        ("views/mnist.py", "MNIST step by step")])
def test_every_training_page_is_found_again_after_a_reload(page, name):
    first = open_app(page)
    run = run_of(first, name)
    run.run_steps("both", n=2)
    address = {k: first.query_params[k] for k in first.query_params}
    assert address["run"] == run.run_id
    reloaded = open_app(page, address)
    assert run_of(reloaded, name) is run and run.trainer.iteration == 2
    assert reloaded.query_params["run"] == run.run_id
