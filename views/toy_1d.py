"""1D lab (Figure 1): the 2014 paper's Figure 1, live. A real gan_core Trainer with z_dim 1 learns a
1D target; the view shows p_data, p_g, D, D* and the mapping z -> G(z), and tracks V, JSD and
−log 4 + 2·JSD. Training uses the shared live mechanism (ui.kit.live_controls)."""

from functools import partial

import streamlit as st

from gan_core.distributions import TARGETS, TARGETS_1D
from gan_core.lab1d import lab_config
from gan_core.pointwise_optimum import optimum_rule
from gan_core.trainer import Trainer
from ui.canvas.figure1 import equilibrium_words
from ui.kit.checkpoint_upload import checkpoint_upload
from ui.kit.live_controls import STABILIZER_KNOBS, divergence_panel, knob_widgets, live_area, transport
from ui.kit.readout import compact_page
from ui.kit.sections import sections
from ui.kit.run_install import install_run
from ui.kit.session import get_run
from ui.kit.widget_state import state_value
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.share.run_setup import RunSetup
from ui.toy_1d.live import first_screen_frames, layout, render

RUN_NAME = "1D lab (Figure 1)"
PREFIX = "toy1d"
SECTIONS_KEY = "toy1d_section"
FIRST_SCREEN_KNOBS = ("label_smoothing", "batch_size")  # what the class tries live
FIELDS = ("label_smoothing", "batch_size", "d_steps", "lr_d", "lr_g", "r1_gamma", "noise") + STABILIZER_KNOBS
SPEEDS = {"full speed": 0.0, "slow": 0.05, "slower": 0.2, "one per second": 1.0}
BASE = lab_config("gaussian_1d")  # the page's default run; links carry what differs from it


def _redraw_target(trainer) -> None:
    # The selectbox then redraws from the new run's target (its index=; a value written to its key
    # as well would clash with that).
    st.session_state.pop(f"{PREFIX}_target", None)


# The 1D lab's install (ui.kit.run_install): its knobs and its target selectbox show the new trainer.
install_trainer = partial(install_run, prefix=PREFIX, knob_fields=FIELDS, sync_setup=_redraw_target)


def change_target(run) -> None:
    """A new target needs new networks: rebuild with today's live settings, say so."""
    target = st.session_state[f"{PREFIX}_target"]
    install_trainer(run, run.trainer.rebuilt(target=target), sync_setup=None)  # the selectbox chose it


def start_new_run(run, config) -> None:
    """A shared link or preset file: fresh networks with its settings, shown in every widget."""
    install_trainer(run, Trainer(config))


run = get_run(RUN_NAME, lambda: Trainer(BASE))
sharing = RunSetup("toy_1d", run, BASE, install=start_new_run, targets=TARGETS_1D)  # what its links carry

# The first screen (1440x900, or 1280x720 in teacher mode) holds what a class watches while a slider
# moves: the transport, label smoothing and batch size, Figure 1, the numbers and the curves.
# The introduction, the other settings, sharing and checkpoints sit below it.
compact_page()
st.markdown("### 1D lab: Figure 1 of the 2014 paper, live")
restore_link(sharing)
divergence_panel(run, PREFIX)

