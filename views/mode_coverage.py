"""Mode coverage: real MNIST on a t-SNE map, a generator's digits placed on it, which digits it
drops, and how that changes over training.

The first screen (1440x900, or 1280x720 in teacher mode) holds the generator's source and
transport, the map with G's digits placed on it again at every redraw while the run plays, and
the digit histogram beside it. The bigger placement with selection, the coverage over training and
the explanations sit in sections below; only the open one is built (ui.kit.sections)."""

import streamlit as st

from gan_core.coverage import digit_shares_points, real_digit_proportions, timeline
from gan_core.mnist import load_mnist
from ui.figures.coverage import coverage_timeline_figure, map_figure, selected_rows
from ui.figures.digits import grid
from ui.kit.live_controls import divergence_panel, live_area, transport
from ui.kit.readout import compact_page
from ui.kit.sections import sections
from ui.mode_coverage import sources as src
from classroom.digit_views import METRIC_EVERY, coverage_view
from ui.mode_coverage.live_map import LIVE_EVERY, layout, live_placement, render_live
from ui.mode_coverage.panel import coverage_panel
from ui.kit.table_widgets import widget
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.share.widget_setup import WidgetTableSetup

SECTIONS_KEY = "cov_tab"
SECTIONS = ("Place more digits and select on the map", "Coverage over training", "How to read the map")
LIVE_KEY = f"{src.PREFIX}_live_placed"

compact_page()
st.markdown("### Mode coverage: where do the generator's digits land?")
page_run = src.mnist_page_run()
if page_run is not None:
    st.session_state.setdefault("cov_source", src.MNIST_CHOICE)  # judge this tab's MNIST run first
sharing = WidgetTableSetup(src.SETTINGS, on_change={"preset": src.start_preset}, run_id=src.quick_run_id())
restore_link(sharing)
keep_address(sharing)  # its expander is drawn lower, bottom left
digit_map = src.get_map()

# ---- first screen: which generator | the live map | the digits it makes -------------------------
size = layout()
controls, views = st.columns([size["controls"], size["map"] + size["side"]], gap="small")
with controls:
    top = st.container()  # the transport first, though the generator is chosen below it
    choices = ([src.MNIST_CHOICE] if page_run is not None else []) + list(src.SOURCES)
    choice = widget(src.SETTINGS, "source", "Generator", options=choices, radio=True)
    live_run = page_run if choice == src.MNIST_CHOICE else src.quick_run() if choice == src.SOURCES[0] else None
    with top:  # drawn before the source brings its run's weights over (~0.1 s): Play and Pause show sooner
        if live_run is not None:
            transport(live_run, src.PREFIX, compact=True)
            st.caption("**Play** and watch G's digits (bold dots) move across the islands of real digits: "
                       "a collapsed G crowds onto a few.")
        if choice == src.SOURCES[0]:
            src.preset_picker()
    if choice == src.MNIST_CHOICE:
        source = src.mnist_page_source()
    elif choice == src.SOURCES[0]:
        source = src.quick_source()
    else:
        source = src.upload_source()
    share_expander(sharing, name="mode coverage setup")
with views:
    if source is None:
        st.info("Upload a checkpoint of an MNIST run to place its digits on the map.")
    else:
        if source.run is not None:
            divergence_panel(source.run, src.PREFIX)

        def show_live(run_call, view=None) -> None:
            """run_call(fn) -> fn(trainer), between two steps of a live run; view(): its reading
            computed where it trains."""
            try:
                placed = live_placement(run_call, digit_map, src.classifier(), LIVE_KEY, view)
            except ValueError as exc:
                st.error(f"Could not place this generator's digits: {exc}")
                return
            render_live(digit_map, placed)

        def live(run) -> None:
            if source.progress is not None and choice == src.SOURCES[0]:
                # the quick run's coverage points, read where it trains (classroom.digit_views): the
                # page no longer brings its weights over at every redraw, nor runs the classifier
                source.progress.take_view(run.view("mnist"))
            show_live(run.call, lambda: run.view(coverage_view(digit_map.key)))

        if source.run is not None:
            live_area(source.run, src.PREFIX, live, every=LIVE_EVERY)
        else:  # an uploaded checkpoint holds a single moment
            show_live(lambda fn: fn(source.trainer))
if source is None:
    st.stop()

