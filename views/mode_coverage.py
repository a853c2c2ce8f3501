"""Mode coverage: real MNIST on a t-SNE map, a generator's digits placed on it, which digits it
drops, and how that changes over training."""

import streamlit as st

from gan_core.coverage import digit_shares_points, real_digit_proportions, timeline
from gan_core.mnist import load_mnist
from ui.figures.coverage import coverage_timeline_figure, map_figure, selected_rows
from ui.figures.digits import grid
from ui.kit.live_controls import divergence_panel, live_area, transport
from ui.mode_coverage import sources as src
from ui.mode_coverage.panel import coverage_panel
from ui.share.widget_page import share_widgets, widget

st.title("Mode coverage: where do the generator's digits land?")
st.markdown(
    "Each faint dot is a **real** digit, placed by t-SNE so that similar-looking digits sit "
    "together: ten islands, one per digit. The generator's digits are dropped onto the same, fixed "
    "map (diamonds, coloured by what a digit classifier reads). A generator that covers every "
    "mode lands on all ten islands; a **collapsed** one crowds onto a few. Fakes the classifier "
    "cannot read (black crosses) often fall **between** islands: blends of two digits. Images that "
    "look like **no digit yet** (an untrained generator's noise: grey circles) are counted in no digit."
)
page_run = src.mnist_page_source()
if page_run is not None:
    st.session_state.setdefault("cov_source", src.MNIST_CHOICE)  # judge this tab's MNIST run first
share_widgets(src.SETTINGS, name="mode coverage setup", on_change={"preset": src.start_preset},
              run_id=src.quick_run_id())

digit_map = src.get_map()
st.caption(f"Map: {len(digit_map):,} real digits from the {digit_map.source}, "
           f"{digit_map.origin} (built in {digit_map.build_seconds:.0f} s, PCA to "
           f"{digit_map.params.pca_dims} dimensions, perplexity {digit_map.params.perplexity:g}).")

# ---- which generator ---------------------------------------------------------------------------
choices = ([src.MNIST_CHOICE] if page_run is not None else []) + list(src.SOURCES)
choice = widget(src.SETTINGS, "source", "Generator", options=choices, radio=True, horizontal=True)
if choice == src.MNIST_CHOICE:
    source = page_run
elif choice == src.SOURCES[0]:
    source = src.quick_source()
    src.preset_picker()
    transport(source.run, src.PREFIX)
    divergence_panel(source.run, src.PREFIX)

    def _live(run):
        source.progress.update(run.call)  # a coverage point every 50 iterations
        points = digit_shares_points(source.progress.points[-1:], source.progress.metric_samples)
        words = f" · at iteration {points[-1][0]:,}: {points[-1][1].sentence}" if points else ""
        st.caption(f"Iteration {run.trainer.iteration:,}{words} Press *Place on the map* to redraw the map.")

    live_area(source.run, src.PREFIX, _live, every=1.0)
else:
    source = src.upload_source()
    if source is None:
        st.info("Upload a checkpoint of an MNIST run to place its digits on the map.")
        st.stop()

left, right, button = st.columns([2, 2, 1])
n = widget(src.SETTINGS, "n", "Generated digits to place", left)
threshold = widget(src.SETTINGS, "threshold", "“Between modes” below classifier confidence", right)
button.button("Place on the map", key="cov_place", type="primary", width="stretch")
st.caption(f"Judging {source.name}" + (f" ({source.note})" if source.note else "") +
           f", at iteration {source.trainer.iteration:,}.")

try:
    with st.spinner(f"Reading and placing {n:,} generated digits…"):
        placed = src.placed_sample(source, digit_map, n)
except ValueError as exc:
    st.error(f"Could not place this generator's digits: {exc}")
    st.stop()
read = placed.read
between = read.between_modes(threshold)

# ---- the map and what is selected on it ---------------------------------------------------------
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

# ---- coverage ------------------------------------------------------------------------------------
st.subheader("Coverage: generated vs real digit shares")
coverage_panel(read.coverage, "cov", real=real_digit_proportions(digit_map.labels))
st.caption(f"Mean classifier confidence {read.confidence.mean():.2f} (high even for noise: the classifier "
           "only knows digits). A digit is covered when the classifier reads at least one digit-like "
           "generated image as it.")

st.subheader("Coverage over training")
points = src.timeline_points(source)
if len(points) >= 2:
    st.plotly_chart(coverage_timeline_figure(timeline(points)), key="cov_timeline")
    st.caption("Top: each digit's share of the generated digits (bright = often drawn, dark = "
               "dropped). Bottom: digits covered and KL(p_gen ‖ uniform), 0 when every digit gets a "
               "tenth. Points come from the run's coverage record and its rollback snapshots.")
else:
    st.info("Not enough saved points of this run yet: a coverage point is recorded every 50 "
            "iterations while a run plays (an uploaded checkpoint holds a single moment).")
