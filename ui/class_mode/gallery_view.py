"""The console's gallery: every run of the class on one canvas, redrawn every 2 s."""

from __future__ import annotations

import streamlit as st

from ui.canvas import live_canvas
from ui.class_mode.gallery_scene import SORTS, gallery_scene, sort_rows
from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.class_mode.layout import REFRESH, console_size

SORT_KEY = "class_sort"
_FRAMES = "class_gallery_frames"


def sort_picker() -> None:
    st.selectbox("Sort the gallery by", list(SORTS), key=SORT_KEY, label_visibility="collapsed",
                 format_func=lambda by: f"Gallery sorted by {by}")


@st.fragment(run_every=REFRESH)
def gallery(teacher_key: str, code: str) -> None:
    """The gallery of the class `code` this browser teaches (or taught: last lessons)."""
    rows = attempt(lambda: shared_classes().gallery(teacher_key, code))
    if rows is FAILED:
        return
    rows = sort_rows(rows, st.session_state.get(SORT_KEY, "slot"))
    size = console_size()
    frame = st.session_state[_FRAMES] = st.session_state.get(_FRAMES, 0) + 1
    live_canvas(gallery_scene(rows, size["main"], size["gallery_h"], size["font"], frame=frame),
                key="class_gallery_canvas")
    if not rows:
        st.caption("No run yet: students join with the code, then open the 2D lab or side by side. "
                   "Their runs appear here within 2 seconds.")
    else:
        st.caption("Green: the target's samples; purple: G's fakes for fixed noise. Dot: green playing, orange "
                   "paused, grey tab closed (its last numbers). Red square: the settings that differ from the "
                   "class preset.")
