"""The report of bench/browser_live.py: its table, the load average, and the --write record in
docs/BENCHMARKS.md's "Browser live" section (before / after subsections)."""

from __future__ import annotations

import os
import re
import shlex

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the repository
SCRIPT = os.path.join(HERE, "bench", "browser_live.py")
SECTION = "## Browser live"


def _f(x, fmt="{:.1f}", none="–") -> str:
    return none if x is None else fmt.format(x)


def _lat(lat: dict | None) -> str:
    if not lat or not lat.get("n"):
        return (lat or {}).get("note", "–")
    p95 = _f(lat["p95_ms"], "{:.0f}")
    if lat.get("timeouts"):
        p95 = ">" + p95
    src = {"": "", "status": "", "button": "", "address": " addr"}.get(lat.get("src", ""), " " + lat.get("src", ""))
    return f"{_f(lat['median_ms'], '{:.0f}')} / {p95} (n {lat['n']}{src})"


def table(rows: list[dict]) -> str:
    head = ("| page | views | frames/s | bursts/s | draws/s | busy % rAF | long-task % | "
            "label smoothing ms med / p95 | batch ms | Pause/Play ms | DOM at Play → window end → soak end (min) | "
            "it/s page | it/s bare | ratio | resets | server ms / redraw | server % core | "
            "Chromium % core renderer / all |")
    lines = [head, "|" + "|".join("---" for _ in range(head.count("|") - 1)) + "|"]
    for r in rows:
        if "error" in r and "fps" not in r:
            lines.append(f"| {r['page']} | failed: {r['error']} |" + " |" * (head.count("|") - 3))
            continue
        lat = r.get("latency", {})
        dom = " → ".join(
            f"{r[k]:,}" + (f" ({r[m]})" if m in r else "")
            + (" paused" if k == "dom_end" and not r.get("soak_playing", True) else "")
            for k, m in (("dom_start", ""), ("dom_window_end", "window_end_min"), ("dom_end", "dom_end_min"))
            if isinstance(r.get(k), int))
        lines.append(
            f"| {r['page']} | {r.get('mode', '–')} | {_f(r.get('fps'), '{:.2f}')} | "
            f"{_f(r.get('bursts_per_s'), '{:.2f}')} | {_f(r.get('draws_per_s'), '{:.1f}')} | "
            f"{_f(r.get('busy_raf'), '{:.0f}')} | {_f(r.get('longtask'), '{:.0f}')} | "
            f"{_lat(lat.get('label_smoothing'))} | {_lat(lat.get('batch_size'))} | {_lat(lat.get('play'))} | {dom} | "
            f"{_f(r.get('it_page'))} | {_f(r.get('it_bare'))}{_threads(r)} | {_f(r.get('ratio'), '{:.2f}')} | "
            f"{r.get('resets', '–')} | {_f(r.get('server_ms_per_redraw'))} | "
            f"{_f(r.get('server_core_pct'), '{:.0f}')} | "
            f"{_f(r.get('chromium_renderer_pct'), '{:.0f}')} / {_f(r.get('chromium_all_pct'), '{:.0f}')} |")
    return "\n".join(lines)


def _threads(r: dict) -> str:
    """The bare loop's torch threads, where the run recorded them (older records ran on 2)."""
    return f" ({r['bare_threads']} thr)" if r.get("bare_threads") else ""


def load_average() -> str:
    try:
        return "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())
    except OSError:
        return "?"


def write_section(path: str, label: str, body: str) -> None:
    """Replace this label's subsection of "## Browser live" (creating what is missing); nothing
    else in the file changes. Re-reads the file right before writing."""
    intro = ("Command: `python bench/browser_live.py` (its docstring says how each figure is measured).\n"
             "Debian's Chromium (headless, 1440x900) and `streamlit run app.py` on the same machine, as on a\n"
             "teacher's laptop. Every figure but the bare loop is measured in the page: frames with mutations\n"
             "in the live views, rAF gaps, long tasks, input event to the status line's change. Issue 11's\n"
             "bar: >= 4 frames/s (MNIST >= 2), busy < 50 %, p95 latency <= 500 ms, a flat DOM over 10\n"
             "minutes of play, page/bare >= 0.7.\n")
    sub = f"### {label.capitalize()}"
    with open(path) as f:
        text = f.read()
    start = text.find("\n" + SECTION + "\n")
    if start < 0:
        section = f"{SECTION}\n\n{intro}\n"
        text = text.rstrip("\n") + "\n\n" + section
        start = text.find("\n" + SECTION + "\n")
    start += 1
    nxt = re.search(r"^## ", text[start + len(SECTION):], re.M)
    end = start + len(SECTION) + nxt.start() if nxt else len(text)
    section = text[start:end].rstrip("\n") + "\n"
    subs = {}
    for lab in ("before", "after"):
        m = re.search(rf"^### {lab.capitalize()}\b.*?(?=^### |\Z)", section, re.M | re.S)
        if m:
            subs[lab] = m.group(0).rstrip("\n") + "\n"
    head = re.split(r"^### ", section, maxsplit=1, flags=re.M)[0].rstrip("\n") + "\n"
    subs[label] = f"{sub}\n\n{body.rstrip()}\n"
    new = head + "".join("\n" + subs[lab] for lab in ("before", "after") if lab in subs)
    text = text[:start] + new + ("\n" + text[end:].lstrip("\n") if end < len(text) else "")
    with open(path, "w") as f:
        f.write(text)


def record(rows: list[dict], argv: list[str], app_dir: str, started, ended, load_start: str, load_end: str,
           note: str = "") -> str:
    """The --write record: when, the load, the exact command, the table and how to read it."""
    command = "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(SCRIPT, HERE)] + argv)
    bare_loops = "; ".join(sorted({f"{r['page']}: {r.get('bare')} via {r.get('bare_how')}" for r in rows}))
    body = (f"{started:%Y-%m-%d %H:%M}-{ended:%H:%M} UTC, tree `{'.' if app_dir == HERE else app_dir}`"
            f", load average {load_start} at the start and {load_end} at the end (1/5/15 min; 2 cores).\n\n"
            f"```\n{command}\n```\n\n{table(rows)}\n\n"
            f"Bare loop: {bare_loops}. "
            "Latency cells are median / p95 in ms over n moves (\"addr\": the address bar, not the status "
            "line, showed the change; \">\": some moves were not seen within the timeout, counted as the timeout). "
            "DOM: element count just after Play → at the end of the measured window → after the soak (minutes "
            "after Play; \"paused\": the run was not playing at the end, e.g. a Pause/Play click still in flight).\n")
    if note:
        body += "\n" + note.strip() + "\n"
    return body
