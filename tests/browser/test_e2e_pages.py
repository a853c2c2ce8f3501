"""Real browser, real server, every page: open each page by clicking its link in the sidebar
navigation (one tab, in the lesson order), use its main control, and check that no exception
element is ever drawn; then restore a shared setup from a URL.

One `streamlit run app.py` serves the whole module. The t-SNE page builds its map on the first
visit, so this server gets a small map (GAN_TSNE_MAP_POINTS) in a temporary cache directory."""

from __future__ import annotations

import math
import os
import re

import pytest

from browser_support import (StreamlitServer, address_bar, browser_available, int_metric, metric_value, open_app_page,
                             wait_until)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAP_POINTS = 400
EXCEPTION = "[data-testid='stException']"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with a 400-digit t-SNE map in a fresh cache dir; OpenMP threads sleep when idle."""
    if reason := browser_available():
        pytest.skip(reason)
    env = {"GAN_TSNE_MAP_POINTS": str(MAP_POINTS),
           "GAN_TSNE_CACHE_DIR": str(tmp_path_factory.mktemp("tsne_cache")),
           "OMP_WAIT_POLICY": "PASSIVE"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = StreamlitServer()
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    app.wait_healthy()
    yield app.url
    app.stop()


@pytest.fixture(scope="module")
def tab(chromium, server):
    """One browser tab (one session) that walks through the pages in order."""
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    open_app_page(page, server)
    yield page
    context.close()


def no_exception(page) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()


def go(page, title: str, heading: str, timeout: float = 180) -> None:
    """Click the navigation link named `title` and wait for the page's heading."""
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).first.click()
    wait_until(lambda: page.get_by_role("heading", name=heading).count() > 0, timeout,
               what=f"the page “{title}”")
    no_exception(page)


def press(page, key: str) -> None:
    page.locator(f".st-key-{key} button:visible").first.click()


def test_home_slider(tab):
    page = tab
    go(page, "Home: what is a GAN?", "Log loss punishes confident mistakes")
    label = "Loss for this prediction of a real sample"
    wait_until(lambda: metric_value(page, label) == f"{-math.log(0.2):.3f} nats", 60, what="the loss of p = 0.2")
    thumb = page.locator(".st-key-home_p input[type='range']").first
    thumb.focus()
    thumb.press("ArrowRight")  # 0.20 -> 0.21
    wait_until(lambda: metric_value(page, label) == f"{-math.log(0.21):.3f} nats", 60,
               what="the loss of p = 0.21")
    no_exception(page)


def test_value_function_equilibrium(tab):
    page = tab
    go(page, "Value function & D*", "Value function V(D, G) and the optimal D*")
    page.get_by_role("tab", name="③ C(G) = −log 4 + 2·JSD").click()
    press(page, "vf_equilibrium")
    wait_until(lambda: metric_value(page, "−log 4 + 2·JSD") == f"{-math.log(4):.12f}", 120,
               what="C(G) = −log 4 after the equilibrium button")
    no_exception(page)


def test_1d_lab_step(tab):
    page = tab
    go(page, "1D lab (Figure 1)", "1D lab: Figure 1 of the 2014 paper, live")
    wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="the 1D lab at iteration 0")
    press(page, "toy1d_step_both")
    wait_until(lambda: int_metric(page, "Iteration") == 1, 120, what="iteration 1 after Step both")
    no_exception(page)


def test_2d_lab_step(tab):
    page = tab
    go(page, "2D toys & mode collapse", "2D toys & mode collapse")
    wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="the 2D lab at iteration 0")
    press(page, "toy_step_both")
    wait_until(lambda: int_metric(page, "Iteration") == 1, 120, what="iteration 1 after Step both")
    no_exception(page)


def test_side_by_side_step(tab):
    page = tab
    go(page, "Side by side", "Side by side: one setting, two runs")

    def both(n):
        return re.search(rf"Iteration\s*{n}\s*in both runs", page.locator("[data-testid='stMain']").inner_text())

    wait_until(lambda: both(0), 120, what="both runs at iteration 0")
    press(page, "sbs_step_both")
    wait_until(lambda: both(1), 120, what="both runs at iteration 1 after Step both")
    no_exception(page)


