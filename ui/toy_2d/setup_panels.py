"""The 2D lab's setup panels: presets, the architecture form (a rebuild restarts the run) and
draw-your-own targets (click or select on a canvas, type, or upload a CSV of x,y points)."""

from __future__ import annotations

from functools import partial

import streamlit as st

from classroom.page_presets import lab_2d_presets
from classroom.service import Run
from classroom.budget import check_network
from classroom.config_fields import setting_bounds
from gan_core.config import OPTIMIZERS, TrainConfig
from gan_core.distributions import TARGETS, TARGETS_2D
from classroom.point_text import MAX_POINTS, MAX_TEXT_BYTES, decode_upload, parse_points, points_to_text
from classroom.presets import TOY_PRESETS
from gan_core.trainer import Trainer
from ui.figures.toy_2d import draw_figure
from ui.kit.live_controls import STABILIZER_KNOBS
from ui.kit.preset_kinds import badge, option_label
from ui.kit.run_install import install_run
from ui.kit.widget_state import state_index, state_value
from ui.toy_2d.stabilizer_texts import STABILIZERS, active_words

PREFIX = "toy"
KNOB_FIELDS = ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise", "r1_gamma",
               "gp_weight") + STABILIZER_KNOBS
ARCH_FIELDS = ("target", "g_depth", "g_width", "d_depth", "d_width", "z_dim", "pack", "minibatch_std",
               "spectral_norm", "optimizer", "seed")
TARGET_WORDS = {name: (TARGETS[name].description if TARGETS[name] is not None else "Draw your own points")
                for name in TARGETS_2D}
DRAW_BOUNDS = ((-2.5, 2.5), (-2.5, 2.5))
DRAW_KEY, TEXT_KEY, UPLOAD_KEY = "toy_draw_canvas", "toy_draw_text", "toy_draw_upload"


def toy_presets() -> dict:
    """The 2D presets (classroom.page_presets: the list a class can be given, too)."""
    return lab_2d_presets()


def _arch_key(field: str) -> str:
    return f"{PREFIX}_arch_{field}"


def _sync_arch(trainer: Trainer) -> None:
    for field in ARCH_FIELDS:
        st.session_state[_arch_key(field)] = getattr(trainer.config, field)


# The 2D lab's install (ui.kit.run_install): its knobs and its architecture form show the new trainer.
install_trainer = partial(install_run, prefix=PREFIX, knob_fields=KNOB_FIELDS, sync_setup=_sync_arch)


def start_new_run(run: Run, config: TrainConfig) -> bool:
    """Fresh weights with `config` (a preset, a rebuild, drawn points, a link or a preset file);
    False when the run's host is gone (the lost-run panel says so)."""
    return install_trainer(run, Trainer(config))


# ---- presets -----------------------------------------------------------------------------------

def _apply_preset(run: Run) -> None:
    preset = toy_presets()[st.session_state[f"{PREFIX}_preset"]]
    if start_new_run(run, preset.config):
        st.session_state[f"{PREFIX}_preset_applied"] = preset.name


def preset_panel(run: Run) -> None:
    """Pick and apply a preset; say what to watch, which one setting a cure changes (computed from
    the configs) and what the settings a class can try did to a collapse (measured)."""
    from classroom.presets import SETTING_WORDS, cures_of, differing_fields  # the panel's own needs

    def words(field: str) -> str:
        return SETTING_WORDS.get(field, field.replace("_", " "))

    def value(v) -> str:
        return f"{v:g}" if isinstance(v, float) else str(v)

    presets = toy_presets()
    if not presets:
        st.info("No 2D presets are registered yet.")
        return
    pick, watch = st.columns([1, 2])
    with pick:
        name = st.selectbox("Preset", list(presets), index=state_index(f"{PREFIX}_preset", list(presets)),
                            key=f"{PREFIX}_preset",
                            format_func=lambda n: option_label(n, presets[n].kind))
        st.button("Apply preset (restarts the run)", key=f"{PREFIX}_preset_apply", on_click=_apply_preset,
                  args=(run,), width="stretch")
    with watch:
        p = presets[name]
        kind = badge(p.kind)
        st.markdown(f"**What to watch**{' ' + kind if kind else ''}: {p.what_to_watch}")
        base = TOY_PRESETS.get(p.cure_of) if p.kind == "cure" else None
        if base is not None:
            changed = ", ".join(f"**{words(f)}** (`{f}`) {value(getattr(base.config, f))} → "
                                f"{value(getattr(p.config, f))}" for f in differing_fields(base.config, p.config))
            st.markdown(f"**The one setting that differs** from “{base.name}”: {changed}. {p.cure_effect}")
        if p.kind == "collapse":
            cures = [c for c in cures_of(p.name) if c.name in presets]
            if cures:
                st.markdown("**Cured by one setting:** " + "; ".join(
                    f"{words(c.cure_setting)} {value(getattr(c.config, c.cure_setting))} (“{c.name}”)"
                    for c in cures) + ".")
            if p.tries:
                st.markdown("**Try against this collapse** (measured over 3 seeds, bench/toy_quality.py):\n"
                            + "\n".join(f"- **{words(t.setting)}**: {t.finding}" for t in p.tries))
        if p.kind == "quality" and active_words(p.config):
            st.markdown("**Stabilisers it uses** (each explained in the Stabilisers tab): "
                        + ", ".join(active_words(p.config)) + ".")
        stabilizers = "".join(f", {w}" for w in active_words(p.config))
        st.caption(f"target {p.config.target}, loss {p.config.loss}, batch {p.config.batch_size}, "
                   f"lr D {p.config.lr_d:g}, lr G {p.config.lr_g:g}{stabilizers}, seed {p.config.seed}: the same "
                   "preset replays the same run.")
        if st.session_state.get(f"{PREFIX}_preset_applied") == name:
            st.success(f"Preset “{name}” applied: a fresh run with its settings.")


