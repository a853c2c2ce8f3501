"""What bench/browser_live.py compares a page's training rate with: the page's default run in a bare
step() loop in the bench's own process, timed once the server has gone quiet (its run paused or
idle-stopped), so the two never compete for the cores."""

from __future__ import annotations

import os
import time


def bare_trainer(page: str):
    """The page's default run, for the bare loop (imported from the measured tree)."""
    from gan_core.config import TrainConfig
    from gan_core.trainer import Trainer
    if page == "toy_2d":
        return Trainer(TrainConfig(target="ring8"))
    if page == "toy_1d":
        from gan_core.lab1d import lab_config
        return Trainer(lab_config("gaussian_1d"))
    if page == "side_by_side":
        from classroom.lockstep import LockstepRun
        return LockstepRun(TrainConfig(target="ring8", seed=0), "noise", "gaussian", "uniform")
    from classroom.presets import MNIST_PRESETS
    if page == "mode_coverage":  # its quick run starts on the collapsed preset
        from ui.mode_coverage.sources import COLLAPSED
        return Trainer(MNIST_PRESETS[COLLAPSED].config)
    return Trainer(next(iter(MNIST_PRESETS.values())).config)


def bare_loop_rate(page: str, seconds: float) -> tuple[float, str]:
    """Iterations/s of the page's config in a plain step() loop; and what was run."""
    if page != "side_by_side":
        try:  # reuse the existing bare loop where the measured tree has it
            from bench.live_throughput import bare_rate
            return bare_rate(bare_trainer(page).config, seconds), "bench/live_throughput.py bare_rate"
        except ImportError:
            pass
    trainer = bare_trainer(page)
    for _ in range(5):  # warm-up: first steps allocate
        trainer.step()
    start, t0 = trainer.iteration, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        trainer.step()
    return (trainer.iteration - start) / (time.perf_counter() - t0), "step() loop"


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def chromium_cpu_seconds() -> dict:
    """CPU seconds so far of the machine's Chromium processes (/proc, utime + stime), by kind:
    "renderer" (`--type=renderer`: the pages' JavaScript, layout and paint) and "all" (renderers,
    the GPU process's software compositing, the browser process). Processes that exit between two
    readings drop out of the sum, so diff two readings taken while the same tabs are open."""
    totals = {"renderer": 0.0, "all": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                # Chromium's child processes rewrite their title: one string, arguments split by spaces
                cmdline = f.read().replace(b"\0", b" ")
            if not os.path.basename(cmdline.split(b" ")[0]).startswith(b"chromium"):
                continue
            seconds = process_cpu_seconds(int(entry))
        except OSError:  # exited meanwhile
            continue
        totals["all"] += seconds
        if b"--type=renderer" in cmdline:
            totals["renderer"] += seconds
    return totals


def wait_server_quiet(pid: int, limit: float = 150.0) -> float | None:
    """Seconds until the server uses < 15 % of a core over 2 s (its runs paused or idle-stopped),
    so the bare loop does not compete with a run left playing; None if it never got quiet."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        try:
            c0 = process_cpu_seconds(pid)
            time.sleep(2.0)
            if process_cpu_seconds(pid) - c0 < 0.3:
                return round(time.monotonic() - t0, 1)
        except OSError:
            return None
    return None
