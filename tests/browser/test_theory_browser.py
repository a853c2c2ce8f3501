"""Real browser, real server: the value-function page shows C(G) for the default game, the
equilibrium button turns it into −log 4, and the 1D lab's Step G advances the counter by one."""

import math

import pytest

from browser_support import int_metric, metric_value, open_app_page, wait_until
from gan_core import theory as T

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_value_page_and_equilibrium(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/value_function")
    p, q = T.Mixture1D.gaussian(0.0, 1.0), T.Mixture1D.gaussian(2.0, 0.7)  # the page's default game
    x = T.quadrature_grid(p, q)
    expected = T.c_from_jsd(T.jsd(p.pdf(x), q.pdf(x), x))
    shown = wait_until(lambda: metric_value(page, "V(D*, G)"), 120, what="V(D*, G)")
    assert float(shown) == pytest.approx(expected, abs=6e-5)
    page.get_by_role("tab", name="③ C(G) = −log 4 + 2·JSD").click()
    page.locator(".st-key-vf_equilibrium button").first.click()
    wait_until(lambda: metric_value(page, "−log 4 + 2·JSD") == f"{-math.log(4):.12f}", 120,
               what="C(G) = −log 4 after the equilibrium button")


def test_1d_lab_steps(browser_page, app_server):
    page = browser_page
    open_app_page(page, app_server, "/toy_1d")
    wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="the 1D lab at iteration 0")
    page.locator(".st-key-toy1d_step_d button").first.click()
    page.locator(".st-key-toy1d_step_g button").first.click()
    wait_until(lambda: int_metric(page, "Iteration") == 1, 120, what="iteration 1 after Step D, Step G")
    # Figure 1 and the three charts below it are drawn on the live canvases, with this frame's stamp
    frames = wait_until(lambda: (f := page.evaluate(
        "[...document.querySelectorAll('.st-key-toy1d_live canvas.gc-live-canvas')].map(c => c.dataset.frame)"))
        and len(f) == 2 and all(x == "2" for x in f) and f, 120, what="both canvases drawn at update 2")
    assert frames == ["2", "2"]
