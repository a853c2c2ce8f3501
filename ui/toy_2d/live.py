"""The 2D lab's live area: the plane, big numbers and the per-mode histogram on the first screen,
D beside D*, the gradient field, the manifold and the time charts below, the step story.

`render(run)` is what ui.kit.live_controls.live_area redraws while the run plays: its canvases 4
times a second from the frame feed (`first_screen_frames`), the rest once a second;
`render_secondary(run)` once a second; both draw on live canvases (ui.canvas), whose frames are a
few kB, because plotly figures kept the browser busy (issue 11). Every number comes from one
view computed where the run trains (run.view("toy_2d"): classroom.lab_views), once per change of
the run whichever tab asks: the web server draws and runs no network (issue 21).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import streamlit as st

from classroom.lab_views import RenderData
from classroom.service import Run
from ui.canvas import live_canvas
from gan_core.stabilizers import schedule_factor
from ui.canvas.charts import d_output_panel, loss_panel, lr_panel, mode_bars_panel, mode_strip_panel, series_panel
from ui.canvas.plane_views import (d_star_caption, d_versus_optimal_panels, field_panel, manifold_panel,
                                  plane_panel)
from ui.canvas.scene import Scene
from ui.figures.toy_2d import LAYERS
from ui.kit.readout import labels_status, readout
from ui.kit.teacher_mode import is_teacher_mode
from ui.toy_2d.step_story import step_story

LAYERS_KEY = "toy_layers"
TRAINED_KEY = "toy_show_trained"  # the toggle: draw the G being trained beside its weight average
STORY_KEY = "toy_story_shown"


def render_data(run: Run) -> RenderData:
    """This redraw's data, computed where the run trains (classroom.run_views: the run's host
    computes it once per change of the run, whichever tab asks, and sends it again only when it
    changed); the page only draws it."""
    return dataclasses.replace(run.view("toy_2d"), rate=run.rate)


def status_line(data: RenderData, prefix: str = "toy") -> None:
    """The settings the trainer is using right now (what a slider move must change)."""
    c = data.config
    labels = labels_status(c)
    with st.container(key=f"{prefix}_status"):
        st.caption(f"{labels} · batch size **{c.batch_size}** · loss **{c.loss}** · lr D **{c.lr_d:g}** / "
                   f"G **{c.lr_g:g}** · k = **{c.d_steps}** · target **{c.target}**"
                   + stabilizer_status(c, data.iteration))


def stabilizer_status(c, iteration: int) -> str:
    """The stabilisers in use, for the status line ("" when none is on): the schedule's factor now."""
    words = []
    if c.ema_decay > 0:
        words.append(f"EMA of G **{c.ema_decay:g}**")
    if c.lr_half_life > 0:
        factor = schedule_factor(c.lr_half_life, iteration)
        words.append(f"lr half-life **{c.lr_half_life:,}** (rates ×**{factor:.2f}** now)")
    if c.instance_noise > 0:
        now = c.instance_noise * schedule_factor(c.lr_half_life, iteration)
        words.append(f"instance noise **{c.instance_noise:g}**"
                     + (f" (**{now:.3g}** now)" if c.lr_half_life > 0 else ""))
    if c.spectral_norm:
        words.append("spectral norm in D")
    return "".join(f" · {w}" for w in words)


def big_numbers(run: Run, data: RenderData) -> None:
    """Iteration, speed, and what the lesson is about: modes captured and high quality."""
    items = [("Iteration", f"{data.iteration:,}"),
             ("Speed", f"{data.rate:.0f} it/s") if run.playing else ("Updates (D + G)", f"{data.updates:,}")]
    if data.n_modes:
        captured, hq = data.modes["modes_captured"], data.modes["hq_percent"]
        items += [("Modes captured", f"{int(captured[-1]) if len(captured) else 0} / {data.n_modes}"),
                  ("High quality", f"{hq[-1]:.1f} %" if len(hq) else "–")]
    else:
        d_fake = data.history["d_fake"]
        items.append(("Mean D(G(z))", f"{d_fake[-1]:.3f}" if len(d_fake) else "–"))
    readout(items)


def story(data: RenderData, reveal_delay: float = 0.0) -> None:
    """The sub-steps of the latest update with their numbers; revealed one by one in slow motion."""
    steps = step_story(data.last_batch, data.last_record, data.config)
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


SECONDARY_EVERY = 1.0  # seconds: the views below the first screen change slowly; the browser redraws less
# First-screen layout in px (canvases shrink to their columns): controls | plane | modes.
# Normal: a 1440x900 screen; teacher mode: 1280x720 with larger type, where the plane (530 px wide,
# 598 px high with its legend) starts ~115 px down and must end above 720.
LAYOUT = {False: {"controls": 230, "plane": 600, "side": 300, "side_height": 470, "font": 13},
          True: {"controls": 205, "plane": 530, "side": 230, "side_height": 355, "font": 17}}


def layout() -> dict:
    return LAYOUT[is_teacher_mode()]


