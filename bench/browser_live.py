"""Browser benchmark of the live training pages: what a class sees in a real Chromium, measured in
the page itself (issue 11, item 2 is the bar, item 3 asks for this script).

    python bench/browser_live.py                                   # 4 pages, 30 s each, 1-min soak
    python bench/browser_live.py --pages toy_2d --seconds 10 --minutes 0.5   # quick look
    python bench/browser_live.py --minutes 10 --json out.json      # the 10-minute DOM figure
    python bench/browser_live.py --teacher --screenshot shots/     # teacher mode, 1440x900 PNGs
    python bench/browser_live.py --app-dir /tmp/before --write --label before   # another tree
    python bench/browser_live.py --write --label after             # record the "after" figures

It starts `streamlit run app.py --server.headless true --server.port <free>` (tests/
browser_support.py's StreamlitServer, in --app-dir), drives Debian's Chromium (/usr/bin/chromium,
--headless --no-sandbox --disable-gpu --disable-background-networking, viewport 1440x900) with
Playwright's sync API, and for each page (its own browser context, i.e. its own Streamlit session):
opens the app root then the page, [switches teacher mode on], installs the probes below with
page.evaluate, presses Play, waits for the iteration counter to move, measures a window of
--seconds, [takes a screenshot], moves the sliders and clicks Pause/Play while it plays, keeps
playing until --minutes after Play, reads the DOM size, pauses, closes the tab, and then times a
bare training loop for the page's own config in this process (nothing else of the bench running).

Figures (per page)
- frames/s: animation frames (requestAnimationFrame ticks) in which at least one DOM mutation
  happened inside the live views, per second of the window. A canvas that animates between two
  redraws (the mode-coverage map's fakes glide to their new places) marks each frame it paints
  with a `data-painted` attribute change, so those frames count too. A MutationObserver (attributes,
  child lists, text) on document.body marks the current frame dirty when a mutation's target (or
  an added/removed node) lies in a live view; each rAF tick counts a dirty frame and clears the
  mark. Live views: the container keyed `<prefix>_live` (`.st-key-<prefix>_live`, mutations inside
  same-origin iframes in it included) when the page has one ("container" in the `views` column);
  otherwise the plotly charts, images and canvases in the main area ([data-testid='stMain'];
  "fallback: N charts/images"). `bursts/s` counts runs of consecutive dirty frames (one redraw
  that spans several frames counts once); `draws/s` counts changes of a canvas's `data-frame`
  attribute (0 where nothing draws on canvas).
- busy % (rAF): the main thread's load estimated from rAF gaps: the sum over ticks of
  (gap - 1000/60 ms) where positive, over the window's length. A main thread that is free paints
  at 60 Hz and this is ~0; a thread stuck in a 500 ms task adds ~483 ms. `rAF/s` is the tick rate.
- long-task %: the share of the window covered by 'longtask' entries (PerformanceObserver,
  buffered; tasks > 50 ms). It misses busy time made of many short tasks, hence both.
- latency (ms, median / p95 over the moves made): the label-smoothing slider thumb
  (`.st-key-<prefix>_knob_label_smoothing [role='slider']` or its `input[type='range']`) gets the
  focus in the page and a key is pressed (page.keyboard, no Playwright actionability waits, which
  take several round trips to a busy renderer): ArrowRight, then ArrowLeft back (10 moves:
  0 -> 0.25 -> 0); the batch-size slider (`..._knob_batch_size`) ArrowLeft then back (256 -> 32 ->
  256 with 6 moves); and the Play/Pause button (`.st-key-<prefix>_play button`) is clicked with
  page.mouse at its centre (Pause, Play, Pause, Play). Timed in the page: from the keydown /
  pointerdown event's timeStamp (a capture listener on document; the event's creation time, so a
  busy main thread's queueing delay is included) to the first moment a MutationObserver callback
  (or a rAF / 50 ms timer check) sees the effect: the status line (`.st-key-<prefix>_status`)
  showing exactly this move's "label smoothing <v>" / "batch size <n>" (markdown bold or not), or
  the button's label for the state the click asks for (so a late effect of an earlier move is
  never taken for this one). Where the status line does not show the value (pages before issue
  11) the probe falls back to the address bar's query string changing (the app writes the setting
  there after its rerun; "addr" in the cell). A move not seen within --move-timeout counts as the
  timeout (the p95 is then marked ">", a lower bound) and ends that kind's moves on the page; each
  kind also stops after --latency-budget seconds, so a slow page gets fewer moves (n in the cell).
  After each label-smoothing move the slider's own value is compared with the status line's.
- DOM: document.getElementsByTagName('*').length just after Play, and again --minutes after Play.
- it/s page: the iteration counter read in the page every 250 ms (an st.metric labelled
  "Iteration", as tests/browser_support.py's int_metric reads it, else "Iteration N" in the status
  line or any markdown/caption of the main area) while playing; the rate is taken between the
  first and last *changes* of the shown value inside a window of --rate-seconds of its own, right
  after the frames window, with the frame probe's rAF loop stopped (the page's own animations go
  on): a loop that asks for every frame makes headless Chromium produce 60 frames a second
  whatever the page does, renderer CPU that a student's page does not spend (2D lab, 2026-12-07,
  15 s each, no bench: 171 and 172 it/s without the probe's loop, 132 and 164 with it; in the
  bench's own runs that day the two windows differed by -10 to +20 %, no more than the noise
  between runs). The rate during the frames window, loop running, is in the JSON as
  `it_page_probed` (the "it/s page" of tables before 2026-12-07).
  Chromium's CPU in the same window (JSON `chromium_renderer_pct`, `chromium_all_pct`; table
  "renderer % / all %"): CPU seconds of the machine's Chromium processes (/proc utime + stime) over
  the window's wall time, in % of a core; "renderer" is the `--type=renderer` processes (the page's
  JavaScript, style, layout, paint), "all" adds the GPU process (software compositing under
  --disable-gpu) and the browser process. Only the measured page's tab is open. On the 2-core
  machine this is CPU the training worker cannot have.
  `resets` counts decreases of that counter from Play to the end (a run lost by accident).
- it/s bare: the same config trained by gan_core's Trainer.step() in a plain loop in this process,
  on as many torch threads as a worker process trains on (classroom.workers.WORKER_THREADS, 1; the
  "same worker" of issue 21; before 2026-12-07 it ran on the bench's 2 threads), for --bare-seconds
  (bench/live_throughput.py's bare_rate, imported from the app tree; the side-by-side page's
  LockstepRun.step() likewise, one iteration = both runs), after the page's
  run was paused, its tab closed and the server's CPU use fell under 15 % of a core (a run left
  playing stops at its idle timeout). `ratio` = page / bare (issue 11's bar: >= 0.7). The page's
  counter shows completed G updates; on the side-by-side page one iteration is both runs'.
- server ms / redraw: CPU seconds of the Streamlit process itself (/proc/<pid>/stat utime + stime:
  its threads, not the worker processes that train) during the window, over the bursts (one
  redraw of the live area); server % core: the same CPU over the window's wall time. With one tab
  playing, this is what one student's live page costs the web server (issue 21, item 2).
- rAF/s before Play (JSON `raf_idle_per_s`): the page's frame rate with nothing playing, ~60 on a
  free main thread; it checks that the rAF-based busy estimate has a sound baseline.

Both measured trees are supported: the pre-issue-11 pages (plotly live views, no `_live`
container, status lines without the setting) and the rewritten ones. The machine's load average
is printed and recorded; on the shared 2-core machine the figures depend on it.
--write puts the table and the exact command into docs/BENCHMARKS.md's "## Browser live" section,
under "### Before" or "### After" (--label), replacing only that subsection.

Files: this one drives the server and Chromium; browser_probes.js is what runs in the page;
browser_report.py formats the table and writes the record.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as app.py sets it for the server's torch

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(HERE, "tests"))

import browser_support  # noqa: E402
from browser_support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, open_app_page, wait_until  # noqa: E402
from browser_baseline import bare_loop_rate, chromium_cpu_seconds, process_cpu_seconds, wait_server_quiet  # noqa: E402
from browser_moves import log, measure_moves, playing  # noqa: E402
from browser_report import SECTION, load_average, record, table, write_section  # noqa: E402

VIEWPORT = {"width": 1440, "height": 900}

# page name -> address (with the query a page needs), widget prefix, and the bare loop's trainer.
# Keep the configs in step with each page's default run (views/*.py BASE).
PAGES = {
    "toy_2d": dict(path="/toy_2d", prefix="toy", bare="Trainer(TrainConfig(target='ring8'))"),
    "toy_1d": dict(path="/toy_1d", prefix="toy1d", bare="Trainer(lab_config('gaussian_1d'))"),
    # The page compares label smoothing by default, and the compared setting has no shared slider:
    # compare the noise prior instead (same cost per step), through the page's own share link.
    "side_by_side": dict(path="/side_by_side?compare=noise&a=gaussian&b=uniform", prefix="sbs",
                         bare="LockstepRun(TrainConfig(target='ring8', seed=0), 'noise', 'gaussian', 'uniform')"),
    "mnist": dict(path="/mnist", prefix="mnist", bare="Trainer(first MNIST preset)"),
    # its quick run (no sliders: the moves are Pause/Play only); the map is placed again while it plays
    "mode_coverage": dict(path="/mode_coverage", prefix="cov", bare="Trainer(the collapsed MNIST preset)"),
}


# ---- the in-page probes ------------------------------------------------------------------------

# in the page: frames with live-view mutations, rAF gaps, long tasks, the iteration counter
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser_probes.js"), encoding="utf-8") as _probes:
    PROBES_JS = _probes.read()


# ---- driving one page ------------------------------------------------------------------------

def measure_page(browser, base_url: str, server_pid: int, name: str, args) -> dict:
    spec = PAGES[name]
    prefix = spec["prefix"]
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(90_000)
    row: dict = {"page": name, "prefix": prefix}
    try:
        t_open = time.monotonic()
        open_app_page(page, base_url, spec["path"], timeout=180)
        if args.teacher:
            toggle = page.locator(".st-key-teacher_mode label, .st-key-teacher_mode [role='checkbox']").first
            if toggle.count():
                toggle.click()
                row["teacher"] = True
            else:
                row["teacher"] = "no teacher-mode switch"
        wait_until(lambda: page.locator(f".st-key-{prefix}_play button").count() > 0, 180,
                   what=f"{name}'s Play button")
        page.evaluate(PROBES_JS, prefix)
        page.evaluate("window.__bl.start()")  # the rAF rate of the page before Play: ~60/s if free
        time.sleep(2.0)
        page.evaluate("window.__bl.stop()")
        idle = page.evaluate("window.__bl.report()")
        row["raf_idle_per_s"] = idle["ticks"] / idle["seconds"]
        wait_until(lambda: page.evaluate("window.__bl.iteration()") is not None, 120,
                   what=f"{name}'s iteration counter")
        row["open_s"] = round(time.monotonic() - t_open, 1)
        log(f"{name}: open in {row['open_s']} s; pressing Play")
        page.locator(f".st-key-{prefix}_play button").first.click()
        t_play = time.monotonic()
        row["dom_start"] = page.evaluate("window.__bl.dom()")[0]
        first = page.evaluate("window.__bl.iteration()")
        wait_until(lambda: (page.evaluate("window.__bl.iteration()") or 0) > (first or 0), 180, 0.5,
                   what=f"{name}'s iteration counter to move")
        time.sleep(2.0)  # past the first redraws after Play
        row["views"] = page.evaluate("window.__bl.start()")
        log(f"{name}: measuring {args.seconds:g} s ({row['views']})")
        cpu0, t0 = process_cpu_seconds(server_pid), time.monotonic()
        time.sleep(args.seconds)
        page.evaluate("window.__bl.stop()")
        # the web server's own CPU (its threads; not the worker processes that train)
        row["server_cpu_s"], row["server_wall_s"] = process_cpu_seconds(server_pid) - cpu0, time.monotonic() - t0
        time.sleep(1.0)
        w = page.evaluate("window.__bl.report()")
        s = w["seconds"]
        row.update(window_s=round(s, 1), fps=w["frames"] / s, bursts_per_s=w["bursts"] / s,
                   draws_per_s=w["draws"] / s, raf_per_s=w["ticks"] / s,
                   busy_raf=100 * min(1.0, w["busy_ms"] / (1000 * s)),
                   longtask=100 * w["longtask_ms"] / (1000 * s) if w["longtask_supported"] else None,
                   gap_p95_ms=w["gap_p95"], gap_max_ms=w["gap_max"], mode=w["mode"])
        if w["bursts"]:  # one redraw of the live area (its canvases change together) per burst
            row["server_ms_per_redraw"] = 1000 * row["server_cpu_s"] / w["bursts"]
        row["server_core_pct"] = 100 * row["server_cpu_s"] / row["server_wall_s"]
        row["it_page_probed"], _ = counter_rate(w["iters"])  # with the frame probe's rAF loop running
        # the training rate in a window of its own, the frame probe's rAF loop stopped (docstring)
        q0 = page.evaluate("window.__bl.quiet(true)")
        chrome0, tq0 = chromium_cpu_seconds(), time.monotonic()
        time.sleep(args.rate_seconds)
        chrome1, tq1 = chromium_cpu_seconds(), time.monotonic()
        q1 = page.evaluate("window.__bl.quiet(false)")
        for kind in ("renderer", "all"):  # what the browser spends on the page as a student sees it
            row[f"chromium_{kind}_pct"] = 100 * (chrome1[kind] - chrome0[kind]) / (tq1 - tq0)
        row["it_page"], row["it_changes"] = counter_rate(page.evaluate("(w) => window.__bl.itersIn(w[0], w[1])",
                                                                       [q0, q1]))
        row["dom_window_end"] = page.evaluate("window.__bl.dom()")[0]
        row["window_end_min"] = round((time.monotonic() - t_play) / 60, 1)
        if args.screenshot:
            os.makedirs(args.screenshot, exist_ok=True)
            path = os.path.join(args.screenshot, f"{name}{'_teacher' if args.teacher else ''}.png")
            try:
                page.screenshot(path=path, timeout=120_000)
                row["screenshot"] = path
            except Exception as exc:
                row["screenshot"] = f"failed: {str(exc).splitlines()[0][:80]}"
        log(f"{name}: {row['fps']:.2f} frames/s, busy {row['busy_raf']:.0f} % (rAF), "
            f"it/s {row['it_page'] or 0:.1f}; input latency next")
        row["latency"] = {}
        for kind, moves in (("label_smoothing", args.moves), ("batch_size", max(2, args.moves * 6 // 10)),
                            ("play", 4)):
            row["latency"][kind] = measure_moves(page, kind, prefix, moves, args.move_timeout,
                                                 args.latency_budget)
            lat = row["latency"][kind]
            log(f"{name}: {kind} latency median {lat.get('median_ms')} ms over {lat['n']} "
                f"({lat.get('timeouts', 0)} timeouts)")
        try:  # the clicks end on Play (an even number of them); make sure it plays for the soak
            if page.evaluate("!!window.__bl.armed"):  # a click not seen in time: let it land first
                try:
                    wait_until(lambda: page.evaluate("window.__bl.result"), args.move_timeout, 0.5,
                               what="the last click to land")
                except AssertionError:
                    pass
                page.evaluate("window.__bl.armed = null")
            if not playing(page, prefix):  # one click, and wait until it took: no second click in flight
                at = page.evaluate("(k) => window.__bl.arm(k[0], k[1], true)", ["play", "pointer"])
                page.mouse.click(at["x"], at["y"])
                wait_until(lambda: page.evaluate("window.__bl.result"), 2 * args.move_timeout, 0.5,
                           what="Play to take effect before the soak")
        except Exception as exc:
            log(f"{name}: could not make sure the run plays for the soak ({str(exc).splitlines()[0][:80]})")
        soak_end = t_play + 60 * args.minutes
        if time.monotonic() < soak_end:
            log(f"{name}: playing until {args.minutes:g} min after Play for the DOM count")
            time.sleep(max(0.0, soak_end - time.monotonic()))
        row["dom_end"] = page.evaluate("window.__bl.dom()")[0]
        row["soak_playing"] = playing(page, prefix)
        row["dom_end_min"] = round((time.monotonic() - t_play) / 60, 1)
        row["resets"] = page.evaluate("window.__bl.resets()")
        row["iteration_end"] = page.evaluate("window.__bl.iteration()")
        if row["soak_playing"]:  # pause, so the bare loop has the CPU to itself
            at = page.evaluate("(k) => window.__bl.arm(k[0], k[1])", ["play", "pointer"])
            page.mouse.click(at["x"], at["y"])
            try:
                wait_until(lambda: page.evaluate("window.__bl.result"), 60, 0.5, what="Pause to take effect")
            except AssertionError:
                row["pause_failed"] = True
        row["exceptions"] = page.locator("[data-testid='stException']").count()
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        log(f"{name}: FAILED {row['error']}")
    finally:
        context.close()
    row["server_quiet_after_s"] = wait_server_quiet(server_pid)
    import torch

    threads = worker_threads()
    log(f"{name}: bare loop for {args.bare_seconds:g} s on {threads} torch thread(s), as a worker trains")
    before = torch.get_num_threads()
    torch.set_num_threads(threads)  # "the bare loop of the same preset on the same worker" (issue 21)
    try:
        row["it_bare"], row["bare_how"] = bare_loop_rate(name, args.bare_seconds)
    except Exception as exc:
        row["it_bare"], row["bare_how"] = None, f"failed: {type(exc).__name__}: {exc}"
    finally:
        torch.set_num_threads(before)
    row["bare_threads"] = threads
    row["bare"] = spec["bare"]
    if row.get("it_page") and row.get("it_bare"):
        row["ratio"] = row["it_page"] / row["it_bare"]
    return row


def counter_rate(iters: list) -> tuple[float | None, int]:
    """Iterations per second between the first and last of the counter's [time ms, value] changes,
    and how many changes there were."""
    if len(iters) >= 2 and iters[-1][0] > iters[0][0]:
        return (iters[-1][1] - iters[0][1]) / ((iters[-1][0] - iters[0][0]) / 1000), len(iters)
    return None, len(iters)


def worker_threads() -> int:
    """Torch threads of the measured tree's worker processes (1 where the tree does not name them)."""
    try:
        from classroom.workers import WORKER_THREADS
    except ImportError:
        return 1
    return WORKER_THREADS


