"""Spotlight: one student's run full size for the projector, live, with its settings. The teacher
only reads it (the view is computed where the run trains; nothing here steps or changes it).
Runs are picked by slot, never by id: the slot means something only in the teacher's own class."""

from __future__ import annotations

import dataclasses

import streamlit as st

from classroom.run_handle import RunLost
from ui.canvas import live_canvas
from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.class_mode.layout import SPOTLIGHT_EVERY, console_size
from ui.figures.toy_2d import LAYERS
from ui.kit.teacher_mode import is_teacher_mode
from ui.share.links import escape_markdown
from ui.toy_2d.live import big_numbers, plane_scene, status_line

PICK_KEY = "class_spotlight"
SPOT_LAYERS = tuple(layer for layer in LAYERS if layer != "arrows at fakes")  # the projector: the plane, plainly


def choice_words(row) -> str:
    """A line of the picker (a selectbox shows its options as plain text)."""
    return f"{row.slot} · {row.pseudonym} · {row.page}" + ("" if row.live else " (not open)")


def spotlight_picker(rows: list):
    """Pick a run of the class; returns its gallery row (None when the class has no run yet)."""
    if not rows:
        st.info("No run to spotlight yet: the class's runs appear once students open the 2D lab or side by side.")
        return None
    by_choice = {(r.slot, r.page): r for r in sorted(rows, key=lambda r: (r.slot, r.page))}
    if st.session_state.get(PICK_KEY) not in by_choice:
        st.session_state[PICK_KEY] = next(iter(by_choice))
    picked = st.selectbox("Spotlight", list(by_choice), key=PICK_KEY, format_func=lambda c: choice_words(by_choice[c]),
                          help="One student's run, full size and live, for the projector. You only watch it: "
                               "its controls stay the student's.")
    return by_choice[picked]


@st.fragment(run_every=SPOTLIGHT_EVERY)
def spotlight(teacher_key: str, row) -> None:
    run = attempt(lambda: shared_classes().spotlight(teacher_key, row.slot, row.page))
    if run is FAILED:
        return
    who = f"**{escape_markdown(row.pseudonym)}** (slot {row.slot}, {row.page})"
    if run is None or getattr(run, "closed", False):
        st.info(f"The run of {who} is not open now (the tab was closed or the student left): the gallery keeps "
                "its last numbers.", icon=":material/visibility_off:")
        return
    try:
        data = dataclasses.replace(run.view("toy_2d", part=0), rate=run.rate)
    except RunLost:
        st.info(f"The run of {who} lost its worker; it comes back when the student restarts it.")
        return
    size = console_size()
    plane_col, side_col = st.columns([size["spot"], size["main"] - size["spot"]], gap="small")
    with plane_col:
        live_canvas(plane_scene(data.backdrop, data, SPOT_LAYERS, {"plane": size["spot"], "font": size["font"] + 1},
                                is_teacher_mode()), key="class_spotlight_canvas")
    with side_col:
        st.markdown(who + (" · run A of the pair" if row.page == "side by side" else ""))
        big_numbers(run, data)
        status_line(data, prefix="class_spotlight")