# ---- stabilisers -------------------------------------------------------------------------------

def _setting_now(config: TrainConfig, fields: tuple) -> str:
    """What a stabiliser is set to in `config`, in words."""
    if fields == ("lr_d", "lr_g"):
        return f"D {config.lr_d:g}, G {config.lr_g:g}"
    value = getattr(config, fields[0])
    if isinstance(value, bool):
        return "on" if value else "off"
    return "off" if value == 0 else f"{value:,}" if isinstance(value, int) else f"{value:g}"


def stabilizer_panel(run: Run) -> None:
    """One paragraph per stabiliser (ui.toy_2d.stabilizer_texts), with what this run uses and where its control is."""
    st.markdown("Knobs known to steady GAN training. Each changes the run live (spectral normalisation "
                "needs a rebuild); compare one against its absence on the **Side by side** page.")
    config = run.trainer.config
    entries = list(STABILIZERS.values())
    for row in range(0, len(entries), 2):
        for col, s in zip(st.columns(2, gap="medium"), entries[row:row + 2]):
            with col:
                st.markdown(f"**{s.name}** · now **{_setting_now(config, s.fields)}**")
                st.markdown(s.paragraph)
                st.caption(f"Control: {s.where}. Source: {s.source}.")


# ---- architecture form -------------------------------------------------------------------------

def _rebuild(run: Run) -> None:
    changes = {f: st.session_state[_arch_key(f)] for f in ARCH_FIELDS}
    config = run.trainer.config
    if changes["target"] == "custom" and not config.custom_points:
        st.session_state[f"{PREFIX}_arch_error"] = ("The custom target needs your points: draw or upload "
                                                    "them below, then press “Train on these points”.")
        return
    try:
        new = config.replace(**changes)
        check_network(new)  # before anything is built: the widths and depths allow far more than that
    except ValueError as exc:  # OverBudget too
        st.session_state[f"{PREFIX}_arch_error"] = str(exc)
        return
    st.session_state.pop(f"{PREFIX}_arch_error", None)
    start_new_run(run, new)


def architecture_form(run: Run) -> None:
    config = run.trainer.config
    for field in ARCH_FIELDS:
        st.session_state.setdefault(_arch_key(field), getattr(config, field))
    k = _arch_key  # each widget's default is its state, which a late-mounted widget shows (ui.kit.widget_state)
    packs = sorted({1, 2, 4, 8, config.pack})
    with st.form(f"{PREFIX}_arch_form", border=False):
        st.selectbox("Target", TARGETS_2D, index=state_index(k("target"), TARGETS_2D), key=k("target"),
                     format_func=lambda n: f"{n}: {TARGET_WORDS[n]}")
        g, d = st.columns(2)
        # Ranges are the ones a link or checkpoint is held to (setting_bounds): the form shows any
        # run's own values (a g_width of 1000 from a preset file showed 4); the weight budget
        # is checked when it is submitted.
        g.number_input("G depth", *setting_bounds("g_depth"), value=state_value(k("g_depth")), key=k("g_depth"))
        g.number_input("G width", *setting_bounds("g_width"), value=state_value(k("g_width")), step=16,
                       key=k("g_width"))
        d.number_input("D depth", *setting_bounds("d_depth"), value=state_value(k("d_depth")), key=k("d_depth"))
        d.number_input("D width", *setting_bounds("d_width"), value=state_value(k("d_width")), step=16,
                       key=k("d_width"))
        g.number_input("Noise dimension z_dim", *setting_bounds("z_dim"), value=state_value(k("z_dim")),
                       key=k("z_dim"), help="1 or 2 lets the lab draw G's warped z grid (the manifold).")
        d.selectbox("PacGAN packing", packs, index=state_index(k("pack"), packs), key=k("pack"),
                    help="D judges this many samples at once: a collapsed G is easy to spot.")
        g.selectbox("Optimizer", OPTIMIZERS, index=state_index(k("optimizer"), OPTIMIZERS), key=k("optimizer"))
        d.number_input("Seed", *setting_bounds("seed"), value=state_value(k("seed")), key=k("seed"))
        st.checkbox("Minibatch std feature in D", value=state_value(k("minibatch_std")), key=k("minibatch_std"))
        st.checkbox("Spectral normalisation of D", value=state_value(k("spectral_norm")), key=k("spectral_norm"),
                    help="Each of D's weight layers is divided by its largest singular value, so D stays "
                         "smooth and its gradient stays useful (see the Stabilisers tab).")
        st.form_submit_button("Rebuild (restarts the run)", on_click=_rebuild, args=(run,), type="primary")
    if msg := st.session_state.get(f"{PREFIX}_arch_error"):
        st.error(f"Not rebuilt: {msg}")


