"""Side by side: two runs (2D targets, or the 1D lab's targets) with the same seed and data that
differ in one chosen setting, trained in lockstep, with both views and a chart comparing them.

The first screen (1440x900, or 1280x720 in teacher mode) holds the transport, the one setting that
differs with its two values, and both runs' views with their big numbers; the shared live settings
sit in a popover beside, what the pair shares and the share box in sections below (ui.kit.sections)."""

import streamlit as st

from ui.class_mode.student_banner import class_banner, pair_preset
from ui.kit.live_controls import divergence_panel, knob_widgets, live_area, transport
from ui.kit.readout import compact_page
from ui.kit.sections import sections
from ui.kit.teacher_mode import is_teacher_mode
from ui.side_by_side.pair import (PREFIX, comparison_notes, comparison_setup, get_pair_run, pair_frames, render,
                                  shared_knobs)
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.side_by_side.share import ComparisonSetup

CONTROLS_WIDTH = {False: 240, True: 215}  # px of the controls column; the views take the rest
SECTIONS_KEY = "sbs_section"

compact_page()
st.markdown("### Side by side: one setting, two runs")

run = get_pair_run()
sharing = ComparisonSetup(run)  # what its links carry
restore_link(sharing)
class_banner(run, "side by side", apply_preset=lambda config: pair_preset(run, config))
divergence_panel(run, PREFIX)

controls, views = st.columns([CONTROLS_WIDTH[is_teacher_mode()], 1000 - CONTROLS_WIDTH[is_teacher_mode()]],
                             gap="small")
with controls:
    transport(run, PREFIX, compact=True)
    comparison_setup(run)
    with st.popover("Shared live settings", icon=":material/tune:", width="stretch"):
        st.caption("These reach both runs at their next step.")
        knob_widgets(run, PREFIX, shared_knobs(run))
with views:
    live_area(run, PREFIX, render, every=0.25, frames=pair_frames(run))

keep_address(sharing)  # the address bar follows the pair, whichever section is open
about, share = sections(("About this comparison", "Share this comparison"), key=SECTIONS_KEY)
if about.open:
    with about:
        st.markdown("Two GANs start from **the same networks** and draw noise and data from **the same seeded "
                    "streams**; they differ in **one** setting you choose. Both advance by the same number of "
                    "iterations, so any difference you see comes from that setting alone (try label smoothing 0 "
                    "vs 0.1 on the grid, or batch 32 vs 512 on the ring).")
        comparison_notes(run)
if share.open:
    with share:
        share_expander(sharing)
