"""The side-by-side page's pieces: choosing the one setting two runs differ in, both runs' views
(the 2D lab's own views, classroom.lab_views, and plane figure, smaller; on a 1D target the 1D lab's Figure 1) and a
chart comparing their metrics.

The pair is a classroom.lockstep.LockstepRun inside an ordinary Run, so the shared transport,
divergence panel, live knobs and live_area of ui.kit.live_controls drive it unchanged.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import streamlit as st

from classroom.service import Run
from classroom.config_fields import setting_bounds
from gan_core.config import LOSSES, NOISE_PRIORS, TrainConfig
from gan_core.distributions import TARGETS, TARGETS_1D, TARGETS_2D
from gan_core.inactive_settings import inactive_settings
from gan_core.lab1d import lab_config
from classroom.lockstep import LABELS, LockstepRun
from ui.canvas import live_canvas
from ui.canvas.charts import series_panel
from ui.canvas.figure1 import figure1_panels
from ui.canvas.plane_views import plane_panel
from ui.canvas.scene import Panel, Scene
from ui.kit.live_controls import BATCH_CHOICES, KNOBS, LR_CHOICES, STABILIZER_KNOBS
from ui.kit.readout import readout
from ui.kit.run_install import install_run
from ui.kit.session import get_run
from ui.kit.teacher_mode import is_teacher_mode
from ui.kit.widget_state import same_value, state_index, state_value
from ui.toy_2d.stabilizer_texts import STABILIZERS, stabilizer_for

PREFIX = "sbs"
RUN_NAME = "Side by side"
BASE = TrainConfig(target="ring8", seed=0)
# setting -> (the values offered, the pair a new comparison starts with)
COMPARED = {
    "label_smoothing": ((0.0, 0.1, 0.2, 0.3, 0.5), (0.0, 0.1)),
    "batch_size": (BATCH_CHOICES, (32, 512)),
    "loss": (LOSSES, ("minimax", "least_squares")),
    "d_steps": ((1, 2, 3, 5, 10), (1, 5)),
    "lr_d": (LR_CHOICES, (1e-4, 1e-3)),
    "lr_g": (LR_CHOICES, (1e-4, 1e-3)),
    "noise": (NOISE_PRIORS, NOISE_PRIORS[:2]),
    "r1_gamma": (KNOBS["r1_gamma"].options, (0.0, 1.0)),
    # stabilisers: each against its absence (ui.toy_2d.stabilizer_texts explains them)
    "ema_decay": (KNOBS["ema_decay"].options, (0.0, 0.99)),
    "lr_half_life": (KNOBS["lr_half_life"].options, (0, 1000)),
    "instance_noise": (KNOBS["instance_noise"].options, (0.0, 0.1)),
    "spectral_norm": ((False, True), (False, True)),
}
# drawn points live in the 2D lab; the 1D targets run with the 1D lab's networks (z_dim 1)
TARGET_CHOICES = tuple(t for t in TARGETS_2D if TARGETS[t] is not None) + TARGETS_1D
LAYERS = ("D heatmap", "D = ½ contour", "real samples", "fakes")
COLORS = ("#1f77b4", "#ff7f0e")  # run A, run B in every chart


def get_pair_run() -> Run:
    return get_run(RUN_NAME, lambda: LockstepRun(BASE, "label_smoothing", *COMPARED["label_smoothing"][1]))


def base_for(target: str) -> TrainConfig:
    """The page's starting config for a target: the 1D lab's on a 1D target, else the 2D lab's."""
    return lab_config(target) if target in TARGETS_1D else BASE.replace(target=target)


def knobs_besides(setting: str) -> tuple:
    """The live settings both runs share when they differ in `setting` (all but that one)."""
    return tuple(f for f in ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise",
                             "r1_gamma") + STABILIZER_KNOBS if f != setting)


def shared_knobs(run: Run) -> tuple:
    """The live settings the run's two trainers share (all but the compared one)."""
    return knobs_besides(run.trainer.setting)


def setting_label(setting: str) -> str:
    """A compared setting as the page names it: its knob's label, or the stabiliser's name."""
    if setting in KNOBS:
        return KNOBS[setting].label
    return STABILIZERS[setting].name if setting in STABILIZERS else setting


