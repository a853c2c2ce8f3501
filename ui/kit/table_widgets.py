"""Draw a page's setting widgets from its table (classroom.settings_codec.SettingsTable): the range,
step or choices of each widget come from the table, its value from the session state under the
table's key. The same table makes the page shareable (ui.share.widget_setup.WidgetTableSetup)."""

from __future__ import annotations

from typing import Sequence

import streamlit as st

from classroom.settings_codec import Flag, Number, OneOf, SettingsTable, SomeOf
from ui.kit.widget_state import state_index, state_value


def widget(table: SettingsTable, name: str, label: str, where=st, options: Sequence[str] | None = None,
           radio: bool = False, **kwargs):
    """Draw setting `name` in `where` (st, a column, ...) with its range, step or choices from
    `table` and its value from the session state; returns the widget's value. `options` replaces
    a choice's options on this run (a radio with an option only this tab has); keyword arguments
    go to the Streamlit widget (help, format_func, horizontal, on_change, ...)."""
    setting, key = table[name], table.key(name)
    # each widget's default is its state, which a late-mounted widget shows (ui.kit.widget_state)
    if isinstance(setting, Number):  # Whole too
        return where.slider(label, setting.lo, setting.hi, value=state_value(key), step=setting.step, key=key,
                            **kwargs)
    if isinstance(setting, Flag):
        return where.checkbox(label, value=bool(state_value(key)), key=key, **kwargs)
    if isinstance(setting, OneOf):
        options = list(setting.choices if options is None else options)
        if st.session_state.get(key) not in options:  # e.g. this tab's own run is gone
            st.session_state[key] = setting.default if setting.default in options else options[0]
        return (where.radio if radio else where.selectbox)(label, options, index=state_index(key, options), key=key,
                                                           **kwargs)
    if isinstance(setting, SomeOf):
        return where.multiselect(label, list(setting.choices), default=state_value(key), key=key, **kwargs)
    raise TypeError(f"no widget for a {type(setting).__name__}")
