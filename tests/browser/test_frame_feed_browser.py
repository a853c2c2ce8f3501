"""Real browser, real server: the frame feed (ui.canvas.feed, ui.canvas.feed_route, plot_canvas.js's
"the frame feed"). While the 2D lab plays, its first screen's canvases fetch their next scenes from
`/gc_frames/<token>` several times a second, one URL for the whole area, and redraw more often than
the area's Streamlit reruns (once a second while fed) could; Pause withdraws the feed: the polling
stops, the route answers 404 for the token, and the canvases show the paused run's last update.

Measured on this slow 2-core machine (3 tries, a 6 s window while playing at 1440x900): 22 feed
requests each, all to one URL; the plane canvas's data-frame took 21-22 distinct, increasing
values; after Pause 1-3 requests were still made before the page showed the pause, then none in
3 s; both canvases showed the paused run's "Updates (D + G)". With the fetched frames not drawn
(plot_canvas.js changed in a scratch copy) the canvas took 7 values in the window, from the area's
reruns alone: the bounds below sit above that and about a factor of 2 under what the feed gives."""

import json
import re
import urllib.error
import urllib.request

import pytest

from browser_support import int_metric, metric_value, open_app_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AREA = "[class*='st-key-toy_live']"  # the first screen's live area (ui.kit.live_controls.live_area)
PLANE, MODES = "toy_plane_canvas", "toy_modes_canvas"  # its canvases' keys (ui.toy_2d.live)
WINDOW_MS = 6000  # how long the playing lab is watched
MIN_REQUESTS = 10  # feed requests in the window (measured 22)
MIN_DISTINCT_FRAMES = 10  # distinct data-frame values of a canvas in the window (fed: 21-22; reruns alone: 7)
QUIET_MS = 3000  # after Pause: no feed request and no other frame for this long

# Every change of a live-area canvas's data-frame (plot_canvas.js sets it on each draw, fed or not),
# as [canvas key, value], recorded in the page: nothing is missed between two looks from Python.
WATCH_FRAMES = """([area, keys]) => {
  window.__gcFrames = [];
  new MutationObserver((changes) => {
    for (const change of changes) {
      const canvas = change.target;
      if (!canvas.matches('canvas.gc-live-canvas') || !canvas.closest(area)) continue;
      const key = keys.find((k) => canvas.closest('.st-key-' + k));
      window.__gcFrames.push([key || '?', canvas.dataset.frame]);
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-frame']});
}"""


def take_frames(page) -> list[tuple[str, int]]:
    """The data-frame changes recorded since the last call, and forget them."""
    changes = page.evaluate("() => { const c = window.__gcFrames; window.__gcFrames = []; return c; }")
    return [(key, int(value)) for key, value in changes]


def shown_frames(page) -> dict[str, int]:
    """The data-frame each canvas of the live area shows now, by key."""
    return {key: int(page.locator(f"{AREA} .st-key-{key} canvas.gc-live-canvas").first.get_attribute("data-frame"))
            for key in (PLANE, MODES)}


def play_button_says(page, word: str) -> bool:
    return word in page.locator(".st-key-toy_play button").first.inner_text().lower()


def http_get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, b""


def test_a_playing_lab_draws_fed_frames_and_pause_stops_the_feed(chromium, app_server):
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        requests, statuses = [], []  # Playwright hands these over while the test waits through it
        page.on("request", lambda r: "/gc_frames/" in r.url and requests.append((r.method, r.url)))
        page.on("response", lambda r: "/gc_frames/" in r.url and statuses.append(r.status))
        open_app_page(page, app_server, "/toy_2d")
        wait_until(lambda: int_metric(page, "Iteration") == 0, 120, what="the lab at iteration 0")
        wait_until(lambda: page.locator(f"{AREA} canvas.gc-live-canvas").count() == 2, 120,
                   what="the plane and the mode histogram drawn in the live area")
        page.wait_for_timeout(2000)
        assert requests == [], "a paused lab fetched frames"
        page.evaluate(WATCH_FRAMES, [AREA, [PLANE, MODES]])

        # playing: the canvases follow the feed
        page.locator(".st-key-toy_play button").first.click()
        wait_until(lambda: page.evaluate("1") and len(requests) >= 1, 120, what="the first feed request")
        take_frames(page)
        first_request = len(requests)
        page.wait_for_timeout(WINDOW_MS)
        window_requests = requests[first_request:]
        changes = take_frames(page)
        assert play_button_says(page, "pause"), "the run stopped playing by itself"

        assert len(window_requests) >= MIN_REQUESTS, f"{len(window_requests)} feed requests in {WINDOW_MS} ms"
        urls = {url for _, url in requests}
        assert len(urls) == 1, f"the area's canvases share one feed URL, got {urls}"
        url = urls.pop()
        token = re.fullmatch(re.escape(app_server) + r"/gc_frames/([A-Za-z0-9_-]{20,40})", url)
        assert token, url
        assert token.group(1) not in page.url  # never in the address bar
        assert {method for method, _ in requests} == {"GET"}
        assert statuses and set(statuses) == {200}, f"feed answers while playing: {sorted(set(statuses))}"
        for key in (PLANE, MODES):
            values = [value for k, value in changes if k == key]
            assert all(a <= b for a, b in zip(values, values[1:])), f"{key} went back: {values}"
            assert len(set(values)) >= MIN_DISTINCT_FRAMES, f"{key} drew {len(set(values))} frames: {values}"
            assert values[0] < values[-1]

        # the route through the real server: the same token answers the area's scenes
        status, headers, body = http_get(url)
        assert status == 200 and headers.get("cache-control") == "no-store"
        scenes = json.loads(body)
        assert set(scenes) == {PLANE, MODES}
        assert scenes[PLANE]["frame"] == scenes[MODES]["frame"] >= max(v for _, v in changes)
        assert scenes[PLANE]["width"] > 0 and len(scenes[PLANE]["panels"]) >= 1

        # Pause: the feed is withdrawn, the polling stops, the canvases keep the paused run's update
        page.locator(".st-key-toy_play button").first.click()

        def paused_and_drawn():
            updates = metric_value(page, "Updates (D + G)").replace(",", "")
            return (play_button_says(page, "play") and updates.isdigit()
                    and shown_frames(page) == {PLANE: int(updates), MODES: int(updates)} and int(updates))
        updates = wait_until(paused_and_drawn, 120, what="the paused page with its canvases at its last update")
        take_frames(page)
        settled = len(requests)
        page.wait_for_timeout(QUIET_MS)
        assert len(requests) == settled, f"{len(requests) - settled} feed requests in {QUIET_MS} ms after Pause"
        late = take_frames(page)
        assert all(value == updates for _, value in late), f"a canvas drew another frame after Pause: {late}"
        assert shown_frames(page) == {PLANE: updates, MODES: updates}
        assert metric_value(page, "Updates (D + G)").replace(",", "") == str(updates)
        assert updates > scenes[PLANE]["frame"]  # it trained on after the frames fetched above

        status, headers, body = http_get(url)
        assert (status, headers.get("cache-control"), body) == (404, "no-store", b""), "the paused feed still answers"
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        context.close()


def test_the_route_answers_404_for_a_made_up_token(app_server):
    status, headers, body = http_get(app_server + "/gc_frames/xyz")
    assert (status, headers.get("cache-control"), body) == (404, "no-store", b"")
    status, _, _ = http_get(app_server + "/_stcore/health")  # the same server answers Streamlit's own routes
    assert status == 200
