"""The live-training controls every training page shares (2D lab, 1D lab, MNIST).

Streamlit reruns the page script on every widget change, so nothing here loops: the run trains
where it is hosted (a worker process, classroom.service), widgets send it commands in callbacks,
and `live_area` redraws the views in a fragment that reruns on a timer only while the run plays.
A slider move therefore reaches the trainer at its next step and never resets, pauses or
restarts the run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from classroom.live import redraw_interval
from classroom.run_handle import RunLost
from classroom.service import Run, runs_playing
from classroom.config_fields import setting_bounds
from gan_core.config import LOSSES, NOISE_PRIORS
from gan_core.inactive_settings import inactive_settings
from gan_core.step_record import NonFiniteError
from ui.canvas.component import feeding
from ui.canvas.feed import FEEDS, new_token
from ui.canvas.scene import Scene
from ui.kit.run_install import install_run, knob_key, knob_value
from ui.kit.teacher_mode import is_teacher_mode
from ui.kit.widget_state import state_index, state_value


@dataclass(frozen=True)
class Knob:
    field: str  # TrainConfig field (or "label_smoothing", the alias of real_label)
    label: str
    options: tuple = ()  # choices for a select slider / selectbox (the run's own value is added)
    step: float | None = None  # without options: a slider over the field's whole range (setting_bounds)
    help: str = ""
    zero: str = ""  # the word a select slider shows for 0 ("off"), where 0 switches the setting off

    def format(self, value) -> str:
        return self.zero if self.zero and value == 0 else f"{value:g}"


LR_CHOICES = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1)
BATCH_CHOICES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)

KNOBS = {
    "label_smoothing": Knob("label_smoothing", "One-sided label smoothing", step=0.05,
                            help="Real samples are labelled 1 − s instead of 1 (0.1 → real label 0.9). "
                                 "Fake labels stay 0."),
    "batch_size": Knob("batch_size", "Batch size", options=BATCH_CHOICES,
                       help="Real and fake samples per update."),
    "lr_d": Knob("lr_d", "D learning rate", options=LR_CHOICES),
    "lr_g": Knob("lr_g", "G learning rate", options=LR_CHOICES),
    "d_steps": Knob("d_steps", "D steps per G step (k)", step=1,
                    help="k of Algorithm 1: how many D updates before each G update."),
    "loss": Knob("loss", "Loss", options=LOSSES,
                 help="minimax: G minimises log(1 − D(G(z))); nonsaturating: G minimises −log D(G(z))."),
    "noise": Knob("noise", "Noise prior p(z)", options=NOISE_PRIORS),
    "r1_gamma": Knob("r1_gamma", "R1 penalty γ", options=(0.0, 0.01, 0.1, 1.0, 10.0),
                     help="γ/2·E‖∇D(x)‖² on real data; steadies D near the data."),
    "gp_weight": Knob("gp_weight", "Gradient penalty λ (WGAN-GP)", options=(0.0, 1.0, 10.0, 100.0)),
    # stabilisers (ui.toy_2d.stabilizer_texts explains each in a paragraph)
    "ema_decay": Knob("ema_decay", "EMA of G's weights (decay)", options=(0.0, 0.9, 0.99, 0.995, 0.999), zero="off",
                      help="Views show an average of G's recent weights: after each G update, average ← d·average "
                           "+ (1 − d)·G. 0.99 remembers about the last 100 updates. Training is unchanged."),
    "lr_half_life": Knob("lr_half_life", "Learning-rate half-life (iterations)",
                         options=(0, 500, 1000, 2000, 5000, 10000), zero="off",
                         help="Both learning rates (and instance noise) halve every this many iterations: "
                              "big steps early, small steps to settle. Off: constant rates."),
    "instance_noise": Knob("instance_noise", "Instance noise (std)", options=(0.0, 0.01, 0.05, 0.1, 0.2, 0.5),
                           zero="off", help="Gaussian noise of this standard deviation is added to every real "
                                            "and fake sample D sees in training, so the two overlap."),
}
STABILIZER_KNOBS = ("ema_decay", "lr_half_life", "instance_noise")  # the live ones; spectral norm is a rebuild
DEFAULT_KNOBS = ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise", "r1_gamma")


def _apply_knob(run: Run, prefix: str, field: str) -> None:
    key = knob_key(prefix, field)
    value = st.session_state[key]
    try:
        run.update(**{field: value})
        st.session_state.pop(f"{prefix}_knob_error", None)
    except RunLost:  # the lost-run panel says what happened and offers a restart
        st.session_state[key] = knob_value(run.trainer, field)
    except ValueError as exc:  # refused: say why and show the value still in use
        st.session_state[f"{prefix}_knob_error"] = str(exc)
        st.session_state[key] = knob_value(run.trainer, field)


def knob_widgets(run: Run, prefix: str, fields=DEFAULT_KNOBS, errors: bool = True) -> None:
    """One widget per live hyperparameter; each change goes to trainer.update() at once. A setting
    the current loss or optimizer ignores is drawn disabled, with the reason under it. `errors`:
    say here when a value was refused (False for a second group drawn under a first)."""
    inactive = inactive_settings(run.trainer.config)  # {field: why it has no effect now}
    for field in fields:
        knob, key = KNOBS[field], knob_key(prefix, field)
        value = knob_value(run.trainer, field)  # callbacks ran before this: a user's change is in it
        # Told only when it differs: a value told by a run that started before a second quick key
        # press would move the slider back and lose that press (tests/browser/test_browser_live.py).
        # A widget the browser mounts late (in a popover first opened after a rerun) shows the
        # default it is given, which is its state (ui.kit.widget_state).
        if st.session_state.get(key) != value:
            st.session_state[key] = value
        reason = inactive.get(field)
        common = dict(key=key, on_change=_apply_knob, args=(run, prefix, field), help=reason or knob.help or None,
                      disabled=reason is not None)
        if knob.options and isinstance(knob.options[0], str):
            st.selectbox(knob.label, knob.options, index=state_index(key, knob.options), **common)
        elif knob.options:
            options = tuple(sorted(set(knob.options) | {st.session_state[key]}))
            st.select_slider(knob.label, options, value=state_value(key), format_func=knob.format, **common)
        else:
            # the range a link is clamped into: any value a link, preset or checkpoint brings fits
            st.slider(knob.label, *setting_bounds(field), value=state_value(key), step=knob.step, **common)
        if reason:
            st.caption(reason)
    if errors and (msg := st.session_state.get(f"{prefix}_knob_error")):
        st.error(f"That setting was refused: {msg}")


# ---- transport: play / pause / step / reset ---------------------------------------------------

def _step(run: Run, what: str, prefix: str) -> None:
    try:
        run.run_steps(what)
    except (NonFiniteError, RunLost):
        pass  # run.error / run.lost holds it; divergence_panel explains and offers rollback or restart


def _toggle_play(run: Run) -> None:
    with contextlib.suppress(RunLost):  # divergence_panel offers the restart
        run.pause() if run.playing else run.play()


def _reset(run: Run, prefix: str) -> None:
    # Same settings, new weights: no setup widget changes. The transport does not know the page's
    # knob list, so the default one (knob_widgets also re-reads every knob it draws).
    install_run(run, run.trainer.rebuilt(), prefix=prefix, knob_fields=DEFAULT_KNOBS)


def _rollback(run: Run, prefix: str) -> None:
    try:
        iteration = run.rollback()
    except RunLost:
        return
    except RuntimeError:  # every snapshot kept holds NaN: nothing finite to go back to
        st.session_state[f"{prefix}_rollback_failed"] = True
        return
    st.session_state[f"{prefix}_rolled_back"] = iteration


def transport(run: Run, prefix: str, compact: bool = False) -> None:
    """Play/pause, step D, step G, step both (one iteration of Algorithm 1), reset. `compact`:
    two rows, for a narrow controls column."""
    if compact:
        play, reset = st.columns([2.6, 1])
        d, g, both = st.columns(3)
    else:
        play, d, g, both, reset = st.columns([1.2, 1, 1, 1.2, 1])
    play.button("Pause" if run.playing else "Play", key=f"{prefix}_play", type="primary",
                icon=":material/pause:" if run.playing else ":material/play_arrow:",
                on_click=_toggle_play, args=(run,), width="stretch")
    labels = ("D", "G", "D+G") if compact else ("Step D", "Step G", "Step both")
    for col, what, label in zip((d, g, both), ("d", "g", "both"), labels):
        col.button(label, key=f"{prefix}_step_{what}", disabled=run.playing, on_click=_step,
                   args=(run, what, prefix), width="stretch",
                   help={"d": "Step D: one discriminator update, G frozen.",
                         "g": "Step G: one generator update, D frozen.",
                         "both": "Step both: k D updates, then one G update."}[what])
    reset.button("" if compact else "Reset", key=f"{prefix}_reset", icon=":material/restart_alt:", on_click=_reset,
                 args=(run, prefix), width="stretch", help="Reset: new weights with the current settings and seed.")


def divergence_panel(run: Run, prefix: str) -> None:
    """A NaN/inf stops play; say so in plain words and offer the last finite snapshot."""
    if run.lost:
        st.error(run.stopped_reason)
        st.button("Restart from the last frame", key=f"{prefix}_restart", on_click=run.restart,
                  type="primary", icon=":material/replay:")
    elif run.error is not None:
        err = run.error
        st.error(f"Training stopped: {err.what} became {err.value} at iteration {err.iteration}. "
                 "The numbers blew up (diverged), often because a learning rate is too high. "
                 "Nothing was applied from the failing step. Lower a learning rate, then roll back.")
        snaps = run.trainer.snapshots
        label = f"Roll back to iteration {snaps[-1][0]}" if snaps else "Roll back"
        st.button(label, key=f"{prefix}_rollback", on_click=_rollback, args=(run, prefix), type="primary")
    elif run.stopped_reason:
        st.warning(run.stopped_reason)
    if (it := st.session_state.pop(f"{prefix}_rolled_back", None)) is not None:
        st.success(f"Rolled back to the snapshot at iteration {it}; your settings were kept.")
    if st.session_state.pop(f"{prefix}_rollback_failed", False):
        st.error("No snapshot with finite weights is left to roll back to. Press Reset for new weights "
                 "with the same settings.")


# Streamlit fades elements whose script is running; a live view reruns 1-4 times a second, so it
# would flicker or stay faded on a busy machine. Its own redraws say it is alive.
NO_FADE_CSS = """<style>
[class*="_live"] [data-stale="true"] { opacity: 1 !important; transition: none !important; }
</style>"""


WATCH_PAUSED_EVERY = 2.0  # seconds: a paused tab looks whether its run was played or retuned elsewhere
FED_AREA_EVERY = 1.0  # seconds between the Streamlit reruns of a live area whose canvases fetch frames


def _publish_feed(prefix: str, frames: Callable[[], dict[str, Scene]] | None) -> str | None:
    """The token under which this tab's live area `prefix` publishes `frames` (ui.canvas.feed), or
    None with the feed withdrawn (no producer: the run is paused, or the area has no canvases)."""
    token = st.session_state.setdefault(f"{prefix}_feed_token", new_token())
    # the feeds hold a producer weakly: this tab's session keeps it, and with it the run it draws
    st.session_state[f"{prefix}_feed_frames"] = frames
    if frames is None:
        FEEDS.withdraw(token)
        return None
    FEEDS.publish(token, frames)
    return token


def live_redraw_every(every: float) -> float:
    """Seconds between this tab's live redraws now: `every` in teacher mode, else stretched by
    the number of runs playing on the server (see live_area)."""
    return every if is_teacher_mode() else redraw_interval(every, runs_playing())


def live_area(run: Run, prefix: str, render: Callable[[Run], None], every: float = 0.25,
              watch_paused: bool = True, frames: Callable[[], dict[str, Scene]] | None = None) -> None:
    """Draw `render(run)` now, and again every `every` seconds while the run plays. When the run
    stops by itself (divergence, idle), rerun the page once so buttons and messages catch up.

    When many runs of the server play (a class pressed Play), a student's tab redraws less often
    (classroom.live.redraw_interval) so the shared CPU still trains their runs; the teacher's tab
    (teacher mode, on the projector) keeps `every`. A fragment's timer is fixed when the page
    runs, so a tab whose interval is far from the current one reruns the page to take it; so does a
    tab whose run's settings another tab changed (its widgets are outside the fragment). A paused
    tab looks every WATCH_PAUSED_EVERY seconds whether its run was played or retuned elsewhere
    (watch_paused: one live area of a page does, the first screen's).

    `frames()`: the scenes of the area's live canvases, by key, as `render` draws them now. With it,
    while the run plays the canvases fetch their next scenes every `every` seconds (ui.canvas.feed)
    and the area's Streamlit rerun, which redraws the rest (numbers, status line), comes only every
    FED_AREA_EVERY seconds: each rerun costs the browser far more than drawing a fetched frame."""
    flag, shown = f"{prefix}_timer_on", f"{prefix}_settings_shown"
    playing = st.session_state[flag] = run.playing
    st.session_state[shown] = run.settings_stamp  # the settings this page run's widgets show
    interval = live_redraw_every(every)
    feed = _publish_feed(prefix, frames if playing else None)

    @st.fragment(run_every=(max(interval, FED_AREA_EVERY) if feed else interval) if playing else None)
    def _area():
        run.touch()
        if st.session_state.get(flag) and not run.playing:
            st.session_state[flag] = False
            st.rerun(scope="app")
        if run.playing and max(interval, now := live_redraw_every(every)) >= 1.5 * min(interval, now):
            st.rerun(scope="app")
        # Settings another tab on this run changed (a teacher's laptop beside the projector's tab; a
        # run's address opened again in the same browser): the widgets outside this fragment would go
        # on showing the old ones beside a status line with the new.
        if run.playing and run.settings_stamp != st.session_state.get(shown):
            st.rerun(scope="app")
        with st.container(key=f"{prefix}_live"):  # what the browser benchmark watches
            with feeding(feed, interval) if feed else contextlib.nullcontext():
                render(run)

    @st.fragment(run_every=WATCH_PAUSED_EVERY)
    def _watch_paused():
        # A class's Play all, or Play or a setting in another tab on this run: without a rerun this
        # tab would show a paused run that trains, and nobody's touch would keep it playing.
        if run.playing or run.settings_stamp != st.session_state.get(shown):
            st.rerun(scope="app")

    st.html(NO_FADE_CSS)
    _area()
    if watch_paused and not playing:
        _watch_paused()
