"""The frame feed (ui.canvas.feed, ui.canvas.feed_route, ui.canvas.component.feeding): the registry
of producers a playing live area publishes, the HTTP route the browser's canvases poll, and the
`feed` a live canvas carries inside feeding(). No server and no browser here: the route is called
through a minimal ASGI driver (httpx, which Starlette's TestClient needs, is not a dependency)."""

import asyncio
import gc
import json
import os
import weakref

import pytest
from starlette.applications import Starlette

from page_support import TEST_PAGES, canvas_scenes, open_test_page
from ui.canvas.feed import FEED_PATH, FrameFeeds, new_token
from ui.canvas.feed_route import feed_routes
from ui.canvas.scene import Panel, Scene, bars, hline, lines, points, text

FEED_PAGE = os.path.join(TEST_PAGES, "feed_canvas_page.py")


def plane(frame: int) -> Scene:
    return Scene(400, 300, [Panel(box=(20, 10, 360, 280), x=(-2.0, 2.0), y=(-2.0, 2.0), title="plane",
                                  layers=[points([[0.5, -0.5], [1.0, 1.5], [-1.25, 0.0]], "#1f77b4"),
                                          lines([-2.0, 0.0, 2.0], [1.0, -1.0, 1.0], "#d62728"),
                                          text(0.0, 1.8, f"frame {frame}")])],
                 frame=frame, label="the plane")


def histogram(frame: int) -> Scene:
    return Scene(200, 150, [Panel(box=(10, 10, 180, 130), x=(-0.5, 7.5), y=(0.0, 1.0),
                                  layers=[bars([0.1 * ((i + frame) % 8) for i in range(8)], color="#2ca02c"),
                                          hline(0.5)])],
                 frame=frame, label="modes")


class Counting:
    """A producer whose scenes carry how many times it was asked (frame 1, 2, ...)."""

    def __init__(self):
        self.calls = 0

    def __call__(self) -> dict[str, Scene]:
        self.calls += 1
        return {"plane": plane(self.calls), "modes": histogram(self.calls)}


class LostRun(RuntimeError):
    pass


def failing() -> dict[str, Scene]:
    raise LostRun("the run's host is gone")


# ---- FrameFeeds -----------------------------------------------------------------------------------

def test_frames_are_the_producers_scenes_as_data_asked_anew_each_time():
    feeds, produce = FrameFeeds(), Counting()
    feeds.publish("tok-a", produce)
    assert produce.calls == 0  # publishing does not produce
    first = feeds.frames("tok-a")
    assert first == {"plane": plane(1).to_data(), "modes": histogram(1).to_data()}
    assert first["plane"]["frame"] == 1 and first["plane"]["panels"][0]["title"] == "plane"
    second = feeds.frames("tok-a")
    assert second == {"plane": plane(2).to_data(), "modes": histogram(2).to_data()}
    assert second != first and produce.calls == 2
    json.dumps(second)  # JSON-ready as it is (the route sends it as it is)


def test_unknown_and_withdrawn_tokens_have_no_frames():
    feeds, a, b = FrameFeeds(), Counting(), Counting()
    assert feeds.frames("never-published") is None
    feeds.publish("tok-a", a)
    feeds.publish("tok-b", b)
    assert len(feeds) == 2
    feeds.withdraw("tok-a")
    assert feeds.frames("tok-a") is None
    assert feeds.frames("tok-b")["plane"]["frame"] == 1  # the other tab's feed is untouched
    assert len(feeds) == 1
    feeds.withdraw("tok-a")  # withdrawing twice (a paused rerun after a paused rerun) is harmless
    feeds.withdraw("never-published")
    assert len(feeds) == 1


def test_publishing_again_replaces_the_producer():
    feeds = FrameFeeds()
    first, second = (lambda: {"plane": plane(5)}), (lambda: {"modes": histogram(9)})
    feeds.publish("tok", first)
    feeds.publish("tok", second)
    assert feeds.frames("tok") == {"modes": histogram(9).to_data()}
    assert len(feeds) == 1


def test_a_producer_nobody_keeps_is_no_feed_and_is_dropped_at_the_next_publish():
    """The feeds hold producers weakly: a closed tab's session lets its producer go, and with it the
    run the producer draws (tests/classroom/test_load.py counts the runs left after closing)."""
    feeds, kept, dropped = FrameFeeds(), Counting(), Counting()
    feeds.publish("open-tab", kept)
    feeds.publish("closed-tab", dropped)
    assert feeds.frames("closed-tab")["plane"]["frame"] == 1
    gone = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert gone() is None  # the feeds did not keep it alive
    assert feeds.frames("closed-tab") is None
    assert len(feeds) == 1
    feeds.publish("new-tab", kept)
    assert set(feeds._feeds) == {"open-tab", "new-tab"}  # the dead entry was swept
    assert feeds.frames("open-tab")["plane"]["frame"] == 1  # asked for the first time


