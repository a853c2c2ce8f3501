"""ui.kit.browser_owner: the owner key comes from the browser's cookie when it is well formed, is
made and written into the cookie otherwise, and stays the same for the whole session."""

import pytest
from streamlit.testing.v1 import AppTest

from page_support import browser_cookie
from ui.kit import browser_owner


def _page():
    from ui.kit.browser_owner import browser_owner_key, remember_owner_key

    import streamlit as st

    st.session_state["seen_key"] = browser_owner_key()
    remember_owner_key()


def _scripts(at) -> list[str]:
    return [e.proto.body for e in at.get("html") if "document.cookie" in e.proto.body]


def test_a_browser_without_the_cookie_gets_a_new_key_written_into_its_cookie():
    with browser_cookie(None):
        at = AppTest.from_function(_page).run()
        first = at.session_state["seen_key"]
        at.run()
    assert at.session_state["seen_key"] == first  # one key for the session
    assert browser_owner._WELL_FORMED.fullmatch(first)
    scripts = _scripts(at)
    assert len(scripts) == 1 and f"gan_classroom_owner={first};" in scripts[0] and "SameSite=Strict" in scripts[0]
    with browser_cookie(None):
        other = AppTest.from_function(_page).run()
    assert other.session_state["seen_key"] != first  # another browser, another key


def test_a_browser_that_sent_its_cookie_keeps_its_key_and_writes_nothing():
    key = "A" * 32
    with browser_cookie(key):
        at = AppTest.from_function(_page).run()
    assert at.session_state["seen_key"] == key and _scripts(at) == []


@pytest.mark.parametrize("value, kept", [
    ("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA", True),  # what token_urlsafe writes
    ("short", False),  # too short to be a secret
    ("x" * 65, False),
    ("abc'; alert(1); '" + "a" * 30, False),  # could break out of the script that writes it
    ("a b" * 10, False),
])
def test_only_well_formed_cookies_are_taken(value, kept):
    assert bool(browser_owner._WELL_FORMED.fullmatch(value)) is kept
