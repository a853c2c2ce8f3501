"""The sections below a page's main view: one open at a time, chosen on a segmented control, and
only the open one built and sent (a slider's rerun then costs the first screen plus one section).

Why not `st.tabs(key=..., on_change="rerun")`, which also builds only the open tab: in Chromium,
every rerun of a live fragment elsewhere on the page re-renders the tab bar. On a minimal page
with a fragment redrawn every 0.25 s, six tab headers cost the renderer 4-5 points of a core and
a segmented control with the same names ~0; on the playing 2D lab the renderer took 46-49 % of a
core with its six tabs and 32-35 % with this control, MNIST 57-58 and 47-48 %
(docs/BENCHMARKS.md, "Sections on a segmented control"). On a 2-core laptop that is CPU the
training worker does not get.

    presets, files = sections(("Presets", "Downloads & share"), key="toy_tab")
    if presets.open:
        with presets:
            ...

The open section's name is `st.session_state[key]`: tests and callers open one by setting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from ui.kit.widget_state import state_value


@dataclass
class Section:
    """One section: `open` says whether to build it; `with section:` draws into the page's one
    section body, under the control."""
    name: str
    open: bool
    _body: object = field(default=None, repr=False)

    def __enter__(self):
        return self._body.__enter__()

    def __exit__(self, *exc):
        return self._body.__exit__(*exc)


def sections(names, key: str, label: str = "Below the view") -> tuple[Section, ...]:
    """The control (its label hidden) and one Section per name; the first is open unless the
    session says another (a name the page no longer has falls back to the first)."""
    names = tuple(names)
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    # its state is also its default: a late-mounted control shows the open section (ui.kit.widget_state)
    chosen = st.segmented_control(label, names, default=state_value(key), key=key, required=True,
                                  label_visibility="collapsed")
    body = st.container()
    return tuple(Section(name, name == chosen, body) for name in names)