def test_a_producers_error_propagates():
    feeds = FrameFeeds()
    feeds.publish("lost", failing)  # a module-level function: kept by its module
    with pytest.raises(LostRun, match="host is gone"):
        feeds.frames("lost")
    feeds.withdraw("lost")
    assert feeds.frames("lost") is None


def test_new_tokens_are_unguessable_url_safe_and_distinct():
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert 20 <= len(token) <= 32
        assert all(c.isalnum() or c in "-_" for c in token), token


# ---- the route ------------------------------------------------------------------------------------

def asgi_get(app, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to an ASGI app, without a server: (status, headers, body)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8501)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


@pytest.fixture
def served():
    feeds = FrameFeeds()
    return feeds, Starlette(routes=feed_routes(feeds))


def test_route_answers_the_frames_as_json_never_cached(served):
    feeds, app = served
    produce = Counting()
    feeds.publish("tok-a", produce)
    assert FEED_PATH == "/gc_frames/"
    status, headers, body = asgi_get(app, "/gc_frames/tok-a")
    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"plane": plane(1).to_data(), "modes": histogram(1).to_data()}
    status, _, body = asgi_get(app, "/gc_frames/tok-a")
    assert status == 200 and json.loads(body)["plane"]["frame"] == 2  # each request produces anew


def test_route_answers_404_for_an_unknown_or_withdrawn_token(served):
    feeds, app = served
    produce = Counting()
    feeds.publish("tok-a", produce)
    status, headers, body = asgi_get(app, "/gc_frames/made-up-token")
    assert (status, headers["cache-control"], body) == (404, "no-store", b"")
    feeds.withdraw("tok-a")
    status, headers, _ = asgi_get(app, "/gc_frames/tok-a")
    assert (status, headers["cache-control"]) == (404, "no-store")


def test_route_answers_410_when_the_producer_fails(served, caplog):
    feeds, app = served
    fine = Counting()
    feeds.publish("lost", failing)
    feeds.publish("fine", fine)
    status, headers, body = asgi_get(app, "/gc_frames/lost")
    assert (status, headers["cache-control"], body) == (410, "no-store", b"")
    assert any("frame feed" in r.getMessage() and r.exc_info for r in caplog.records)
    status, _, body = asgi_get(app, "/gc_frames/fine")  # one lost run does not break the route
    assert status == 200 and json.loads(body)["modes"]["frame"] == 1


def test_route_only_reads(served):
    feeds, app = served
    produce = Counting()
    feeds.publish("tok-a", produce)
    status, _, _ = asgi_get(app, "/gc_frames/tok-a", method="POST")
    assert status == 405
    status, _, _ = asgi_get(app, "/gc_frames/", method="GET")  # no token: not the route
    assert status == 404
    assert produce.calls == 0


def test_route_is_also_served_under_the_servers_base_url_path():
    """Streamlit does not put server.baseUrlPath before an app's own routes; a canvas asks relative
    to its page (/<base>/<page> -> /<base>/gc_frames/...): both paths answer."""
    from streamlit import config

    before = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", "/classroom/")
    try:
        feeds = FrameFeeds()
        app = Starlette(routes=feed_routes(feeds))
    finally:
        config.set_option("server.baseUrlPath", before)
    produce = Counting()
    feeds.publish("tok-a", produce)
    for path in ("/classroom/gc_frames/tok-a", "/gc_frames/tok-a"):
        status, _, body = asgi_get(app, path)
        assert status == 200 and set(json.loads(body)) == {"plane", "modes"}, path
    assert asgi_get(app, "/classroom/gc_frames/unknown")[0] == 404
    assert asgi_get(app, "/elsewhere/gc_frames/tok-a")[0] == 404


# ---- live_canvas inside feeding() (AppTest) -------------------------------------------------------

def test_a_canvas_inside_feeding_carries_its_feed_one_outside_does_not():
    token = new_token()
    at = open_test_page(FEED_PAGE, query={"token": token, "every": "0.25", "frame": "7"})
    scenes = canvas_scenes(at)
    assert set(scenes) == {"fed_canvas", "plain_canvas"}
    fed, plain = scenes["fed_canvas"], scenes["plain_canvas"]
    assert fed["feed"] == {"url": "gc_frames/" + token, "every_ms": 250, "key": "fed_canvas"}
    assert "feed" not in plain
    assert {k: v for k, v in fed.items() if k != "feed"} == plain  # the same scene otherwise
    assert plain["frame"] == 7 and plain["label"] == "feed test scene"
    assert len(plain["panels"]) == 1 and [layer["t"] for layer in plain["panels"][0]["layers"]] == ["points", "lines"]


def test_feeding_every_is_sent_in_milliseconds():
    at = open_test_page(FEED_PAGE, query={"token": "abc", "every": "1.5", "frame": "0"})
    feed = canvas_scenes(at)["fed_canvas"]["feed"]
    assert feed == {"url": "gc_frames/abc", "every_ms": 1500, "key": "fed_canvas"}
