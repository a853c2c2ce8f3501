"""MNIST, step by step: one discriminator update, one generator update, and what each does to
real and fake digits; then the whole run live, with its settings changed while it trains.

The first screen (1440x900, or 1280x720 in teacher mode) holds what a class watches: the
transport, label smoothing and batch size, G(fixed z) as a large digit grid, D(x) and D(G(z)) and
the digit histogram. The batches with D's scores, the curves, the walk-through, the latent walk
and the files sit in sections below; only the open one is built (ui.kit.sections)."""

import streamlit as st

from ui.kit.exports import mnist_exports
from ui.kit.live_controls import divergence_panel, knob_widgets, live_area, transport
from ui.kit.readout import compact_page
from ui.kit.sections import sections
from ui.kit.run_install import show_message
from ui.mnist.live import (BELOW_SECONDS, REDRAW_SECONDS, first_screen_frames, layout, make_render,
                           make_render_batches, make_render_over_time, page_objects)
from ui.mnist.metrics import walk_labeller
from ui.mnist.run import (MNIST_KNOBS, PREFIX, architecture_rebuild, checkpoint_box, data_note,
                          default_preset, get_mnist_run, preset_picker, start_from_config)
from ui.mnist.walk import latent_walk_section
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.share.run_setup import RunSetup

FIRST_SCREEN_KNOBS = ("label_smoothing", "batch_size")  # what the lesson changes while it trains
SECTIONS_KEY = "mnist_tab"
SECTIONS = ("Real & fake batches", "Over training: losses, digits, frames", "Step walk-through", "Latent walk",
            "Downloads, checkpoint & share")

compact_page()
st.markdown("### MNIST, step by step")
run = get_mnist_run()
BASE = default_preset().config  # links carry what differs from the page's default preset
sharing = RunSetup("mnist", run, BASE, install=start_from_config, targets=("mnist",))  # what its links carry
restore_link(sharing)
show_message(PREFIX)  # the outcome of the last preset / rebuild / upload, once
divergence_panel(run, PREFIX)

size = layout()
controls, views = st.columns([size["controls"], size["grid"] + size["side"]], gap="small")
with controls:
    transport(run, PREFIX, compact=True)
    knob_widgets(run, PREFIX, FIRST_SCREEN_KNOBS)
    with st.popover("More settings", icon=":material/tune:", width="stretch"):
        knob_widgets(run, PREFIX, tuple(f for f in MNIST_KNOBS if f not in FIRST_SCREEN_KNOBS), errors=False)
    with st.popover("Preset & model", icon=":material/widgets:", width="stretch"):
        # widgets mounted when the popover first opens show the defaults they are given: their
        # states (ui.kit.widget_state)
        preset_picker(run)
        st.markdown("**Architecture and seed** (a rebuild gives new weights)")
        architecture_rebuild(run)
    st.caption("**Play**, then move a slider: it applies at the next step. Paused, **D** and **G** step one "
               "update each.")
    data_note(run, caption=False)  # a fallback's warning stays on the first screen
with views:
    live_area(run, PREFIX, make_render(PREFIX), every=REDRAW_SECONDS, frames=first_screen_frames(run))
keep_address(sharing)

# Only the open section is built and sent: a slider's rerun costs the first screen plus one section.
batches, over_time, walkthrough, walk, files = sections(SECTIONS, key=SECTIONS_KEY)
if batches.open:
    with batches:
        live_area(run, f"{PREFIX}_batches", make_render_batches(PREFIX), every=BELOW_SECONDS, watch_paused=False)
if over_time.open:
    with over_time:
        live_area(run, f"{PREFIX}_over_time", make_render_over_time(PREFIX), every=BELOW_SECONDS, watch_paused=False)
if walkthrough.open:
    with walkthrough:
        st.markdown(
            "Algorithm 1 of the 2014 paper, one update at a time. **Step D** trains the discriminator "
            "once with G frozen: it sees a batch of real digits and a batch of G's fakes and is pushed to "
            "score the first real, the second fake. **Step G** trains the generator once with D frozen: "
            "its fakes are scored by D *as if they were labelled real*, and G moves to raise that score. "
            "**Play** alternates them (k D updates, then one G update) where the run is hosted; every "
            "setting on the left reaches the running trainer at its next step.")
        st.markdown(
            "**What to watch.** The grid at the top is G applied to the same 36 noise vectors at every "
            "redraw: noise first, then blurry strokes, then digits. Mean D(x) is D's average score on "
            "real digits and mean D(G(z)) on G's fakes; at the equilibrium of the game both reach ½. "
            "The histogram beside it is what a digit classifier reads in 500 of G's samples: a "
            "collapsed generator draws a few digits only. The section *Real & fake batches* shows every "
            "image of the latest D and G update with D's score on it.")
        data_note(run)
if walk.open:
    with walk:
        latent_walk_section(run, PREFIX, walk_labeller)
if files.open:
    with files:
        ckpt_col, share_col = st.columns(2, gap="large")
        with ckpt_col:
            st.markdown("**Checkpoint file**")
            checkpoint_box(run)
        with share_col:
            share_expander(sharing)
        st.markdown("**Downloads**: history, digit grid, timeline")
        mnist_exports(run, PREFIX, page_objects(PREFIX)["progress"], with_checkpoint=False)  # see above