size = layout()
controls, views = st.columns([size["controls"], size["figure"] + size["side"]], gap="small")
with controls:
    transport(run, PREFIX, compact=True)
    knob_widgets(run, PREFIX, FIRST_SCREEN_KNOBS)
    st.selectbox("Target p_data", TARGETS_1D, key=f"{PREFIX}_target",
                 index=TARGETS_1D.index(run.trainer.config.target), on_change=change_target, args=(run,),
                 format_func=lambda k: TARGETS[k].description,
                 help="Changing the target builds new networks (the run restarts).")
    with st.popover("More settings", icon=":material/tune:", width="stretch"):
        knob_widgets(run, PREFIX, tuple(f for f in FIELDS if f not in FIRST_SCREEN_KNOBS + STABILIZER_KNOBS))
        st.markdown("**Stabilisers**", help="Explained one paragraph each on the 2D lab's Stabilisers tab. With an "
                                            "EMA of G's weights, p_g and the z → G(z) lines are the average's.")
        knob_widgets(run, PREFIX, STABILIZER_KNOBS, errors=False)
        st.session_state.setdefault(f"{PREFIX}_speed", "full speed")  # and its default (ui.kit.widget_state)
        st.select_slider("Slow motion", list(SPEEDS), value=state_value(f"{PREFIX}_speed"), key=f"{PREFIX}_speed",
                         help="Pause between iterations while playing.")
        c = run.trainer.config
        st.caption(f"G and D: {c.g_depth}×{c.g_width} and {c.d_depth}×{c.d_width} MLPs, z_dim {c.z_dim}, "
                   f"loss {c.loss}, Adam β₁ {c.adam_beta1}, seed {c.seed}.")
    run.delay = SPEEDS[st.session_state.get(f"{PREFIX}_speed", "full speed")]
    st.caption("Press **Play**, then move a slider: G's lines move uphill on D until p_g covers p_data."
               + ("" if run.trainer.config.target == "gaussian_1d" else
                  " Several modes: watch whether G covers every mode or settles on some (see below)."))
with views:
    live_area(run, PREFIX, render, every=0.3, frames=first_screen_frames(run))

keep_address(sharing)  # the address bar follows the run, whichever section is open
about, files = sections(("What Figure 1 shows", "Share & checkpoint"), key=SECTIONS_KEY)
if about.open:
    with about:
        now = run.trainer.config  # the words follow the settings in use: the noise prior and the real label are live
        prior = "U(−1, 1)" if now.noise == "uniform" else "N(0, 1), drawn from −3 to 3"
        rest = equilibrium_words(optimum_rule(now.loss, now.real_label, now.fake_label))
        st.markdown(
            f"The bottom line is the noise axis **z ~ {prior}**; each grey-green line carries the same share of "
            "the noise to its image **x = G(z)** on the data axis. Where G squeezes the lines together, p_g "
            "(green) is high; where it stretches them, p_g is low. D (blue, dashed) is trained to tell p_data "
            "(black, dotted) from p_g; G then moves its lines uphill on D. At the equilibrium p_g = p_data and "
            f"{rest}. Press **Step D** and **Step G** to take one update of each, or **Play**.")
        if now.target != "gaussian_1d":
            st.info("Several modes: G is a continuous function of one noise number z, so to reach separated "
                    "modes it must stretch an interval of z across each gap, and a little mass always lands in "
                    "between (the lines that cross the gap). Watch whether G covers every mode or settles on some.")
        st.caption("Estimates are integrals on even grids over every interval where p_data or p_g has mass, "
                   "however far G's samples lie from the data (801 to 40,001 points in all, 3 per kernel "
                   "bandwidth): p_data is the target's exact mixture density, p_g a Gaussian kernel density "
                   "(Scott's bandwidth) of 2000 samples of G drawn from the same z every time. "
                   "V(D, G) = ∫ p_data log D + ∫ p_g log(1 − D); C(G) = max_D V(D, G) = −log 4 + 2·JSD, reached at "
                   "D* = p_data/(p_data + p_g). With real label α and fake label β the drawn D* is the maximiser of "
                   "the BCE objective, (α·p_data + β·p_g)/(p_data + p_g), and its V is lower than C(G) (its own curve, "
                   "named with α and β); least squares has the same D* with α and β as targets, the hinge loss "
                   "sign(p_data − p_g) = ±1 (drawn through σ, as D is), and WGAN-GP has no pointwise D*. D* is left "
                   "out where neither density has mass (it is undefined there) and, with an EMA of G's weights, is "
                   "for the G being trained, the one D faces.")
if files.open:
    with files:
        share_expander(sharing)
        checkpoint_upload(run, PREFIX, install_trainer, TARGETS_1D, "a 1D target", True,
                          ":material/save: Checkpoint: save or continue")
