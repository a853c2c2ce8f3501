"""The frame feed: while a run plays, a live canvas asks the web server for its next scene over
plain HTTP (ui.canvas.feed_route) instead of waiting for a Streamlit rerun of its fragment.

Why: on a slow 2-core machine each Streamlit rerun cost Chromium's renderer ~40 ms of fixed work
plus ~0.3 ms per element on the page, so a lab redrawn 4 times a second kept the renderer at about
half a core and took that CPU from training (docs/BENCHMARKS.md, "Where a slow machine's renderer
time goes"). A fetched frame costs the browser a JSON parse and the canvas's own drawing.

A page's live area publishes a producer here under a random token (never in the address bar; the
token only reads frames: looking stays free) and withdraws it when the run stops playing. The feeds
hold producers weakly: the tab's session keeps its producer (and the run it draws), so a closed tab
leaves nothing here once Streamlit lets its session go. No Streamlit here: the route serves what the
producer returns, as JSON.
"""

from __future__ import annotations

import secrets
import threading
import weakref
from typing import Callable

from ui.canvas.scene import Scene

FEED_PATH = "/gc_frames/"  # the route's prefix (not one of Streamlit's reserved /_stcore/ etc.)

Producer = Callable[[], dict[str, Scene]]  # canvas key -> the scene it shows next


def new_token() -> str:
    return secrets.token_urlsafe(18)


class FrameFeeds:
    """token -> a weak reference to the producer of a live area's scenes. Thread-safe: pages publish
    from their script threads, the route reads from the server's thread pool."""

    def __init__(self):
        self._feeds: dict[str, weakref.ref] = {}
        self._lock = threading.Lock()

    def publish(self, token: str, produce: Producer) -> None:
        """Serve `produce` under `token` for as long as the caller keeps it (a plain function or
        closure, held by the caller: a bound method made on the fly would be gone at once)."""
        with self._lock:
            self._feeds[token] = weakref.ref(produce)
            for gone in [t for t, ref in self._feeds.items() if ref() is None]:
                del self._feeds[gone]

    def withdraw(self, token: str) -> None:
        with self._lock:
            self._feeds.pop(token, None)

    def frames(self, token: str) -> dict[str, dict] | None:
        """The next scenes of the feed `token` as JSON-ready data; None for no such feed (never
        published, withdrawn, or its producer let go). A producer's error propagates (the route
        answers 410)."""
        with self._lock:
            ref = self._feeds.get(token)
        produce = ref() if ref is not None else None
        if produce is None:
            return None
        return {key: scene.to_data() for key, scene in produce().items()}

    def __len__(self) -> int:
        """Feeds whose producer is still kept."""
        with self._lock:
            return sum(ref() is not None for ref in self._feeds.values())


FEEDS = FrameFeeds()  # the web server's feeds: one process serves every tab
