"""Gliding points on the live canvas (ui/canvas/plot_canvas.js, ui.canvas.scene.gliding_points): the
mode-coverage map's fakes move from where they are shown to their new places between two placements.
The JavaScript runs in Node against a recording 2D context; the positions it draws are compared with
the easing computed here."""

import base64
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ui.canvas.scene import Panel, Scene, gliding_points, points

CANVAS_JS = Path(__file__).resolve().parents[2] / "ui" / "canvas" / "plot_canvas.js"
PALETTE = [("#ff0000", "#111111"), ("#0000ff", None)]

# A browser stand-in: one canvas, a 2D context that records the centre of every arc, a clock and a
# requestAnimationFrame queue the test advances by hand; `run(scenes)` draws each scene at its time
# and returns the arcs drawn in each animation frame after it.
DRIVER = r"""
const fs = require("fs");
const src = fs.readFileSync(process.argv[1], "utf8").replace("export default function", "function draw");
const { scenes, ticks } = JSON.parse(fs.readFileSync(0, "utf8"));
let clock = 0, queue = [], arcs = [];
const recording = () => ({
  save() {}, restore() {}, setTransform() {}, clearRect() {}, fillRect() {}, strokeRect() {}, beginPath() {},
  rect() {}, clip() {}, fill() {}, stroke() {}, moveTo() {}, lineTo() {}, setLineDash() {}, fillText() {},
  drawImage() {}, translate() {}, rotate() {}, measureText: (t) => ({ width: 6 * String(t).length }),
  arc(x, y) { arcs.push([x, y, this.fillStyle]); },
});
const makeCanvas = () => ({ width: 0, height: 0, style: {}, dataset: {}, className: "",
  setAttribute() {}, getContext() { return this.ctx || (this.ctx = recording()); } });
const canvas = makeCanvas();
globalThis.window = { devicePixelRatio: 1 };
globalThis.document = { createElement: () => makeCanvas() };
globalThis.performance = { now: () => clock };
globalThis.requestAnimationFrame = (f) => { queue.push(f); return queue.length; };
globalThis.cancelAnimationFrame = () => { queue = []; };
const parentElement = { clientWidth: 1000, querySelector: () => canvas, appendChild() {} };
const draw = new Function(src + "; return draw;")();
const out = [];
for (const { at, data } of scenes) {
  clock = at; arcs = []; queue = [];
  draw({ data, parentElement });
  const frames = [{ t: clock, arcs }];
  for (const t of ticks) {
    if (!queue.length) break;
    const due = queue; queue = []; clock = at + t; arcs = [];
    due.forEach((f) => f(clock));
    frames.push({ t: clock, arcs });
  }
  out.push({ frames, painted: canvas.dataset.painted || "0", frame: canvas.dataset.frame });
}
process.stdout.write(JSON.stringify(out));
"""


def _scene(xy, style, glide=100, frame=0, still=True) -> dict:
    layers = [points([[0.5, 0.5]], "#00ff00")] if still else []  # a point that never moves, below
    layers.append(gliding_points(np.asarray(xy, float), style, PALETTE, "fakes", r=2))
    panel = Panel(box=(0, 0, 100, 100), x=(0, 10), y=(0, 10), layers=layers, ticks=False)
    return Scene(100, 100, [panel], frame=frame, glide=glide).to_data()


