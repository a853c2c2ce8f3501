"""The teacher's console, one screen: on the left the class code, the join link and what steers
the class (push a preset, pause all / play all, the gallery's order, downloads, end the class);
on the right the gallery, the spotlight or the sweep (only the open section is built and redrawn)."""

from __future__ import annotations

import time

import streamlit as st

from classroom.class_push import class_presets
from ui.class_mode.exports import exports
from ui.class_mode.gallery_view import gallery, sort_picker
from ui.class_mode.guarded import CLASS_PROBLEMS, FAILED, attempt, shared_classes
from ui.class_mode.join_panel import CONSOLE_PARAM, join_link, preset_words
from ui.class_mode.layout import REFRESH, console_size
from ui.class_mode.spotlight import spotlight, spotlight_picker
from ui.class_mode.sweep_view import class_modes, sweep, sweep_pickers
from ui.kit.readout import readout
from ui.kit.sections import sections
from ui.share.links import escape_markdown

SECTIONS_KEY, REVIEW_SECTIONS_KEY = "class_tab", "class_review_tab"
PUSH_KEY, PUSH_FILE_KEY = "class_push_preset", "class_push_file"
_SAID = "class_console_said"  # (kind, text) of the last action, said once on the next run


def _say(kind: str, text: str) -> None:
    st.session_state[_SAID] = (kind, text)


def _join_box(code: str) -> None:
    link, note = join_link(code)
    with st.popover("Join link", icon=":material/link:", width="stretch"):
        st.markdown(f"Students open this link, or the Class page and type the code **{code}**:")
        if link:
            st.code(link, language=None, wrap_lines=True)
        st.caption(note + " The link carries the class code only, never your key: it lets a browser join "
                   "as a student, nothing more.")


def _push(teacher_key: str) -> None:
    presets = list(class_presets())
    st.selectbox("Push a preset", presets, key=PUSH_KEY)
    push_col, file_col = st.columns([1, 1], gap="small")  # one row: the console stays one screen at 1280x720
    if push_col.button("Push", key="class_push", icon=":material/send:", type="primary", width="stretch",
                       help="Every student's 2D lab and side-by-side pair switch to this preset at their next "
                            "redraw, and say so."):
        info = attempt(lambda: shared_classes().push_preset(teacher_key, st.session_state[PUSH_KEY]))
        if info is not FAILED:
            _say("success", _pushed_words(info.preset))
            st.rerun()
    with file_col.popover("A file", icon=":material/upload_file:", width="stretch",
                          help="Push a preset file you saved on the 2D lab or side by side."):
        st.file_uploader("A preset file saved on the 2D lab or side by side (its Share box)", type=["json"],
                         key=PUSH_FILE_KEY, on_change=_push_file, args=(teacher_key,), max_upload_size=1,
                         help="The setup you prepared goes to every student's lab as it is. A file with a value "
                              "the class cannot take is refused, and the message says which.")


def _pushed_words(name: str, notes: tuple = ()) -> str:
    adjusted = "".join(f" Adjusted: {escape_markdown(note)}." for note in notes)
    return (f"Pushed **{escape_markdown(name)}** to the class: students' labs switch to it within a few seconds "
            f"and say so.{adjusted}")


def _push_file(teacher_key: str) -> None:
    """The uploaded preset file, pushed once (a callback: before the page draws again)."""
    upload = st.session_state.get(PUSH_FILE_KEY)
    if upload is None:
        return
    try:
        info, notes = shared_classes().push_file(teacher_key, upload.getvalue())
    except CLASS_PROBLEMS as exc:
        _say("error", escape_markdown(str(exc)))
        return
    _say("success", _pushed_words(info.preset, notes))


def _pause_play(teacher_key: str) -> None:
    pause_col, play_col = st.columns(2)
    if pause_col.button("Pause all", key="class_pause_all", icon=":material/pause:", width="stretch"):
        n = attempt(lambda: shared_classes().pause_all(teacher_key))
        if n is not FAILED:
            _say("info", f"Paused {n} run{'s' if n != 1 else ''}.")
    if play_col.button("Play all", key="class_play_all", icon=":material/play_arrow:", width="stretch"):
        n = attempt(lambda: shared_classes().play_all(teacher_key))
        if n is not FAILED:
            _say("info", f"Started {n} run{'s' if n != 1 else ''}.")


