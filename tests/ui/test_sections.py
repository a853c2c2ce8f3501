"""The sections below a page's main view (ui.kit.sections): one open at a time, chosen on the
control or through session state, and only the open one built."""

from streamlit.testing.v1 import AppTest


def sections_script():
    import streamlit as st

    from ui.kit.sections import sections
    built = st.session_state.setdefault("built", [])
    alpha, beta, gamma = sections(("Alpha", "Beta", "Gamma"), key="demo_tab")
    for section in (alpha, beta, gamma):
        if section.open:
            with section:
                built.append(section.name)
                st.markdown(f"inside {section.name}")
    st.markdown("after the sections")


def shown(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_the_first_section_opens_first_and_only_it_is_built():
    at = AppTest.from_function(sections_script).run()
    assert not at.exception, at.exception
    assert shown(at) == ["inside Alpha", "after the sections"]
    assert at.session_state["built"] == ["Alpha"]
    (control,) = at.button_group
    assert control.options == ["Alpha", "Beta", "Gamma"] and control.value == "Alpha"


def test_choosing_on_the_control_opens_that_section_alone():
    at = AppTest.from_function(sections_script).run()
    at.button_group[0].set_value("Gamma").run()
    assert not at.exception, at.exception
    assert shown(at) == ["inside Gamma", "after the sections"]
    assert at.session_state["built"] == ["Alpha", "Gamma"]  # Beta was never built
    assert at.session_state["demo_tab"] == "Gamma"


def test_session_state_opens_a_section_and_an_unknown_name_falls_back_to_the_first():
    at = AppTest.from_function(sections_script)
    at.session_state["demo_tab"] = "Beta"  # what the pages' tests do
    at.run()
    assert shown(at) == ["inside Beta", "after the sections"]

    stale = AppTest.from_function(sections_script)
    stale.session_state["demo_tab"] = "A section this page no longer has"
    stale.run()
    assert not stale.exception, stale.exception
    assert shown(stale) == ["inside Alpha", "after the sections"]
    assert stale.session_state["demo_tab"] == "Alpha"
