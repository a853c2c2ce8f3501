"""The class as a sweep on the console: the teacher picks a setting and a measure; one point per
run, every run read at the same iteration (classroom.classes.Classes.sweep), redrawn every 2 s."""

from __future__ import annotations

import streamlit as st

from ui.canvas import live_canvas
from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.class_mode.layout import REFRESH, console_size
from classroom.class_readings import sweep_fields
from ui.class_mode.sweep_chart import MEASURES, measured, sweep_scene

FIELD_KEY, MEASURE_KEY = "class_sweep_field", "class_sweep_measure"


def sweep_choice() -> tuple[str, str]:
    """The sweep's setting and measure as picked (the exports use them too)."""
    return (st.session_state.get(FIELD_KEY, sweep_fields()[0]), st.session_state.get(MEASURE_KEY, next(iter(MEASURES))))


def sweep_pickers() -> None:
    field_col, measure_col = st.columns(2)
    field_col.selectbox("Setting on x", sweep_fields(), key=FIELD_KEY)
    measure_col.selectbox("Measure on y", list(MEASURES), key=MEASURE_KEY)


def class_modes(rows: list) -> int:
    """The modes of the class's targets (the y range of 'modes captured')."""
    return max((r.n_modes for r in rows), default=0)


@st.fragment(run_every=REFRESH)
def sweep(teacher_key: str, code: str, n_modes: int) -> None:
    field, measure = sweep_choice()
    rows = attempt(lambda: shared_classes().sweep(teacher_key, field, code=code))
    if rows is FAILED:
        return
    size = console_size()
    live_canvas(sweep_scene(rows, field, measure, n_modes, size["main"], size["sweep_h"], size["font"] + 1),
                key="class_sweep_canvas")
    _, missing = measured(rows, measure)
    if missing:
        st.caption(f"{len(missing)} run(s) have no {measure} yet (measured every few hundred iterations).")
