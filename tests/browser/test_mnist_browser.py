"""Real browser, real server: the MNIST page steps, plays, and its checkpoint download loads.

Step D and Step G draw their tile grids (every tile image decoded by the browser), Play trains
on the background thread while the page redraws, and the file the download button serves is a
checkpoint of the run at the iteration the page shows."""

import re

import pytest

from browser_support import metric_value, open_app_page, open_section, wait_until
from gan_core.checkpoint import load_checkpoint

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def iteration(page) -> int | None:
    text = page.locator(".st-key-mnist_status").first.inner_text()
    match = re.search(r"Iteration ([\d,]+)", text)
    return int(match.group(1).replace(",", "")) if match else None


def button(page, key: str):
    return page.locator(f".st-key-mnist_{key} button:visible").first


def tiles_loaded(page) -> tuple[int, int]:
    """(tiles whose image the browser decoded, all tiles) on the page."""
    return page.evaluate("""() => {
        const imgs = Array.from(document.querySelectorAll('figure.gan-tile img'));
        return [imgs.filter(i => i.complete && i.naturalWidth > 0).length, imgs.length];
    }""")


def test_step_play_and_download(browser_page, app_server, tmp_path):
    page = browser_page
    open_app_page(page, app_server, "/mnist")
    wait_until(lambda: iteration(page) == 0, 240, what="the MNIST page at iteration 0")

    button(page, "step_d").click()
    wait_until(lambda: metric_value(page, "Real error"), 120, what="the D-step view")
    button(page, "step_g").click()
    wait_until(lambda: metric_value(page, "Mean D(G(z)) after"), 120, what="the G-step view")
    # Real + fake grids of the D step, before + after grids of the G step, and the latent walk.
    loaded, total = wait_until(lambda: (t := tiles_loaded(page))[1] >= 4 * 12 and t[0] == t[1] and t,
                               60, what="every tile image decoded")
    assert loaded == total
    assert page.get_by_text("D=0.", exact=False).count() > 0
    assert iteration(page) == 1

    button(page, "play").click()
    wait_until(lambda: (n := iteration(page)) is not None and n >= 4, 240, what="training while playing")
    # the live D verdict replaces the step view (its redraw may come a moment after the counter's)
    wait_until(lambda: page.get_by_text("What D says now").count() > 0, 60, what="the live D verdict")
    button(page, "play").click()  # pause
    wait_until(lambda: "paused" in page.locator(".st-key-mnist_status").first.inner_text(), 60,
               what="the run to pause")
    paused_at = iteration(page)

    open_section(page, "mnist_tab", "Downloads, checkpoint & share")  # only the open section is built
    with page.expect_download(timeout=120_000) as info:
        button(page, "download").click()
    path = tmp_path / "run.pt"
    info.value.save_as(path)
    trainer = load_checkpoint(path.read_bytes())
    assert trainer.iteration == paused_at and trainer.config.target == "mnist"
