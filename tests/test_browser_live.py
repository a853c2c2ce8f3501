"""Real browser, real server: the 2D lab keeps training while a slider moves.

Play, watch the iteration counter rise, move the label-smoothing slider with the keyboard, and
see the counter keep rising from where it was (no reset) with the new real label in use."""

import re

import pytest

from browser_support import app_server, browser_page, chromium, int_metric, open_app_page, wait_until  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def status_text(page) -> str:
    return page.locator(".st-key-toy_status").first.inner_text()


def real_label_in_use(page) -> float | None:
    match = re.search(r"Real label in use:\s*([0-9.]+)", status_text(page))
    return float(match.group(1)) if match else None


def test_label_smoothing_moves_while_training_continues(browser_page, app_server):  # noqa: F811
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
