"""Big numbers for a projector, as one small HTML block: a label above each value, never clipped
(st.metric cut labels such as "Mean confi…" in narrow columns), and in teacher mode the values
grow more than the labels. Also the page style a live lab needs to fit one screen."""

from __future__ import annotations

import html

import streamlit as st

from gan_core.inactive_settings import labels_apply
from ui.kit.teacher_mode import is_teacher_mode

READOUT_CSS = """
<style>
.gc-readout { display: flex; flex-wrap: wrap; gap: 0.3rem 1.1rem; margin: 0 0 0.4rem 0; }
.gc-readout .gc-item { display: flex; flex-direction: column; min-width: 5.5rem; }
.gc-readout .gc-label { font-size: 0.85rem; color: #555; line-height: 1.2; }
.gc-readout .gc-value { font-size: 1.55rem; font-weight: 600; line-height: 1.25; color: #1f1f2e; }
.gc-readout.gc-teacher .gc-label { font-size: 1.05rem; }
.gc-readout.gc-teacher .gc-value { font-size: 2.3rem; }
</style>
"""

# Less padding above and around the page: the live view must be on the first screen of a
# 1440x900 (or, in teacher mode, 1280x720) projector.
COMPACT_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem !important; padding-left: 1.2rem !important;
                                       padding-right: 1.2rem !important; padding-bottom: 2rem !important; }
section[data-testid="stSidebar"][data-collapsed="false"] { width: 240px !important; min-width: 240px !important; }
[data-testid="stMainBlockContainer"] .stButton p, [data-testid="stPopover"] p { font-size: 1rem !important; }
</style>
"""


def compact_page() -> None:
    st.html(COMPACT_CSS)


def readout(items: list[tuple[str, str]]) -> None:
    """(label, value) pairs as big numbers."""
    cls = "gc-readout gc-teacher" if is_teacher_mode() else "gc-readout"
    cells = "".join(f'<div class="gc-item"><span class="gc-label">{html.escape(label)}</span>'
                    f'<span class="gc-value">{html.escape(value)}</span></div>' for label, value in items)
    st.html(f'{READOUT_CSS}<div class="{cls}">{cells}</div>')


def labels_status(c) -> str:
    """The labels D trains with, for a lab's status line (markdown): the real label and its
    smoothing, the fake label when it is not 0, or that the loss has no labels."""
    if not labels_apply(c.loss):
        return f"No labels under the {c.loss} loss (label smoothing **{c.label_smoothing:.2f}** has no effect)"
    fake = f" · fake label **{c.fake_label:.2f}**" if c.fake_label else ""
    return f"Real label in use: **{c.real_label:.2f}** (label smoothing **{c.label_smoothing:.2f}**){fake}"
