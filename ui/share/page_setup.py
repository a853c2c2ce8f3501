"""A page's shareable setup, and the one way every page shares it: restored from the URL when a tab
opens a new link, kept in the address bar as it changes, and offered as a link and a JSON preset in
the "Share this setup" expander.

What a link or a preset file means differs per page; a PageSetup says it. The rest is here, the same
for every page:

    setup = RunSetup("toy_2d", run, BASE, install=start_new_run, targets=TARGETS_2D)
    restore_link(setup)       # at the top, before the page draws its setting widgets
    ...
    keep_address(setup)       # on every run of the page, also when the expander is not drawn
    share_expander(setup)     # where the page wants the box
    # or share(setup, ...): the three in one place

The setups: ui.share.run_setup.RunSetup (a Run's TrainConfig: the 2D, 1D and MNIST labs),
ui.share.widget_setup.WidgetTableSetup (a table of widgets, classroom.settings_codec: the value
function and mode coverage pages) and ui.side_by_side.share.ComparisonSetup (a pair of runs and the
setting they differ in). Decoding is classroom's: hostile links and files are clamped or refused with
messages, never a traceback, and nothing is applied twice (a link once, when the page is opened in a
tab; an uploaded file once). The address bar also holds the page's run id (a reload finds the run
again); the shared link never does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import streamlit as st

from classroom.setting_values import Message
from ui.share.links import escape_markdown, share_url, show_messages, sync_query, unseen_query
from ui.share.server_address import share_link_base


class PageSetup(ABC):
    """What a page shares. A preset read from a file is anything with .messages, .errors and
    .extras (classroom.sharing.Decoded, classroom.settings_codec.Restored)."""

    page_key: str  # names the page in links, preset files and session-state keys
    link_note: str  # the caption over the link: what it carries
    loaded_note: str  # after "Loaded <name>: " once a preset file is applied

    @property
    def run_id(self) -> str | None:
        """The page's run, kept in the address bar (never in the shared link) so a reload finds it."""
        return None

    def prepare(self) -> None:
        """Called on every run of the page, before a new link is applied (most setups need nothing)."""
        return None

    @abstractmethod
    def apply_link(self, params: dict[str, list[str]]) -> Sequence[Message]:
        """Apply a new link's query parameters (key -> list of values); what was refused or adjusted."""

    @abstractmethod
    def link_params(self) -> dict[str, str]:
        """The setup now as link parameters (without the run id)."""

    @abstractmethod
    def preset_json(self, name: str, what_to_watch: str) -> str:
        """The setup now as a preset file."""

    @abstractmethod
    def read_preset(self, data: bytes) -> Any:
        """Decode an uploaded preset file (the decoders refuse oversize files before parsing)."""

    @abstractmethod
    def preset_applies(self, decoded: Any) -> bool:
        """False when the file was refused as a whole."""

    @abstractmethod
    def apply_preset(self, decoded: Any) -> Any:
        """Apply a preset file that applies (in the uploader's callback); returns what the expander
        shows of it (the decoded file, with what this page refused of it added)."""

    def not_applied(self, reason: str) -> None:
        """A change this page could not make (a trainer refusing a config): the page keeps its old
        setup and restore_link says why, at the top of this run (a link) or of the next (a file)."""
        st.session_state[_install_error_key(self.page_key)] = reason


def _messages_key(page_key: str) -> str:
    return f"_share_messages_{page_key}"


def _import_key(page_key: str) -> str:
    return f"_share_import_{page_key}"


def _install_error_key(page_key: str) -> str:
    return f"_share_install_error_{page_key}"


def restore_link(setup: PageSetup) -> None:
    """Apply the URL's setup (once per new link, see ui.share.links.unseen_query) and show what
    was refused or adjusted. Call it at the top of the page, before it draws its setting widgets,
    so a restored link reaches them on the same run."""
    setup.prepare()
    if (params := unseen_query(setup.page_key)) is not None:
        messages = tuple(setup.apply_link(params))
        st.session_state[_messages_key(setup.page_key)] = messages  # shown again in the expander
        show_messages(messages)
    if reason := st.session_state.pop(_install_error_key(setup.page_key), None):
        st.error(f"Not applied: {escape_markdown(reason)}", icon=":material/block:")


def keep_address(setup: PageSetup) -> dict:
    """Make the address bar describe the setup (so copying it shares the setup) and hold the page's
    run id; on every run of the page. Returns the link parameters."""
    return sync_query(setup.link_params(), setup.run_id)


def _import_upload(setup: PageSetup) -> None:
    upload = st.session_state.get(f"{setup.page_key}_share_upload")
    if upload is None:
        return
    decoded = setup.read_preset(upload.getvalue())
    st.session_state[_import_key(setup.page_key)] = decoded
    if setup.preset_applies(decoded):
        st.session_state[_import_key(setup.page_key)] = setup.apply_preset(decoded)


def share_expander(setup: PageSetup, name: str = "", what_to_watch: str = "", expanded: bool = False) -> None:
    """The "Share this setup" expander: the link, the setup as a preset download (`name` and
    `what_to_watch` go into the file), and an upload applied once per file (a refused file
    applies nothing); below them what the last file and the link the page was opened with said."""
    page_key = setup.page_key
    with st.expander(":material/link: Share this setup", expanded=expanded):
        st.caption(setup.link_note)
        st.code(share_url(setup.link_params()), language=None)
        st.caption(share_link_base().note)  # which address the link uses, and why
        st.download_button(":material/download: Download preset (JSON)", setup.preset_json(name, what_to_watch),
                           file_name=f"{page_key}-preset.json", mime="application/json",
                           key=f"{page_key}_share_download", on_click="ignore")
        st.file_uploader("Load a preset (JSON)", type=["json"], key=f"{page_key}_share_upload",
                         on_change=_import_upload, args=(setup,), max_upload_size=1,
                         help="A preset file saved from this page. Unknown or unsafe values are refused "
                              "or clamped, and the message says which.")
        if (decoded := st.session_state.get(_import_key(page_key))) is not None:
            if not setup.preset_applies(decoded):
                st.error("The preset file was not applied.", icon=":material/block:")
            else:
                label = decoded.extras.get("name") or "the preset"
                st.success(f"Loaded {escape_markdown(label)}: {setup.loaded_note}.")
                if watch := decoded.extras.get("what_to_watch"):
                    st.info(f"**What to watch:** {escape_markdown(watch)}")
            show_messages(decoded.messages)
        if messages := st.session_state.get(_messages_key(page_key)):
            st.caption("From the link this page was opened with:")
            show_messages(messages)


def share(setup: PageSetup, name: str = "", what_to_watch: str = "", expanded: bool = False) -> None:
    """restore_link, keep_address and share_expander in one place (the expander where this is called)."""
    restore_link(setup)
    keep_address(setup)
    share_expander(setup, name, what_to_watch, expanded)
