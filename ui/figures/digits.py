"""Digits as small pictures: one tile per image with D's verdict as a coloured frame, or one
composite grid. Pure PIL / NumPy; images come in as (n, 28, 28) floats in [0, 1].

Live grids go out as one HTML block of inline PNGs (tile_grid_html, for st.html): a redraw every
half second would otherwise create dozens of media files per redraw, and a browser that lags one
redraw behind asks for files already deleted (broken images on a busy classroom laptop). Inline
images travel with the page update itself, so they cannot go missing.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
from PIL import Image

FAKE_RGB = np.array([214, 39, 40], dtype=float)  # D says fake (score 0)
UNSURE_RGB = np.array([200, 200, 200], dtype=float)  # D undecided (score 1/2)
REAL_RGB = np.array([44, 160, 44], dtype=float)  # D says real (score 1)


def score_color(score: float) -> tuple[int, int, int]:
    """Red (D says fake) through grey (undecided, 1/2) to green (D says real)."""
    s = float(np.clip(score, 0.0, 1.0)) if np.isfinite(score) else 0.5
    if s < 0.5:
        rgb = FAKE_RGB + (UNSURE_RGB - FAKE_RGB) * (s / 0.5)
    else:
        rgb = UNSURE_RGB + (REAL_RGB - UNSURE_RGB) * ((s - 0.5) / 0.5)
    return tuple(int(round(c)) for c in rgb)


def _gray_u8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def tile(image: np.ndarray, score: float | None = None, scale: int = 3, border: int = 4) -> Image.Image:
    """One digit, enlarged `scale` times (nearest: pixels stay crisp on a projector), framed in
    its score's colour (no frame when score is None). White ink on black, as MNIST is stored."""
    gray = _gray_u8(image)  # (28, 28)
    big = np.kron(gray, np.ones((scale, scale), dtype=np.uint8))  # (28s, 28s)
    rgb = np.repeat(big[:, :, None], 3, axis=2)
    if score is not None:
        rgb = np.pad(rgb, ((border, border), (border, border), (0, 0)))
        mask = np.ones(rgb.shape[:2], bool)
        mask[border:-border, border:-border] = False
        rgb[mask] = score_color(score)
    return Image.fromarray(rgb, mode="RGB")


def tiles(images: np.ndarray, scores=None, scale: int = 3) -> list[Image.Image]:
    scores = [None] * len(images) if scores is None else list(scores)
    return [tile(img, s, scale) for img, s in zip(images, scores)]


def grid(images: np.ndarray, cols: int = 6, scale: int = 2, pad: int = 2) -> Image.Image:
    """All images in one picture, row by row, `pad` grey pixels between them."""
    n = len(images)
    cols = max(1, min(cols, n)) if n else 1
    rows = max(1, -(-n // cols))
    size = 28 * scale
    canvas = np.full((rows * (size + pad) + pad, cols * (size + pad) + pad), 90, dtype=np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        y, x = pad + r * (size + pad), pad + c * (size + pad)
        canvas[y:y + size, x:x + size] = np.kron(_gray_u8(image), np.ones((scale, scale), dtype=np.uint8))
    return Image.fromarray(canvas, mode="L")


def score_caption(score: float) -> str:
    """The number under each tile: D's probability that the image is real."""
    return f"D={score:.2f}"


def png_data_uri(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def tile_grid_html(images: np.ndarray, scores=None, captions=None, width: int = 64, scale: int = 3) -> str:
    """A wrapping row of framed tiles, each with its caption underneath (plain text, escaped)."""
    captions = [""] * len(images) if captions is None else list(captions)
    figures = []
    for picture, caption in zip(tiles(images, scores, scale), captions):
        figures.append(
            f'<figure class="gan-tile" style="margin:0;width:{width}px;text-align:center">'
            f'<img src="{png_data_uri(picture)}" width="{width}" height="{width}" alt="{html.escape(caption)}" '
            f'style="image-rendering:pixelated;display:block">'
            f'<figcaption style="font-size:0.72rem;color:#555;line-height:1.2">{html.escape(caption)}</figcaption>'
            "</figure>")
    return f'<div style="display:flex;flex-wrap:wrap;gap:6px 6px">{"".join(figures)}</div>'
