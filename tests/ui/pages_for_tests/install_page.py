"""Test-only page: a small 2D run, a few of its live knobs, and a button that installs the trainer
the test left in session_state["next_trainer"] with ui.kit.run_install.install_run."""

import streamlit as st

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from ui.kit.live_controls import knob_widgets
from ui.kit.run_install import install_run, show_message
from ui.kit.session import get_run

SMALL = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16, seed=2)
PREFIX = "it"
FIELDS = ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise", "ema_decay")


def _sync_setup(trainer) -> None:
    st.session_state[f"{PREFIX}_seed_shown"] = trainer.config.seed  # a page's setup widget


def _install() -> None:
    install_run(run, st.session_state["next_trainer"], prefix=PREFIX, knob_fields=FIELDS,
                sync_setup=_sync_setup, message=("success", "Installed: a fresh run."))


run = get_run("install test", lambda: Trainer(SMALL))
st.button("Install", key=f"{PREFIX}_install", on_click=_install)
show_message(PREFIX)
if st.session_state.get("draw_knobs", True):  # off: what install_run wrote is not redrawn by knob_widgets
    knob_widgets(run, PREFIX, FIELDS)
