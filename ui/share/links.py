"""Share a page's setup: the URL's query parameters, a JSON preset download and a preset upload.

A page integrates it in three calls (names as on the 2D lab):

    restored = restore_from_query("toy_2d", BASE, extras={"preset": tuple(presets)})
    if restored is not None:                    # the URL asked for a setup this tab has not applied
        start_new_run(run, restored.config)
        show_messages(restored.messages)
    ...
    write_query("toy_2d", run.trainer.config, BASE)          # the address bar follows the settings
    share_panel("toy_2d", run.trainer.config, BASE, on_import=lambda d: start_new_run(run, d.config))

Decoding is classroom.sharing's: hostile links and files are clamped or refused with messages,
never a traceback, and nothing is applied twice (a link once, when the page is opened in a tab; an
uploaded file once). The address bar also holds this tab's run id (a reload finds the run again);
the shared link never does.
Pages whose setup is their widgets rather than a TrainConfig use the same pieces (unseen_query,
sync_query, share_expander) through ui.share.widget_page.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Mapping

import streamlit as st

from gan_core.config import TrainConfig
from classroom.sharing import (Decoded, Message, config_from_query, config_to_query, preset_from_json,
                              preset_to_json, query_string)
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


def restore_from_query(page_key: str, base_config: TrainConfig,
                       extras: Mapping[str, tuple | None] | None = None) -> Decoded | None:
    """The setup the URL's query parameters ask for, decoded onto `base_config`, once per page and
    tab (see unseen_query); None otherwise. Unpacks as `config, messages = decoded`."""
    params = unseen_query(page_key)
    if params is None:
        return None
    decoded = config_from_query(params, base_config, extras=extras)
    st.session_state[f"_share_messages_{page_key}"] = decoded.messages
    return decoded


def write_query(page_key: str, config: TrainConfig, base: TrainConfig, extras: Mapping[str, str] | None = None,
                run_id: str | None = None) -> dict:
    """Make the address bar describe `config` (so copying it shares the setup); returns the params."""
    return sync_query(page_key, config_to_query(config, base, extras), run_id)


def sync_query(page_key: str, params: Mapping[str, str], run_id: str | None = None) -> dict:
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


def _import_upload(page_key: str, read_preset: Callable[[bytes], Any], applies: Callable[[Any], bool],
                   on_import: Callable[[Any], None]) -> None:
    upload = st.session_state.get(f"{page_key}_share_upload")
    if upload is None:
        return
    decoded = read_preset(upload.getvalue())  # the decoders refuse oversize files before parsing
    st.session_state[f"_share_import_{page_key}"] = decoded
    if applies(decoded):
        on_import(decoded)


def share_expander(page_key: str, params: Mapping[str, str], preset_json: str, read_preset: Callable[[bytes], Any],
                   applies: Callable[[Any], bool], on_import: Callable[[Any], None], link_note: str,
                   loaded_note: str, expanded: bool = False) -> None:
    """The "Share this setup" expander of any page: the link of `params`, `preset_json` as a
    download, and an upload decoded by `read_preset` (anything with .messages, .errors and
    .extras) that calls `on_import(decoded)` once per file when `applies(decoded)`."""
    with st.expander(":material/link: Share this setup", expanded=expanded):
        st.caption(link_note)
        st.code(share_url(params), language=None)
        st.caption(share_link_base().note)  # which address the link uses, and why
        st.download_button(":material/download: Download preset (JSON)", preset_json,
                           file_name=f"{page_key}-preset.json", mime="application/json",
                           key=f"{page_key}_share_download", on_click="ignore")
        st.file_uploader("Load a preset (JSON)", type=["json"], key=f"{page_key}_share_upload",
                         on_change=_import_upload, args=(page_key, read_preset, applies, on_import),
                         max_upload_size=1,
                         help="A preset file saved from this page. Unknown or unsafe values are refused "
                              "or clamped, and the message says which.")
        if (decoded := st.session_state.get(f"_share_import_{page_key}")) is not None:
            if not applies(decoded):
                st.error("The preset file was not applied.", icon=":material/block:")
            else:
                label = decoded.extras.get("name") or "the preset"
                st.success(f"Loaded {escape_markdown(label)}: {loaded_note}.")
                if watch := decoded.extras.get("what_to_watch"):
                    st.info(f"**What to watch:** {escape_markdown(watch)}")
            show_messages(decoded.messages)
        if messages := st.session_state.get(f"_share_messages_{page_key}"):
            st.caption("From the link this page was opened with:")
            show_messages(messages)


def share_panel(page_key: str, config: TrainConfig, base: TrainConfig, on_import: Callable[[Decoded], None],
                extras: Mapping[str, str] | None = None, name: str = "", what_to_watch: str = "",
                expanded: bool = False) -> None:
    """The "Share this setup" expander: the link, a JSON preset download, and a JSON upload that
    calls `on_import(decoded)` once per uploaded file (refused files call nothing)."""
    share_expander(page_key, config_to_query(config, base, extras),
                   preset_to_json(config, page_key, name, what_to_watch),
                   read_preset=lambda data: preset_from_json(data, base, page=page_key),
                   applies=lambda decoded: decoded.config != base or not decoded.errors, on_import=on_import,
                   link_note="Send this link: it opens this page with these settings (target, seed, every "
                             "setting you changed).",
                   loaded_note="a fresh run with its settings", expanded=expanded)
