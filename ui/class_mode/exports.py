"""The console's downloads: the gallery (CSV, one row per run), every run's curve (CSV) and the
sweep as shown (PNG). Prepared on a click, so a database problem is said in words there and the
console's reruns do not rebuild a class's curves each time."""

from __future__ import annotations

import streamlit as st

from ui.class_mode.guarded import CLASS_PROBLEMS, say_problem, shared_classes
from ui.class_mode.sweep_chart import sweep_png
from ui.class_mode.sweep_view import class_modes, sweep_choice

READY_KEY = "class_exports"


def _prepare(teacher_key: str, code: str) -> None:
    field, measure = sweep_choice()
    classes = shared_classes()
    try:
        rows = classes.gallery(teacher_key, code)
        files = {"gallery": classes.gallery_csv(teacher_key, code), "curves": classes.curves_csv(teacher_key, code),
                 "sweep": sweep_png(classes.sweep(teacher_key, field, code=code), field, measure, class_modes(rows))}
    except CLASS_PROBLEMS as exc:
        st.session_state.pop(READY_KEY, None)
        say_problem(exc)
        return
    st.session_state[READY_KEY] = (code, field, measure, files)


def exports(teacher_key: str, code: str) -> None:
    if st.button("Prepare the downloads", key="class_prepare_exports", icon=":material/download:", width="stretch"):
        _prepare(teacher_key, code)
    ready = st.session_state.get(READY_KEY)
    if ready is None or ready[0] != code:
        st.caption("The gallery and every run's curve as CSV, the sweep as PNG, as they are now.")
        return
    _, field, measure, files = ready
    st.download_button("Gallery (CSV)", files["gallery"], file_name=f"class_{code}_gallery.csv", mime="text/csv",
                       key="class_export_gallery", on_click="ignore", width="stretch")
    st.download_button("Curves (CSV)", files["curves"], file_name=f"class_{code}_curves.csv", mime="text/csv",
                       key="class_export_curves", on_click="ignore", width="stretch")
    st.download_button(f"Sweep: {measure} vs {field} (PNG)", files["sweep"], file_name=f"class_{code}_sweep.png",
                       mime="image/png", key="class_export_sweep", on_click="ignore", width="stretch")
