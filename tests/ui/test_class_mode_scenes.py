"""The class console's pure pieces (ui/class_mode/gallery_scene.py, sweep_chart.py): the gallery's
order and grid, what each cell says, the sweep's axis, labels, means and PNG, checked against
numbers worked out by hand."""

import io
import math

import numpy as np
import pytest
from PIL import Image

from classroom.classes import GalleryRow
from page_support import decode_floats
from ui.class_mode.gallery_scene import differs_words, gallery_scene, grid_shape, numbers_variants, sort_rows
from ui.class_mode.sweep_chart import means_by_position, slot_labels, sweep_axis, sweep_png, sweep_scene


def row(slot, name, modes=None, hq=None, iteration=0, live=True, playing=False, differs=None, fakes=None):
    return GalleryRow(slot=slot, pseudonym=name, page="2D lab", live=live, playing=playing, iteration=iteration,
                      modes_captured=modes, n_modes=8, hq_percent=hq, settings={"target": "ring8"},
                      differs=differs or {}, fakes=fakes, target="ring8")


ROWS = [row(1, "ben", modes=3, hq=50.0, iteration=300), row(2, "Ana", modes=None, hq=None, iteration=900),
        row(3, "cleo", modes=8, hq=20.0, iteration=100), row(4, "Dan", modes=3, hq=90.0, iteration=300)]


@pytest.mark.parametrize("by, slots", [("slot", [1, 2, 3, 4]), ("pseudonym", [2, 1, 3, 4]),
                                       ("modes captured", [3, 1, 4, 2]),  # ties: the lower slot first
                                       ("HQ %", [4, 1, 3, 2]), ("iteration", [2, 1, 4, 3])])
def test_the_gallery_sorts_by_each_column(by, slots):
    assert [r.slot for r in sort_rows(ROWS, by)] == slots


def test_the_grid_gives_the_planes_the_largest_side():
    # 4 runs in 880 x 610 with 62 px of words over each plane: 2 x 2 gives min(432, 305 - 8 - 62) = 235;
    # 4 x 1 gives min(212, 540) = 212; 3 columns also 235 (2 rows): the fewer columns are kept
    assert grid_shape(4, 880, 610, 62) == (2, 235.0)
    # 30 runs: 8 columns of 4 rows give min(102, 152.5 - 70) = 82.5; 7 x 5 gives 52.0; 10 x 3 gives 80
    assert grid_shape(30, 880, 610, 62) == (8, 82.5)
    assert grid_shape(1, 880, 610, 62) == (1, 240)  # one run does not fill the projector


def test_each_cell_says_who_what_and_how_it_differs():
    fakes = np.array([[0.5, -1.0], [2.0, 0.25]], dtype=np.float32)
    rows = [row(1, "Ana", modes=7, hq=93.4, iteration=1200, playing=True, differs={"batch_size": 512}, fakes=fakes),
            row(2, "Ben", live=False, differs={"label_smoothing": 0.1, "batch_size": 64})]
    scene = gallery_scene(rows, 880, 610, font=12).to_data()
    assert scene["label"] == "the class gallery: 2 runs"
    first, second = scene["panels"]
    assert first["title"] == "1 Ana" and second["title"] == "2 Ben (not open)"
    assert [item["label"] for item in first["legend"]] == ["7/8 modes · HQ 93 % · it 1,200", "batch 512"]
    assert [item["label"] for item in second["legend"]] == ["–/8 modes · HQ – · it 0", "batch 64 · smoothing 0.1"]
    np.testing.assert_array_equal(decode_floats(first["layers"][-1]["b64"]).reshape(-1, 2), fakes)
    assert first["background"] == "white" and second["background"] != "white"  # a closed tab's run is grey
    assert first["legend"][0]["color"] != second["legend"][0]["color"]  # playing vs closed


def test_numbers_shrink_to_fit_a_narrow_cell():
    r = row(1, "Ana", modes=7, hq=93.4, iteration=1200)
    assert numbers_variants(r) == ["7/8 modes · HQ 93 % · it 1,200", "7/8 modes · HQ 93 %", "7/8 · HQ 93 %",
                                   "7/8 · 93%", "7/8"]
    narrow = gallery_scene([r] * 30, 880, 610, font=12).to_data()["panels"][0]
    assert narrow["legend"][0]["label"] in numbers_variants(r)[1:]


def test_differs_words_name_label_smoothing_as_the_pages_do():
    assert differs_words({}) == "= class preset"
    assert differs_words({"label_smoothing": 0.1, "batch_size": 512}) == "batch 512 · smoothing 0.1"


def test_the_sweep_axis_spreads_decades_and_names():
    rates = sweep_axis([1e-4, 1e-3, 1e-2, 1e-3])
    assert rates.log and rates.positions == pytest.approx([-4, -3, -2, -3])
    assert rates.ticklabels == ["0.0001", "0.001", "0.01"]
    smoothing = sweep_axis([0.0, 0.1, 0.1])
    assert not smoothing.log and smoothing.positions == [0.0, 0.1, 0.1]  # 0 is on the axis: no log
    losses = sweep_axis(["minimax", "hinge", "minimax", True])
    assert losses.names and losses.ticklabels == ["hinge", "minimax", "on"]
    assert losses.positions == [1.0, 0.0, 1.0, 2.0]


def test_the_sweep_marks_each_value_s_mean_and_shares_labels():
    assert means_by_position([0.0, 0.0, 1.0], [2.0, 6.0, 5.0]) == {0.0: 4.0, 1.0: 5.0}
    rows = [{"slot": 3}, {"slot": 4}, {"slot": 1}]
    assert slot_labels([0.0, 0.0, 1.0], [1.0, 1.0, 2.0], rows) == {(0.0, 1.0): "3, 4", (1.0, 2.0): "1"}


def sweep_rows():
    return [{"slot": 1, "pseudonym": "Ana", "x": 32, "modes_captured": 2, "hq_percent": 80.0, "iteration": 400},
            {"slot": 2, "pseudonym": "Ben", "x": 512, "modes_captured": 8, "hq_percent": 95.0, "iteration": 400},
            {"slot": 3, "pseudonym": "Cleo", "x": 512, "modes_captured": None, "hq_percent": None, "iteration": 400}]


def test_the_sweep_scene_draws_one_point_per_measured_run():
    scene = sweep_scene(sweep_rows(), "batch_size", "modes captured", 8, 800, 400).to_data()
    panel = scene["panels"][0]
    assert panel["title"] == "modes captured against batch_size · 2 runs at iteration 400"
    assert scene["label"] == "the class as a sweep of batch_size: 2 runs measured"  # Cleo has no measure yet
    dots = [layer for layer in panel["layers"] if layer["t"] == "points"]
    assert decode_floats(dots[0]["b64"]).reshape(-1, 2).tolist() == [[32.0, 2.0], [512.0, 8.0]]
    assert panel["y"] == [0.0, 8.5] and panel["xticklabels"] == ["32", "512"]


def test_the_sweep_png_is_a_picture_of_the_asked_size():
    data = sweep_png(sweep_rows(), "batch_size", "HQ %", 8, width=640, height=400)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (640, 400)
    pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
    purple = np.all(pixels == (123, 44, 191), axis=1).sum()
    assert 2 * math.pi * 4 ** 2 < purple < 2 * math.pi * 6 ** 2 + 40  # two dots of radius 5 (Cleo has none)
