"""Real browser: the 2D lab's "More settings" popover shows the run's settings and changes nothing
by being opened.

The browser mounts a popover's widgets only when it first opens. Before the fix, a widget whose
value came from session state was mounted with its first option after any rerun (a step, a tab):
opening the popover showed lr 1e-5 and loss minimax, and the next click sent those to the running
trainer. Now each knob is given its state as its own default (ui.kit.widget_state), which is what
a late-mounted widget shows."""

import re

import pytest

from browser_support import int_metric, open_app_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINK = "/toy_2d?target=ring8&seed=0&lr_d=0.002&lr_g=0.002&ema_decay=0.99&lr_half_life=1000"


def status(page) -> str:
    return page.locator(".st-key-toy_status").first.inner_text()


def settings_in_status(page) -> bool:
    text = status(page)
    return all(re.search(p, text) for p in (r"lr D\s*0\.002", r"G\s*0\.002", r"loss\s*nonsaturating",
                                            r"EMA of G\s*0\.99", r"lr half-life\s*1,000"))


def step_both(page, updates: int) -> None:
    page.locator(".st-key-toy_step_both button").first.click()
    wait_until(lambda: int_metric(page, "Updates (D + G)") == updates, 60, what=f"{updates} updates")


def test_opening_more_settings_after_a_rerun_keeps_every_setting(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, LINK)
    wait_until(lambda: settings_in_status(page), 90, what="the link's settings in the status line")
    step_both(page, 2)  # a rerun before the popover is first opened
    page.locator("[data-testid='stPopover'] button").first.click()
    thumb = lambda field: page.locator(f".st-key-toy_knob_{field} [data-testid='stSliderThumbValue']").first  # noqa: E731
    wait_until(lambda: thumb("lr_d").inner_text() == "0.002", 30, what="D learning rate 0.002 in the popover")
    assert thumb("lr_g").inner_text() == "0.002"
    assert thumb("ema_decay").inner_text() == "0.99" and thumb("lr_half_life").inner_text() == "1000"
    assert thumb("instance_noise").inner_text() == "off"
    loss = page.locator(".st-key-toy_knob_loss").first.evaluate(  # the choice shown, as text or an input's value
        "e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')")
    assert "nonsaturating" in loss, loss
    page.keyboard.press("Escape")
    step_both(page, 4)
    assert settings_in_status(page), status(page)