# ---- below: the bigger placement, coverage over training, how to read the map ------------------
place_tab, over_time, about = sections(SECTIONS, key=SECTIONS_KEY)
if place_tab.open:
    with place_tab:
        left, right, button = st.columns([2, 2, 1])
        n = widget(src.SETTINGS, "n", "Generated digits to place", left)
        threshold = widget(src.SETTINGS, "threshold", "“Between modes” below classifier confidence", right)
        pressed = button.button("Place on the map", key="cov_place", type="primary", width="stretch",
                                help="Place this many digits with the full t-SNE transform (a few seconds); "
                                     "while the run plays, only this button places them again.")
        # The live map above follows the run; this full placement (seconds) is made again only on the
        # button, for another generator or another count: not at every step, so Step stays quick.
        kept = st.session_state.get(f"{src.PREFIX}_placed")  # ((id(trainer), iteration, updates, n, map), placed)
        same = kept is not None and (kept[0][0], kept[0][3], kept[0][4]) == (id(source.trainer), n, digit_map.key)
        if not (same or pressed) and source.run is not None and source.run.playing:
            st.info(f"Press **Place on the map** to place {n:,} of the generator's digits with the full t-SNE "
                    "transform (a few seconds, during which the live map above waits), to select them on the "
                    "map and see the blends between modes.")
            st.stop()
        try:
            if same and not pressed:
                placed = kept[1]
            else:
                with st.spinner(f"Reading and placing {n:,} generated digits…"):
                    placed = src.placed_sample(source, digit_map, n)
        except ValueError as exc:
            st.error(f"Could not place this generator's digits: {exc}")
            st.stop()
        read = placed.read
        between = read.between_modes(threshold)
        # outside the live fragment this line is not redrawn while the run plays: no live number in it
        moved = source.trainer.iteration != read.iteration or (source.run is not None and source.run.playing)
        st.caption(f"Judging {source.name}" + (f" ({source.note})" if source.note else "") +
                   f": {len(read.images):,} digits at iteration {read.iteration:,}"
                   + (" (the run has trained on since: the live map above follows it; press *Place on the map* "
                      "to place them again here)." if moved else ".")
                   + f" Map: {len(digit_map):,} real digits from the {digit_map.source}, {digit_map.origin} "
                   f"(built in {digit_map.build_seconds:.0f} s, PCA to {digit_map.params.pca_dims} dimensions, "
                   f"perplexity {digit_map.params.perplexity:g}).")

        map_col, side_col = st.columns([3, 2])
        with map_col:
            fig = map_figure(digit_map.coords, digit_map.labels, placed.positions, read.digits, between,
                             not_digits=read.not_digits)
            event = st.plotly_chart(fig, key="cov_map", on_select="rerun", selection_mode=("box", "lasso", "points"))
        with side_col:
            real_rows, fake_rows = selected_rows(event)
            if real_rows or fake_rows:
                st.subheader("Selected")
                if fake_rows:
                    st.caption(f"{len(fake_rows)} generated digit(s), classifier reads: "
                               + ", ".join(str(read.digits[i]) for i in fake_rows[:30]))
                    st.image(grid(read.images[fake_rows[:60]], cols=10, scale=2))
                if real_rows:
                    st.caption(f"{len(real_rows)} real digit(s) of the map")
                    st.image(grid(load_mnist().images[digit_map.indices[real_rows[:60]]], cols=10, scale=2))
            else:
                st.info("Drag a box or lasso on the map (or click a point) to see those digits here.")
            noise = read.not_digits
            if len(noise):
                st.subheader(f"Not digits yet: {len(noise):,} of {len(read.images):,}")
                st.caption("These lie farther from every real digit than real digits lie from one another. The "
                           "classifier still names a digit for each (it was only ever shown digits), so they are "
                           "counted in no digit: noise is no collapse.")
                st.image(grid(read.images[noise[:12]], cols=6, scale=2))
            st.subheader(f"Between modes: {len(between)} of {len(read.images):,}")
            if len(between):
                st.caption("The fakes the classifier is least sure of: blends of two digits, the "
                           "“love-children” that land between islands. Under each: the two digits it mixes.")
                shown = between[:12]
                cols = st.columns(4)
                for j, i in enumerate(shown):
                    cols[j % 4].image(grid(read.images[i:i + 1], cols=1, scale=3), caption=read.blend_caption(i))
            else:
                st.caption("Every digit-like fake reads clearly as one digit at this threshold.")

        st.subheader("Coverage: generated vs real digit shares")
        coverage_panel(read.coverage, "cov", real=real_digit_proportions(digit_map.labels))
        st.caption(f"Mean classifier confidence {read.confidence.mean():.2f} (high even for noise: the classifier "
                   "only knows digits). A digit is covered when the classifier reads at least one digit-like "
                   "generated image as it.")
if over_time.open:
    with over_time:
        points = src.timeline_points(source)
        if len(points) >= 2:
            st.plotly_chart(coverage_timeline_figure(timeline(points)), key="cov_timeline")
            st.caption("Top: each digit's share of the generated digits (bright = often drawn, dark = "
                       "dropped). Bottom: digits covered and KL(p_gen ‖ uniform), 0 when every digit gets a "
                       "tenth. Points come from the run's coverage record and its rollback snapshots.")
        else:
            st.info(f"Not enough saved points of this run yet: a coverage point is recorded every {METRIC_EVERY} "
                    "iterations while a run plays (an uploaded checkpoint holds a single moment).")
        shares = digit_shares_points(source.progress.points[-1:], source.progress.metric_samples) \
            if source.progress is not None else []
        if shares:
            st.caption(f"Latest coverage point, iteration {shares[-1][0]:,}: {shares[-1][1].sentence}")
if about.open:
    with about:
        st.markdown(
            "Each faint dot is a **real** digit, placed by t-SNE so that similar-looking digits sit "
            "together: ten islands, one per digit. The generator's digits are dropped onto the same, fixed "
            "map (bold dots above, diamonds in the first section below, coloured by what a digit classifier "
            "reads). A generator that covers every mode lands on all ten islands; a **collapsed** one crowds "
            "onto a few. Fakes the classifier cannot read (black crosses in the first section below) often fall "
            "**between** islands: blends of two digits. Images that look like **no digit yet** (an untrained "
            "generator's noise: grey circles) are counted in no digit.")
        st.markdown(
            "**The live map** places the same 200 noise vectors' digits every second while the run plays, "
            "with openTSNE's starting point for new points (each at the median map position of its nearest real "
            "digits, no optimisation steps), a fraction of a second; between two placements each digit glides "
            "from its last place to its new one, so one z can be followed across the map. The first section "
            "below places as many digits as you ask with the full transform (100 optimisation steps against the "
            "fixed map), a few seconds. The map itself is never rebuilt.")
