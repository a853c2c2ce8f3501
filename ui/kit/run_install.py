"""Install a new trainer in a page's Run and make the page's widgets show it: the one way every
page does it (a preset picked, Reset, a rebuild, a checkpoint loaded, a link opened, a JSON preset
uploaded). Each of those paths used to carry its own copy of "replace, then resync" (issue 13), and
a copy that forgot a step left a widget or a message describing the old run.

Nothing is registered here: the Run object stays the same, so its id in the run registry and
the `?run=<id>` in the address bar stay valid (a reload still finds it), and the page writes the
new settings into the address on its next run (ui.share.page_setup.keep_address).

A page binds its own widgets once, e.g.
    install_trainer = partial(install_run, prefix=PREFIX, knob_fields=KNOB_FIELDS, sync_setup=sync_arch)
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from classroom.run_handle import RunLost
from classroom.service import Run


def knob_key(prefix: str, field: str) -> str:
    """The session_state key of a live knob widget (ui.kit.live_controls draws it)."""
    return f"{prefix}_knob_{field}"


def knob_value(trainer, field: str):
    """What a knob shows: the trainer's config field, or label_smoothing (the alias of real_label)."""
    return trainer.config.label_smoothing if field == "label_smoothing" else getattr(trainer.config, field)


def _message_key(prefix: str) -> str:
    return f"{prefix}_run_message"


def install_run(run: Run, trainer, *, prefix: str, knob_fields: tuple,
                sync_setup: Callable[[object], None] | None = None,
                message: tuple[str, str] | None = None) -> bool:
    """Make `trainer` the run's and every widget of the page show its settings; False (nothing
    changed, no message) when the run's host is gone: the page's lost-run panel
    (ui.kit.live_controls.divergence_panel) then says so and offers the restart, whichever button
    (Reset, a preset, a rebuild, drawn points, a file, a link) found it gone.

    trainer: a Trainer, or anything Run drives like one and whose `.config` the knobs read
    (the side-by-side page's LockstepRun pair).
    Play state is kept: a playing run plays on with the new trainer on the same thread, a paused
    one stays paused (a teacher who presses a preset mid-Play expects it to go on).
    Errors of the old trainer go: its divergence and automatic-pause reason (Run.replace_trainer)
    and a refused knob value ("{prefix}_knob_error"), which no longer describe this run.
    knob_fields: the live knobs the page draws for this run (ui.kit.live_controls keys).
    sync_setup(trainer): the page's widgets that only an install changes (architecture, target,
    seed, the compared setting) and anything cached from the old trainer.
    message: (kind, text), kind "success" / "warning" / "error", said once by show_message(prefix).

    Call it from a widget callback or before the page draws its widgets: Streamlit refuses a write
    to a widget's key after that widget was drawn in the same run."""
    try:
        run.replace_trainer(trainer)
    except RunLost:
        return False
    for field in knob_fields:
        st.session_state[knob_key(prefix, field)] = knob_value(trainer, field)
    st.session_state.pop(f"{prefix}_knob_error", None)
    if sync_setup is not None:
        sync_setup(trainer)
    if message is not None:
        say(prefix, *message)
    return True


def say(prefix: str, kind: str, text: str) -> None:
    """Keep a message for the next draw: a callback's own st.* calls would be drawn above the page."""
    st.session_state[_message_key(prefix)] = (kind, text)


def show_message(prefix: str) -> None:
    """The outcome of the last install (or of a refused one), once, where the page calls this."""
    if (msg := st.session_state.pop(_message_key(prefix), None)) is not None:
        kind, text = msg
        {"error": st.error, "success": st.success, "warning": st.warning}[kind](text)
