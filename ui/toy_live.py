"""The 2D lab's live area: big numbers, the plane views, the step story and the time charts.

`render(run)` is what ui.live_controls.live_area redraws while the run plays (and once per page
run otherwise); every number comes from one LabViews.compute() call, which holds the trainer for
milliseconds. Heavy parts (density estimate, mode metrics) are computed at most once per
iteration count: a redraw of a paused run reuses the last data.
"""

from __future__ import annotations

import time

import streamlit as st

from gan_core.live import LiveRun
from gan_core.trainer import RECORD_FIELDS
from ui.step_story import step_story
from ui.toy_figures import FigureCache
from ui.toy_render_data import LabViews, RenderData
from ui.toy_views import LAYERS

VIEWS_KEY = "toy_lab_views"
FIGS_KEY = "toy_lab_figures"
DATA_KEY = "toy_lab_data"
LAYERS_KEY = "toy_layers"
STORY_KEY = "toy_story_shown"


def lab_views() -> LabViews:
    return st.session_state.setdefault(VIEWS_KEY, LabViews())


def render_data(run: LiveRun) -> RenderData:
    """This redraw's data; recomputed only when the run moved (or was replaced) since the last."""
    cached = st.session_state.get(DATA_KEY)
    trainer = run.trainer
    stamp = (id(trainer), trainer.updates, trainer.config)
    if cached is not None and cached[0] == stamp and not run.playing:
        return cached[1]
    if cached is not None and run.playing and time.monotonic() - cached[2] < 0.1:
        return cached[1]  # the other fragment just computed it
    data = lab_views().compute(run)
    st.session_state[DATA_KEY] = ((id(trainer), data.updates, data.config), data, time.monotonic())
    return data


def _last_record(history: dict) -> dict:
    if not len(history.get("update", ())):
        return {}
    return {f: history[f][-1] for f in RECORD_FIELDS}


def status_line(data: RenderData) -> None:
    c = data.config
    with st.container(key="toy_status"):
        st.markdown(f"Real label in use: **{c.real_label:.2f}** (label smoothing **{c.label_smoothing:.2f}**) · "
                    f"batch size **{c.batch_size}** · loss **{c.loss}** · lr D **{c.lr_d:g}** / G **{c.lr_g:g}** · "
                    f"k = **{c.d_steps}** · target **{c.target}**")


def big_numbers(run: LiveRun, data: RenderData) -> None:
    last_modes = data.modes["modes_captured"]
    cols = st.columns(5)
    cols[0].metric("Iteration", f"{data.iteration:,}", help="Completed G updates (iterations of Algorithm 1).")
    cols[1].metric("Updates (D + G)", f"{data.updates:,}")
    cols[2].metric("Speed", f"{data.rate:.0f} it/s" if run.playing else "paused")
    if data.n_modes:
        cols[3].metric("Modes captured", f"{int(last_modes[-1]) if len(last_modes) else 0} / {data.n_modes}")
        hq = data.modes["hq_percent"]
        cols[4].metric("High quality", f"{hq[-1]:.1f} %" if len(hq) else "–",
                       help="Share of 2500 fakes within 3σ of a mode centre (VEEGAN / PacGAN).")
    else:
        d_fake = data.history["d_fake"]
        cols[3].metric("mean D(G(z))", f"{d_fake[-1]:.3f}" if len(d_fake) else "–")
        cols[4].metric("Target", data.config.target)


def story(data: RenderData, reveal_delay: float = 0.0) -> None:
    """The sub-steps of the latest update with their numbers; revealed one by one in slow motion."""
    steps = step_story(data.last_batch, _last_record(data.history), data.config)
    if not steps:
        st.caption("Press Step D, Step G or Step both to see each sub-step of an update with its numbers.")
        return
    kind = "discriminator" if data.last_batch["kind"] == "D" else "generator"
    st.markdown(f"**What just happened — one {kind} update** (update #{data.updates:,})")
    # slow motion: a step that was not narrated yet is revealed one sub-step at a time
    animate = reveal_delay > 0 and st.session_state.get(STORY_KEY) != data.updates
    st.session_state[STORY_KEY] = data.updates
    for name, text in steps:
        st.markdown(f"**{name}** — {text}")
        if animate:
            time.sleep(min(reveal_delay, 0.6))  # paused step mode: nothing trains meanwhile


TIME_CHARTS_EVERY = 1.0  # seconds: the time charts change slowly; the browser redraws less


def render(run: LiveRun) -> None:
    """The fast part: numbers, the plane views and the step story (the live fragment)."""
    data = render_data(run)
    views = lab_views()
    figs = figure_cache().plane_figures(views, data, st.session_state.get(LAYERS_KEY, LAYERS))
    status_line(data)
    big_numbers(run, data)
    main, side = st.columns([3, 2])
    main.plotly_chart(figs["plane"], key="toy_plane")
    with side:
        st.plotly_chart(figs["field"], key="toy_field")
        if not run.playing:
            story(data, run.delay)
    left, right, third = st.columns(3)
    left.plotly_chart(figs["d"], key="toy_d")
    right.plotly_chart(figs["d_star"], key="toy_dstar")
    if "manifold" in figs:
        third.plotly_chart(figs["manifold"], key="toy_manifold")
    else:
        third.info(f"The manifold view needs z_dim 1 or 2 (this run has {data.config.z_dim}).")
    scene = views.scene
    blur = "exact p_data" if scene.exact_density else "p_data estimated from real samples"
    st.caption(f"D* uses {blur} and a kernel density estimate of 512 fakes for p_g, both seen through the "
               f"same Gaussian blur (h = {scene.bandwidth:.2f}): where G matches the data, D* = ½.")


def render_time_charts(run: LiveRun) -> None:
    """The slow part: losses, D's outputs, modes and the per-mode timeline (a second fragment)."""
    data = render_data(run)
    figs = figure_cache().time_charts(data, run.playing)
    st.subheader("Over time")
    a, b = st.columns(2)
    a.plotly_chart(figs["losses"], key="toy_losses")
    b.plotly_chart(figs["d_out"], key="toy_dout")
    if data.n_modes:
        c, d = st.columns(2)
        c.plotly_chart(figs["modes"], key="toy_modes")
        d.plotly_chart(figs["mode_timeline"], key="toy_mode_timeline")
    else:
        st.caption("This target has no separate modes: mode counts apply to the ring, the grid and your points.")


def figure_cache() -> FigureCache:
    return st.session_state.setdefault(FIGS_KEY, FigureCache())