def setting_option(setting: str) -> str:
    """A line of the setting picker: stabilisers say so (their paragraph shows when picked)."""
    return setting_label(setting) + (" · stabiliser" if setting in STABILIZERS and setting not in ("lr_d", "lr_g")
                                     else "")


def value_words(setting: str, value) -> str:
    """One of the two compared values in words: on/off for a switch, "off" for a stabiliser at 0."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if setting in KNOBS and isinstance(value, (int, float)):
        return KNOBS[setting].format(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(setting: str, value) -> str:
    return f"{setting_label(setting)} = {value_words(setting, value)}"


# ---- choosing the comparison -----------------------------------------------------------------

def _key(name: str) -> str:
    return f"{PREFIX}_{name}"


def _setting_changed() -> None:
    """A new setting offers new values: start from its suggested pair."""
    setting = st.session_state[_key("setting")]
    st.session_state[_key("value_a")], st.session_state[_key("value_b")] = COMPARED[setting][1]


def _sync_comparison(pair: LockstepRun) -> None:
    """The comparison widgets show the pair; the views drawn from the old pair go."""
    for name, value in {"target": pair.base.target, "seed": pair.base.seed, "setting": pair.setting,
                        "value_a": pair.values[0], "value_b": pair.values[1]}.items():
        st.session_state[_key(name)] = value
    for i in range(2):
        st.session_state.pop(_key(f"views_{i}"), None)


def start_pair(run: Run, config: TrainConfig, setting: str, values: tuple) -> None:
    """A fresh pair on `config` differing in `setting`, shown in every widget of the page
    (ui.kit.run_install: the LockstepRun is installed like a Trainer). Raises ValueError for a
    combination the config refuses, before anything changes."""
    pair = LockstepRun(config, setting, *values)
    install_run(run, pair, prefix=PREFIX, knob_fields=knobs_besides(setting), sync_setup=_sync_comparison)


def _start(run: Run) -> None:
    s = st.session_state
    try:
        base = base_for(s[_key("target")]).replace(seed=int(s[_key("seed")]))
        start_pair(run, base, s[_key("setting")], (s[_key("value_a")], s[_key("value_b")]))
    except ValueError as exc:  # a combination the config refuses: keep the running pair, say why
        s[_key("error")] = str(exc)
        return
    s.pop(_key("error"), None)


def comparison_setup(run: Run) -> None:
    """The one setting that differs and its two values, target and seed, and Start (which restarts
    both runs), one above the other for the page's narrow controls column."""
    pair = run.trainer
    defaults = {"target": pair.config.target, "seed": pair.config.seed, "setting": pair.setting,
                "value_a": pair.values[0], "value_b": pair.values[1]}
    for name, value in defaults.items():
        st.session_state.setdefault(_key(name), value)
    settings = list(COMPARED)  # each widget shows its state even when mounted late (ui.kit.widget_state)
    st.selectbox("The one setting that differs", settings, index=state_index(_key("setting"), settings),
                 key=_key("setting"), on_change=_setting_changed, format_func=setting_option)
    chosen = st.session_state[_key("setting")]
    options = COMPARED[chosen][0]
    for col, label, name in zip(st.columns(2), ("Run A", "Run B"), ("value_a", "value_b")):
        if not any(same_value(st.session_state[_key(name)], o) for o in options):
            st.session_state[_key(name)] = options[0]
        col.selectbox(label, options, index=state_index(_key(name), options), key=_key(name),
                      format_func=lambda v, f=chosen: value_words(f, v))
    target, seed = st.columns([1.4, 1])
    target.selectbox("Target", TARGET_CHOICES, index=state_index(_key("target"), TARGET_CHOICES), key=_key("target"))
    seed.number_input("Seed", *setting_bounds("seed"), value=state_value(_key("seed")), step=1, key=_key("seed"),
                      help="The same seed for both runs.")
    st.button("Start both runs", key=_key("start"), on_click=_start, args=(run,), type="primary", width="stretch",
              icon=":material/restart_alt:", help="Restart both runs with this comparison, target and seed.")
    if msg := st.session_state.get(_key("error")):
        st.error(f"Not started: {msg}")
    # a compared setting the shared loss ignores makes two identical runs: say so, not a silent no-op
    unused = {inactive_settings(t.config).get(pair.setting) for t in pair.trainers} - {None}
    if unused:
        st.warning(f"The two runs cannot differ: {' '.join(sorted(unused))} Change the shared loss or the "
                   "setting being compared.")


