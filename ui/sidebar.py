"""The sidebar every page shares: what the app is, and the state of this tab's live runs."""

import streamlit as st

from ui.session import all_runs
from ui.teacher_mode import teacher_mode_toggle


def shared_sidebar() -> None:
    with st.sidebar:
        st.markdown("**GAN Classroom** — the mathematics of GANs, live.")
        teacher_mode_toggle()
        run_status()


@st.fragment(run_every=2.0)
def run_status() -> None:
    """One line per run of this tab; it also tells each run that somebody is still watching."""
    runs = all_runs()
    for name, run in runs.items():
        run.touch()
        state = "▶ playing" if run.playing else "⏸ paused"
        st.caption(f"{name}: {state}, iteration {run.trainer.iteration:,}")
