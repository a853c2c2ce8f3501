"""bench/browser_live.py's inputs: keyboard moves and Pause/Play clicks made the way a hand makes
them, each timed in the page's own clock until the page shows its effect (the in-page probes of
browser_probes.js arm the wait and read the result)."""

from __future__ import annotations

import re
import sys
import time

from browser_support import wait_until


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def percentile(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def playing(page, prefix: str) -> bool:
    text = page.locator(f".st-key-{prefix}_play button").first.inner_text(timeout=60_000)
    return "pause" in text.lower()


def measure_moves(page, kind: str, prefix: str, moves: int, timeout: float, budget: float) -> dict:
    """Latency of `moves` inputs of one kind (alternating directions), in the page's own clock."""
    input_name = "pointer" if kind == "play" else "key"
    latencies, timeouts, values, sources, mismatches = [], 0, [], set(), 0
    started = time.monotonic()
    up = (moves + 1) // 2  # label smoothing: up then back down; batch size: down then back up
    for i in range(moves):
        if time.monotonic() - started > budget:
            break
        now = page.evaluate("(k) => window.__bl.read(k)", kind)
        # the value this move must show (status line only): a late effect of an earlier move can
        # never be taken for this one
        expect, key = None, "ArrowRight" if i < up else "ArrowLeft"
        if kind == "play":
            expect = not bool(re.search("pause", now["v"] or "", re.I))
        elif now["src"] == "status":
            v = float(now["v"])
            if kind == "label_smoothing":
                expect = round(v + 0.05 if key == "ArrowRight" else v - 0.05, 2)
                if not 0 <= expect <= 0.5:
                    key, expect = (("ArrowLeft", round(v - 0.05, 2)) if expect > 0.5
                                   else ("ArrowRight", round(v + 0.05, 2)))
            else:
                key = "ArrowLeft" if i < up else "ArrowRight"
                expect = v / 2 if key == "ArrowLeft" else v * 2
        # Playwright's locator actions wait for the element in several round trips to a busy
        # renderer; one raw key press / mouse click at the spot arm() found is what a hand does
        before = page.evaluate("(k) => window.__bl.arm(k[0], k[1], k[2])", [kind, input_name, expect])
        if before.get("missing"):
            return {"kind": kind, "n": 0, "note": "no such widget"}
        if kind == "play":
            page.mouse.click(before["x"], before["y"])
        else:
            page.keyboard.press(key)
        try:
            result = wait_until(lambda: page.evaluate("window.__bl.result"), timeout, 0.1,
                                what=f"{kind} move {i + 1} to show")
        except AssertionError:  # not shown in time: counted as the timeout, and this kind stops
            timeouts += 1
            latencies.append(timeout * 1000)
            log(f"  {kind} move {i + 1}: not seen within {timeout:.0f} s; no more {kind} moves")
            if kind != "play":  # a click still in flight: measure_page waits for it to land
                page.evaluate("window.__bl.armed = null")
            break
        latencies.append(result["ms"])
        values.append(result["value"])
        sources.add(before["src"])
        if kind != "play" and result["src"] == "status" and result.get("slider") is not None:
            try:  # the slider and the status line agree? (a select slider's aria value is an index)
                if kind == "label_smoothing" and abs(float(result["slider"]) - float(result["value"])) > 1e-6:
                    mismatches += 1
            except ValueError:
                pass
        time.sleep(0.4)  # a pause between moves, as a hand would make
    return {"kind": kind, "n": len(latencies), "timeouts": timeouts, "median_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95), "max_ms": max(latencies) if latencies else None,
            "seconds": round(time.monotonic() - started, 1), "src": ",".join(sorted(sources)),
            "values": values, "slider_status_mismatches": mismatches}
