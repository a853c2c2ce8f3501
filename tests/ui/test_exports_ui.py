"""ui.kit.exports in AppTest: the buttons hand out a CSV of the run's history, a checkpoint that
loads back, a PNG and a GIF timeline with one frame per recorded iteration."""

import csv
import gc
import io
import os
import weakref

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from download_support import download_bytes
from gan_core.checkpoint import load_checkpoint
from ui.kit.exports import _deferred
from page_support import TEST_PAGES

PAGE = os.path.join(TEST_PAGES, "exports_page.py")


def lab_run(at):
    return at.session_state["_live_runs"]["exports test"]


def test_export_buttons_give_csv_checkpoint_png_and_gif(downloads):
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    gif_button = next(b for b in at.get("download_button") if b.label == ":material/download: Timeline (GIF, 1 frames)")
    assert not gif_button.proto.disabled
    run = lab_run(at)
    for _ in range(3):  # 3 x 5 iterations, a frame recorded at each rerun: iterations 0, 5, 10, 15
        run.run_steps("both", n=5)
        at.run()
    assert any(m.value == "iteration 15, frames 4" for m in at.markdown)

    rows = list(csv.DictReader(io.StringIO(download_bytes(downloads, ":material/download: History").decode())))
    history = run.trainer.history.columns()
    assert len(rows) == 30 == len(history["kind"])
    assert [float(r["loss_d"]) for r in rows if r["kind"] == "D"] == list(history["loss_d"][history["kind"] == "D"])

    loaded = load_checkpoint(download_bytes(downloads, ":material/download: Checkpoint"))
    assert loaded.iteration == 15 and loaded.config == run.trainer.config
    for a, b in zip(loaded.generator.parameters(), run.trainer.generator.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())

    png = Image.open(io.BytesIO(download_bytes(downloads, ":material/download: Samples")))
    assert png.format == "PNG" and png.size == (600, 600)
    gif = Image.open(io.BytesIO(download_bytes(downloads, ":material/download: Timeline (GIF, 4 frames)")))
    assert gif.format == "GIF" and gif.n_frames == 4 and gif.size == (360, 360)


def test_deferred_download_holds_no_strong_reference_to_the_run():
    from gan_core.config import TrainConfig
    from classroom.live import LiveRun
    from gan_core.trainer import Trainer

    run = LiveRun(Trainer(TrainConfig(g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)))
    data = _deferred(run, lambda r: b"x")
    assert data() == b"x"
    ref = weakref.ref(run)
    del run
    gc.collect()
    assert ref() is None and data() == b""
