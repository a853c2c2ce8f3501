"""What a student's 2D lab and side-by-side page show in the sidebar while their browser is in a
class: "You are in class ABC123 as Ana", Leave, and the preset the teacher set (the sidebar, so
the lab's first screen keeps its room). It also hands the page's run to the class (the teacher's
gallery reads it) and applies a preset the teacher pushed, through the page's own install path,
saying so in words.

A push reaches a student's page at its next rerun; a small fragment asks every 2 s whether
there is one and reruns the page when there is, so a student who is only watching gets it too.
Which push a run has taken is remembered with the run (not the tab): a reload (F5) that finds
the same run again does not reset it to the preset a second time."""

from __future__ import annotations

import weakref
from typing import Callable

import streamlit as st

from classroom.service import Run
from gan_core.config import TrainConfig
from ui.class_mode.guarded import CLASS_PROBLEMS, FAILED, attempt, say_problem, shared_classes
from ui.kit.browser_owner import browser_owner_key
from ui.share.links import escape_markdown

WATCH_EVERY = 2.0  # seconds between two looks for a pushed preset
_pushes_taken: "weakref.WeakKeyDictionary[object, int]" = weakref.WeakKeyDictionary()  # run -> push version


def _state(page: str, what: str) -> str:
    return f"class_{what}_{page.replace(' ', '_')}"


def preset_taken(run) -> int:
    return _pushes_taken.get(run, 0)


def _attach(classes, key: str, page: str, run: Run) -> None:
    """The class holds this page's run (the same run again is a no-op of one database read)."""
    classes.attach_run(key, page, run)


def _take_push(classes, key: str, page: str, run: Run, apply_preset: Callable[[TrainConfig], bool]) -> None:
    pending = classes.pending_preset(key, preset_taken(run))
    if pending is None:
        return
    version, name, config = pending
    _pushes_taken[run] = version  # taken once, even if the page refused it (it says why)
    if apply_preset(config):
        st.session_state[_state(page, "preset")] = name
        st.toast(f"Your teacher set the class preset: {escape_markdown(name)}", icon=":material/school:")


def class_banner(run: Run, page: str, apply_preset: Callable[[TrainConfig], bool]) -> None:
    """Draw the class lines in the sidebar when this browser is in a class; nothing otherwise (the
    sidebar, so the lab's first screen stays as it is). Call it before the page draws its widgets:
    a pushed preset is installed like one the student picked.
    page: "2D lab" or "side by side"; apply_preset(config) -> False when it was not applied."""
    key = browser_owner_key()
    in_class = _state(page, "member")
    try:
        classes = shared_classes()
        member = classes.membership(key)
        if member is not None:
            _take_push(classes, key, page, run, apply_preset)  # first: the class then holds the preset's run
            _attach(classes, key, page, run)
    except CLASS_PROBLEMS as exc:
        if st.session_state.get(in_class):  # a student in a class hears why the class went quiet
            say_problem(exc, st.sidebar)
        return
    if member is None:
        st.session_state.pop(in_class, None)
        return
    st.session_state[in_class] = member.code
    with st.sidebar, st.container(key=_state(page, "banner"), border=True):
        st.markdown(f":material/groups: You are in class **{escape_markdown(member.code)}** as "
                    f"**{escape_markdown(member.pseudonym)}**")
        if name := st.session_state.get(_state(page, "preset")):
            st.markdown(f"Your teacher set the class preset: **{escape_markdown(name)}**")
        if st.button("Leave", key=_state(page, "leave"), icon=":material/logout:", type="tertiary"):
            if attempt(lambda: classes.leave(key), where=st.sidebar) is not FAILED:
                st.session_state.pop(_state(page, "preset"), None)
                st.rerun()
        _watch_pushes(run, key)


@st.fragment(run_every=WATCH_EVERY)
def _watch_pushes(run: Run, key: str) -> None:
    """Rerun the page when the teacher pushed a preset this run has not taken."""
    try:
        pending = shared_classes().pending_preset(key, preset_taken(run))
    except CLASS_PROBLEMS:
        return  # the banner says so on the next full run
    if pending is not None:
        st.rerun(scope="app")


def pair_preset(run: Run, config: TrainConfig) -> bool:
    """A pushed preset on the side-by-side page: the pair restarts on it, comparing what it compared."""
    from ui.side_by_side.pair import start_pair  # the side-by-side page's own install path

    pair = run.trainer
    try:
        start_pair(run, config, pair.setting, pair.values)
    except ValueError as exc:  # the preset refuses the compared values: say so, keep the pair
        st.error(f"Your teacher's preset could not start this comparison: {escape_markdown(str(exc))}")
        return False
    return True
