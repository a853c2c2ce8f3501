"""Class: a teacher starts a class and steers it from one console; students join with a code.

The browser that starts a class is its teacher (its owner key, ui.kit.browser_owner, never in a
URL); that browser gets the console. Any other browser gets the join form, or, once joined, its
place in the class; its 2D lab and side-by-side runs belong to the class from then on."""

import streamlit as st

from ui.class_mode.console import console, review_console
from ui.class_mode.guarded import FAILED, attempt, shared_classes
from ui.class_mode.join_panel import member_panel, outside_panel, refuse_console_address
from ui.class_mode.last_lessons import close_review, reviewed
from ui.kit.browser_owner import browser_owner_key
from ui.kit.readout import compact_page
from ui.share.links import escape_markdown

compact_page()
key = browser_owner_key()
teaching = attempt(lambda: shared_classes().teaching(key))
if teaching not in (None, FAILED):
    st.markdown("### Class" + (f" · {escape_markdown(teaching.title)}" if teaching.title else ""))
    console(key, teaching)
elif teaching is None and (last := reviewed()) is not None:
    st.markdown("### Last lesson" + (f" · {escape_markdown(last.title)}" if last.title else ""))
    review_console(key, last, back=close_review)
else:
    st.markdown("### Class")
    refuse_console_address()
    member = attempt(lambda: shared_classes().membership(key)) if teaching is None else FAILED
    if member not in (None, FAILED):
        member_panel(member)
    elif member is None:
        outside_panel()
