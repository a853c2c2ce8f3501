"""Digit tiles: frame colours by D's score, crisp enlargement, inline PNG grids."""

import base64
import io
import re

import numpy as np
from PIL import Image

from ui.figures.digits import grid, score_color, tile, tile_grid_html


def test_score_colours_run_from_red_through_grey_to_green():
    assert score_color(0.0) == (214, 39, 40)
    assert score_color(0.5) == (200, 200, 200)
    assert score_color(1.0) == (44, 160, 44)
    assert score_color(0.25) == (207, 120, 120)  # halfway red -> grey: (214+200)/2, (39+200)/2 rounded
    assert score_color(float("nan")) == score_color(0.5)
    assert score_color(7.0) == score_color(1.0)


def test_tile_enlarges_pixels_and_frames_them_in_the_score_colour():
    image = np.zeros((28, 28), np.float32)
    image[0, 0] = 1.0
    picture = np.asarray(tile(image, score=1.0, scale=3, border=4))
    assert picture.shape == (28 * 3 + 8, 28 * 3 + 8, 3)
    assert tuple(picture[0, 0]) == (44, 160, 44)  # frame
    np.testing.assert_array_equal(picture[4:7, 4:7], 255)  # pixel (0, 0) became a 3x3 white block
    assert picture[7, 7].tolist() == [0, 0, 0]
    assert np.asarray(tile(image, None, scale=2)).shape == (56, 56, 3)  # no frame without a score


def test_grid_places_images_row_by_row():
    images = np.stack([np.full((28, 28), v, np.float32) for v in (0.0, 1.0, 0.5)])
    picture = np.asarray(grid(images, cols=2, scale=1, pad=2))
    assert picture.shape == (2 * 30 + 2, 2 * 30 + 2)
    assert picture[2, 2] == 0 and picture[2, 32] == 255 and picture[32, 2] == 128
    assert picture[0, 0] == 90  # padding


def test_tile_grid_html_inlines_decodable_pngs_with_escaped_captions():
    images = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    html = tile_grid_html(images, [0.1, 0.5, 0.9], ["D=0.10", "<b>x</b>", "D=0.90"], width=50, scale=2)
    assert html.count('class="gan-tile"') == 3
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    decoded = Image.open(io.BytesIO(base64.b64decode(uris[0])))
    assert decoded.format == "PNG" and decoded.size == (28 * 2 + 8, 28 * 2 + 8)
    np.testing.assert_array_equal(np.asarray(decoded), np.asarray(tile(images[0], 0.1, scale=2)))
