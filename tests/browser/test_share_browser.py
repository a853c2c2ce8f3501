"""Real browser: a shared 2D-lab link restores its setup and stays in the address bar; a hostile
link shows its messages without an exception; the side-by-side page steps both runs together; a
value-function link restores its widgets and refuses what it cannot use."""

from __future__ import annotations

import re

import pytest

from browser_support import address_bar, open_app_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EXCEPTION = "[data-testid='stException']"


def main_text(page) -> str:
    return page.locator("[data-testid='stMainBlockContainer']").inner_text()


def test_a_link_restores_the_2d_lab_and_the_url_keeps_it(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/toy_2d?target=grid25&seed=3&label_smoothing=0.1&batch_size=64")
    wait_until(lambda: "batch size 64" in main_text(page) and "target grid25" in main_text(page), 90,
               what="the restored settings in the status line")
    assert "label smoothing 0.10" in main_text(page)
    assert page.locator(EXCEPTION).count() == 0
    wait_until(lambda: "batch_size=64" in (url := address_bar(page)) and "target=grid25" in url, 30, what="the URL")


def test_a_hostile_link_shows_messages_and_the_page_renders(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/toy_2d?batch_size=999999999&loss=evil&unknown=1&lr_d=nan")
    wait_until(lambda: "Unknown setting(s) ignored: unknown" in main_text(page), 90, what="the refusal")
    wait_until(lambda: "batch size 8192" in main_text(page), 60, what="the clamped batch in the status line")
    text = main_text(page)
    assert "loss must be one of" in text and "lr_d must be a finite number" in text
    assert "using 8192" in text
    assert page.locator(EXCEPTION).count() == 0


def test_side_by_side_steps_both_runs(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/side_by_side")
    wait_until(lambda: "Iteration 0 in both runs" in main_text(page), 90, what="the side-by-side page")
    page.locator(".st-key-sbs_step_both button").first.click()  # "D+G" in the narrow controls column
    wait_until(lambda: "Iteration 1 in both runs" in main_text(page), 60, what="one lockstep iteration")
    assert re.search(r"Run A: One-sided label smoothing = 0\b", main_text(page))
    assert page.locator(EXCEPTION).count() == 0


def test_a_value_function_link_restores_its_widgets_and_refuses_the_rest(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/value_function?alpha=0.7&dirac_steps=200&evil=1&dirac_h=nan")
    wait_until(lambda: "Unknown setting(s) ignored: evil" in main_text(page), 90, what="the refusal")
    assert "dirac_h must be a finite number" in main_text(page)
    wait_until(lambda: page.get_by_text("simultaneous, after 200 steps").count() > 0, 60,
               what="the Dirac-GAN metrics with the link's 200 steps")
    wait_until(lambda: "alpha=0.7" in (url := address_bar(page)) and "dirac_steps=200" in url and "evil" not in url, 30,
               what="the URL with the sane part of the link")
    assert page.locator(EXCEPTION).count() == 0