# ---- output ----------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", default=",".join(PAGES), help=f"comma-separated, of {', '.join(PAGES)}")
    ap.add_argument("--seconds", type=float, default=30.0, help="measured window per page while playing")
    ap.add_argument("--minutes", type=float, default=1.0, help="DOM count this long after Play (issue: 10)")
    ap.add_argument("--moves", type=int, default=10, help="label-smoothing moves (batch: 60 %%, Pause/Play: 4)")
    ap.add_argument("--move-timeout", type=float, default=60.0, help="seconds before a move counts as unseen")
    ap.add_argument("--latency-budget", type=float, default=60.0, help="seconds per latency kind per page")
    ap.add_argument("--bare-seconds", type=float, default=10.0, help="bare training loop per page")
    ap.add_argument("--rate-seconds", type=float, default=15.0,
                    help="window of the page's training rate, the frame probe's rAF loop stopped")
    ap.add_argument("--teacher", action="store_true", help="switch teacher mode on in each tab")
    ap.add_argument("--screenshot", metavar="DIR", help="save a 1440x900 PNG of each page while playing")
    ap.add_argument("--json", metavar="OUT", help="write every figure as JSON")
    ap.add_argument("--app-dir", default=HERE, help="the tree to serve and to take the bare loop from")
    ap.add_argument("--write", action="store_true", help="record the table in docs/BENCHMARKS.md")
    ap.add_argument("--label", choices=("before", "after"), default="after", help="subsection for --write")
    ap.add_argument("--note", default="", help="a sentence added to the --write record")
    args = ap.parse_args(argv)
    names = [p.strip() for p in args.pages.split(",") if p.strip()]
    if unknown := [p for p in names if p not in PAGES]:
        ap.error(f"unknown pages {unknown}; choose from {', '.join(PAGES)}")
    app_dir = os.path.abspath(args.app_dir)
    browser_support.ROOT = app_dir  # StreamlitServer runs `streamlit run app.py` there
    sys.path.insert(0, app_dir)  # the bare loop uses the measured tree's gan_core

    import torch
    from playwright.sync_api import sync_playwright

    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = load_average()
    log(f"serving {app_dir}; load average {load_start}; torch threads {torch.get_num_threads()}")
    server = StreamlitServer()
    rows = []
    try:
        server.wait_healthy()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                for name in names:
                    rows.append(measure_page(browser, server.url, server.process.pid, name, args))
            finally:
                browser.close()
    finally:
        server.stop()
    load_end = load_average()
    ended = datetime.datetime.now(datetime.timezone.utc)
    out = table(rows)
    print(out)
    print(f"\nload average (1/5/15 min) at start {load_start}, at end {load_end}; "
          f"{started:%Y-%m-%d %H:%M}-{ended:%H:%M} UTC; torch threads {torch.get_num_threads()}")
    for r in rows:
        odd = []
        if r.get("resets"):
            odd.append(f"iteration counter went down {r['resets']} time(s)")
        for kind, lat in r.get("latency", {}).items():
            if lat.get("timeouts"):
                odd.append(f"{lat['timeouts']}/{lat['n']} {kind} moves unseen within {args.move_timeout:g} s")
            if lat.get("slider_status_mismatches"):
                odd.append(f"slider and status line disagreed after {lat['slider_status_mismatches']} {kind} moves")
        for key, what in (("pause_failed", "the final Pause did not take"), ("error", None)):
            if r.get(key):
                odd.append(what or r[key])
        if r.get("exceptions"):
            odd.append(f"{r['exceptions']} exception box(es) on the page")
        if odd:
            print(f"{r['page']}: " + "; ".join(odd))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "load_start": load_start, "load_end": load_end, "argv": sys.argv,
                       "started": started.isoformat(), "ended": ended.isoformat()}, f, indent=1, default=str)
    if args.write:
        body = record(rows, sys.argv[1:], app_dir, started, ended, load_start, load_end, args.note)
        write_section(os.path.join(HERE, "docs", "BENCHMARKS.md"), args.label, body)
        print(f"written to docs/BENCHMARKS.md, {SECTION}, {args.label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
