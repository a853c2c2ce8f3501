"""The Class page for a browser that does not teach: join a class by its code (or a join link)
with an optional pseudonym, or start one; once joined, where the student stands and Leave.

The join link carries the class code only: a code is public (it is read out in class), it lets a
browser join as a student and nothing more. The teacher's key never leaves the teacher's browser
(its owner cookie, ui.kit.browser_owner)."""

from __future__ import annotations

import urllib.parse

import streamlit as st

from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.class_mode.last_lessons import last_lessons_panel
from ui.kit.browser_owner import browser_owner_key
from ui.share.links import escape_markdown
from ui.share.server_address import share_link_base
from ui.toy_2d.setup_panels import toy_presets

JOIN_PARAM = "join"  # ?join=CODE: a join link
CONSOLE_PARAM = "class"  # ?class=CODE: the console's address bar (opens the console only for its teacher)
PAGE_DEFAULT = ""  # the start form's "no class preset": each page keeps its own default run
CODE_KEY, NAME_KEY = "class_join_code", "class_join_name"
PSEUDONYM_MAX = 24


def join_link(code: str) -> tuple[str, str]:
    """(the link a student opens to join `code`, which address it uses and why); the link is ""
    when this page's address is not known (the code alone then does)."""
    base = share_link_base()
    if not base.url:
        return "", base.note
    return f"{base.url}?{urllib.parse.urlencode({JOIN_PARAM: code})}", base.note


def preset_words(name: str) -> str:
    return name or "none (each page's default)"


def _asked_code() -> str:
    """A code from the address bar (a join link, or a console address opened in another browser)."""
    for param in (JOIN_PARAM, CONSOLE_PARAM):
        if value := st.query_params.get(param):
            return value.strip().upper()[:12]
    return ""


def start_panel() -> None:
    """Start a class: this browser becomes its teacher."""
    st.markdown("**Teach: start a class**")
    with st.form("class_start", border=False):
        title = st.text_input("Class title (optional)", max_chars=60, key="class_start_title")
        presets = [PAGE_DEFAULT] + list(toy_presets())
        preset = st.selectbox("Class preset", presets, format_func=preset_words, key="class_start_preset",
                              help="What every student's 2D lab starts from; you can push another one later.")
        started = st.form_submit_button("Start a class", icon=":material/school:", type="primary",
                                        key="class_start_submit")
    if started:
        key = browser_owner_key()
        if attempt(lambda: shared_classes().start_class(key, title.strip(), preset)) is not FAILED:
            st.rerun()


def join_form() -> None:
    """Join by code with an optional pseudonym; ?join=CODE fills the code in."""
    st.markdown("**Learn: join a class**")
    if CODE_KEY not in st.session_state:
        st.session_state[CODE_KEY] = _asked_code()
    with st.form("class_join", border=False):
        code = st.text_input("Class code", max_chars=12, key=CODE_KEY,
                             help="Six letters, e.g. K7QX3M, from your teacher.")
        name = st.text_input("Your pseudonym (optional)", max_chars=PSEUDONYM_MAX, key=NAME_KEY,
                             help="What your teacher's gallery shows for your runs; leave it empty for "
                                  "'Student <number>'. Avoid your real name if the screen is projected.")
        joined = st.form_submit_button("Join", icon=":material/login:", type="primary", key="class_join_submit")
    if joined:
        key = browser_owner_key()
        if attempt(lambda: shared_classes().join(code, key, name)) is not FAILED:
            st.rerun()


def refuse_console_address() -> None:
    """The console's address opened by a browser that does not teach that class: said in words
    (the page then shows what this browser may do: join, or its place in a class)."""
    if asked := st.query_params.get(CONSOLE_PARAM):
        st.warning(f"The console of class {escape_markdown(asked.strip().upper()[:12])} opens only in the browser "
                   "that started it (its teacher's). You can join the class as a student here.",
                   icon=":material/lock:")


def member_panel(member) -> None:
    """A joined student: the class, their pseudonym, where their runs are, Leave."""
    st.success(f"You are in class **{escape_markdown(member.code)}** as **{escape_markdown(member.pseudonym)}** "
               f"(slot {member.slot}). Your 2D lab and side-by-side runs are part of the class: your teacher "
               "sees them in the gallery and may set a preset or pause them.", icon=":material/groups:")
    lab, pair, leave = st.columns([1, 1, 1])
    lab.page_link("views/toy_2d.py", label="Open the 2D lab", icon=":material/scatter_plot:")
    pair.page_link("views/side_by_side.py", label="Open side by side", icon=":material/compare:")
    if leave.button("Leave the class", icon=":material/logout:", key="class_leave"):
        key = browser_owner_key()
        if attempt(lambda: shared_classes().leave(key)) is not FAILED:
            st.rerun()


def outside_panel() -> None:
    """Not teaching, not in a class: join (left, what most browsers do) or start one."""
    join_col, start_col = st.columns(2, gap="large")
    with join_col:
        join_form()
    with start_col:
        start_panel()
        last_lessons_panel()
