"""Every keyed widget on every page is given its state as its own default (ui.kit.widget_state).

Why it matters: a browser that mounts a widget from a later run's message than the one that set
its state shows the widget's default and sends it back as the user's choice. In Chromium, with
teacher mode switched on while the side-by-side page first ran and two busy processes on the
machine, Run B showed 0 instead of 0.1 in 4 of 7 tries (0 of 6 with the defaults), and "Start both
runs" then compared 0 with 0. The race itself depends on timing; what a late mount shows does not:
it is the default in the widget's message. So these tests read that: for each widget, the default
in its proto must be the value the page holds for it."""

import pytest

from page_support import open_app

PAGES = ["views/home.py", "views/value_function.py", "views/toy_1d.py", "views/toy_2d.py", "views/side_by_side.py",
         "views/mnist.py", "views/mode_coverage.py", "views/class_mode.py"]
KINDS = ("selectbox", "radio", "slider", "select_slider", "number_input", "checkbox", "toggle", "multiselect",
         "text_input", "button_group")  # button_group: st.segmented_control, the sections' picker
SECTION_KEYS = {"views/toy_1d.py": "toy1d_section", "views/toy_2d.py": "toy_tab",  # ui.kit.sections
                "views/side_by_side.py": "sbs_section", "views/mnist.py": "mnist_tab",
                "views/mode_coverage.py": "cov_tab"}


def shown_default(kind: str, widget):
    """What the browser shows for `widget` when it mounts from this message: its proto's default,
    in the terms of the widget's value."""
    proto = widget.proto
    if kind in ("selectbox", "radio"):
        index = list(proto.default)[0] if hasattr(proto.default, "__iter__") else proto.default
        return ("index", index)
    if kind in ("multiselect", "button_group"):
        return ("indices", list(proto.default))
    if kind == "select_slider":
        return ("labels", [proto.options[int(i)] for i in proto.default])
    if kind == "slider":
        return ("numbers", [float(x) for x in proto.default])
    return ("value", proto.default)


def held_value(kind: str, widget):
    """The value the page holds for `widget`, in the same terms as shown_default."""
    if kind in ("selectbox", "radio"):
        return ("index", widget.index)
    if kind in ("multiselect", "button_group"):
        return ("indices", list(widget.indices))
    if kind == "select_slider":
        values = widget.value if isinstance(widget.value, (list, tuple)) else [widget.value]
        return ("labels", [widget.format_func(v) for v in values])
    if kind == "slider":
        values = widget.value if isinstance(widget.value, (list, tuple)) else [widget.value]
        return ("numbers", [float(v) for v in values])
    return ("value", widget.value)


def mismatches(at) -> list[str]:
    found, checked = [], 0
    for kind in KINDS:
        for widget in at.get(kind):
            if not getattr(widget, "key", None):
                continue
            checked += 1
            shown, held = shown_default(kind, widget), held_value(kind, widget)
            if shown != held:
                found.append(f"{kind} {widget.key}: a late mount shows {shown[1]}, the page holds {held[1]}")
    assert checked > 0, "no keyed widgets found: the check would pass on nothing"
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_keyed_widget_shows_its_state_when_mounted_late(page):
    at = open_app(page, timeout=120)
    assert mismatches(at) == []
    if page not in SECTION_KEYS:
        return
    (picker,) = [w for w in at.get("button_group") if w.key == SECTION_KEYS[page]]
    assert len(picker.options) >= 2
    for name in picker.options[1:]:  # each section below the view is built only when open
        at.session_state[SECTION_KEYS[page]] = name
        at.run()
        assert not at.exception, (name, at.exception)
        assert mismatches(at) == [], name


@pytest.mark.parametrize("page", ["views/toy_2d.py", "views/side_by_side.py", "views/value_function.py"])
def test_in_teacher_mode_the_switch_and_the_widgets_show_their_state(page):
    at = open_app(timeout=120)
    at.toggle(key="teacher_mode").set_value(True)  # switched on, as a teacher does, then the page opened
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.toggle(key="teacher_mode").value is True and at.session_state["_teacher_mode_on"] is True
    assert mismatches(at) == []


def test_the_side_by_side_choices_stay_the_default_after_a_new_comparison():
    at = open_app("views/side_by_side.py", timeout=120)
    assert at.selectbox(key="sbs_value_b").value == pytest.approx(0.1)  # the page's opening pair, 0 vs 0.1
    at.selectbox(key="sbs_setting").set_value("batch_size").run()
    at.selectbox(key="sbs_value_b").set_value(128).run()
    at.button(key="sbs_start").click().run()
    assert not at.exception
    assert at.session_state["_live_runs"]["Side by side"].trainer.values == (32, 128)
    assert mismatches(at) == []
    b = at.selectbox(key="sbs_value_b")
    assert b.proto.options[shown_default("selectbox", b)[1]] == "128"


def test_a_changed_knob_is_the_default_a_late_mount_shows():
    at = open_app("views/toy_2d.py", timeout=120)
    at.select_slider(key="toy_knob_batch_size").set_value(64).run()
    assert not at.exception
    assert at.session_state["_live_runs"]["2D lab"].trainer.config.batch_size == 64
    assert mismatches(at) == []
    assert shown_default("select_slider", at.select_slider(key="toy_knob_batch_size")) == ("labels", ["64"])
