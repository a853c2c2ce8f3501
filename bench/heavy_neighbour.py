"""A heavy run beside a light one on the same worker, in a real browser (issue 20, section 3, item 2).

    python bench/heavy_neighbour.py               # one worker process, so the two runs must share it
    python bench/heavy_neighbour.py --workers 2

`streamlit run app.py` with $GAN_CLASSROOM_WORKERS workers, Chromium at 1440x900. Tab A opens the
2D lab (default networks) and plays; its iterations per second are read off its own page. Tab B
opens a heavy 2D lab from a link (G and D width 512, batch 2048) and plays. Then: A's rate beside
B, how long A's Pause takes to answer (its button says Play again), and how long a third tab takes
to draw a fresh 2D lab (its Iteration reads 0). Before the fix, a worker stepped its runs one
iteration each in turn and answered between two steps: A fell to ~1 % of its rate and waited
for B's steps. Prints one dict; needs playwright and Debian's chromium (as the browser tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

HEAVY_LINK = "/toy_2d?g_width=512&d_width=512&batch_size=2048"


def measure(workers: int, window: float) -> dict:
    os.environ["GAN_CLASSROOM_WORKERS"] = str(workers)  # the server started below inherits it
    from playwright.sync_api import sync_playwright

    from browser_support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, int_metric, open_app_page, wait_until

    def play_button(page):
        return page.locator(".st-key-toy_play button").first

    def rate(page) -> float:
        start, t0 = int_metric(page, "Iteration"), time.monotonic()
        time.sleep(window)
        return (int_metric(page, "Iteration") - start) / (time.monotonic() - t0)

    def seconds_until(condition, limit: float = 60.0) -> float | str:
        t0 = time.monotonic()
        try:
            wait_until(condition, limit, 0.05, "the page")
        except AssertionError:
            return f"> {limit:g}"
        return round(time.monotonic() - t0, 2)

    out: dict = {"workers": workers}
    server = StreamlitServer()
    server.wait_healthy()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)

            def tab(path: str):
                page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                page.set_default_timeout(120_000)
                open_app_page(page, server.url, path)
                wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="a fresh lab")
                return page

            a = tab("/toy_2d")
            play_button(a).click()
            time.sleep(5)
            out["A alone it/s"] = round(rate(a), 1)
            b = tab(HEAVY_LINK)
            play_button(b).click()
            time.sleep(5)
            out["A beside B it/s"] = round(rate(a), 1)
            out["B it/s"] = round(rate(b), 2)
            play_button(a).click()
            out["A pause answered s"] = seconds_until(lambda: "Play" in play_button(a).inner_text())
            t0 = time.monotonic()
            try:
                c = tab("/toy_2d")
                out["C fresh lab drawn s"] = round(time.monotonic() - t0, 2)
            except AssertionError:
                c, out["C fresh lab drawn s"] = None, "> 120"
            pages = [pg for pg in (a, b, c) if pg is not None]
            out["exceptions on pages"] = sum(pg.locator("[data-testid='stException']").count() for pg in pages)
            browser.close()
    finally:
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--window", type=float, default=10.0, help="seconds over which a rate is read")
    args = parser.parse_args()
    print(measure(args.workers, args.window))


if __name__ == "__main__":
    main()
