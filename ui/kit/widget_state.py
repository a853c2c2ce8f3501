"""A keyed widget whose state the script sets is also given that state as its own default
(index=, value=, default=).

Why: Streamlit sends a state the script set only with the run that set it. A browser that mounts
the widget from a later run's message (teacher mode switched on while the page's first run was
still being drawn on a busy machine; a popover opened after a rerun) shows the widget's own
default instead, and sends that back as the user's choice: the side-by-side page's Run B became 0
like Run A, and "Start both runs" then compared 0 with 0. With the state as the default, the late
mount shows the state. (Streamlit's duplicate-default warning is off in .streamlit/config.toml.)

    st.selectbox(label, options, index=state_index(key, options), key=key)
    st.slider(label, lo, hi, value=state_value(key), key=key)
"""

from __future__ import annotations

from typing import Any, Sequence

import streamlit as st


def same_value(a, b) -> bool:
    """Equal and of the same kind: True is not the number 1 here, nor False the number 0."""
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def state_index(key: str, options: Sequence) -> int:
    """Where the widget's state is among `options` (0 when it has none or it is not offered)."""
    value = st.session_state.get(key)
    return next((i for i, option in enumerate(options) if same_value(option, value)), 0)


def state_value(key: str) -> Any:
    """The widget's state (None when it has none: the widget's own default then)."""
    return st.session_state.get(key)
