"""Screenshots of every lesson page, as the projector shows them: at 1440x900, and at 1280x720 with
teacher mode on, after pressing Play where the page trains (the frame a class sees), saved as
docs/screenshots/<page>_1440.png and <page>_1280.png. It prints where each page's main view lies
(the same table and measure as tests/browser/test_first_screen.py) so a figure can be quoted.

    python bench/screenshots.py                 # every page
    python bench/screenshots.py --pages /mnist --out /tmp/shots --play-seconds 10
"""

from __future__ import annotations

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "browser")]

from browser_support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402
from test_first_screen import MAIN_VIEWS, SCREENS, box, open_on_screen, within_first_screen  # noqa: E402

# the Play button of each page that trains (pages without one are shot as they open)
PLAY = {"/toy_2d": ".st-key-toy_play button", "/toy_1d": ".st-key-toy1d_play button",
        "/side_by_side": ".st-key-sbs_play button", "/mnist": ".st-key-mnist_play button",
        "/mode_coverage": ".st-key-cov_play button"}


def file_name(path: str, width: int) -> str:
    return f"{path.strip('/') or 'home'}_{width}.png"


def shoot(browser, base_url: str, path: str, width: int, height: int, teacher: bool, out: str,
          play_seconds: float) -> str:
    context, page = open_on_screen(browser, base_url, path, width, height, teacher)
    try:
        selector = MAIN_VIEWS[path][0]
        if path in PLAY:
            page.locator(PLAY[path]).first.click()
        page.wait_for_timeout(play_seconds * 1000)
        main = box(page, selector)
        target = os.path.join(out, file_name(path, width))
        page.screenshot(path=target)
        where = "first screen" if within_first_screen(main, width, height) else "BELOW THE FOLD"
        return (f"{path:<16} {width}x{height}{' teacher' if teacher else '        '}  main view "
                f"{main['width']:.0f}x{main['height']:.0f} at y={main['y']:.0f} ({where}) -> {target}")
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", default=list(MAIN_VIEWS), choices=list(MAIN_VIEWS))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--play-seconds", type=float, default=6.0, help="play this long before the shot")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    from playwright.sync_api import sync_playwright

    server = StreamlitServer()
    server.wait_healthy()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for path in args.pages:
                for width, height, teacher in SCREENS:
                    print(shoot(browser, server.url, path, width, height, teacher, args.out, args.play_seconds),
                          flush=True)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
