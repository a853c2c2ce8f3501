"""Make a page whose setup is its widgets shareable, from one table (classroom.widget_settings):

    share_widgets(TABLE, name="value function setup")   # at the top, before any of its widgets
    widget(TABLE, "alpha", "real label α")               # each widget: range, step, choices from TABLE

share_widgets, once per run of the page: (1) on the first load of a new link, puts the link's
values into st.session_state under the widgets' keys (so the widgets show them on this very run)
and shows what was refused or adjusted; (2) gives every setting the tab has no value for its
default; (3) makes the address bar hold the settings that differ from the defaults (the default
page keeps a clean URL); (4) draws ui.share.links's "Share this setup" expander, whose JSON upload
applies a preset once. At the top of a run the session state already holds the latest widget
changes and callbacks, so the address bar follows them even on a page that stops early.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import streamlit as st

from classroom.widget_settings import Flag, Number, OneOf, Restored, SettingsTable, SomeOf
from ui.share.links import share_expander, show_messages, sync_query, unseen_query


def current_values(table: SettingsTable) -> dict:
    """The settings as the tab holds them (the default where it holds none)."""
    return {name: st.session_state.get(table.key(name), s.plain(s.default)) for name, s in table.settings.items()}


def _apply(table: SettingsTable, restored: Restored, on_change: Mapping[str, Callable[[], None]]) -> None:
    """Put the restored values into the widgets' state; then call on_change[name]() for each
    setting whose value changed (a preset picker that must start a fresh run)."""
    before = current_values(table)
    for name, value in restored.values.items():
        st.session_state[table.key(name)] = value
    for name, callback in on_change.items():
        if restored.values[name] != before[name]:
            callback()


def share_widgets(table: SettingsTable, name: str = "", on_change: Mapping[str, Callable[[], None]] | None = None,
                  expanded: bool = False, run_id: str | None = None, draw: bool = True) -> None:
    """Restore a new link, set the defaults, keep the address bar in step and draw the Share
    expander. Call it at the top of the page, before the page draws any widget of `table`.
    `run_id`: the page's training run, kept in the address bar so a reload finds it. draw=False:
    the expander is drawn later, lower on the page, by share_widgets_expander."""
    on_change = dict(on_change or {})
    for setting_name in table.settings:
        # Streamlit forgets a widget's value on a run that does not draw it (the coverage page's
        # preset picker while an upload is judged); a value the script itself set is kept.
        if (key := table.key(setting_name)) in st.session_state:
            st.session_state[key] = st.session_state[key]
    if (params := unseen_query(table.page)) is not None:
        restored = table.from_query(params)
        _apply(table, restored, on_change)
        st.session_state[f"_share_messages_{table.page}"] = restored.messages
        show_messages(restored.messages)
    for setting_name, value in table.defaults().items():
        st.session_state.setdefault(table.key(setting_name), value)
    sync_query(table.page, table.to_query(current_values(table)), run_id)
    if draw:
        share_widgets_expander(table, name, on_change, expanded)


def share_widgets_expander(table: SettingsTable, name: str = "",
                           on_change: Mapping[str, Callable[[], None]] | None = None, expanded: bool = False) -> None:
    """The "Share this setup" expander of share_widgets, anywhere below it on the page (its upload
    applies a preset in a callback, before the next run draws the widgets)."""
    on_change = dict(on_change or {})
    values = current_values(table)
    params = table.to_query(values)  # what sync_query wrote, without the run id
    share_expander(table.page, params, table.to_json(values, name), read_preset=table.from_json,
                   applies=lambda restored: restored.applies,
                   on_import=lambda restored: _apply(table, restored, on_change),
                   link_note="Send this link: it opens this page with these settings (every setting you "
                             "changed; the rest at their defaults).",
                   loaded_note="its settings are on the page", expanded=expanded)


def widget(table: SettingsTable, name: str, label: str, where=st, options: Sequence[str] | None = None,
           radio: bool = False, **kwargs):
    """Draw setting `name` in `where` (st, a column, ...) with its range, step or choices from
    `table` and its value from the session state; returns the widget's value. `options` replaces
    a choice's options on this run (a radio with an option only this tab has); keyword arguments
    go to the Streamlit widget (help, format_func, horizontal, on_change, ...)."""
    setting, key = table[name], table.key(name)
    if isinstance(setting, Number):  # Whole too
        return where.slider(label, setting.lo, setting.hi, step=setting.step, key=key, **kwargs)
    if isinstance(setting, Flag):
        return where.checkbox(label, key=key, **kwargs)
    if isinstance(setting, OneOf):
        options = list(setting.choices if options is None else options)
        if st.session_state.get(key) not in options:  # e.g. this tab's own run is gone
            st.session_state[key] = setting.default if setting.default in options else options[0]
        return (where.radio if radio else where.selectbox)(label, options, key=key, **kwargs)
    if isinstance(setting, SomeOf):
        return where.multiselect(label, list(setting.choices), key=key, **kwargs)
    raise TypeError(f"no widget for a {type(setting).__name__}")
