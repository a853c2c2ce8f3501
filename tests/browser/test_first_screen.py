"""Every lesson page is an instrument on the projector (issue 21): at 1440x900, and at 1280x720
with teacher mode on, the page's main view lies within the first screen (no scrolling), is at least
500 px on its long side, and nothing runs off the right edge.

MAIN_VIEWS names, per page, the element that is its main view (a CSS selector) and the other
elements that must be on the first screen with it (controls, big numbers). A page joins the check
by adding its row; `python bench/screenshots.py` saves the same screens as PNGs for a human to look
at (docs/screenshots)."""

import pytest

from browser_support import open_app_page, wait_until
from test_class_browser import start_class

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# path -> (main view selector, other selectors that must be on the first screen)
MAIN_VIEWS = {
    "/toy_2d": (".st-key-toy_plane_canvas canvas", (".st-key-toy_play", ".gc-readout")),
    "/": (".st-key-home_value_function", (".st-key-home_value_function .katex",)),  # home: the formula fits
    "/value_function": (".st-key-vf_main_view .js-plotly-plot", (".st-key-vf_slope", ".st-key-vf_offset", ".gc-readout",
                                                                  ".st-key-vf_terms")),
    "/side_by_side": (".st-key-sbs_planes:has(.st-key-sbs_plane_1 canvas)",  # both planes, once drawn
                      (".st-key-sbs_plane_0 canvas", ".st-key-sbs_plane_1 canvas", ".st-key-sbs_setting",
                       ".st-key-sbs_value_a", ".st-key-sbs_value_b", ".st-key-sbs_play",
                       ".st-key-sbs_numbers_0 .gc-readout", ".st-key-sbs_numbers_1 .gc-readout")),
    "/toy_1d": (".st-key-toy1d_figure1 canvas", (".st-key-toy1d_play", ".st-key-toy1d_knob_label_smoothing",
                                               ".st-key-toy1d_knob_batch_size", ".gc-readout")),
    "/mnist": (".st-key-mnist_grid canvas", (".st-key-mnist_play", ".st-key-mnist_step_d", ".st-key-mnist_step_g",
                                          ".st-key-mnist_knob_label_smoothing", ".st-key-mnist_knob_batch_size",
                                          ".gc-readout", ".st-key-mnist_histogram canvas")),
    "/mode_coverage": (".st-key-cov_live_map canvas", (".st-key-cov_play", ".gc-readout",
                                                   ".st-key-cov_live_histogram canvas")),
    "/class_mode": (".st-key-class_gallery_canvas canvas", (".gc-readout", ".st-key-class_push_preset",
                                                            ".st-key-class_push", ".st-key-class_pause_all",
                                                            ".st-key-class_play_all", ".st-key-class_sort")),
}
# pages whose main view needs a step first: path -> what the browser does there (the Class page
# shows its console, the main view, to the browser that started a class)
PREPARE = {"/class_mode": start_class}
SCREENS = [(1440, 900, False), (1280, 720, True)]  # width, height, teacher mode


def set_teacher_mode(page, on: bool) -> None:
    toggle = page.locator(".st-key-teacher_mode input[type='checkbox']").first
    if toggle.is_checked() != on:
        page.locator(".st-key-teacher_mode label").first.click()
        wait_until(lambda: toggle.is_checked() == on, 30, what="teacher mode to switch")


def box(page, selector: str) -> dict | None:
    """The first visible match's box in CSS pixels relative to the viewport (None: not drawn)."""
    return page.evaluate("""(sel) => {
        for (const el of document.querySelectorAll(sel)) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.height > 0) return {x: r.x, y: r.y, width: r.width, height: r.height};
        }
        return null;
    }""", selector)


def open_on_screen(chromium, base_url: str, path: str, width: int, height: int, teacher: bool):
    """A new browser at width x height on `path`, teacher mode as asked, its main view drawn; returns
    (context, page): the caller closes the context."""
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(120_000)
    open_app_page(page, base_url)
    set_teacher_mode(page, teacher)
    open_app_page(page, base_url, path)
    if path in PREPARE:
        PREPARE[path](page)
    set_teacher_mode(page, teacher)
    selector = MAIN_VIEWS[path][0]
    wait_until(lambda: box(page, selector), 240, what=f"the main view {selector}")
    return context, page


def within_first_screen(found: dict | None, width: int, height: int) -> bool:
    return (found is not None and found["y"] >= 0 and found["x"] >= 0
            and found["y"] + found["height"] <= height + 1 and found["x"] + found["width"] <= width + 1)


@pytest.mark.parametrize("width, height, teacher", SCREENS, ids=["1440x900", "1280x720-teacher"])
@pytest.mark.parametrize("path", MAIN_VIEWS)
def test_the_main_view_is_on_the_first_screen(chromium, app_server, path, width, height, teacher):
    selector, others = MAIN_VIEWS[path]
    context, page = open_on_screen(chromium, app_server, path, width, height, teacher)
    try:
        page.wait_for_timeout(1500)  # late layout (fonts, images) settles
        main = box(page, selector)
        assert within_first_screen(main, width, height), f"{selector} at {main}, screen {width}x{height}"
        assert max(main["width"], main["height"]) >= 500, f"{selector} is only {main}"
        for other in others:
            found = box(page, other)
            assert within_first_screen(found, width, height), f"{other} at {found}, screen {width}x{height}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page runs {overflow} px off the right edge"
    finally:
        context.close()
