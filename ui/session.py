"""Per-tab state: each page's LiveRun lives in st.session_state, so page switches keep it."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from gan_core.live import LiveRun
from gan_core.trainer import Trainer

RUNS_KEY = "_live_runs"


def all_runs() -> dict[str, LiveRun]:
    return st.session_state.setdefault(RUNS_KEY, {})


def get_run(name: str, make_trainer: Callable[[], Trainer]) -> LiveRun:
    """This tab's run called `name`, created with make_trainer() the first time."""
    runs = all_runs()
    if name not in runs:
        runs[name] = LiveRun(make_trainer())
    run = runs[name]
    run.touch()
    return run
