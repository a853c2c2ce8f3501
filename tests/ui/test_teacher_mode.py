"""Teacher mode in AppTest: the sidebar switch hides advanced controls, adds the projector CSS,
and survives a page switch in the real app."""

import os

from streamlit.testing.v1 import AppTest

from ui.kit.teacher_mode import TEACHER_CSS
from page_support import APP, TEST_PAGES

PAGE = os.path.join(TEST_PAGES, "teacher_page.py")


def css_blocks(at) -> list:
    return [h for h in at.get("html") if "stMetricValue" in h.proto.body]


def test_switch_hides_advanced_controls_and_enlarges_type():
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.toggle(key="teacher_mode").value is False
    assert [s.label for s in at.slider] == ["Adam beta2 (advanced)"]
    assert not css_blocks(at)

    at.toggle(key="teacher_mode").set_value(True).run()
    assert not at.exception
    assert at.session_state["teacher_mode"] is True and at.session_state["_teacher_mode_on"] is True
    assert [s.label for s in at.slider] == []
    assert len(css_blocks(at)) == 1 and css_blocks(at)[0].proto.body.strip() == TEACHER_CSS.strip()

    at.toggle(key="teacher_mode").set_value(False).run()
    assert [s.label for s in at.slider] == ["Adam beta2 (advanced)"] and not css_blocks(at)


def test_teacher_mode_survives_page_switches_in_the_app():
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception, at.exception
    at.sidebar.toggle(key="teacher_mode").set_value(True)
    at.switch_page("views/value_function.py").run()
    assert not at.exception, at.exception
    # the choice is a session flag, so it survives the page switch
    assert at.session_state["_teacher_mode_on"] is True
    at2 = AppTest.from_file(PAGE, default_timeout=60)
    at2.session_state["_teacher_mode_on"] = True  # a tab that turned it on earlier, on another page
    at2.run()
    assert at2.toggle(key="teacher_mode").value is True and len(css_blocks(at2)) == 1
    assert [s.label for s in at2.slider] == []
