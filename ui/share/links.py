"""The URL side of sharing a page's setup: the query parameters of a new link (read once per tab),
the address bar kept in step, the full link to send, and the messages decoding left, shown as text.
Pages share through ui.share.page_setup, which builds on these."""

from __future__ import annotations

import re
from typing import Iterable, Mapping

import streamlit as st

from classroom.setting_values import Message

from classroom.sharing import query_string
from ui.kit.session import RUN_PARAM, reattached_ids
from ui.share.server_address import share_link_base

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$])")


def _link_read_key(page_key: str) -> str:
    return f"_share_link_read_{page_key}"


def _current_query() -> dict:
    """st.query_params as key -> list of values (repeated keys kept, the decoder says so)."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def escape_markdown(text: str) -> str:
    """Show user-supplied text literally: a crafted key cannot become a link or an image."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def show_messages(messages: Iterable[Message]) -> None:
    """Refusals as st.error, adjustments as st.warning, each naming what happened."""
    for m in messages:
        text = escape_markdown(m.text)
        if m.level == "error":
            st.error(f"Not applied: {text}", icon=":material/block:")
        else:
            st.warning(f"Adjusted: {text}", icon=":material/warning:")


def unseen_query(page_key: str) -> dict | None:
    """The URL's query parameters (key -> list of values) on the first run of this page in this
    tab, which is when a link is opened; None on every later run, and None when there are none or
    when the address names a run this tab found again (a reload: the run is its own setup).

    Read once and never again, because every later rerun carries an address the app itself wrote,
    or an older one: a slider move sends its rerun with the address the browser shows at that
    moment, which may not yet hold what the previous run wrote. Taking such an address for a new
    link installed a fresh run in the middle of Play (issue 11)."""
    if st.session_state.get(_link_read_key(page_key)):
        return None
    st.session_state[_link_read_key(page_key)] = True
    params = _current_query()
    run_id = (params.pop(RUN_PARAM, None) or [None])[-1]
    if not params or run_id in reattached_ids():
        return None
    return params


def sync_query(params: Mapping[str, str], run_id: str | None = None) -> dict:
    """Make the address bar hold exactly `params`, plus `run_id` (this tab's run, for a reload),
    written only when it differs. Returns `params`: the shareable part, without the run id."""
    params = dict(params)
    address = {RUN_PARAM: run_id, **params} if run_id else params
    if {k: st.query_params.get_all(k) for k in st.query_params} != {k: [v] for k, v in address.items()}:
        st.query_params.from_dict(address)
    return params


def share_url(params: Mapping[str, str]) -> str:
    """The full link on an address the class can open (ui.share.server_address: browser.serverAddress
    when set, this machine's network address when the page is open on localhost, else the page's
    own address), or the query string alone when no address is known."""
    return share_link_base().url + query_string(params)
