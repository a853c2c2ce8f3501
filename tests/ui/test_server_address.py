"""Shared links point at an address the class can open (issue 12 item 15): browser.serverAddress
when the server's owner set it, this machine's network address when the teacher opened the page on
localhost, else the page's own address; the Share expander says which address it used."""

import os

import pytest
from streamlit import config
from streamlit.config_option import ConfigOption
from streamlit.testing.v1 import AppTest

import ui.share.server_address as server_address
from ui.share.server_address import link_base
from page_support import TEST_PAGES

PAGE = os.path.join(TEST_PAGES, "share_page.py")
QUERY = "?target=ring8&seed=0"  # what the test page's default setup writes


@pytest.mark.parametrize("browser, configured, port, lan, listen, url", [
    # opened on localhost: the machine's network address, same port and page path
    ("http://localhost:8501/toy_2d", None, None, "192.168.1.20", None, "http://192.168.1.20:8501/toy_2d"),
    ("http://127.0.0.1:8600/value_function?x=1", None, None, "10.0.0.7", "", "http://10.0.0.7:8600/value_function"),
    ("http://[::1]:8501/", None, None, "192.168.1.20", None, "http://192.168.1.20:8501/"),
    ("http://0.0.0.0:8501/toy_1d", None, None, "192.168.1.20", "0.0.0.0", "http://192.168.1.20:8501/toy_1d"),
    # browser.serverAddress set by the server's owner wins, with browser.serverPort
    ("http://localhost:8501/toy_2d", "gan.school.org", 8501, "192.168.1.20", None, "http://gan.school.org:8501/toy_2d"),
    ("http://192.168.1.20:8501/toy_2d", "gan.school.org", 443, "192.168.1.20", None, "https://gan.school.org/toy_2d"),
    # a page opened on a reachable address keeps it
    ("http://192.168.1.20:8501/mnist", None, None, "192.168.1.20", None, "http://192.168.1.20:8501/mnist"),
    ("https://gan.example.edu/base/toy_2d", None, None, "10.1.1.1", None, "https://gan.example.edu/base/toy_2d"),
    # no network address, or a server listening on loopback only: the local link, said so
    ("http://localhost:8501/toy_2d", None, None, "127.0.0.1", None, "http://localhost:8501/toy_2d"),
    ("http://localhost:8501/toy_2d", None, None, None, None, "http://localhost:8501/toy_2d"),
    ("http://127.0.0.1:8501/toy_2d", None, None, "192.168.1.20", "127.0.0.1", "http://127.0.0.1:8501/toy_2d"),
    # Streamlit did not report the page (bare runs): the query string alone
    (None, None, None, "192.168.1.20", None, ""),
])
def test_link_base_picks_the_address_the_class_can_open(browser, configured, port, lan, listen, url):
    assert link_base(browser, configured, port, lan, listen).url == url


def test_the_note_names_the_address_and_why():
    assert "this machine's network address 192.168.1.20:8501 instead" in \
        link_base("http://localhost:8501/toy_2d", None, None, "192.168.1.20").note
    assert "(browser.serverAddress): gan.school.org:8501." in \
        link_base("http://localhost:8501/", "gan.school.org", 8501, None).note
    assert "the address this page was opened with: 192.168.1.20:8501." in \
        link_base("http://192.168.1.20:8501/", None, None, "192.168.1.20").note
    local = link_base("http://localhost:8501/", None, None, "127.0.0.1").note
    assert "only opens on this computer" in local and "browser.serverAddress" in local
    assert "listens only on 127.0.0.1 (server.address)" in link_base("http://127.0.0.1:8501/", None, None,
                                                                       "192.168.1.20", "127.0.0.1").note


def shared_link(at: AppTest) -> tuple[str, str]:
    """(the link in the Share expander, the caption under it)."""
    notes = [c.value for c in at.caption if "address" in c.value and "link" in c.value]
    assert len(notes) == 1, notes
    return at.get("code")[0].value, notes[0]


def test_the_share_expander_on_localhost_hands_out_the_network_address(monkeypatch):
    monkeypatch.setattr(server_address, "_browser_url", lambda: "http://localhost:8501/toy_2d")
    monkeypatch.setattr(server_address, "_lan_address", lambda: "192.168.1.20")
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    link, note = shared_link(at)
    assert link == "http://192.168.1.20:8501/toy_2d" + QUERY
    assert "This page is open on localhost" in note and "network address 192.168.1.20:8501" in note


def test_the_share_expander_uses_browser_server_address_when_set(monkeypatch):
    monkeypatch.setattr(server_address, "_browser_url", lambda: "http://localhost:8501/toy_2d")
    monkeypatch.setattr(server_address, "_lan_address", lambda: "192.168.1.20")
    config.set_option("browser.serverAddress", "gan.school.org", where_defined="test")
    try:
        at = AppTest.from_file(PAGE, default_timeout=60).run()
    finally:
        config.set_option("browser.serverAddress", "localhost", where_defined=ConfigOption.DEFAULT_DEFINITION)
    assert not config.is_manually_set("browser.serverAddress")  # the option is back as it was
    link, note = shared_link(at)
    assert link == "http://gan.school.org:8501/toy_2d" + QUERY
    assert "browser.serverAddress" in note and "gan.school.org:8501" in note
