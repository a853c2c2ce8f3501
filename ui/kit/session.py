"""Per-tab state: each page's Run lives in st.session_state, so page switches keep it.

A closed tab must not leave its training or its memory behind. Training stops by itself: a run
nobody touches for its idle timeout pauses (classroom.run_host, classroom.live), a run whose
handle is freed is dropped by the worker that trained it (classroom.run_handle), and a worker puts
away a paused run nobody touched for its lease (classroom.workers). Memory goes with the tab's
session: when Streamlit shuts a session down, its session_state and every run in it are freed.
But a session whose websocket closed is first kept for `server.disconnectedSessionTTL` seconds so
the tab can reconnect, and Streamlit frees expired sessions lazily (only when another session
disconnects), so the last tabs to close kept their runs for good (measured with a real server:
tests/ui/test_session_cleanup.py). A janitor thread (one per server process) therefore closes and
drops the runs of any session that Streamlit's runtime says is no longer connected
(Runtime.is_active_session) and whose runs nobody has touched for longer than that window plus
the idle timeout: by then the session can no longer be resumed. What is left of such a session
until Streamlit frees it is small (no run, no replica); no Streamlit internals are read.
"""

from __future__ import annotations

import gc
import threading
import time
import weakref
from typing import Callable

import streamlit as st

from classroom.registry import shared_registry
from classroom.live import default_idle_timeout
from classroom.service import Run, open_run
from gan_core.trainer import Trainer
from ui.kit.browser_owner import browser_owner_key

RUNS_KEY = "_live_runs"
RUN_PARAM = "run"  # the address bar's run id: a reload (F5) in the owner's browser finds the same run
JANITOR_EVERY = 10.0  # seconds between sweeps
COLLECT_EVERY_SWEEPS = 6  # a full garbage collection about once a minute


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
    gives back that very run, still training, if this browser started it (a reload: the owner key
    in its cookie matches, ui.kit.browser_owner); otherwise make_trainer() starts a fresh one and
    the page applies the rest of the link to it. Every run is registered with this browser's key,
    so the page can put its id in the address bar without handing the run to whoever reads it."""
    runs = all_runs()
    owner = browser_owner_key()
    if name not in runs:
        asked = st.query_params.get(RUN_PARAM)
        found = shared_registry().get(asked, kind=name, owner=owner)
        if found is not None:
            reattached_ids().add(found.run_id)
        elif asked:  # another browser's run, or one closed since: the link is a setup here
            st.toast("The run in this link is not open in this browser (another browser's, or "
                     "closed): its settings start a run of your own.", icon=":material/person:")
        runs[name] = found if found is not None else open_run(make_trainer())
    run = runs[name]
    run.touch()
    shared_registry().register(run, kind=name, owner=owner)  # again after an expiry: this tab still holds it
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


def _janitor_loop() -> None:
    sweeps = 0
    while True:
        time.sleep(min(JANITOR_EVERY, abandon_after() / 2))
        sweeps += 1
        try:
            released = release_abandoned_runs()
            # A closed session's state, its widget callbacks and the run handles they hold form
            # reference cycles: without a full collection they stayed until Python happened to run
            # one (measured: bench/session_churn.py). One collection a minute, or after a release,
            # costs the server little and gives their memory back.
            if released or sweeps % COLLECT_EVERY_SWEEPS == 0:
                gc.collect()
        except Exception:  # the janitor must outlive any one bad sweep
            pass


def _start_janitor() -> None:
    global _janitor
    with _sessions_lock:
        if _janitor is None or not _janitor.is_alive():
            _janitor = threading.Thread(target=_janitor_loop, name="gan-session-janitor", daemon=True)
            _janitor.start()