def _run(scenes, ticks):
    out = subprocess.run(["node", "-e", DRIVER, str(CANVAS_JS)], input=json.dumps({"scenes": scenes, "ticks": ticks}),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


def _ease(t: float) -> float:
    return 2 * t * t if t < 0.5 else 1 - 2 * (1 - t) ** 2


def _fakes(arcs):
    """Arcs of the gliding layer (the still point is green), in data units: a 100 x 100 panel without
    ticks or title draws its 0..10 axes in the area x 4..92, y 23..96 px (drawPanel's margins, one empty
    legend row of font + 6 px)."""
    return [((x - 4) / 88 * 10, (96 - y) / 73 * 10, color) for x, y, color in arcs if color != "#00ff00"]


def _close(got, want) -> None:
    """The same points in the same order, to 1e-4 of a data unit (float32 coordinates, 2-decimal px)."""
    np.testing.assert_allclose(np.asarray(got, float).reshape(-1, 2), np.asarray(want, float), atol=1e-4, rtol=0)


def test_gliding_points_travel_with_their_style():
    layer = gliding_points(np.array([[1.0, 2.0], [3.0, 4.0]]), [1, 0], PALETTE, "fakes")
    assert layer["id"] == "fakes" and layer["palette"] == [["#ff0000", "#111111"], ["#0000ff", None]]
    assert list(base64.b64decode(layer["ci"])) == [1, 0]
    assert np.frombuffer(base64.b64decode(layer["b64"]), "<f4").tolist() == [1.0, 2.0, 3.0, 4.0]
    for bad_style in ([0], [0, 2], [-1, 0]):  # one style a point, each a row of the palette
        with pytest.raises(ValueError):
            gliding_points(np.zeros((2, 2)), bad_style, PALETTE, "fakes")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the canvas's JavaScript")
def test_points_glide_from_their_shown_places_to_the_new_ones():
    a = [[1.0, 1.0], [2.0, 8.0]]
    b = [[9.0, 1.0], [2.0, 4.0]]
    first, second = _run([{"at": 0, "data": _scene(a, [0, 1], frame=1)},
                          {"at": 1000, "data": _scene(b, [1, 1], frame=2)}], ticks=[25, 50, 75, 100, 125])
    # the first frame has nowhere to glide from: drawn once, where it is, no animation frames
    assert len(first["frames"]) == 1
    drawn = _fakes(first["frames"][0]["arcs"])
    _close([(x, y) for x, y, _ in drawn], [(1, 1), (2, 8)])
    assert [c for *_, c in drawn] == ["#ff0000", "#0000ff"]
    frames = second["frames"]
    assert [f["t"] - 1000 for f in frames] == [0, 25, 50, 75, 100]  # the glide ends at 100 ms: no more frames
    for f in frames:
        s = _ease(min(1.0, (f["t"] - 1000) / 100))
        want = [(1 + 8 * s, 1.0), (2.0, 8 - 4 * s)]
        got = _fakes(f["arcs"])
        _close([(x, y) for x, y, _ in got], want)
        assert {c for *_, c in got} == {"#0000ff"}  # the new colours from the first frame on
        assert len([1 for *_, c in f["arcs"] if c == "#00ff00"]) == (1 if f is frames[0] else 0)  # kept as an image
    assert second["frame"] == "2" and int(second["painted"]) == 1 + len(frames)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the canvas's JavaScript")
def test_a_glide_cut_short_continues_from_where_the_points_were_shown():
    a, b, c = [[0.0, 0.0]], [[8.0, 0.0]], [[8.0, 8.0]]
    runs = _run([{"at": 0, "data": _scene(a, [0])}, {"at": 1000, "data": _scene(b, [0])},
                 {"at": 1050, "data": _scene(c, [0])}], ticks=[50, 100])
    # at 1050 the second glide is halfway (x = 4): the third starts there, not at 8 or 0
    (x, y, _), = _fakes(runs[2]["frames"][0]["arcs"])
    assert (x, y) == pytest.approx((8 * _ease(0.5), 0.0), abs=1e-4)
    (x, y, _), = _fakes(runs[2]["frames"][-1]["arcs"])
    assert (x, y) == pytest.approx((8.0, 8.0), abs=1e-4)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the canvas's JavaScript")
def test_without_glide_or_with_a_new_number_of_points_they_jump():
    runs = _run([{"at": 0, "data": _scene([[1.0, 1.0]], [0])},
                 {"at": 1000, "data": _scene([[5.0, 5.0], [6.0, 6.0]], [0, 0])},  # 2 points now
                 {"at": 2000, "data": _scene([[7.0, 7.0], [6.0, 6.0]], [0, 0], glide=0)}], ticks=[10, 20])
    for run, want in zip(runs[1:], ([(5, 5), (6, 6)], [(7, 7), (6, 6)])):
        assert len(run["frames"]) == 1
        _close([(x, y) for x, y, _ in _fakes(run["frames"][0]["arcs"])], want)
