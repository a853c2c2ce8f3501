"""A tab's live redraw interval in the app: a student's tab redraws less often when the class has
20 runs playing; the teacher's tab (teacher mode, on the projector) keeps the page's interval."""

import pytest
from streamlit.testing.v1 import AppTest

import ui.kit.live_controls as live_controls


def interval_script():
    import streamlit as st

    from ui.kit.live_controls import live_redraw_every
    if st.session_state.get("as_teacher"):
        st.session_state["_teacher_mode_on"] = True  # what the sidebar switch remembers
    st.markdown(f"every {live_redraw_every(0.25):.3f}")


@pytest.mark.parametrize("playing, teacher, expected", [
    (1, False, "0.250"), (20, False, "2.500"), (20, True, "0.250"), (200, False, "5.000"),
])
def test_students_tabs_slow_down_when_the_class_plays_but_not_the_teachers(monkeypatch, playing, teacher,
                                                                          expected):
    monkeypatch.setattr(live_controls, "runs_playing", lambda: playing)
    at = AppTest.from_function(interval_script)
    at.session_state["as_teacher"] = teacher
    at.run()
    assert not at.exception, at.exception
    assert at.markdown[0].value == f"every {expected}"
