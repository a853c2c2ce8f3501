"""classroom.exports: the CSV reads back to the trainer's numbers with the changes on the right
rows; PNG and GIF files decode with Pillow to the right size, pixels and frame count."""

import csv
import io
import math

import numpy as np
import pytest
from PIL import Image

from classroom import exports
from gan_core.config import TrainConfig
from gan_core.step_record import RECORD_FIELDS
from gan_core.trainer import Trainer

SMALL = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16, seed=1)


def same_number(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_history_csv_reads_back_to_the_same_numbers_and_marks_changes():
    trainer = Trainer(SMALL)
    trainer.train(3)  # rows 0..5: D, G per iteration
    trainer.update(label_smoothing=0.1, batch_size=32)  # made at iteration 3
    trainer.step_g()  # row 6: a G update of iteration 4 is the first under the new settings
    trainer.train(1)  # rows 7, 8
    rows = list(csv.DictReader(io.StringIO(exports.history_csv(trainer).decode())))
    cols = trainer.history.columns()
    assert len(rows) == 9 == len(cols["kind"])
    assert list(rows[0]) == list(RECORD_FIELDS) + ["changes"]
    for i, row in enumerate(rows):
        assert row["kind"] == cols["kind"][i]
        for f in RECORD_FIELDS[1:]:
            assert same_number(float(row[f]), float(cols[f][i])), (i, f)
    assert [r["changes"] for r in rows] == [""] * 6 + ["batch_size: 16 -> 32; real_label: 1.0 -> 0.9"] + [""] * 2
    assert [int(r["batch_size"]) for r in rows] == [16] * 6 + [32] * 3
    assert rows[0]["loss_g"] == "nan" and rows[1]["loss_d"] == "nan"  # fields that do not apply


def test_changes_between_iterations_mark_the_next_d_update():
    trainer = Trainer(SMALL.replace(d_steps=2))
    trainer.step()  # rows 0-2: D, D, G -> iteration 1
    trainer.update(lr_d=5e-4)  # at iteration 1: the D rows of the next iteration carry iteration 1 too
    trainer.step()  # rows 3-5
    rows = list(csv.DictReader(io.StringIO(exports.history_csv(trainer).decode())))
    assert [r["changes"] for r in rows] == ["", "", "", "lr_d: 0.001 -> 0.0005", "", ""]
    # trainer.events hold iterations, not update numbers: a change made between Step D and
    # Step G is marked from the start of that iteration's D updates (documented limit)
    trainer.step_d()  # row 6, iteration 2
    trainer.update(lr_d=1e-3)
    trainer.step_d()  # row 7
    rows = list(csv.DictReader(io.StringIO(exports.history_csv(trainer).decode())))
    assert rows[6]["changes"] == "lr_d: 0.0005 -> 0.001" and rows[7]["changes"] == ""


def test_empty_history_is_a_header_only():
    text = exports.history_csv(Trainer(SMALL)).decode()
    assert text.strip().split(",")[0] == "kind" and text.count("\n") == 1


def test_scatter_image_puts_points_where_the_window_says():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0], [np.nan, 0.0]])  # last two are not drawn
    real = np.array([[-0.5, -0.5]])
    image = exports.scatter_image(points, ((-1, 1), (-1, 1)), real=real, size=100, dot=1)
    assert image.size == (100, 100) and image.mode == "RGB"
    # margin 8, span 84: x = 8 + (x + 1) / 2 * 84, row = 8 + (1 - y) / 2 * 84
    assert image.getpixel((50, 50)) == exports.FAKE_RGB
    assert image.getpixel((92, 8)) == exports.FAKE_RGB
    assert image.getpixel((29, 71)) == exports.REAL_RGB
    assert image.getpixel((70, 30)) == (255, 255, 255)
    decoded = Image.open(io.BytesIO(exports.png_bytes(image)))
    assert decoded.format == "PNG" and decoded.size == (100, 100)
    assert decoded.convert("RGB").getpixel((50, 50)) == exports.FAKE_RGB


