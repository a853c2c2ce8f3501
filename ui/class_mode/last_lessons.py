"""Last lessons: the classes this browser taught and ended, reopened read-only (their gallery and
sweep as stored, and the downloads). Only the browser that taught a class finds it here: the
list comes from its owner key, never from a code typed or put in a URL."""

from __future__ import annotations

import time

import streamlit as st

from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.kit.browser_owner import browser_owner_key

REVIEW_KEY = "class_review"  # the code of the last lesson this tab shows


def _words(info) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.created))
    title = f" · {info.title}" if info.title else ""
    return f"{info.code}{title} · {when} · {info.members} students"


def reviewed():
    """The ended class this tab shows, if this browser taught it (else None)."""
    code = st.session_state.get(REVIEW_KEY)
    if not code:
        return None
    key = browser_owner_key()
    taught = attempt(lambda: shared_classes().classes_taught(key))
    found = [] if taught is FAILED else [c for c in taught if c.code == code]
    if not found:
        st.session_state.pop(REVIEW_KEY, None)
        return None
    return found[0]


def close_review() -> None:
    st.session_state.pop(REVIEW_KEY, None)


def last_lessons_panel() -> None:
    """Pick one of this browser's ended classes to look at again (nothing when it has none)."""
    key = browser_owner_key()
    taught = attempt(lambda: shared_classes().classes_taught(key))
    if taught is FAILED:
        return
    ended = {c.code: c for c in taught if c.ended is not None}
    if not ended:
        return
    st.markdown("**Your last lessons**")
    code = st.selectbox("An ended class", list(ended), format_func=lambda c: _words(ended[c]), key="class_last_pick")
    if st.button("Open its gallery and sweep", key="class_last_open", icon=":material/history:"):
        st.session_state[REVIEW_KEY] = code
        st.rerun()