def comparison_notes(run: Run) -> None:
    """What the pair shares and what the compared setting does, in words (below the first screen)."""
    pair = run.trainer
    st.caption(f"Now comparing **{describe(pair.setting, pair.values[0])}** (A) with "
               f"**{describe(pair.setting, pair.values[1])}** (B) on {pair.config.target}, seed "
               f"{pair.config.seed}: same initial networks, same seeded noise and data streams "
               "(with different batch sizes the draws differ from the first batch on).")
    if (about := stabilizer_for(st.session_state[_key("setting")])) is not None:  # the compared stabiliser
        with st.container(key=_key("stabilizer_note")):
            st.info(f"**{about.name}.** {about.paragraph}", icon=":material/info:")
            st.caption(f"Source: {about.source}.")


# ---- the live views --------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 820, 250
# The two views' side in px on the first screen (canvases shrink to their columns): 1440x900, or
# 1280x720 in teacher mode with larger type. VIEW_SIZE: the normal screen's, as bench/side_by_side.py draws.
PLANE_SIZE = {False: 430, True: 345}
VIEW_SIZE = PLANE_SIZE[False]


def comparison_panels(datas: list, labels: list[str]) -> list[Panel]:
    """Modes captured, high-quality % and the losses of both runs over iterations, one colour
    each (D solid, G dashed)."""
    with_modes = datas[0].n_modes > 0
    count = 3 if with_modes else 1
    gap = 16
    width = (CHART_WIDTH - gap * (count - 1)) / count
    box = lambda i: (i * (width + gap), 0, width, CHART_HEIGHT)  # noqa: E731
    panels = []
    if with_modes:
        panels.append(series_panel(box(0), [(d.modes["iteration"], d.modes["modes_captured"], COLORS[i], labels[i], ())
                                            for i, d in enumerate(datas)], "Modes captured",
                                   y_range=(0, datas[0].n_modes + 0.5)))
        panels.append(series_panel(box(1), [(d.modes["iteration"], d.modes["hq_percent"], COLORS[i], labels[i], ())
                                            for i, d in enumerate(datas)], "High-quality samples (%)",
                                   y_range=(0, 100)))
    losses = []
    for i, d in enumerate(datas):
        h = d.history
        for kind, field, dash in (("D", "loss_d", ()), ("G", "loss_g", (4, 3))):
            rows = h["kind"] == kind
            losses.append((h["iteration"][rows], h[field][rows], COLORS[i], f"{LABELS[i]}: {field}", dash))
    panels.append(series_panel(box(count - 1), losses, "Losses (D solid, G dashed)"))
    return panels


def _comparison_scene(datas: list, labels: list[str], frame: int, font: int) -> Scene:
    return Scene(CHART_WIDTH, CHART_HEIGHT, comparison_panels(datas, labels), frame=frame, font=font,
                 label="both runs compared over iterations")


def _font() -> int:
    return 16 if is_teacher_mode() else 13


def _plane_size() -> int:
    return PLANE_SIZE[is_teacher_mode()]


def _side_numbers(data) -> list[tuple[str, str]]:
    """One run's big numbers: modes and sample quality on a target with modes, else mean D(G(z))."""
    if data.n_modes and len(data.modes["iteration"]):
        return [("Modes captured", f"{int(data.modes['modes_captured'][-1])} / {data.n_modes}"),
                ("High quality", f"{data.modes['hq_percent'][-1]:.1f} %")]
    d_fake = data.history["d_fake"]
    return [("Mean D(G(z))", f"{d_fake[np.isfinite(d_fake)][-1]:.3f}" if np.isfinite(d_fake).any() else "–")]


def _run_header(i: int, label: str, data) -> None:
    with st.container(key=_key(f"numbers_{i}")):
        st.markdown(f"**Run {label}**")
        readout(_side_numbers(data))


