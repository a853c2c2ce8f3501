"""The frame feed: while a run plays, a live canvas asks the web server for its next scene over
plain HTTP (ui.canvas.feed_route) instead of waiting for a Streamlit rerun of its fragment.

Why: on a slow 2-core machine each Streamlit rerun cost Chromium's renderer ~40 ms of fixed work
plus ~0.3 ms per element on the page, so a lab redrawn 4 times a second kept the renderer at about
half a core and took that CPU from training (docs/BENCHMARKS.md, "Where a slow machine's renderer
time goes"). A fetched frame costs the browser a JSON parse and the canvas's own drawing.

A page's live area publishes a producer here under a random token (never in the address bar; the
token only reads frames: looking stays free) and withdraws it when the run stops playing. No
Streamlit here: the route serves what the producer returns, as JSON.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ui.canvas.scene import Scene

FEED_PATH = "/gc_frames/"  # the route's prefix (not one of Streamlit's reserved /_stcore/ etc.)
FORGET_AFTER = 120.0  # seconds: a feed neither published again nor asked for belongs to a gone tab

Producer = Callable[[], dict[str, Scene]]  # canvas key -> the scene it shows next


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class _Feed:
    produce: Producer
    used_at: float


class FrameFeeds:
    """token -> the producer of a live area's scenes. Thread-safe: pages publish from their script
    threads, the route reads from the server's thread pool."""

    def __init__(self, forget_after: float = FORGET_AFTER, clock: Callable[[], float] = time.monotonic):
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.Lock()
        self._forget_after, self._clock = forget_after, clock

    def publish(self, token: str, produce: Producer) -> None:
        now = self._clock()
        with self._lock:
            self._feeds[token] = _Feed(produce, now)
            for gone in [t for t, f in self._feeds.items() if now - f.used_at > self._forget_after]:
                del self._feeds[gone]

    def withdraw(self, token: str) -> None:
        with self._lock:
            self._feeds.pop(token, None)

    def frames(self, token: str) -> dict[str, dict] | None:
        """The next scenes of the feed `token` as JSON-ready data; None for no such feed (never
        published, withdrawn, forgotten). A producer's error propagates (the route answers 410)."""
        with self._lock:
            feed = self._feeds.get(token)
            if feed is None:
                return None
            feed.used_at = self._clock()
        return {key: scene.to_data() for key, scene in feed.produce().items()}

    def __len__(self) -> int:
        return len(self._feeds)


FEEDS = FrameFeeds()  # the web server's feeds: one process serves every tab
