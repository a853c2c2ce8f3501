"""The HTTP route of the frame feed (ui.canvas.feed): GET /gc_frames/<token> answers the live
area's next scenes as JSON, {canvas key: scene data}; 404 for a token that is not (or no longer)
published, 410 when its producer failed (a lost run: the page's next rerun says why). Read only."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from streamlit import config

from ui.canvas.feed import FEED_PATH, FEEDS, FrameFeeds

_LOG = logging.getLogger(__name__)
_NO_STORE = {"Cache-Control": "no-store"}


def feed_routes(feeds: FrameFeeds = FEEDS) -> list[Route]:
    async def frames(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            # a producer asks the run's host for its view (a blocking round trip): off the event loop
            produced = await run_in_threadpool(feeds.frames, token)
        except Exception:  # the page's own rerun shows the run's state in words
            _LOG.warning("frame feed %s… failed", token[:4], exc_info=True)
            return Response(status_code=410, headers=_NO_STORE)
        if produced is None:
            return Response(status_code=404, headers=_NO_STORE)
        return JSONResponse(produced, headers=_NO_STORE)

    # Streamlit does not put its server.baseUrlPath before an app's own routes, and a canvas asks for
    # its feed relative to the page (/<base>/<page> -> /<base>/gc_frames/...): served at both.
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    paths = [FEED_PATH] + ([f"/{base}{FEED_PATH}"] if base else [])
    return [Route(path + "{token}", frames, methods=["GET"]) for path in paths]
