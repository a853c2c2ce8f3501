"""Side by side: two runs (2D targets, or the 1D lab's targets) with the same seed and data that
differ in one chosen setting, trained in lockstep, with both views and a chart comparing them."""

import streamlit as st

from ui.kit.live_controls import divergence_panel, knob_widgets, live_area, transport
from ui.side_by_side.pair import PREFIX, comparison_setup, get_pair_run, render, shared_knobs
from ui.side_by_side.share import comparison_share_box, restore_comparison

st.title("Side by side: one setting, two runs")
st.markdown("Two GANs start from **the same networks** and draw noise and data from **the same seeded "
            "streams**; they differ in **one** setting you choose. Both advance by the same number of "
            "iterations, so any difference you see comes from that setting alone (try label smoothing 0 "
            "vs 0.1 on the grid, or batch 32 vs 512 on the ring).")

run = get_pair_run()
restore_comparison(run)
comparison_setup(run)
transport(run, PREFIX)
divergence_panel(run, PREFIX)

controls, views = st.columns([1, 4], gap="medium")
with controls:
    st.subheader("Shared live settings")
    st.caption("These reach both runs at their next step.")
    knob_widgets(run, PREFIX, shared_knobs(run))
    comparison_share_box(run)
with views:
    live_area(run, PREFIX, render, every=0.5)
