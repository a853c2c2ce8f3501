"""Real browser, real server: the 2D lab keeps training while a slider moves.

Play, watch the iteration counter rise, move the label-smoothing slider with the keyboard, and
see the counter keep rising from where it was (no reset) with the new real label in use. Then two
students' tabs at once: both train (taking turns), each keeps its own settings."""

import re

import pytest

from browser_support import int_metric, open_app_page, open_section, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def status_text(page) -> str:
    return page.locator(".st-key-toy_status").first.inner_text()


def real_label_in_use(page) -> float | None:
    match = re.search(r"Real label in use:\s*([0-9.]+)", status_text(page))
    return float(match.group(1)) if match else None


def test_label_smoothing_moves_while_training_continues(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/toy_2d")
    wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="the lab at iteration 0")
    assert real_label_in_use(page) == pytest.approx(1.0)

    page.locator(".st-key-toy_play button").first.click()
    before = wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n >= 20 and n,
                        180, what="the iteration counter to rise while playing")

    # Streamlit's slider thumb is a visually hidden <input type="range"> that takes arrow keys
    thumb = page.locator(".st-key-toy_knob_label_smoothing input[type='range'], "
                         ".st-key-toy_knob_label_smoothing [role='slider']").first
    thumb.focus()
    thumb.press("ArrowRight")  # step 0.05
    thumb.press("ArrowRight")  # 0.10: real label 0.9
    wait_until(lambda: real_label_in_use(page) == pytest.approx(0.9), 120,
               what="the page to report real label 0.90")

    after_change = wait_until(lambda: int_metric(page, "Iteration"), 60, what="the counter after the change")
    assert after_change >= before, "the run was reset by a slider move"
    later = wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n > after_change + 10 and n,
                       180, what="the counter to keep rising after the slider move")
    assert later > before
    assert real_label_in_use(page) == pytest.approx(0.9)
    assert "pause" in page.locator(".st-key-toy_play button").first.inner_text().lower()  # still playing

    # No pause click here: a page redrawing under load can take a minute to take a click, and the
    # module's fixture stops the server (and with it the run) right after this test.


def sidebar_text(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def test_two_students_play_at_once_take_turns_and_keep_their_own_settings(chromium, app_server):
    """Two browser contexts = two students' tabs on one server. Both press Play; one moves its
    label-smoothing slider. Both counters rise (the TrainingGate lets them take turns, nobody is
    starved), each sidebar says the CPU is shared, and the other tab keeps its own real label."""
    contexts = [chromium.new_context(viewport={"width": 1600, "height": 1000}) for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:
            page.set_default_timeout(60_000)
            open_app_page(page, app_server, "/toy_2d")
            wait_until(lambda page=page: int_metric(page, "Iteration") == 0, 120, what="a lab at iteration 0")
        for page in pages:
            page.locator(".st-key-toy_play button").first.click()
        thumb = pages[0].locator(".st-key-toy_knob_label_smoothing input[type='range'], "
                                 ".st-key-toy_knob_label_smoothing [role='slider']").first
        thumb.focus()
        thumb.press("ArrowRight")  # 0.05 in the first tab only
        wait_until(lambda: real_label_in_use(pages[0]) == pytest.approx(0.95), 120,
                   what="the first tab to report real label 0.95")
        for page in pages:
            wait_until(lambda page=page: (n := int_metric(page, "Iteration")) is not None and n >= 20, 240,
                       what="both counters to rise while both play")
            wait_until(lambda page=page: "runs are playing on this server" in sidebar_text(page), 60,
                       what="the sidebar to say the CPU is shared")
        assert real_label_in_use(pages[1]) == pytest.approx(1.0)  # no bleed into the other tab
        assert not any(page.locator("[data-testid='stException']").count() for page in pages)
    finally:
        for context in contexts:
            context.close()


def test_a_section_opened_while_the_lab_plays_is_built_and_the_run_plays_on(browser_page, app_server):
    """The sections below the plane (ui.kit.sections): clicking one builds it and drops the one
    that was open, and the run goes on counting without a reset."""
    page = browser_page
    open_app_page(page, app_server, "/toy_2d")
    wait_until(lambda: page.locator(".st-key-toy_preset").count() == 1, 120, what="the Presets section, open first")
    page.locator(".st-key-toy_play button").first.click()
    before = wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n >= 20 and n,
                        180, what="the iteration counter to rise while playing")

    open_section(page, "toy_tab", "D vs D*, field, manifold, over time")
    wait_until(lambda: page.locator(".st-key-toy_secondary_live canvas").count() > 0, 120,
               what="the section's live charts")
    wait_until(lambda: page.locator(".st-key-toy_preset").count() == 0, 60, what="the Presets section to go")
    checked = page.locator(".st-key-toy_tab [role='radio'][aria-checked='true']")
    assert checked.count() == 1 and checked.inner_text().strip() == "D vs D*, field, manifold, over time"

    later = wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n > before + 10 and n,
                       180, what="the counter to keep rising with the section open")
    assert later > before, "the run was reset by opening a section"
    assert "pause" in page.locator(".st-key-toy_play button").first.inner_text().lower()  # still playing
