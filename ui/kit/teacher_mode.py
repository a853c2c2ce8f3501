"""Teacher mode: one sidebar switch for the projector. It hides advanced controls and makes what
the class should read larger (headings, big numbers, text, plot labels).

    teacher_mode_toggle()          # the shared sidebar draws it on every page
    if not is_teacher_mode():      # a page hides an advanced control
        st.slider(...)

The switch is a keyed widget drawn by the shared sidebar on every page, so its state survives
page switches; it is per browser tab, like every other setting.
"""

from __future__ import annotations

import streamlit as st

from ui.kit.widget_state import state_value

TEACHER_KEY = "teacher_mode"  # the switch's widget key
_FLAG = "_teacher_mode_on"  # the remembered choice: a widget's own key is dropped on any run that
# does not draw it (AppTest reruns a page script without app.py, for one), this flag is not

# Streamlit's stable data-testid hooks; !important beats the inline sizes plotly writes on SVG text.
TEACHER_CSS = """
<style>
[data-testid="stMainBlockContainer"] h1 { font-size: 3.2rem !important; }
[data-testid="stMainBlockContainer"] h2 { font-size: 2.4rem !important; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.9rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li { font-size: 1.3rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.35rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem !important; }
.js-plotly-plot .plotly .xtick text, .js-plotly-plot .plotly .ytick text { font-size: 15px !important; }
.js-plotly-plot .plotly .legendtext, .js-plotly-plot .plotly .g-xtitle text,
.js-plotly-plot .plotly .g-ytitle text { font-size: 17px !important; }
.js-plotly-plot .plotly .gtitle { font-size: 20px !important; }
</style>
"""


def is_teacher_mode() -> bool:
    """True while this tab's teacher mode is on."""
    return bool(st.session_state.get(_FLAG, False))


def _remember() -> None:
    st.session_state[_FLAG] = bool(st.session_state[TEACHER_KEY])


def teacher_mode_toggle() -> bool:
    """The switch (call inside the sidebar), and the larger type while it is on."""
    if TEACHER_KEY not in st.session_state:
        st.session_state[TEACHER_KEY] = is_teacher_mode()
    # its state is also its default: a late-mounted switch shows teacher mode as it is (ui.kit.widget_state)
    on = st.toggle(":material/school: Teacher mode", value=bool(state_value(TEACHER_KEY)), key=TEACHER_KEY,
                   on_change=_remember,
                   help="For the projector: hides advanced controls and enlarges headings, the big "
                        "numbers and plot labels. Each student's tab has its own switch.")
    if on:
        st.html(TEACHER_CSS)
    return on