def plane_scene(scene, data: RenderData, layers, size: dict, teacher: bool, trained: bool = False) -> Scene:
    """The main view (no Streamlit: the benches build what the page sends). `trained`: with a weight
    average, also draw the G being trained."""
    width = size["plane"]
    # teacher mode: no title (the readout has the iteration), so the square plot and its two
    # legend lines fit a 720 px high projector
    height = width + 4 * size["font"] + (0 if teacher else 20)
    panel = plane_panel(scene, data.frame, (0, 0, width, height), layers, "" if teacher else None, trained=trained)
    return Scene(width, height, [panel], frame=data.updates, font=size["font"],
                 label="D's heatmap, real samples and fakes")


PLANE_CANVAS, MODES_CANVAS = "toy_plane_canvas", "toy_modes_canvas"


def first_screen_frames(run: Run, on_data=None):
    """frames() for the first screen's canvases: this redraw's data, then the plane and the per-mode
    histogram as render draws them. The page's options are read now (a feed calls it from another
    thread, between the page's reruns). on_data(data): anything else a redraw does with its data
    (the GIF timeline)."""
    layers, trained = st.session_state.get(LAYERS_KEY, LAYERS), bool(st.session_state.get(TRAINED_KEY))
    teacher = is_teacher_mode()
    size = LAYOUT[teacher]

    def frames(data: RenderData | None = None) -> dict[str, Scene]:
        data = data or render_data(run)
        if on_data is not None:
            on_data(data)
        return {PLANE_CANVAS: plane_scene(data.backdrop, data, layers, size, teacher, trained=trained),
                MODES_CANVAS: side_scene(data, size["side"], size["side_height"], size["font"] - 1)}
    return frames


def render(run: Run, on_data=None) -> None:
    """The first screen's live part: the plane, the big numbers, the per-mode histogram and the
    status line, drawn on canvases (a few kB a frame). on_data(data): as first_screen_frames."""
    data = render_data(run)
    scenes, size = first_screen_frames(run, on_data)(data), layout()
    plane_col, side_col = st.columns([size["plane"], size["side"]], gap="small")
    with plane_col:
        live_canvas(scenes[PLANE_CANVAS], key=PLANE_CANVAS)
    with side_col:
        big_numbers(run, data)
        live_canvas(scenes[MODES_CANVAS], key=MODES_CANVAS)
        status_line(data)


def side_scene(data: RenderData, w: int, h: int, font: int) -> Scene:
    """The per-mode histogram now and each mode's share over time (targets with modes), else D's
    outputs over time."""
    if data.n_modes:
        m = data.modes
        counts = m["mode_counts"][:, -1] if m["mode_counts"].size else np.zeros(data.n_modes)
        panels = [mode_bars_panel((0, 0, w, h * 0.52), counts, "High-quality samples per mode"),
                  mode_strip_panel((0, h * 0.54, w, h * 0.46), m["iteration"], m["mode_counts"],
                                   "Share per mode over time")]
    else:
        panels = [d_output_panel((0, 0, w, h), data.history, data.events)]
    return Scene(w, h, panels, frame=data.updates, font=font, label="modes captured over time")


def secondary_scene(scene, data: RenderData, font: int) -> Scene:
    """D beside D*, G's gradient field, the manifold, and under them the losses, D's outputs, the
    modes and the learning rates over iterations (no Streamlit: the benches build what the page sends)."""
    cell, gap, chart = 300, 12, 260
    boxes = [(i * (cell + gap), 0, cell, cell + 40) for i in range(4)]
    panels = d_versus_optimal_panels(scene, data.frame, boxes[:2])
    panels += [field_panel(scene, data.frame, boxes[2]), manifold_panel(scene, data.frame, boxes[3])]
    top, width = cell + 60, 4 * cell + 3 * gap
    charts = [(i * (cell + gap), top, cell, chart) for i in range(4)]  # one column under each view
    panels += [loss_panel(charts[0], data.history, data.events),
               d_output_panel(charts[1], data.history, data.events)]
    if data.n_modes:
        m = data.modes
        panels.append(series_panel(charts[2], [
            (m["iteration"], m["modes_captured"] / data.n_modes * 100, "#7b2cbf", "modes captured (% of all)", ()),
            (m["iteration"], m["hq_percent"], "#2ca02c", "high quality (%)", ())], "Modes and quality (%)",
            y_range=(0.0, 105.0), events=data.events))
    panels.append(lr_panel(charts[3], data.history, data.config.lr_half_life, data.events))
    return Scene(width, top + chart, panels, frame=data.updates, font=font,
                 label="D and D*, gradient field, manifold, losses")


def render_secondary(run: Run) -> None:
    """Below the first screen, on one canvas that redraws once a second while the run plays."""
    data = render_data(run)
    scene = data.backdrop
    live_canvas(secondary_scene(scene, data, layout()["font"]), key="toy_secondary_canvas")
    st.caption(d_star_caption(data.frame.optimum, scene.exact_density, scene.bandwidth, data.frame.averaged)
               + " Dotted lines on the time axes mark setting changes.")


def render_story(run: Run) -> None:
    """The sub-steps of the latest update (paused: revealed one by one in slow motion)."""
    if run.playing:
        st.caption("The step story names each sub-step of one update with its numbers: pause, then press "
                   "Step D, Step G or Both.")
        return
    story(render_data(run), run.delay)
