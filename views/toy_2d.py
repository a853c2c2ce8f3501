"""2D toys & mode collapse: a GAN learns a 2D distribution live while the class retunes it.

The first screen (1440x900, or 1280x720 in teacher mode) holds what a class watches while a slider
moves: the transport, label smoothing and batch size, the plane, the modes readout and the
per-mode histogram. Everything else sits in sections below (ui.kit.sections)."""

import streamlit as st

from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_2D
from gan_core.trainer import Trainer
from ui.class_mode.student_banner import class_banner
from ui.figures.toy_2d import LAYERS
from ui.kit.checkpoint_upload import checkpoint_upload
from ui.kit.exports import point_frames, toy_exports
from ui.kit.live_controls import STABILIZER_KNOBS, divergence_panel, knob_widgets, live_area, transport
from ui.kit.readout import compact_page
from ui.kit.sections import sections
from ui.kit.session import get_run
from ui.kit.widget_state import state_value
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.share.run_setup import RunSetup
from ui.toy_2d.live import (LAYERS_KEY, SECONDARY_EVERY, TRAINED_KEY, first_screen_frames, layout, render,
                            render_secondary, render_story)
from ui.toy_2d.setup_panels import (KNOB_FIELDS, PREFIX, architecture_form, draw_your_own, install_trainer,
                                    preset_panel, stabilizer_panel, start_new_run)

RUN_NAME = "2D lab"
SPEEDS = {"full speed": 0.0, "slow": 0.05, "slower": 0.2, "one per second": 1.0}
BASE = TrainConfig(target="ring8")  # the page's default run; links carry what differs from it
FIRST_SCREEN_KNOBS = ("label_smoothing", "batch_size")  # what the class tries against collapse
SECTIONS_KEY = "toy_tab"

run = get_run(RUN_NAME, lambda: Trainer(BASE))
timeline = point_frames(PREFIX)  # the GIF timeline: G(fixed z) every few iterations
sharing = RunSetup("toy_2d", run, BASE, install=start_new_run, targets=TARGETS_2D)  # what its links carry


def record(data) -> None:
    # the GIF timeline takes G(fixed z) from the frame being drawn
    timeline.record_view(data.generation, data.iteration, data.frame.fakes)


compact_page()
st.markdown("### 2D toys & mode collapse")
restore_link(sharing)
class_banner(run, RUN_NAME, apply_preset=lambda config: start_new_run(run, config))
divergence_panel(run, PREFIX)

size = layout()
controls, views = st.columns([size["controls"], size["plane"] + size["side"]], gap="small")
with controls:
    transport(run, PREFIX, compact=True)
    knob_widgets(run, PREFIX, FIRST_SCREEN_KNOBS)
    with st.popover("More settings", icon=":material/tune:", width="stretch"):
        knob_widgets(run, PREFIX, tuple(f for f in KNOB_FIELDS if f not in FIRST_SCREEN_KNOBS + STABILIZER_KNOBS))
        st.markdown("**Stabilisers** (the Stabilisers section below explains each)")
        knob_widgets(run, PREFIX, STABILIZER_KNOBS, errors=False)
        for key, default in ((f"{PREFIX}_speed", "full speed"), (LAYERS_KEY, list(LAYERS))):
            st.session_state.setdefault(key, default)  # and each widget's default (ui.kit.widget_state)
        speed = st.select_slider("Slow motion", list(SPEEDS), value=state_value(f"{PREFIX}_speed"),
                                 key=f"{PREFIX}_speed",
                                 help="Pause between iterations while playing; in step mode the sub-steps "
                                      "are revealed one by one.")
        st.multiselect("Layers on the main view", LAYERS, default=state_value(LAYERS_KEY), key=LAYERS_KEY)
    run.delay = SPEEDS[st.session_state.get(f"{PREFIX}_speed", "full speed")]
    if run.trainer.config.ema_decay > 0:  # the views show the weight average; the trained G on request
        st.toggle("Show trained G too", key=TRAINED_KEY,
                  help="Purple: fakes of the average of G's weights (EMA), what every view shows. Gold, a size "
                       "larger underneath: the same noise through the G being trained, which wobbles around "
                       "its average.")
    st.caption("Press **Play**, then move a slider: it applies from the next step and the run keeps going.")
with views:
    live_area(run, PREFIX, lambda run: render(run, on_data=record), every=0.25,
              frames=first_screen_frames(run, on_data=record))

# Only the open section is built and sent: a slider's rerun then costs the server and the browser
# the first screen plus one section (the draw-your-own canvas, downloads and share stay unbuilt).
SECTIONS = ("Presets", "D vs D*, field, manifold, over time", "Step story", "Stabilisers",
            "Architecture & your own target", "Downloads & share")
presets, more, story, stabilizers, setup, files = sections(SECTIONS, key=SECTIONS_KEY)
if presets.open:
    with presets:
        preset_panel(run)
if more.open:
    with more:
        live_area(run, f"{PREFIX}_secondary", render_secondary, every=SECONDARY_EVERY, watch_paused=False)
if story.open:
    with story:
        render_story(run)
if stabilizers.open:
    with stabilizers:
        stabilizer_panel(run)
if setup.open:
    with setup:
        arch_col, draw_col = st.columns([1, 2])
        with arch_col:
            st.markdown("**Architecture, target and seed** (a rebuild restarts the run)")
            architecture_form(run)
        with draw_col:
            st.markdown("**Draw your own target**")
            draw_your_own(run)
keep_address(sharing)
if files.open:
    with files:
        toy_exports(run, PREFIX, timeline)
        checkpoint_upload(run, PREFIX, install=install_trainer, targets=TARGETS_2D, what="a 2D target")
        share_expander(sharing)