# ---- draw your own -----------------------------------------------------------------------------

def selection_points(selection) -> list[tuple[float, float]]:
    """(x, y) of the canvas dots in a plotly selection event (clicks, box or lasso)."""
    points = (selection or {}).get("selection", {}).get("points", []) if isinstance(selection, dict) else \
        getattr(getattr(selection, "selection", None), "points", []) or []
    return [(round(float(p["x"]), 3), round(float(p["y"]), 3)) for p in points
            if p.get("curve_number", p.get("curveNumber", 0)) == 0 and "x" in p and "y" in p]


def _on_canvas_select() -> None:
    added = selection_points(st.session_state.get(DRAW_KEY))
    if added:
        text = st.session_state.get(TEXT_KEY, "").rstrip()
        st.session_state[TEXT_KEY] = (text + "\n" if text else "") + points_to_text(added)


def _on_upload() -> None:
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is None:
        return
    try:
        points = parse_points(decode_upload(upload.getvalue()))
    except ValueError as exc:
        st.session_state[f"{PREFIX}_draw_error"] = f"{upload.name}: {exc}"
        return
    st.session_state.pop(f"{PREFIX}_draw_error", None)
    st.session_state[TEXT_KEY] = points_to_text(points)


def _train_on_points(run: Run) -> None:
    try:
        points = parse_points(st.session_state.get(TEXT_KEY, ""))
        config = run.trainer.config.replace(target="custom", custom_points=points)
    except ValueError as exc:
        st.session_state[f"{PREFIX}_draw_error"] = str(exc)
        return
    st.session_state.pop(f"{PREFIX}_draw_error", None)
    if start_new_run(run, config):
        st.session_state[f"{PREFIX}_draw_done"] = len(points)


def _clear_points() -> None:
    st.session_state[TEXT_KEY] = ""
    st.session_state.pop(f"{PREFIX}_draw_error", None)


def draw_your_own(run: Run) -> None:
    st.markdown("Click dots (or drag a box / lasso) to add points; edit them as text; or upload a CSV "
                "with one `x,y` pair per line. Each point becomes a small Gaussian mode.")
    if TEXT_KEY not in st.session_state:
        current = run.trainer.config.custom_points
        st.session_state[TEXT_KEY] = points_to_text(current) if current else ""
    try:
        draft = parse_points(st.session_state[TEXT_KEY]) if st.session_state[TEXT_KEY].strip() else []
    except ValueError:
        draft = []  # the text area's own message below says what is wrong
    canvas, text = st.columns([3, 2])
    canvas.plotly_chart(draw_figure(draft, DRAW_BOUNDS), key=DRAW_KEY, on_select=_on_canvas_select,
                        selection_mode=("points", "box", "lasso"), config={"displayModeBar": True})
    text.text_area("Points (x,y per line)", key=TEXT_KEY, height=220, max_chars=MAX_TEXT_BYTES)
    text.file_uploader("…or upload a CSV of x,y points", type=["csv", "txt"], key=UPLOAD_KEY, on_change=_on_upload,
                       max_upload_size=1, help=f"At most {MAX_POINTS:,} points (one x,y pair per line, "
                                               f"{MAX_TEXT_BYTES // 1000} kB).")
    train, clear = st.columns(2)
    train.button("Train on these points (restarts the run)", key=f"{PREFIX}_draw_train", type="primary",
                 on_click=_train_on_points, args=(run,), width="stretch")
    clear.button("Clear points", key=f"{PREFIX}_draw_clear", on_click=_clear_points, width="stretch")
    if msg := st.session_state.get(f"{PREFIX}_draw_error"):
        st.error(f"Those points cannot be used: {msg}")
    elif n := st.session_state.pop(f"{PREFIX}_draw_done", None):
        st.success(f"Training on your {n} points.")
    else:
        st.caption(f"{len(draft)} point(s) ready.")
