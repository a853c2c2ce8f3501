"""Download buttons for a run's files: history CSV, checkpoint, PNG of the fixed-noise samples,
and the training timeline as an animated GIF.

Every file is made when its button is clicked (st.download_button's deferred `data`), never on
a rerun: a checkpoint of the MNIST MLP is tens of megabytes. The deferred callables hold only a
weak reference to the run, so a download button left behind by a closed tab cannot keep its
trainer alive in Streamlit's media manager.

Pages integrate it with two calls:

    frames = point_frames(PREFIX)            # 2D lab; in the live render: record_frame(run, frames)
    toy_exports(run, PREFIX, frames)         # or mnist_exports(run, PREFIX, progress)
"""

from __future__ import annotations

import weakref
from typing import Callable

import streamlit as st

from classroom.service import Run
from classroom.exports import (PointFrames, digits_gif, history_csv, image_grid, png_bytes, reference_points,
                              scatter_image)

GRID_SAMPLES = 512  # fixed-noise samples drawn in the 2D PNG
DIGIT_GRID = 64  # fixed-noise digits in the MNIST PNG (8 x 8)


def _deferred(run: Run, make: Callable[[object], bytes]) -> Callable[[], bytes]:
    """make(trainer) -> bytes, run on click; empty bytes if the run is gone meanwhile."""
    ref = weakref.ref(run)

    def data() -> bytes:
        live = ref()
        return b"" if live is None else make(live)

    return data


def _run_name(run: Run) -> str:
    c = run.trainer.config
    return f"{c.target}_{c.arch}_seed{c.seed}_iter{run.trainer.iteration}"


def point_frames(prefix: str, every: int = 25) -> PointFrames:
    """This tab's timeline record for the run of `prefix` (bounded: PointFrames.max_frames)."""
    return st.session_state.setdefault(f"_point_frames_{prefix}", PointFrames(every=every))


def record_frame(run: Run, frames: PointFrames) -> bool:
    """Take a timeline frame if one is due; call from the live render (it waits for a step)."""
    return run.call(frames.record)


def history_button(run: Run, prefix: str) -> None:
    st.download_button(":material/download: History (CSV)", _deferred(run, lambda r: r.call(history_csv)),
                       file_name=f"{_run_name(run)}_history.csv", mime="text/csv", key=f"{prefix}_export_csv",
                       on_click="ignore", width="stretch",
                       help="Every update: losses, D(x), D(G(z)), accuracy, gradient norms; a `changes` "
                            "column marks where a setting was changed.")


def checkpoint_button(run: Run, prefix: str) -> None:
    # A checkpoint is made where the run's optimizers live; a run whose worker died has none until
    # it is restarted from its last frame (the page's lost-run panel), so the button says that.
    lost = run.lost
    st.download_button(":material/download: Checkpoint (.pt)", _deferred(run, lambda r: r.checkpoint()),
                       file_name=f"{_run_name(run)}.pt", mime="application/octet-stream",
                       key=f"{prefix}_export_checkpoint", on_click="ignore", width="stretch", disabled=lost,
                       help="The run's worker stopped: restart it from its last frame, then save it." if lost
                       else "Weights, optimizers, random streams and settings: loading it continues the "
                            "run exactly where it was.")


def png_button(run: Run, prefix: str, label: str, name: str, make: Callable[[Run], bytes], help: str) -> None:
    st.download_button(label, _deferred(run, make), file_name=f"{_run_name(run)}_{name}.png", mime="image/png",
                       key=f"{prefix}_export_png", on_click="ignore", width="stretch", help=help)


def timeline_button(run: Run, prefix: str, count: int, make: Callable[[], bytes], help: str) -> None:
    """The animated GIF of `count` recorded frames; disabled while there are none."""
    st.download_button(f":material/download: Timeline (GIF, {count} frames)", make if count else b"",
                       file_name=f"{_run_name(run)}_timeline.gif", mime="image/gif", key=f"{prefix}_export_gif",
                       on_click="ignore", width="stretch", disabled=not count, help=help)


def _toy_png(run: Run) -> bytes:
    # under the lock only the sampling; drawing happens after the lock is released
    fake, real, bounds, iteration = run.call(lambda t: (t.fixed_samples(GRID_SAMPLES).cpu().numpy(),
                                                        reference_points(t, GRID_SAMPLES), t.target.bounds,
                                                        t.iteration))
    return png_bytes(scatter_image(fake, bounds, real, size=600, title=f"G(fixed z), iteration {iteration:,}"))


def _toy_gif(run: Run, frames: PointFrames) -> bytes:
    bounds, real = run.call(lambda t: (t.target.bounds, reference_points(t, GRID_SAMPLES)))
    return frames.gif(bounds, real)


def toy_exports(run: Run, prefix: str, frames: PointFrames | None = None) -> None:
    """The 2D lab's downloads in one row: CSV, checkpoint, PNG of G(fixed z), GIF timeline."""
    csv_col, ckpt_col, png_col, gif_col = st.columns(4)
    with csv_col:
        history_button(run, prefix)
    with ckpt_col:
        checkpoint_button(run, prefix)
    with png_col:
        png_button(run, prefix, ":material/download: Samples (PNG)", "samples", _toy_png,
                   "G applied to the same fixed noise (red) over real samples (grey).")
    with gif_col:
        count = len(frames.frames) if frames is not None else 0
        timeline_button(run, prefix, count, _deferred(run, lambda r: _toy_gif(r, frames)),
                        "G(fixed z) every few iterations since the run began, as an animation.")


def _digit_png(run: Run) -> bytes:
    images, iteration = run.call(lambda t: (t.fixed_samples(DIGIT_GRID).cpu().numpy(), t.iteration))
    return png_bytes(image_grid(images, ncols=8, scale=3, title=f"G(fixed z), iteration {iteration:,}"))


def mnist_exports(run: Run, prefix: str, progress=None, with_checkpoint: bool = True) -> None:
    """The MNIST page's downloads: CSV, checkpoint, PNG grid of G(fixed z), GIF of the frames
    `progress` (classroom.image_progress.ImageProgress) recorded. with_checkpoint=False leaves the
    checkpoint out, for a page that already offers it elsewhere."""
    if with_checkpoint:
        csv_col, ckpt_col, png_col, gif_col = st.columns(4)
        with ckpt_col:
            checkpoint_button(run, prefix)
    else:
        csv_col, png_col, gif_col = st.columns(3)
    with csv_col:
        history_button(run, prefix)
    with png_col:
        png_button(run, prefix, ":material/download: Digit grid (PNG)", "grid", _digit_png,
                   "8 x 8 digits from the same fixed noise as the progress grid.")
    with gif_col:
        frames = list(getattr(progress, "frames", []) or [])
        timeline_button(run, prefix, len(frames), lambda: digits_gif(frames, scale=2),
                        "The fixed-noise grid over training, as an animation.")

