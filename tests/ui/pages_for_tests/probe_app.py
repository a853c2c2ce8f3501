"""Test-only main script: app_pages.py (app.py's pages), plus one page at /probe that reports, from inside the
server process, what is alive: run handles (RunHandle, or LiveRun on the threads backend) and
Trainer objects (the replicas), runs training (threads here, playing runs in the worker processes),
runs the workers host, Streamlit sessions (active and kept for reconnection) and the process's
resident memory.

app_pages.py's code runs unchanged except that its page paths are made absolute (this script lives in
tests/, and Streamlit resolves page paths against the main script's folder) and st.navigation
gets the probe page added. Run with `streamlit run tests/ui/pages_for_tests/probe_app.py`.
"""

import gc
import json
import os
import sys
import threading

import streamlit as st

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
APP = os.path.join(ROOT, "app_pages.py")  # the pages (app.py adds the web server around them)


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def census() -> dict:
    """Counts of what a closed tab could leave behind: the run handles that plain reference counting
    keeps (before any collection), then the rest after a full garbage collection."""
    from classroom.live import LiveRun
    from classroom.registry import shared_registry
    from classroom.run_handle import RunHandle
    from classroom.workers import WorkerLost, shared_pool
    from gan_core.trainer import Trainer
    from streamlit import runtime
    from streamlit.runtime.state import SessionState

    before_gc = gc.get_objects()
    handles_before_gc = sum(type(o) in (LiveRun, RunHandle) for o in before_gc)
    session_states_before_gc = sum(type(o) is SessionState for o in before_gc)
    del before_gc
    gc.collect()
    objects = gc.get_objects()
    # type(): no property lookups on strangers; a closed run (its memory let go) may be kept by the
    # widget callbacks of a session Streamlit has not freed yet
    runs = [o for o in objects if type(o) in (LiveRun, RunHandle) and not o.closed]
    workers = []
    for worker in shared_pool().workers():
        try:
            workers.append(worker.request("", "worker")[0])
        except WorkerLost:  # died since it was listed (its runs are gone with it): count none
            workers.append({"runs": 0, "playing": 0})
    manager = runtime.get_instance()._session_mgr
    storage = getattr(manager, "_session_storage", None)
    # the raw expiry table, not len(cache): TTLCache.__len__ reaps expired sessions, which would
    # hide whether anything else ever does
    stored = getattr(getattr(storage, "_cache", None), "_expirations", {})
    threads = [t.name for t in threading.enumerate()]
    return {
        "handles_before_gc": handles_before_gc,
        "session_states_before_gc": session_states_before_gc,
        "registry": len(shared_registry()),
        "threads": len(threads),
        "thread_names": sorted(threads),
        "live_runs": len(runs),
        "trainers": sum(type(o) is Trainer for o in objects),
        "playing": sum(r.playing for r in runs),
        "training": sum(t.name == "gan-live-run" and t.is_alive() for t in threading.enumerate())
        + sum(f["playing"] for f in workers),
        "worker_runs": sum(f["runs"] for f in workers),
        "active_sessions": len(manager.list_active_sessions()),
        "stored_sessions": len(stored),
        "rss": rss_bytes(),
    }


def probe() -> None:
    """Rerun with the button, not by reloading: a reload closes this tab's own session, and a
    closing session makes Streamlit expire the stored ones, which would disturb what is measured."""
    st.title("Probe")
    st.button("Refresh", key="probe_refresh")
    st.code(json.dumps({"reads": st.session_state.get("probe_reads", 0), **census()}), language=None)
    st.session_state["probe_reads"] = st.session_state.get("probe_reads", 0) + 1


_navigation = st.navigation


def _with_probe(pages, **kwargs):
    pages = {**pages, "Probe": [st.Page(probe, title="Probe", url_path="probe")]}
    return _navigation(pages, **kwargs)


with open(APP, encoding="utf-8") as f:
    source = f.read().replace('st.Page("views/', f'st.Page("{ROOT}/views/')
st.navigation = _with_probe
try:
    exec(compile(source, APP, "exec"), {"__name__": "__main__", "__file__": APP})
finally:
    st.navigation = _navigation