def _end(teacher_key: str, code: str) -> None:
    with st.popover("End", icon=":material/stop_circle:", width="stretch", help="End the class."):
        st.caption(f"Students can no longer join {code}; their runs stay theirs. The gallery and curves stay "
                   "in the database.")
        if st.button("End it now", key="class_end", type="primary"):
            if attempt(lambda: shared_classes().end_class(teacher_key)) is not FAILED:
                st.query_params.pop(CONSOLE_PARAM, None)
                st.rerun()


def _said() -> None:
    if (said := st.session_state.pop(_SAID, None)) is not None:
        kind, text = said
        {"success": st.success, "info": st.info, "error": st.error}[kind](text)


@st.fragment(run_every=REFRESH)
def _class_numbers(teacher_key: str, code: str) -> None:
    """The code to read out and how many have joined, up to date while students join."""
    info = attempt(lambda: shared_classes().teaching(teacher_key))
    if info in (None, FAILED) or info.code != code:  # ended meanwhile (another tab of this browser)
        return
    readout([("Class code", info.code), ("Students", f"{info.members}")])


def _views(teacher_key: str, code: str, live: bool) -> None:
    """The gallery, the spotlight (live classes only: a closed run has nothing to project) and the
    sweep of the class `code`, in sections of which only the open one is built and redrawn."""
    names = ["Gallery", "Spotlight", "Sweep"] if live else ["Gallery", "Sweep"]
    shown = {section.name: section for section in sections(names, key=SECTIONS_KEY if live else REVIEW_SECTIONS_KEY)}
    if shown["Gallery"].open:
        with shown["Gallery"]:
            gallery(teacher_key, code)
    if not any(section.open for name, section in shown.items() if name != "Gallery"):
        return
    rows = attempt(lambda: shared_classes().gallery(teacher_key, code))
    if rows is FAILED:
        return
    if "Spotlight" in shown and shown["Spotlight"].open:
        with shown["Spotlight"]:
            if (row := spotlight_picker(rows)) is not None:
                spotlight(teacher_key, row)
    if shown["Sweep"].open:
        with shown["Sweep"]:
            sweep_pickers()
            sweep(teacher_key, code, class_modes(rows))


def console(teacher_key: str, info) -> None:
    """The console of the open class this browser teaches."""
    st.query_params[CONSOLE_PARAM] = info.code  # a reload comes back here; in another browser it is refused in words
    size = console_size()
    controls, main = st.columns([size["controls"], size["main"]], gap="small")
    with controls:
        _class_numbers(teacher_key, info.code)
        st.caption(f"Class preset: **{escape_markdown(preset_words(info.preset))}**")
        _join_box(info.code)
        _push(teacher_key)
        _pause_play(teacher_key)
        _said()
        sort_picker()
        files_col, end_col = st.columns(2)
        with files_col, st.popover("Files", icon=":material/download:", width="stretch",
                                   help="Download the gallery, the curves and the sweep."):
            exports(teacher_key, info.code)
        with end_col:
            _end(teacher_key, info.code)
        if error := getattr(shared_classes(), "recorder_error", ""):
            st.warning(escape_markdown(error), icon=":material/database:")
    with main:
        _views(teacher_key, info.code, live=True)


def review_console(teacher_key: str, info, back) -> None:
    """A class this browser taught and ended (last lesson): its gallery and sweep as stored, and
    the downloads; nothing to steer. back(): leave this view."""
    size = console_size()
    controls, main = st.columns([size["controls"], size["main"]], gap="small")
    with controls:
        readout([("Class code", info.code), ("Students", f"{info.members}")])
        ended = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.ended)) if info.ended else "–"
        st.caption(f"Ended {ended}. The gallery and the sweep as they were stored; students can no longer join.")
        sort_picker()
        with st.popover("Files", icon=":material/download:", width="stretch",
                        help="Download the gallery, the curves and the sweep."):
            exports(teacher_key, info.code)
        st.button("Back", key="class_review_back", icon=":material/arrow_back:", on_click=back, width="stretch")
    with main:
        _views(teacher_key, info.code, live=False)