def mnist_iteration(page) -> int | None:
    match = re.search(r"Iteration ([\d,]+)", page.locator(".st-key-mnist_status").first.inner_text())
    return int(match.group(1).replace(",", "")) if match else None


def test_mnist_step(tab):
    page = tab
    go(page, "MNIST step by step", "MNIST, step by step", timeout=240)
    wait_until(lambda: mnist_iteration(page) == 0, 240, what="the MNIST page at iteration 0")
    press(page, "mnist_step_both")
    wait_until(lambda: mnist_iteration(page) == 1, 180, what="iteration 1 after Step both")
    no_exception(page)


def test_mode_coverage_quick_run_step(tab):
    page = tab
    go(page, "Mode coverage (t-SNE map)", "Mode coverage: where do the generator's digits land?")
    # the first visit builds the small map, then places the generator's digits on it
    wait_until(lambda: page.get_by_text(f"Map: {MAP_POINTS} real digits", exact=False).count() > 0, 300,
               what="the t-SNE map")
    # this tab's MNIST run is offered first; the quick run is the one with transport buttons
    page.locator(".st-key-cov_source label", has_text="Quick run on this page").first.click()
    wait_until(lambda: page.locator(".st-key-cov_step_both button:visible").count() > 0, 180,
               what="the quick run's buttons")
    wait_until(lambda: page.get_by_text("Iteration 0", exact=False).count() > 0, 180,
               what="the quick run at iteration 0")
    press(page, "cov_step_both")
    wait_until(lambda: page.get_by_text("Iteration 1", exact=False).count() > 0, 240,
               what="the quick run at iteration 1")
    no_exception(page)


def test_2d_lab_run_survives_the_tour(tab):
    """Back on the 2D lab after visiting every later page (and the links they wrote into the
    address bar): the run this tab stepped is still there, nothing was restored over it."""
    page = tab
    go(page, "2D toys & mode collapse", "2D toys & mode collapse")
    wait_until(lambda: int_metric(page, "Iteration") is not None, 120, what="the 2D lab's counter")
    assert int_metric(page, "Iteration") == 1
    assert metric_value(page, "Modes captured").endswith("/ 8")
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    no_exception(page)


VISITED = {"Home: what is a GAN?", "Value function & D*", "1D lab (Figure 1)", "2D toys & mode collapse",
           "Side by side", "MNIST step by step", "Mode coverage (t-SNE map)"}


def test_every_other_page_in_the_navigation_opens(tab):
    """Pages added after this file was written: opened by their link, no exception shown."""
    page = tab
    links = page.locator("[data-testid='stSidebarNavLink']")
    titles = [t.split("\n")[-1].strip() for t in links.all_inner_texts()]
    assert VISITED <= set(titles), titles
    heading = page.locator("[data-testid='stMainBlockContainer'] :is(h1, h2, h3)")  # pages title in h3 (compact)
    for title in (t for t in titles if t not in VISITED):
        before = address_bar(page)
        links.filter(has_text=title).first.click()
        wait_until(lambda before=before: address_bar(page) != before and heading.count() > 0,
                   180, what=f"the page “{title}”")
        page.wait_for_timeout(3000)  # let its first run finish drawing
        no_exception(page)


def test_2d_lab_restores_a_preset_from_the_url(chromium, server):
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        open_app_page(page, server, "/toy_2d?target=grid25&seed=3&label_smoothing=0.1")
        wait_until(lambda: metric_value(page, "Modes captured").endswith("/ 25"), 180,
                   what="the 2D lab on the 25-Gaussian grid")
        status = page.locator(".st-key-toy_status").first
        wait_until(lambda: re.search(r"Real label in use:\s*0\.90", status.inner_text()), 60,
                   what="real label 0.90 (label smoothing 0.1)")
        assert int_metric(page, "Iteration") == 0
        assert "target=grid25" in address_bar(page) and "seed=3" in address_bar(page)
        no_exception(page)
    finally:
        context.close()
