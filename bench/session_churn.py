"""Sessions leave nothing behind: rounds of N Chromium tabs (each its own browser, as N students)
open the 2D lab, then close; after the janitor's window the server is read from inside (the probe
page of tests/ui/pages_for_tests/probe_app.py).

Per round it prints what a closed tab could leave: run registry entries, run handles alive before
any garbage collection, live handles and Trainer replicas after one, runs the workers still host,
threads (and which are new since the start), Streamlit sessions kept for reconnection, and the
server's resident memory. Short idle timeout and reconnection window (3 s / 2 s) so a round takes
about a minute; the janitor's sweep and its collection then run as in class.

    python bench/session_churn.py --tabs 10 --rounds 3
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests")]

from browser_support import (CHROMIUM, CHROMIUM_ARGS, StreamlitServer, int_metric,  # noqa: E402
                             open_app_page, open_probe, read_probe, wait_until)

PROBE_APP = "tests/ui/pages_for_tests/probe_app.py"
SHOWN = ("registry", "handles_before_gc", "live_runs", "trainers", "worker_runs", "threads",
         "stored_sessions", "active_sessions")


def probe_server(idle: float = 3, reconnect_window: float = 2) -> StreamlitServer:
    os.environ["GAN_CLASSROOM_IDLE_TIMEOUT"] = str(idle)
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(reconnect_window)
    server = StreamlitServer(app=PROBE_APP)
    server.wait_healthy()
    return server


def churn(browser, base_url: str, probe, tabs: int, settle: float) -> tuple[dict, dict]:
    """Open `tabs` browsers on the 2D lab, read the server, close them, wait `settle` s, read again."""
    contexts = []
    for _ in range(tabs):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        open_app_page(page, base_url, "/toy_2d")
        wait_until(lambda page=page: int_metric(page, "Iteration") == 0, 180, what="a student's 2D lab")
        contexts.append(context)
    opened = read_probe(probe)
    for context in contexts:
        context.close()
    time.sleep(settle)
    return opened, read_probe(probe)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=25.0, help="seconds after closing before the read")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = probe_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            probe = open_probe(browser, server.url)
            start = read_probe(probe)
            print("round  when    " + "  ".join(f"{k:>17}" for k in SHOWN) + "   RSS MiB  new threads")
            print(f"{'-':>5}  start   " + "  ".join(f"{start[k]:>17}" for k in SHOWN)
                  + f"   {start['rss'] / 2**20:7.0f}")
            for n in range(1, args.rounds + 1):
                for when, reading in zip(("open", "closed"), churn(browser, server.url, probe, args.tabs, args.settle)):
                    new = collections.Counter(reading["thread_names"]) - collections.Counter(start["thread_names"])
                    print(f"{n:>5}  {when:<6}  " + "  ".join(f"{reading[k]:>17}" for k in SHOWN)
                          + f"   {reading['rss'] / 2**20:7.0f}  {dict(new)}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