def _status(run: Run, iteration: int) -> str:
    """The iteration both runs are at, and (returned, for a caption under the views) what they share."""
    state = f":material/play_arrow: playing, {run.rate:.0f} it/s per run" if run.playing else ":material/pause: paused"
    c = run.trainer.config
    with st.container(key=_key("status")):
        st.markdown(f"Iteration **{iteration:,}** in both runs · {state}")
    return (f"Shared: label smoothing **{c.label_smoothing:.2f}**, batch size **{c.batch_size}**, loss **{c.loss}**, "
            f"lr D **{c.lr_d:g}** / G **{c.lr_g:g}**, k = **{c.d_steps}**.")


def _labels(run: Run) -> list[str]:
    pair = run.trainer
    return [f"{LABELS[i]}: {describe(pair.setting, pair.values[i])}" for i in range(2)]


def _views(run: Run, one_d: bool) -> list:
    """Both runs' views, computed where the pair trains."""
    return [run.view("toy_1d" if one_d else "toy_2d", part=i) for i in range(2)]


def _view_error(views: list, one_d: bool) -> str:
    return next((v["error"] for v in views if v["error"]), "") if one_d else ""


def _scenes(views: list, one_d: bool, labels: list[str], size: int, font: int) -> dict[str, Scene]:
    """Each run's plane (the 2D targets: samples over D's heatmap) or Figure 1 (p_data, p_g, D and
    the z -> G(z) lines), and the comparison chart. No Streamlit: the feed builds them too."""
    scenes = {}
    if one_d:
        for i, v in enumerate(views):
            frame = v["frame"]
            scenes[_key(f"figure1_{i}")] = Scene(size, size, figure1_panels(frame, size, size), frame=frame.iteration,
                                                 font=font, label=f"Figure 1 of run {LABELS[i]}")
        datas = [SimpleNamespace(n_modes=0, history=v["history"]) for v in views]
        scenes[_key("compare")] = _comparison_scene(datas, labels, views[0]["iteration"], font)
        return scenes
    for i, data in enumerate(views):
        box = (0, 0, size, size + 50)  # the square plane and its legend
        plane = plane_panel(data.backdrop, data.frame, box, LAYERS, title="")
        scenes[_key(f"plane_{i}")] = Scene(size, size + 50, [plane], frame=data.updates, font=font,
                                           label=f"run {LABELS[i]}: D's heatmap and samples")
    scenes[_key("compare")] = _comparison_scene(views, labels, views[0].updates, font)
    return scenes


def pair_frames(run: Run):
    """frames() for the live area's canvases: both runs' views, then _scenes; none while a 1D run's
    samples are not finite. Labels and sizes are read now (the feed calls it between the reruns)."""
    one_d, labels, size, font = run.trainer.config.target in TARGETS_1D, _labels(run), _plane_size(), _font()

    def frames(views: list | None = None) -> dict[str, Scene]:
        views = views if views is not None else _views(run, one_d)
        return {} if _view_error(views, one_d) else _scenes(views, one_d, labels, size, font)
    return frames


def render(run: Run) -> None:
    """Both runs and the comparison chart; what live_area redraws."""
    one_d = run.trainer.config.target in TARGETS_1D
    views = _views(run, one_d)
    if error := _view_error(views, one_d):
        # e.g. a preset file gave the 1D target a 2D noise: say so, keep the run
        st.error(f"Cannot draw Figure 1 for these runs: {error}. Start both runs again from the controls above.")
        return
    labels = _labels(run)
    shared = _status(run, views[0]["iteration"] if one_d else views[0].iteration)
    scenes = pair_frames(run)(views)
    numbers = [SimpleNamespace(n_modes=0, history=v["history"]) for v in views] if one_d else views
    with st.container(key=_key("planes")):
        for col, data, label, i in zip(st.columns(2), numbers, labels, range(2)):
            with col:
                _run_header(i, label, data)
                view_key = _key(f"figure1_{i}" if one_d else f"plane_{i}")
                live_canvas(scenes[view_key], key=view_key)
    st.caption(shared)
    live_canvas(scenes[_key("compare")], key=_key("compare"))
