"""Real browser, real server: quick bursts of key presses on a slider of a playing MNIST page end
with the slider, the status line (the trainer's setting) and each other in agreement.

A teacher taps an arrow key two or three times in a row while the run plays. Each press is a
script rerun; with Streamlit's default `runner.fastReruns` a press started a second script thread
beside the run still busy with the previous press, the two sent their settings to the run
concurrently, and the older answer could land last: the slider was told back to a value the
trainer no longer had, and stayed there (2 of 20 bursts with two CPU hogs beside the page; 0 of
30 with `fastReruns = false` in .streamlit/config.toml). The machine is kept busy here too, as a
classroom server is.
"""

import re
import subprocess
import sys
import time

import pytest

from browser_support import int_metric, open_app_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STEP = 0.05  # the label-smoothing slider's step (ui.kit.live_controls.KNOBS)
# (presses, seconds between them): a hand's quick taps, the same every run
BURSTS = [(2, 0.05), (3, 0.15), (2, 0.25), (3, 0.0), (2, 0.1), (3, 0.2), (2, 0.0), (3, 0.1),
          (2, 0.15), (3, 0.05), (2, 0.2), (3, 0.25)]
HOGS, HOG_SECONDS = 2, 420  # busy loops (one per core here); ends by itself even if the test is killed

THUMB = ".st-key-mnist_knob_label_smoothing input[type='range']"


def shown(page) -> tuple[float | None, float | None]:
    """(the slider's value, the status line's label smoothing)."""
    status = page.locator(".st-key-mnist_status").first.inner_text()
    match = re.search(r"label smoothing\W*([0-9]*\.?[0-9]+)", status, re.I)
    slider = page.locator(THUMB).first.input_value()
    return float(slider), float(match.group(1)) if match else None


def agree_on(page, value: float) -> bool:
    slider, status = shown(page)
    return status is not None and abs(slider - value) < 1e-9 and abs(status - value) < 1e-9


def test_quick_key_bursts_leave_slider_and_trainer_agreeing(browser_page, app_server):
    page = browser_page
    hogs = [subprocess.Popen([sys.executable, "-c",
                              f"import time\nend = time.time() + {HOG_SECONDS}\nwhile time.time() < end: pass"])
            for _ in range(HOGS)]
    try:
        open_app_page(page, app_server, "/mnist")
        wait_until(lambda: int_metric(page, "Iteration") is not None, 180, what="the MNIST page's counter")
        page.locator(".st-key-mnist_play button").first.click()
        wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n >= 5, 180,
                   what="the run to train")
        value = shown(page)[0]
        for presses, gap in BURSTS:
            key = "ArrowRight" if value + presses * STEP <= 0.5 + 1e-9 else "ArrowLeft"
            value = round(value + (STEP if key == "ArrowRight" else -STEP) * presses, 2)
            page.evaluate(f"document.querySelector(\"{THUMB}\").focus()")  # no actionability round trips
            for _ in range(presses):
                page.keyboard.press(key)
                time.sleep(gap)
            wait_until(lambda value=value: agree_on(page, value), 90,
                       what=f"the slider and the status line to show label smoothing {value}")
            time.sleep(1.0)  # and stay there: a late answer of an earlier press must not move either
            assert shown(page) == (pytest.approx(value), pytest.approx(value))
        assert "pause" in page.locator(".st-key-mnist_play button").first.inner_text().lower()  # still playing
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
