"""A closed tab stops training and gives its memory back.

Unit part: the janitor (ui.kit.session.release_abandoned_runs) releases exactly the runs of sessions
that are disconnected and untouched for longer than Streamlit's reconnection window plus the
idle timeout. Browser part: a real server (app.py's pages plus a /probe page that counts live
objects inside the server and asks its worker processes), a tab that plays the 2D lab and is then
closed: its run stops training, its handle and replica are garbage-collected and the worker drops
the run, while Streamlit itself still keeps the expired session in its reconnection store (it reaps
that store only when another tab leaves)."""

import gc
import os
import threading
import time
import weakref

import pytest

from browser_support import (CHROMIUM, CHROMIUM_ARGS, StreamlitServer, browser_available, int_metric,
                             open_app_page, open_probe, read_probe, wait_until)
from gan_core.config import TrainConfig
from classroom.live import LiveRun, default_idle_timeout
from gan_core.trainer import Trainer
from ui.kit import session

SMALL = TrainConfig(g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)


# ---- the janitor's rule ----------------------------------------------------------------------------

@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(session, "_sessions", {})
    monkeypatch.setattr(session, "abandon_after", lambda: 10.0)
    return session._sessions


def _register(registry, sid: str, last_touch: float) -> session.SessionRuns:
    runs = session.SessionRuns({"lab": LiveRun(Trainer(SMALL), idle_timeout=30)})
    runs["lab"].last_touch = last_touch
    registry[sid] = weakref.ref(runs)
    return runs


def test_janitor_releases_only_gone_and_untouched_sessions(registry):
    now = 1000.0
    gone = _register(registry, "gone", now - 11)  # disconnected, untouched 11 s > 10 s
    recent = _register(registry, "recent", now - 5)  # disconnected, but could still reconnect
    connected = _register(registry, "connected", now - 60)  # a tab left open and idle
    unknown = _register(registry, "unknown", now - 60)  # no runtime can tell (AppTest)
    states = {"gone": False, "recent": False, "connected": True, "unknown": None}
    gone["lab"].play()  # a closed tab that was playing (play() touches: set the touch time after)
    gone["lab"].last_touch = now - 11
    assert gone["lab"].playing
    released = session.release_abandoned_runs(now=now, connected=states.get)
    assert released == 1 and dict(gone) == {} and "gone" not in registry
    assert wait_until(lambda: not any(t.name == "gan-live-run" and t.is_alive() for t in threading.enumerate()),
                      10, what="the run's thread")
    assert set(registry) == {"recent", "connected", "unknown"}
    assert all(len(r) == 1 for r in (recent, connected, unknown))
    del recent
    gc.collect()
    assert session.release_abandoned_runs(now=now, connected=states.get) == 0
    assert set(registry) == {"connected", "unknown"}  # freed by Streamlit: entry dropped


def test_idle_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("GAN_CLASSROOM_IDLE_TIMEOUT", "2.5")
    assert default_idle_timeout() == 2.5 and LiveRun(Trainer(SMALL)).idle_timeout == 2.5
    assert LiveRun(Trainer(SMALL), idle_timeout=7).idle_timeout == 7  # an explicit value wins
    for bad in ("abc", "-1", "nan", "0"):
        monkeypatch.setenv("GAN_CLASSROOM_IDLE_TIMEOUT", bad)
        assert default_idle_timeout() == 60.0
    monkeypatch.delenv("GAN_CLASSROOM_IDLE_TIMEOUT")
    assert default_idle_timeout() == 60.0


# ---- a real server and a real closed tab ---------------------------------------------------------

IDLE, TTL = 3, 2  # seconds: small so the test is short
ANYIO_POOL_THREAD, ANYIO_POOL_LIMIT = "AnyIO worker thread", 40  # anyio's default thread limiter


