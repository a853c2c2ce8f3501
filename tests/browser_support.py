"""Real-browser testing support: `streamlit run app.py` in a subprocess, driven by Debian's
Chromium through Playwright's sync API. Reusable by every page's browser test:

    from browser_support import metric_value, wait_until  # the fixtures come from tests/conftest.py

    @pytest.mark.browser
    def test_something(browser_page, app_server):
        browser_page.goto(app_server + "/toy_2d")
        ...

Everything waits by polling with generous limits (a loaded 2-core machine can take seconds to
answer); nothing asserts on a fixed sleep. Tests are skipped when Chromium or Playwright is
missing (`.ci/run` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Callable

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT = 120.0  # seconds for the server to answer /_stcore/health


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float, interval: float = 0.25, what: str = "condition"):
    """Poll `condition()` until it returns something truthy (returned) or `timeout` passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # a page mid-rerun can detach elements: poll again
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}"
                         + (f" (last error: {last_error})" if last_error else ""))


class StreamlitServer:
    """`streamlit run app.py` on a free port; stop() ends exactly the process it started."""

    def __init__(self, app: str = "app.py", port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        fd, self.log_path = tempfile.mkstemp(prefix=f"streamlit-{self.port}-", suffix=".log")
        os.close(fd)
        cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        def healthy():
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: {self.log()}")
            with urllib.request.urlopen(self.url + "/_stcore/health", timeout=5) as r:
                return r.status == 200 and r.read().strip() == b"ok"
        try:
            wait_until(healthy, timeout, 0.5, "streamlit's /_stcore/health")
        except AssertionError:
            self.stop()
            raise

    def log(self) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()
        if os.path.exists(self.log_path):
            os.remove(self.log_path)


def browser_available() -> str | None:
    """None when a browser test can run, else the reason it cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def app_server():
    """Base URL of a fresh `streamlit run app.py` for this test module."""
    if reason := browser_available():
        pytest.skip(reason)
    server = StreamlitServer()
    server.wait_healthy()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def chromium():
    if reason := browser_available():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                    args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """A fresh browser tab (its own Streamlit session), 1600 x 1000 like a projector."""
    context = chromium.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def open_page(page, url: str, timeout: float = 90.0) -> None:
    """Go to `url` and wait until Streamlit has drawn the app and finished its first run."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout * 1000)
    wait_until(lambda: page.locator("[data-testid='stMainBlockContainer']").count() > 0, timeout, what="main block")


def open_app_page(page, base_url: str, path: str = "", timeout: float = 90.0) -> None:
    """Open the app's root first, then `path` (e.g. "/toy_2d").

    The page files live in views/, not pages/: Streamlit treats a pages/ folder beside app.py as
    a legacy multipage app, and a first visit straight to /toy_2d then ran the page without
    app.py's navigation for the whole server. Opening the root first also waits for the sidebar."""
    open_page(page, base_url + "/", timeout)
    wait_until(lambda: "GAN Classroom" in page.locator("[data-testid='stSidebar']").inner_text(),
               timeout, what="the app's navigation and sidebar")
    if path and path != "/":
        open_page(page, base_url + path, timeout)


def address_bar(page) -> str:
    """The tab's address as the browser shows it. Playwright's page.url lagged one page behind
    after a sidebar click (Streamlit changes the address with the history API); this does not."""
    return page.evaluate("location.href")


def open_section(page, key: str, name: str) -> None:
    """Click the section `name` on the page's section control keyed `key` (ui.kit.sections)."""
    page.locator(f".st-key-{key}").get_by_role("radio", name=name, exact=True).first.click()


def metric_value(page, label: str) -> str:
    """The value shown under `label`, in a readout of big numbers (ui.kit.readout) or an st.metric
    ("" when not drawn)."""
    found = page.evaluate("""(label) => {
        for (const item of document.querySelectorAll('.gc-readout .gc-item')) {
            if (item.querySelector('.gc-label')?.textContent.trim() === label)
                return item.querySelector('.gc-value').textContent.trim();
        }
        return null;
    }""", label)
    if found is not None:
        return found
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)).first
    if metric.count() == 0:
        return ""
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def int_metric(page, label: str) -> int | None:
    text = metric_value(page, label).replace(",", "")
    return int(text) if text.isdigit() else None


def open_probe(browser, base_url: str):
    """The probe page of tests/ui/pages_for_tests/probe_app.py (what is alive inside the server)."""
    probe = browser.new_context().new_page()
    probe.set_default_timeout(60_000)
    probe.goto(base_url + "/probe", wait_until="domcontentloaded")
    wait_until(lambda: probe.locator("[data-testid='stCode']").count() > 0, 90, what="the probe page")
    return probe


def read_probe(probe) -> dict:
    """Rerun the probe page with its button (never reload: that would close its own session, and a
    closing session makes Streamlit expire the stored ones, which would disturb what is measured)."""
    code = probe.locator("[data-testid='stCode']")
    # a census that failed once (its page shows the error, not the code) must not stop the next read
    before = json.loads(code.first.inner_text())["reads"] if code.count() else -1
    probe.locator(".st-key-probe_refresh button").click()
    text = wait_until(lambda: (t := probe.locator("[data-testid='stCode']").first.inner_text())
                      and json.loads(t)["reads"] > before and t, 60, what="the probe to rerun")
    return json.loads(text)
