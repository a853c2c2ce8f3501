"""MNIST, step by step: one discriminator update, one generator update, and what each does to
real and fake digits; then the whole run live, with its settings changed while it trains."""

import streamlit as st

from ui.kit.exports import mnist_exports
from ui.kit.live_controls import divergence_panel, knob_widgets, live_area, transport
from ui.kit.run_install import show_message
from ui.mnist.live import REDRAW_SECONDS, make_render, page_objects
from ui.mnist.metrics import walk_labeller
from ui.mnist.run import (MNIST_KNOBS, PREFIX, architecture_rebuild, checkpoint_box, data_note,
                          default_preset, get_mnist_run, preset_picker, start_from_config)
from ui.mnist.walk import latent_walk_section
from ui.share.training_page import restore_setup, share_box

st.title("MNIST, step by step")
st.markdown(
    "Algorithm 1 of the 2014 paper, one update at a time. **Step D** trains the discriminator "
    "once with G frozen: it sees a batch of real digits and a batch of G's fakes and is pushed to "
    "score the first real, the second fake. **Step G** trains the generator once with D frozen: "
    "its fakes are scored by D *as if they were labelled real*, and G moves to raise that score. "
    "**Play** alternates them (k D updates, then one G update) on a background thread; every "
    "setting on the left reaches the running trainer at its next step."
)
run = get_mnist_run()
BASE = default_preset().config  # links carry what differs from the page's default preset
restore_setup("mnist", run, BASE, install=start_from_config, targets=("mnist",))
data_note(run)
show_message(PREFIX)  # the outcome of the last preset / rebuild / upload, once

settings, main = st.columns([1, 3.2], gap="large")
with settings:
    st.markdown("#### Preset")
    preset_picker(run)
    st.markdown("#### Live settings")
    knob_widgets(run, PREFIX, MNIST_KNOBS)
    with st.expander("Architecture and seed (rebuild)"):
        architecture_rebuild(run)
    with st.expander("Checkpoint file"):
        checkpoint_box(run)
    share_box("mnist", run, BASE, install=start_from_config, targets=("mnist",))
with main:
    transport(run, PREFIX)
    divergence_panel(run, PREFIX)
    live_area(run, PREFIX, make_render(PREFIX), every=REDRAW_SECONDS)
    with st.expander(":material/download: Downloads: history, digit grid, timeline"):
        mnist_exports(run, PREFIX, page_objects(PREFIX)["progress"], with_checkpoint=False)  # see the left

latent_walk_section(run, PREFIX, walk_labeller)
