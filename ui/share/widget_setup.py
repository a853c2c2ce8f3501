"""The shareable setup of a page whose setup is its widgets (value function, mode coverage), from one
table (classroom.settings_codec.SettingsTable) that also draws them (ui.kit.table_widgets.widget):

    setup = WidgetTableSetup(TABLE)
    share(setup, name="value function setup")   # at the top, before any widget of TABLE is drawn
    widget(TABLE, "alpha", "real label α")      # each widget: range, step, choices from TABLE

A new link's values go into st.session_state under the widgets' keys (so the widgets show them on
this very run); every setting the tab has no value for gets its default; the address bar holds the
settings that differ from the defaults (the default page keeps a clean URL); a preset file is
applied in the uploader's callback, before the next run draws the widgets. At the top of a run the
session state already holds the latest widget changes and callbacks, so the address bar follows
them even on a page that stops early.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import streamlit as st

from classroom.setting_values import Message
from classroom.settings_codec import Restored, SettingsTable
from ui.share.page_setup import PageSetup


def current_values(table: SettingsTable) -> dict:
    """The settings as the tab holds them (the default where it holds none)."""
    return {name: st.session_state.get(table.key(name), s.plain(s.default)) for name, s in table.settings.items()}


class WidgetTableSetup(PageSetup):
    """A page's widgets described by `table`. on_change[name](): called when a link or a preset file
    changes setting `name` (a preset picker that must start a fresh run). run_id: the page's
    training run, kept in the address bar so a reload finds it."""

    link_note = ("Send this link: it opens this page with these settings (every setting you changed; "
                 "the rest at their defaults).")
    loaded_note = "its settings are on the page"

    def __init__(self, table: SettingsTable, on_change: Mapping[str, Callable[[], None]] | None = None,
                 run_id: str | None = None) -> None:
        self.table, self.on_change, self._run_id = table, dict(on_change or {}), run_id
        self.page_key = table.page

    @property
    def run_id(self) -> str | None:
        return self._run_id

    def prepare(self) -> None:
        for name in self.table.settings:
            # Streamlit forgets a widget's value on a run that does not draw it (the coverage page's
            # preset picker while an upload is judged); a value the script itself set is kept.
            if (key := self.table.key(name)) in st.session_state:
                st.session_state[key] = st.session_state[key]
        for name, value in self.table.defaults().items():
            st.session_state.setdefault(self.table.key(name), value)

    def _apply(self, restored: Restored) -> None:
        """Put the restored values into the widgets' state; then call on_change[name]() for each
        setting whose value changed."""
        before = current_values(self.table)
        for name, value in restored.values.items():
            st.session_state[self.table.key(name)] = value
        for name, callback in self.on_change.items():
            if restored.values[name] != before[name]:
                callback()

    def apply_link(self, params: dict[str, list[str]]) -> Sequence[Message]:
        restored = self.table.from_query(params)
        self._apply(restored)
        return restored.messages

    def link_params(self) -> dict[str, str]:
        return self.table.to_query(current_values(self.table))

    def preset_json(self, name: str, what_to_watch: str) -> str:
        return self.table.to_json(current_values(self.table), name)  # these files carry no "what to watch"

    def read_preset(self, data: bytes) -> Restored:
        return self.table.from_json(data)

    def preset_applies(self, decoded: Restored) -> bool:
        return decoded.applies

    def apply_preset(self, decoded: Restored) -> Restored:
        self._apply(decoded)
        return decoded
