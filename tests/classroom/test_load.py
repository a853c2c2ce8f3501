"""Load: 20 concurrent sessions of the 2D lab (AppTest instances of app.py switched to
views/toy_2d.py), all playing at once in the run service's worker processes, each with its own
seed and label smoothing set through the page's slider. No state bleeds between them, nothing
raises, and after they close no Trainer (replica) is left, the workers host no run of theirs, and
the process's memory is back within a stated bound.
In-process and loopback-free (AppTest), bounded in count (20) and time (about a minute here)."""

import os
import sys

import pytest

from page_support import ROOT

sys.path.insert(0, os.path.join(ROOT, "bench"))

import load_sessions

SESSIONS = 20
RSS_BOUND_MIB = 100  # resident memory after closing may exceed the start by at most this much


@pytest.mark.slow
def test_twenty_sessions_train_at_once_without_bleed_or_leak():
    r = load_sessions.measure(SESSIONS, train_seconds=6.0)
    assert r["exceptions"] == 0
    assert r["playing"] == SESSIONS and r["playing_in_workers"] >= SESSIONS
    assert r["iterations_min"] > 0  # every session trained, though they took turns
    assert r["distinct_trainers"] and r["own_settings"] and r["seeds_give_different_weights"]
    assert r["trainers_end"] == r["trainers_start"] == 0 and r["playing_end"] == 0
    assert r["worker_runs_end"] <= r["worker_runs_start"]  # every closed tab's run was dropped where it trained
    assert r["rss_end_mib"] - r["rss_start_mib"] <= RSS_BOUND_MIB, r


def test_a_slider_moved_in_one_tab_stays_in_that_tab():
    a, b = load_sessions.open_session(1), load_sessions.open_session(2)
    a.slider(key="toy_knob_label_smoothing").set_value(0.2).run()
    b.run()
    run_a, run_b = load_sessions.lab_run(a), load_sessions.lab_run(b)
    assert run_a is not run_b and run_a.trainer is not run_b.trainer
    assert run_a.trainer.config.real_label == pytest.approx(0.8, abs=1e-12)
    assert run_b.trainer.config.real_label == pytest.approx(1.0, abs=1e-12)
    assert b.slider(key="toy_knob_label_smoothing").value == pytest.approx(0.0, abs=1e-12)
    run_a.run_steps("both", n=3)
    assert (run_a.trainer.iteration, run_b.trainer.iteration) == (3, 0)