def test_image_grid_tiles_digits_and_maps_tanh_range():
    images = np.zeros((3, 3, 3), dtype=np.float32) - 1.0  # tanh black
    images[1] = 1.0  # white
    images[2, 1, 1] = 0.0  # mid grey in the centre
    grid = exports.image_grid(images, ncols=2, scale=1, pad=2)
    # width = 2 + 2 * (3 + 2) = 12, height = 2 + 2 * (3 + 2) = 12
    assert grid.size == (12, 12) and grid.mode == "L"
    assert grid.getpixel((2, 2)) == 0 and grid.getpixel((7, 2)) == 255
    assert grid.getpixel((3, 8)) == 128 and grid.getpixel((2, 7)) == 0
    assert grid.getpixel((0, 0)) == 255 and grid.getpixel((11, 11)) == 255  # padding
    big = exports.image_grid(np.full((4, 28, 28), 200, dtype=np.uint8), scale=3)
    assert big.size == ((2 + 2 * 30) * 3, (2 + 2 * 30) * 3)


def test_gif_has_every_frame_up_to_the_limit_then_thins():
    frames = [Image.new("RGB", (40, 30), (i * 20 % 256, 0, 0)) for i in range(5)]
    gif = Image.open(io.BytesIO(exports.gif_bytes(frames, frame_ms=100, last_frame_ms=900)))
    assert gif.format == "GIF" and gif.size == (40, 30) and gif.n_frames == 5
    assert gif.info["duration"] == 100 and gif.info.get("loop") == 0
    gif.seek(4)
    assert gif.info["duration"] == 900
    same = Image.open(io.BytesIO(exports.gif_bytes([Image.new("RGB", (20, 20), "white")] * 3)))
    assert (same.n_frames, same.info["duration"]) == (1, 200 + 200 + 1500)  # Pillow merges identical frames
    many = [Image.new("RGB", (8, 8), (i % 256, i // 256, 0)) for i in range(300)]
    assert Image.open(io.BytesIO(exports.gif_bytes(many))).n_frames == exports.MAX_GIF_FRAMES == 120
    with pytest.raises(ValueError):
        exports.gif_bytes([])


def test_thin_evenly_keeps_ends_and_spreads():
    picked = exports.thin_evenly(list(range(300)), 120)
    assert len(picked) == 120 and picked[0] == 0 and picked[-1] == 299
    assert max(np.diff(picked)) - min(np.diff(picked)) <= 1  # 299 / 119 ≈ 2.51: gaps of 2 or 3
    assert exports.thin_evenly([1, 2], 120) == [1, 2]


def test_point_frames_follow_the_run_and_stay_bounded():
    trainer = Trainer(SMALL)
    frames = exports.PointFrames(every=5, max_frames=6, n_points=32)
    assert frames.record(trainer) and [it for it, _ in frames.frames] == [0]
    np.testing.assert_array_equal(frames.frames[0][1], trainer.fixed_samples(32).numpy())
    assert not frames.record(trainer)  # not due again at the same iteration
    for _ in range(40):
        trainer.step()
        frames.record(trainer)
    # every 5 up to 40 = 9 frames > 6: the older half thinned (0, 10, 20 kept of 0..25), newest 3 stay
    its = [it for it, _ in frames.frames]
    assert len(its) <= 6 and its[-1] == 40 and its[0] == 0
    assert its == sorted(its)
    trainer.rollback()  # back to the snapshot at iteration 0
    frames.record(trainer)
    assert [it for it, _ in frames.frames] == [0]
    other = Trainer(SMALL)
    frames.record(other)
    assert len(frames.frames) == 1 and frames._owner() is other
    gif = Image.open(io.BytesIO(frames.gif(((-2, 2), (-2, 2)), size=64)))
    assert gif.n_frames == 1 and gif.size == (64, 64)


def test_digits_gif_from_progress_frames():
    from classroom.image_progress import Frame

    frames = [Frame(i * 50, np.full((4, 28, 28), i * 40, dtype=np.uint8)) for i in range(4)]
    gif = Image.open(io.BytesIO(exports.digits_gif(frames, ncols=2, scale=2)))
    assert gif.n_frames == 4
    assert gif.size == ((2 + 2 * 30) * 2, (18 + 2 + 2 * 30) * 2)
