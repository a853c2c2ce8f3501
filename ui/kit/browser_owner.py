"""Which browser owns a run: a secret kept in a cookie, never in the URL.

The address bar holds a run's id so that a reload (F5) finds the run again, and everything in a
URL is public: a student who opens the teacher's address-bar link must get the teacher's setup on
a run of their own, not the teacher's run. So every run is registered with its owner key, a random
secret this module keeps in a cookie of the browser that started the run. A reload sends the cookie
with the page's websocket request (st.context.cookies) and finds the run; another browser has
another key (or none yet) and finds nothing, so the page decodes the rest of the link onto a fresh run.

Tabs of one browser share their cookies, hence their key: a teacher's second tab may open the
teacher's own run, which is the browser that owns it. Streamlit offers no way to set a cookie from
Python, so a one-line script (st.html with JavaScript) writes it; the first session of a new browser
keeps its key in session_state until its next page load sends the cookie.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

OWNER_COOKIE = "gan_classroom_owner"
_KEY_STATE = "_browser_owner_key"
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{22,64}")  # what token_urlsafe writes; anything else is refused
_COOKIE_DAYS = 30


def cookie_owner_key() -> str | None:
    """The owner key the browser sent with this session's page load, if it sent a well-formed one."""
    try:
        value = st.context.cookies.get(OWNER_COOKIE)
    except Exception:  # no request to read (a bare script run): no cookie
        return None
    return value if isinstance(value, str) and _WELL_FORMED.fullmatch(value) else None


def browser_owner_key() -> str:
    """This browser's owner key: its cookie's, else a new one made for this session (and written
    into the browser's cookie by remember_owner_key)."""
    key = st.session_state.get(_KEY_STATE)
    if key is None:
        key = cookie_owner_key() or secrets.token_urlsafe(24)
        st.session_state[_KEY_STATE] = key
    return key


def remember_owner_key() -> None:
    """Write the owner key into the browser's cookie when the browser did not send it. Called once
    per script run from the shared sidebar; the script sets nothing else."""
    key = browser_owner_key()
    if cookie_owner_key() == key:
        return
    # SameSite=Strict: the key travels only with this server's own requests; the key is URL-safe
    # base64, so it needs no quoting inside the script.
    st.html(f"<script>document.cookie = '{OWNER_COOKIE}={key}; path=/; max-age={_COOKIE_DAYS * 86400}; "
            f"SameSite=Strict';</script>", unsafe_allow_javascript=True)