@pytest.fixture(scope="module")
def probe_server():
    if reason := browser_available():
        pytest.skip(reason)
    saved = {k: os.environ.get(k) for k in ("GAN_CLASSROOM_IDLE_TIMEOUT", "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL")}
    os.environ["GAN_CLASSROOM_IDLE_TIMEOUT"] = str(IDLE)
    os.environ["STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL"] = str(TTL)
    try:
        server = StreamlitServer(app="tests/ui/pages_for_tests/probe_app.py")
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    server.wait_healthy()
    yield server.url
    server.stop()


def open_lab_tab(browser, base_url: str):
    """A student's tab (its own browser context) on the 2D lab, drawn: (context, page)."""
    tab = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = tab.new_page()
    page.set_default_timeout(60_000)
    open_app_page(page, base_url, "/toy_2d")
    wait_until(lambda: int_metric(page, "Iteration") == 0, 180, what="the 2D lab")
    return tab, page


@pytest.mark.browser
@pytest.mark.slow
def test_closed_tab_stops_training_and_frees_its_trainer(probe_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            probe = open_probe(browser, probe_server)
            start = read_probe(probe)
            assert (start["live_runs"], start["trainers"], start["training"], start["worker_runs"]) == (0, 0, 0, 0)

            tab, page = open_lab_tab(browser, probe_server)
            page.locator(".st-key-toy_play button").first.click()
            wait_until(lambda: (n := int_metric(page, "Iteration")) is not None and n >= 3, 180,
                       what="training to run in the tab")
            playing = read_probe(probe)
            assert playing["live_runs"] == 1 and playing["trainers"] == 1 and playing["active_sessions"] == 2
            assert playing["training"] == 1 and playing["worker_runs"] == 1  # it trains in a worker

            tab.close()  # the websocket closes, as when a student closes the tab
            closed_at = time.monotonic()
            stopped = wait_until(lambda: (r := read_probe(probe))["training"] == 0 and r, 120,
                                 what="the closed tab's run to stop training")
            freed = wait_until(lambda: (r := read_probe(probe))["trainers"] == 0 and r["live_runs"] == 0
                               and r["worker_runs"] == 0 and r, 180,
                               what="the closed tab's handle, replica and worker run to be freed")
            took = time.monotonic() - closed_at
            assert freed["active_sessions"] == 1 and stopped["playing"] == 0
            print(f"\ntraining stopped and memory freed {took:.0f} s after the tab closed; "
                  f"RSS start {start['rss'] / 2**20:.0f} MiB, playing {playing['rss'] / 2**20:.0f} MiB, "
                  f"after {freed['rss'] / 2**20:.0f} MiB; sessions kept for reconnection: {freed['stored_sessions']}")
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.slow
def test_rounds_of_closed_tabs_leave_no_registry_entries_runs_or_threads(probe_server):
    """Issue 20, 3.9: after rounds of tabs that open and close, the registry, the handles, the
    replicas, the workers' runs and the server's threads are back where they were."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            probe = open_probe(browser, probe_server)
            threads_after = []
            for _ in range(2):
                tabs = []
                for _ in range(3):
                    tabs.append(open_lab_tab(browser, probe_server)[0])
                opened = read_probe(probe)
                assert opened["registry"] >= 3 and opened["live_runs"] >= 3
                for tab in tabs:
                    tab.close()
                gone = wait_until(lambda: (r := read_probe(probe))["registry"] == 0 and r["live_runs"] == 0
                                  and r["trainers"] == 0 and r["worker_runs"] == 0 and r, 300,
                                  what="the closed tabs' registry entries, handles and runs to go")
                # The web framework's own pool of worker threads (AnyIO, started on demand by the
                # HTTP side, at most 40) warms up as tabs come and go: bounded, not ours to free.
                pool = [n for n in gone["thread_names"] if n == ANYIO_POOL_THREAD]
                assert len(pool) <= ANYIO_POOL_LIMIT, gone["thread_names"]
                threads_after.append(len(gone["thread_names"]) - len(pool))
            assert threads_after[1] <= threads_after[0] + 1, f"threads grew: {threads_after}"
        finally:
            browser.close()
