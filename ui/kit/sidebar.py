"""The sidebar every page shares: what the app is, and the state of this tab's live runs."""

import streamlit as st

from classroom.service import runs_playing
from ui.kit.browser_owner import remember_owner_key
from ui.kit.session import all_runs
from ui.kit.teacher_mode import teacher_mode_toggle


def shared_sidebar() -> None:
    with st.sidebar:
        st.markdown("**GAN Classroom** — the mathematics of GANs, live.")
        teacher_mode_toggle()
        run_status()
        remember_owner_key()  # the cookie that lets a reload, and only in this browser, find its runs


@st.fragment(run_every=2.0)
def run_status() -> None:
    """One line per run of this tab; it also tells each run that somebody is still watching."""
    runs = all_runs()
    for name, run in runs.items():
        run.touch()
        state = ":material/play_arrow: playing" if run.playing else ":material/pause: paused"
        st.caption(f"{name}: {state}, iteration {run.trainer.iteration:,}")
    sharing_note(runs)


def sharing_note(runs) -> None:
    """Why a run trains slower when the class presses Play together: the server's runs take turns."""
    mine = [run for run in runs.values() if run.playing]
    playing = runs_playing()
    if not mine or playing <= len(mine):
        return
    gate = getattr(mine[0], "gate", None)  # runs on threads of this process share a gate
    if gate is None:
        at_once = "each worker process training its runs one iteration at a time"
    else:
        at_once = f"{gate.slots} at a time" if gate.slots else "all at once"
    st.caption(f"{playing} runs are playing on this server (other tabs too); they take turns on the "
               f"CPU, {at_once}, so each trains more slowly than alone.")
