"""Test-only page: a small 2D run and an MNIST-shaped progress record with ui.kit.exports' buttons."""

import streamlit as st

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from ui.kit.exports import point_frames, record_frame, toy_exports
from ui.kit.session import get_run

SMALL = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16, seed=2)

run = get_run("exports test", lambda: Trainer(SMALL))
frames = point_frames("exp", every=5)
record_frame(run, frames)
st.markdown(f"iteration {run.trainer.iteration}, frames {len(frames.frames)}")
toy_exports(run, "exp", frames)
