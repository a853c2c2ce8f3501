"""Per-tab state: each page's Run lives in st.session_state, so page switches keep it.

A closed tab must not leave its training or its memory behind. Training stops by itself: a run
nobody touches for its idle timeout pauses (classroom.run_host, classroom.live), and a run whose
handle is freed is dropped by the worker that trained it (classroom.run_handle). Memory goes with
the tab's session: when Streamlit shuts a session down, its session_state and every run in it are
freed. But a session whose websocket closed is first kept for `server.disconnectedSessionTTL`
seconds so the tab can reconnect, and Streamlit reaps expired sessions lazily (only when another
session disconnects), so the last tabs to close kept their trainers for good (measured with a
real server: tests/ui/test_session_cleanup.py). A janitor thread (one per server process) therefore
(1) reaps Streamlit's expired stored sessions, which frees their session_state, and (2) pauses and
drops the runs of any session that is no longer connected and whose runs nobody has touched for
longer than that window plus the idle timeout: by then the session can no longer be resumed.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

import streamlit as st

from classroom.registry import shared_registry
from classroom.live import default_idle_timeout
from classroom.service import Run, open_run
from gan_core.trainer import Trainer

RUNS_KEY = "_live_runs"
RUN_PARAM = "run"  # the address bar's run id: a reload (F5) finds the same run
JANITOR_EVERY = 10.0  # seconds between sweeps


class SessionRuns(dict):
    """One tab's runs by name; a dict the janitor can refer to weakly."""


_sessions: dict[str, weakref.ref] = {}  # session id -> weak ref to its SessionRuns
_sessions_lock = threading.Lock()
_janitor: threading.Thread | None = None


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return getattr(ctx, "session_id", None)


def all_runs() -> dict[str, Run]:
    runs = st.session_state.get(RUNS_KEY)
    if not isinstance(runs, SessionRuns):  # first use in this tab (or a plain dict from older code)
        runs = SessionRuns(runs or {})
        st.session_state[RUNS_KEY] = runs
        if (sid := _session_id()) is not None:
            with _sessions_lock:
                _sessions[sid] = weakref.ref(runs)
            _start_janitor()
    return runs


def get_run(name: str, make_trainer: Callable[[], Trainer]) -> Run:
    """This tab's run called `name`. The first time this tab asks, a run id in the address bar
    (a reloaded tab) gives back that very run, still training; otherwise make_trainer() starts a
    fresh one. Every run is registered, so the page can put its id in the address bar."""
    runs = all_runs()
    if name not in runs:
        found = shared_registry().get(st.query_params.get(RUN_PARAM), kind=name)
        if found is not None:
            reattached_ids().add(found.run_id)
        runs[name] = found if found is not None else open_run(make_trainer())
    run = runs[name]
    run.touch()
    shared_registry().register(run, kind=name)  # again after an expiry: this tab still holds it
    return run


def reattached_ids() -> set:
    """Ids of runs this tab found again from its address bar (their link is not a new setup)."""
    return st.session_state.setdefault("_reattached_run_ids", set())


# ---- releasing the runs of closed tabs -------------------------------------------------------------

def abandon_after() -> float:
    """Seconds after the last touch when a disconnected tab's runs can no longer be seen again:
    Streamlit's reconnection window plus the runs' idle timeout."""
    try:
        ttl = float(st.get_option("server.disconnectedSessionTTL"))
    except Exception:  # an older Streamlit without the option
        ttl = 120.0
    return ttl + default_idle_timeout()


def _connected(session_id: str) -> bool | None:
    """Whether the session has a live websocket; None when no server runtime can say (AppTest)."""
    from streamlit import runtime

    if not runtime.exists():
        return None
    try:
        return runtime.get_instance().is_active_session(session_id)
    except Exception:  # cannot tell: keep the runs
        return None


def release_abandoned_runs(now: float | None = None, connected: Callable[[str], bool | None] = _connected) -> int:
    """Pause and drop the runs of sessions that are gone; returns how many runs were released."""
    now = time.monotonic() if now is None else now
    limit = abandon_after()
    released = 0
    with _sessions_lock:
        entries = list(_sessions.items())
    for sid, ref in entries:
        runs = ref()
        if runs is None:  # Streamlit freed the session: nothing left to do
            with _sessions_lock:
                _sessions.pop(sid, None)
            continue
        idle = all(now - run.last_touch > limit for run in list(runs.values()))
        if idle and connected(sid) is False:
            for run in list(runs.values()):
                run.close()  # stops it and frees it where it trains
            released += len(runs)
            runs.clear()
            with _sessions_lock:
                _sessions.pop(sid, None)
    return released


def reap_expired_sessions() -> int:
    """Make Streamlit forget stored sessions whose reconnection window has passed; returns how
    many went. Streamlit's session store (a TTLCache) drops expired entries only when it is
    written to or its length is read; this reads the length under the manager's own lock.
    Relies on Streamlit internals (1.6x), so it does nothing when they are not as expected."""
    from streamlit import runtime

    if not runtime.exists():
        return 0
    manager = getattr(runtime.get_instance(), "_session_mgr", None)
    cache = getattr(getattr(manager, "_session_storage", None), "_cache", None)
    table, lock = getattr(cache, "_expirations", None), getattr(manager, "_storage_lock", None)
    if table is None or lock is None:
        return 0
    timer = getattr(cache, "timer", None)
    with lock:
        now = timer() if callable(timer) else None
        expired = [sid for sid, expires in list(table.items()) if now is not None and not now < expires]
        before = len(table)
        len(cache)  # TTLCache.__len__ reaps expired entries
        gone = before - len(table)
    # A reaped session is never shut down, so drop what Streamlit keeps per session elsewhere:
    # download buttons' data and deferred callables (which may hold a run), uploaded files.
    rt = runtime.get_instance()
    for sid in expired:
        for manager, method in ((getattr(rt, "media_file_mgr", None), "clear_session_refs"),
                                (getattr(rt, "uploaded_file_mgr", None), "remove_session_files")):
            if callable(getattr(manager, method, None)):
                getattr(manager, method)(sid)
    if expired and callable(getattr(getattr(rt, "media_file_mgr", None), "remove_orphaned_files", None)):
        rt.media_file_mgr.remove_orphaned_files()
    return gone


def _janitor_loop() -> None:
    while True:
        time.sleep(min(JANITOR_EVERY, abandon_after() / 2))
        try:
            reap_expired_sessions()
            release_abandoned_runs()
        except Exception:  # the janitor must outlive any one bad sweep
            pass


def _start_janitor() -> None:
    global _janitor
    with _sessions_lock:
        if _janitor is None or not _janitor.is_alive():
            _janitor = threading.Thread(target=_janitor_loop, name="gan-session-janitor", daemon=True)
            _janitor.start()
