"""Real browser: a run is never lost by accident (issue 11).

On the 2D and 1D labs, press Play, then move label smoothing and batch size with the keyboard in a
quick rhythm (a key every 0.1 s, as a teacher does in class). The iteration counter never goes
back, every move reaches the running trainer, and afterwards the slider, the status line and the
address bar agree. Then reload the tab (F5): the same run is there, still training, with its
settings."""

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from browser_support import address_bar, int_metric, open_app_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# page, widget prefix, batch size at the start (the slider's options: 8, 16, ..., 2048)
PAGES = [("/toy_2d", "toy", 256), ("/toy_1d", "toy1d", 128)]
BATCHES = (8, 16, 32, 64, 128, 256, 512, 1024, 2048)


def status(page, prefix) -> str:
    return page.locator(f".st-key-{prefix}_status").first.inner_text()


def status_settings(page, prefix) -> tuple[float, int] | None:
    text = status(page, prefix)
    smoothing = re.search(r"label smoothing\s*([0-9.]+)", text)
    batch = re.search(r"batch size\s*([0-9]+)", text)
    return (float(smoothing.group(1)), int(batch.group(1))) if smoothing and batch else None


def thumb(page, prefix, field):
    """Streamlit's slider thumb: a visually hidden <input type="range"> that takes arrow keys."""
    return page.locator(f".st-key-{prefix}_knob_{field} input[type='range'], "
                        f".st-key-{prefix}_knob_{field} [role='slider']").first


def slider_text(page, prefix, field) -> str:
    return page.locator(f".st-key-{prefix}_knob_{field} [data-testid='stSliderThumbValue']").first.inner_text()


def press(page, prefix, field, key, times, counts):
    handle = thumb(page, prefix, field)
    handle.focus()
    for _ in range(times):
        handle.press(key)
        time.sleep(0.1)
        if (n := int_metric(page, "Iteration")) is not None:
            counts.append(n)


@pytest.mark.parametrize("path, prefix, batch", PAGES)
def test_quick_keyboard_moves_during_play_only_retune_the_run_and_a_reload_finds_it(browser_page, app_server,
                                                                                    path, prefix, batch):
    page = browser_page
    open_app_page(page, app_server, path)
    wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="a fresh lab at iteration 0")
    page.locator(f".st-key-{prefix}_play button").first.click()
    counts = [wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n >= 20 and n, 240,
                         what="the counter to rise while playing")]

    press(page, prefix, "label_smoothing", "ArrowRight", 6, counts)  # 0 -> 0.30
    press(page, prefix, "label_smoothing", "ArrowLeft", 2, counts)  # -> 0.20
    press(page, prefix, "batch_size", "ArrowLeft", 3, counts)  # 3 choices down
    press(page, prefix, "batch_size", "ArrowRight", 5, counts)  # 5 up
    want_batch = BATCHES[BATCHES.index(batch) - 3 + 5]

    wait_until(lambda: status_settings(page, prefix) == (pytest.approx(0.2), want_batch), 120,
               what=f"the status line to show label smoothing 0.20 and batch {want_batch}")
    for _ in range(3):  # and it stays so: no later rerun installs anything else
        time.sleep(1.0)
        counts.append(wait_until(lambda: int_metric(page, "Iteration"), 60, what="the counter"))
    assert counts == sorted(counts), f"the iteration went back: {counts}"
    assert counts[-1] > counts[0], "training stopped"
    assert status_settings(page, prefix) == (pytest.approx(0.2), want_batch)
    assert float(slider_text(page, prefix, "label_smoothing")) == pytest.approx(0.2)
    assert int(slider_text(page, prefix, "batch_size")) == want_batch
    query = wait_until(lambda: (q := parse_qs(urlparse(address_bar(page)).query)).get("batch_size") == [str(want_batch)]
                       and q, 60, what="the address bar to follow")
    assert query["label_smoothing"] == ["0.2"] and query["run"]

    # F5: a new session opens the same address and finds the same run, still playing
    before_reload = counts[-1]
    page.reload(wait_until="domcontentloaded")
    after = wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n, 120,
                       what="the lab after the reload")
    assert after >= before_reload, f"the reload started a fresh run ({after} < {before_reload})"
    wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n > after, 120,
               what="the run to keep training after the reload")
    assert status_settings(page, prefix) == (pytest.approx(0.2), want_batch)
    assert float(slider_text(page, prefix, "label_smoothing")) == pytest.approx(0.2)
    assert "pause" in page.locator(f".st-key-{prefix}_play button").first.inner_text().lower()
    assert parse_qs(urlparse(address_bar(page)).query)["run"] == query["run"]


def test_a_second_tab_on_the_same_run_follows_the_settings_another_tab_changes(browser_page, app_server):
    """The teacher's laptop and the projector: the run's address opened in a second tab of the same
    browser shows the same run. While it plays, label smoothing moved in the first tab reaches the
    second tab's slider too, not only its status line (the slider is outside the live redraw)."""
    laptop = browser_page
    open_app_page(laptop, app_server, "/toy_2d")
    wait_until(lambda: int_metric(laptop, "Iteration") == 0, 120, what="a fresh lab at iteration 0")
    laptop.locator(".st-key-toy_play button").first.click()
    wait_until(lambda: (n := int_metric(laptop, "Iteration")) is not None and n >= 20, 240,
               what="the counter to rise while playing")
    address = wait_until(lambda: "run=" in (a := address_bar(laptop)) and a, 60, what="the run's address")

    projector = laptop.context.new_page()  # same browser, same owner cookie: the same run
    projector.set_default_timeout(60_000)
    projector.goto(address, wait_until="domcontentloaded")
    start = wait_until(lambda: (n := int_metric(projector, "Iteration")) is not None and n >= 20 and n, 120,
                       what="the second tab to show the playing run")
    assert float(slider_text(projector, "toy", "label_smoothing")) == pytest.approx(0.0)

    press(laptop, "toy", "label_smoothing", "ArrowRight", 2, [])  # 0 -> 0.10 in the first tab only
    wait_until(lambda: status_settings(laptop, "toy") is not None
               and status_settings(laptop, "toy")[0] == pytest.approx(0.1), 120,
               what="the first tab's status line to show label smoothing 0.10")
    wait_until(lambda: float(slider_text(projector, "toy", "label_smoothing")) == pytest.approx(0.1), 60,
               what="the second tab's slider to follow to 0.10")
    wait_until(lambda: status_settings(projector, "toy")[0] == pytest.approx(0.1), 60,
               what="the second tab's status line to show 0.10")
    later = wait_until(lambda: (n := int_metric(projector, "Iteration")) is not None and n > start + 20 and n, 120,
                       what="the run to keep training")
    assert later > start

    # Pause and Play in the first tab: the second one follows both (a paused tab has no redraw
    # timer; it looks every few seconds whether its run was played elsewhere, as a class's Play all does)
    def button(page) -> str:
        return page.locator(".st-key-toy_play button").first.inner_text().lower()

    laptop.locator(".st-key-toy_play button").first.click()
    wait_until(lambda: "play" in button(projector) and "pause" not in button(projector), 90,
               what="the second tab to show the run paused")
    paused_at = wait_until(lambda: int_metric(projector, "Iteration"), 60, what="the counter when paused")
    laptop.locator(".st-key-toy_play button").first.click()
    wait_until(lambda: "pause" in button(projector), 90, what="the second tab to show the run playing again")
    wait_until(lambda: (n := int_metric(projector, "Iteration")) is not None and n > paused_at + 20, 120,
               what="the second tab's counter to rise again")
