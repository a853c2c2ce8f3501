"""2D toys & mode collapse: a GAN learns a 2D distribution live while the class retunes it."""

import streamlit as st

from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_2D
from gan_core.trainer import Trainer
from ui.checkpoint_upload import checkpoint_upload
from ui.exports import point_frames, record_frame, toy_exports
from ui.live_controls import divergence_panel, knob_widgets, live_area, transport
from ui.page_share import share_setup
from ui.session import get_run
from ui.toy_live import LAYERS_KEY, TIME_CHARTS_EVERY, render, render_time_charts
from ui.toy_setup import KNOB_FIELDS, PREFIX, architecture_form, draw_your_own, preset_panel, start_new_run
from ui.toy_views import LAYERS

RUN_NAME = "2D lab"
SPEEDS = {"full speed": 0.0, "slow": 0.05, "slower": 0.2, "one per second": 1.0}
BASE = TrainConfig(target="ring8")  # the page's default run; links carry what differs from it

run = get_run(RUN_NAME, lambda: Trainer(BASE))
frames = point_frames(PREFIX)  # the GIF timeline: G(fixed z) every few iterations


def render_and_record(run) -> None:
    record_frame(run, frames)
    render(run)


st.title("2D toys & mode collapse")
st.markdown("A generator turns 2D noise into points; a discriminator colours the plane by how *real* it "
            "finds each spot. Press **Play**, then move any slider: it applies from the next step, "
            "the run keeps going. Changes are marked on every chart's time axis.")

share_setup("toy_2d", run, BASE, install=start_new_run, targets=TARGETS_2D)
preset_panel(run)
arch_col, draw_col = st.columns([1, 2])
with arch_col.expander("Architecture, target and seed (rebuild)"):
    architecture_form(run)
with draw_col.expander("✏️ Draw your own target"):
    draw_your_own(run)
transport(run, PREFIX)
divergence_panel(run, PREFIX)

controls, views = st.columns([1, 4], gap="medium")
with controls:
    st.subheader("Live settings")
    knob_widgets(run, PREFIX, KNOB_FIELDS)
    speed = st.select_slider("Slow motion", list(SPEEDS), key=f"{PREFIX}_speed",
                             help="Pause between iterations while playing; in step mode the sub-steps "
                                  "are revealed one by one.")
    run.delay = SPEEDS[speed]
    st.multiselect("Layers on the main view", LAYERS, default=list(LAYERS), key=LAYERS_KEY)
with views:
    live_area(run, PREFIX, render_and_record, every=0.25)
    live_area(run, f"{PREFIX}_charts", render_time_charts, every=TIME_CHARTS_EVERY)
    with st.expander("⬇ Downloads: history, checkpoint, samples, timeline"):
        toy_exports(run, PREFIX, frames)
        checkpoint_upload(run, PREFIX, install=start_new_run, targets=TARGETS_2D, what="a 2D target")
