// GAN Classroom's live canvas: draws a small declarative scene (panels of layers) sent by
// ui/canvas/component.py, or fetched from the frame feed while a run plays (see "the frame feed").
// Streamlit calls this function again with new `data` on every redraw;
// the canvas is reused, so a frame costs a few milliseconds of drawing and no layout.
// Arrays arrive base64-encoded (float32 little-endian, or uint8 for grids) to keep frames small.
// A grid byte of NO_VALUE (255) is a cell without a value (ui/canvas/scene.py): hatched, not contoured.

const NO_VALUE = 255, GRID_TOP = 254;

const LUTS = {};
const STOPS = {
  // D's probability: blue where D says fake, white at 1/2, red where D says real
  rdbu: [[0, [33, 102, 172]], [0.25, [146, 197, 222]], [0.5, [247, 247, 247]], [0.75, [244, 165, 130]], [1, [178, 24, 43]]],
  blues: [[0, [247, 251, 255]], [0.5, [107, 174, 214]], [1, [8, 48, 107]]],
  greens: [[0, [247, 252, 245]], [0.5, [116, 196, 118]], [1, [0, 68, 27]]],
  gray: [[0, [0, 0, 0]], [1, [255, 255, 255]]], // MNIST's digits: white ink on black
};

function lut(name) {
  if (LUTS[name]) return LUTS[name];
  const stops = STOPS[name] || STOPS.rdbu;
  const out = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = Math.min(1, i / GRID_TOP);
    let k = 0;
    while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
    const [t0, c0] = stops[k], [t1, c1] = stops[k + 1];
    const f = Math.min(1, Math.max(0, (t - t0) / (t1 - t0)));
    for (let c = 0; c < 3; c++) out[i * 3 + c] = c0[c] + f * (c1[c] - c0[c]);
  }
  return (LUTS[name] = out);
}

function bytes(b64) {
  const s = atob(b64 || "");
  const a = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
  return a;
}
const floats = (b64) => { const b = bytes(b64); return new Float32Array(b.buffer, 0, b.length >> 2); };

function niceTicks(lo, hi, n) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * span; v += step) out.push(+v.toPrecision(12));
  return out;
}
const fmt = (v) => (Math.abs(v) >= 1000 ? v.toLocaleString("en-US") : String(+v.toPrecision(4)));

let HATCH_TILE = null;
function hatch(ctx) {
  // grey diagonal lines on a pale ground: "nothing here", unlike any colour of a scale
  if (!HATCH_TILE) {
    HATCH_TILE = document.createElement("canvas");
    HATCH_TILE.width = HATCH_TILE.height = 8;
    const t = HATCH_TILE.getContext("2d");
    t.fillStyle = "#f2f2f2"; t.fillRect(0, 0, 8, 8);
    t.strokeStyle = "#9a9aa6"; t.lineWidth = 1;
    t.beginPath(); t.moveTo(0, 8); t.lineTo(8, 0); t.moveTo(-2, 2); t.lineTo(2, -2); t.moveTo(6, 10); t.lineTo(10, 6);
    t.stroke();
  }
  return ctx.createPattern(HATCH_TILE, "repeat");
}

function drawImage(ctx, layer, X, Y) {
  const { rows, cols } = layer, vals = bytes(layer.b64), table = lut(layer.cmap);
  const off = document.createElement("canvas");
  off.width = cols; off.height = rows;
  const octx = off.getContext("2d"), img = octx.createImageData(cols, rows);
  let missing = false;
  for (let r = 0; r < rows; r++) {
    const dst = (rows - 1 - r) * cols; // data row 0 is the lowest y: the image's bottom row
    for (let c = 0; c < cols; c++) {
      const v = vals[r * cols + c], p = (dst + c) * 4;
      if (v === NO_VALUE) { missing = true; continue; } // transparent: the hatch below shows
      img.data[p] = table[v * 3]; img.data[p + 1] = table[v * 3 + 1]; img.data[p + 2] = table[v * 3 + 2];
      img.data[p + 3] = 255;
    }
  }
  octx.putImageData(img, 0, 0);
  const [x0, x1, y0, y1] = layer.extent;
  // grid values sit at cell centres from x0 to x1: stretch the pixels half a cell beyond them
  const hx = (x1 - x0) / Math.max(1, cols - 1) / 2, hy = (y1 - y0) / Math.max(1, rows - 1) / 2;
  ctx.save();
  ctx.imageSmoothingEnabled = layer.smooth !== false;
  ctx.globalAlpha = layer.alpha ?? 1;
  const left = X(x0 - hx), right = X(x1 + hx), top = Y(y1 + hy), bottom = Y(y0 - hy);
  if (missing) { ctx.fillStyle = hatch(ctx); ctx.fillRect(left, top, right - left, bottom - top); }
  ctx.drawImage(off, left, top, right - left, bottom - top);
  ctx.restore();
}

function drawContour(ctx, layer, X, Y) {
  // marching squares on the grid at `level`: one segment per crossed cell; none in a square with
  // a corner without a value (its edge is not a level line)
  const { rows, cols, level } = layer, v = bytes(layer.b64);
  const [x0, x1, y0, y1] = layer.extent;
  const dx = (x1 - x0) / (cols - 1), dy = (y1 - y0) / (rows - 1);
  const at = (r, c) => v[r * cols + c] - level;
  const lerp = (a, b) => a / (a - b);
  ctx.beginPath();
  for (let r = 0; r < rows - 1; r++) {
    for (let c = 0; c < cols - 1; c++) {
      if (v[r * cols + c] === NO_VALUE || v[r * cols + c + 1] === NO_VALUE
          || v[(r + 1) * cols + c] === NO_VALUE || v[(r + 1) * cols + c + 1] === NO_VALUE) continue;
      const a = at(r, c), b = at(r, c + 1), cc = at(r + 1, c + 1), d = at(r + 1, c); // bl, br, tr, tl
      const pts = [];
      if ((a >= 0) !== (b >= 0)) pts.push([c + lerp(a, b), r]);
      if ((b >= 0) !== (cc >= 0)) pts.push([c + 1, r + lerp(b, cc)]);
      if ((cc >= 0) !== (d >= 0)) pts.push([c + 1 - lerp(cc, d), r + 1]);
      if ((d >= 0) !== (a >= 0)) pts.push([c, r + 1 - lerp(d, a)]);
      for (let k = 0; k + 1 < pts.length; k += 2) {
        ctx.moveTo(X(x0 + pts[k][0] * dx), Y(y0 + pts[k][1] * dy));
        ctx.lineTo(X(x0 + pts[k + 1][0] * dx), Y(y0 + pts[k + 1][1] * dy));
      }
    }
  }
  ctx.save();
  ctx.strokeStyle = layer.color || "#000"; ctx.lineWidth = layer.width || 2;
  ctx.setLineDash(layer.dash || []);
  ctx.stroke();
  ctx.restore();
}

function drawPoints(ctx, layer, X, Y) {
  // one colour (layer.color), or a colour per point: layer.ci (one byte a point) indexes layer.palette
  const xy = layer._xy || floats(layer.b64), r = layer.r || 2.5;
  const which = layer.ci ? bytes(layer.ci) : null;
  const styles = which ? layer.palette : [[layer.color || "#000", layer.edge]];
  ctx.save();
  ctx.globalAlpha = layer.alpha ?? 0.8;
  styles.forEach(([fill, edge], s) => {
    ctx.fillStyle = fill;
    ctx.beginPath();
    for (let i = 0; i + 1 < xy.length; i += 2) {
      if ((which && which[i >> 1] !== s) || !isFinite(xy[i]) || !isFinite(xy[i + 1])) continue;
      const px = X(xy[i]), py = Y(xy[i + 1]);
      ctx.moveTo(px + r, py); ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    if (edge) { ctx.strokeStyle = edge; ctx.lineWidth = 0.6; ctx.stroke(); }
  });
  ctx.restore();
}

function drawLines(ctx, layer, X, Y) {
  // one polyline per run of finite points; NaN breaks the line
  const xy = floats(layer.b64);
  ctx.save();
  ctx.strokeStyle = layer.color || "#000"; ctx.lineWidth = layer.width || 1.5;
  ctx.globalAlpha = layer.alpha ?? 1; ctx.setLineDash(layer.dash || []);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i + 1 < xy.length; i += 2) {
    if (!isFinite(xy[i]) || !isFinite(xy[i + 1])) { pen = false; continue; }
    const px = X(xy[i]), py = Y(xy[i + 1]);
    pen ? ctx.lineTo(px, py) : ctx.moveTo(px, py);
    pen = true;
  }
  ctx.stroke();
  if (layer.fill) {
    ctx.globalAlpha = layer.fill_alpha ?? 0.2; ctx.fillStyle = layer.fill;
    ctx.lineTo(X(xy[xy.length - 2]), Y(layer.fill_to ?? 0)); ctx.lineTo(X(xy[0]), Y(layer.fill_to ?? 0));
    ctx.fill();
  }
  ctx.restore();
}

function drawBars(ctx, layer, X, Y) {
  const w = layer.width ?? 0.8;
  ctx.save();
  layer.values.forEach((v, i) => {
    const x = (layer.x0 ?? 0) + i;
    ctx.fillStyle = (layer.colors && layer.colors[i]) || layer.color || "#7b2cbf";
    const top = Y(Math.max(v, 0)), base = Y(0);
    ctx.fillRect(X(x - w / 2), top, X(x + w / 2) - X(x - w / 2), base - top);
  });
  ctx.restore();
}

function drawRule(ctx, layer, X, Y, area) {
  ctx.save();
  ctx.strokeStyle = layer.color || "#555"; ctx.lineWidth = layer.width || 1.5; ctx.setLineDash(layer.dash || [5, 4]);
  ctx.beginPath();
  if (layer.t === "hline") { ctx.moveTo(area.x, Y(layer.y)); ctx.lineTo(area.x + area.w, Y(layer.y)); }
  else { ctx.moveTo(X(layer.x), area.y); ctx.lineTo(X(layer.x), area.y + area.h); }
  ctx.stroke();
  ctx.restore();
}

function drawText(ctx, layer, X, Y, font) {
  ctx.save();
  ctx.fillStyle = layer.color || "#111"; ctx.font = `${layer.bold ? "bold " : ""}${layer.size || font}px sans-serif`;
  ctx.textAlign = layer.align || "center"; ctx.textBaseline = "middle";
  ctx.fillText(layer.text, X(layer.x), Y(layer.y));
  ctx.restore();
}

const DRAW = { image: drawImage, contour: drawContour, points: drawPoints, lines: drawLines, bars: drawBars,
               hline: drawRule, vline: drawRule, text: drawText };

function legendRows(ctx, items, width, font) {
  const rows = [[]]; let x = 0;
  for (const item of items) {
    const w = 22 + ctx.measureText(item.label).width + 14;
    if (x + w > width && rows[rows.length - 1].length) { rows.push([]); x = 0; }
    rows[rows.length - 1].push([item, x]); x += w;
  }
  return rows;
}

// Draws the panel with its layers before index `upTo` (all by default); returns its geometry, so the
// layers from `upTo` on can be drawn over it later (drawLayers): the gliding points of an animation.
function drawPanel(ctx, panel, font, upTo = Infinity) {
  const [bx, by, bw, bh] = panel.box;
  ctx.font = `${font}px sans-serif`;
  const titleH = panel.title ? font + 10 : 4;
  const legend = panel.legend ? legendRows(ctx, panel.legend, bw - 8, font) : [];
  const legendH = legend.length * (font + 6);
  const ticks = panel.ticks !== false;
  const [y0, y1] = panel.y;
  const yTicks = panel.yticks || niceTicks(y0, y1, Math.max(2, Math.floor((bh - titleH - legendH) / (font * 3))));
  // room for the widest y tick label, measured: no label is cut, no pixel is wasted
  const yLabel = (v, i) => (panel.yticklabels ? panel.yticklabels[i] : fmt(v));
  const labelW = ticks ? Math.max(...yTicks.map((v, i) => ctx.measureText(yLabel(v, i)).width), 0) : 0;
  const left = ticks ? labelW + 10 + (panel.ylabel ? font + 6 : 0) : 4;
  const bottom = ticks ? font + 8 + (panel.xlabel ? font + 4 : 0) : 4;
  let area = { x: bx + left, y: by + titleH + legendH, w: bw - left - 8, h: bh - titleH - legendH - bottom };
  const [x0, x1] = panel.x;
  if (panel.equal) { // one unit on x is one unit on y: a circle stays a circle
    const s = Math.min(area.w / (x1 - x0), area.h / (y1 - y0));
    const w = s * (x1 - x0), h = s * (y1 - y0);
    area = { x: area.x + (area.w - w) / 2, y: area.y + (area.h - h) / 2, w, h };
  }
  const X = (v) => area.x + ((v - x0) / (x1 - x0)) * area.w;
  const Y = (v) => area.y + area.h - ((v - y0) / (y1 - y0)) * area.h;

  ctx.fillStyle = "#31333f"; ctx.textAlign = "left"; ctx.textBaseline = "top";
  if (panel.title) { ctx.font = `bold ${font}px sans-serif`; ctx.fillText(panel.title, bx + 4, by + 2, bw - 8); }
  ctx.font = `${font}px sans-serif`;
  legend.forEach((row, i) => row.forEach(([item, x]) => {
    const ly = by + titleH + i * (font + 6) + font / 2;
    ctx.save(); ctx.strokeStyle = ctx.fillStyle = item.color;
    if (item.shape === "line" || item.shape === "dash") {
      ctx.lineWidth = 2.5; ctx.setLineDash(item.shape === "dash" ? [5, 3] : []);
      ctx.beginPath(); ctx.moveTo(bx + 4 + x, ly); ctx.lineTo(bx + 22 + x, ly); ctx.stroke();
    } else if (item.shape === "square") { ctx.fillRect(bx + 7 + x, ly - 6, 12, 12); }
    else if (item.shape === "hatch") {
      ctx.fillStyle = hatch(ctx); ctx.fillRect(bx + 7 + x, ly - 6, 12, 12);
      ctx.strokeStyle = "#9a9aa6"; ctx.lineWidth = 1; ctx.strokeRect(bx + 7 + x, ly - 6, 12, 12);
    }
    else { ctx.beginPath(); ctx.arc(bx + 13 + x, ly, 5, 0, 2 * Math.PI); ctx.fill(); }
    ctx.restore();
    ctx.fillStyle = "#31333f"; ctx.textBaseline = "middle"; ctx.fillText(item.label, bx + 26 + x, ly);
  }));

  const geometry = { X, Y, area, extent: [x0, x1, y0, y1], font };
  if (panel.background) { ctx.fillStyle = panel.background; ctx.fillRect(area.x, area.y, area.w, area.h); }
  drawLayers(ctx, geometry, (panel.layers || []).slice(0, upTo));

  ctx.strokeStyle = "#9a9aa6"; ctx.lineWidth = 1; ctx.strokeRect(area.x, area.y, area.w, area.h);
  if (!ticks) return geometry;
  ctx.fillStyle = "#31333f"; ctx.font = `${font}px sans-serif`;
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  for (const v of panel.xticks || niceTicks(x0, x1, Math.max(2, Math.floor(area.w / (font * 5))))) {
    const label = panel.xticklabels ? panel.xticklabels[(panel.xticks || []).indexOf(v)] : fmt(v);
    ctx.fillText(label, X(v), area.y + area.h + 4);
  }
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  yTicks.forEach((v, i) => ctx.fillText(yLabel(v, i), area.x - 5, Y(v)));
  if (panel.xlabel) {
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.fillText(panel.xlabel, area.x + area.w / 2, by + bh);
  }
  if (panel.ylabel) {
    ctx.save(); ctx.translate(bx + font / 2 + 2, area.y + area.h / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.fillText(panel.ylabel, 0, 0); ctx.restore();
  }
  return geometry;
}

function drawLayers(ctx, geometry, layers) {
  const { X, Y, area, extent, font } = geometry;
  ctx.save();
  ctx.beginPath(); ctx.rect(area.x, area.y, area.w, area.h); ctx.clip();
  for (const layer of layers) {
    const draw = DRAW[layer.t];
    if (draw) draw(ctx, { extent, ...layer }, X, Y, layer.t === "text" ? font : area);
  }
  ctx.restore();
}

// ---- gliding points ------------------------------------------------------------------------------
// A points layer with an `id` keeps its points' identity from one frame to the next (the same noise
// vectors' fakes, in the same order): when a scene with `glide` > 0 ms arrives, each point moves from
// where it is shown now to its new place over that time, so the class sees the generator's digits
// travel across the map between two placements. The rest of the scene is drawn once, kept as an
// image, and only the layers from the first gliding one up are drawn again on each animation frame.
// canvas -> {layers: [{id, layer, from, to}], panels: [{panel, upTo, geometry}], base, start, ms, raf}
const GLIDES = new WeakMap();
const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - 2 * (1 - t) * (1 - t));

function shownPoints(state, now) {
  // id -> the positions drawn at `now` (mid-glide ones included), to start the next glide from there
  const out = {};
  if (!state) return out;
  const t = state.ms > 0 ? ease(Math.min(1, (now - state.start) / state.ms)) : 1;
  for (const g of state.layers) out[g.id] = mix(g.from, g.to, t);
  return out;
}

function mix(from, to, t) {
  if (t >= 1 || from === to) return to;
  const out = new Float32Array(to.length);
  for (let i = 0; i < to.length; i++) out[i] = from[i] + (to[i] - from[i]) * t;
  return out;
}

function paintGlide(canvas, ctx, state, now) {
  const t = state.ms > 0 ? ease(Math.min(1, (now - state.start) / state.ms)) : 1;
  ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height); ctx.drawImage(state.base, 0, 0);
  ctx.restore();
  state.panels.forEach(({ panel, geometry, upTo }) => {
    const layers = (panel.layers || []).slice(upTo).map((layer) => {
      const g = state.layers.find((m) => m.layer === layer);
      return g ? { ...layer, _xy: mix(g.from, g.to, t) } : layer;
    });
    drawLayers(ctx, geometry, layers);
  });
  canvas.dataset.painted = String((+canvas.dataset.painted || 0) + 1); // one attribute change per painted frame
  return t < 1;
}

// ---- the frame feed (ui/canvas/feed.py) -------------------------------------------------------
// While a run plays, a canvas whose data has `feed` fetches its next scene from the web server every
// `every_ms` instead of waiting for a Streamlit rerun (a rerun cost a slow machine's renderer ~40 ms
// each). The canvases of one live area share one feed URL: one request a tick for all of them, one
// at a time. A rerun without `feed` (paused), a canvas gone from the page, or a 404/410 ends it.
const FEEDS = new Map(); // url -> {every, canvases: Map(key -> parentElement), timer}
const FED_RECENTLY_MS = 1500; // a rerun's scene is older than the feed's latest: not drawn over it

function follow(parentElement, feed) {
  const before = parentElement._gcFeed;
  parentElement._gcFeed = feed || null;
  if (before && (!feed || before.url !== feed.url)) {
    const f = FEEDS.get(before.url);
    if (f && f.canvases.get(before.key) === parentElement) f.canvases.delete(before.key);
  }
  if (!feed) return;
  let f = FEEDS.get(feed.url);
  if (!f) {
    f = { every: feed.every_ms, canvases: new Map(), timer: 0 };
    FEEDS.set(feed.url, f);
    f.timer = setTimeout(() => poll(feed.url, f), f.every);
  }
  f.every = feed.every_ms;
  f.canvases.set(feed.key, parentElement);
}

async function poll(url, f) {
  for (const [key, el] of f.canvases) if (!el.isConnected || !el._gcFeed || el._gcFeed.url !== url) f.canvases.delete(key);
  if (!f.canvases.size) { FEEDS.delete(url); return; }
  const asked = performance.now();
  try {
    const answer = await fetch(url, { cache: "no-store" });
    if (answer.status === 404 || answer.status === 410) { FEEDS.delete(url); return; }
    if (answer.ok) {
      const scenes = await answer.json();
      for (const [key, el] of f.canvases) {
        // a rerun that ended the feed (Pause) while this answer travelled drew a newer frame
        if (!scenes[key] || !el.isConnected || !el._gcFeed || el._gcFeed.url !== url) continue;
        el._gcFedAt = performance.now();
        drawScene(el, scenes[key]);
      }
    }
  } catch (e) { /* the server restarting or the network gone: ask again next tick */ }
  if (FEEDS.get(url) !== f) return;
  // the next ask `every` after this one began: a slow answer is not followed by a full wait too
  f.timer = setTimeout(() => poll(url, f), Math.max(20, f.every - (performance.now() - asked)));
}

export default function (component) {
  const { data, parentElement } = component;
  if (!data) return;
  follow(parentElement, data.feed);
  if (data.feed && performance.now() - (parentElement._gcFedAt || -Infinity) < FED_RECENTLY_MS) return;
  drawScene(parentElement, data);
}

function drawScene(parentElement, data) {
  let canvas = parentElement.querySelector("canvas.gc-live-canvas");
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.className = "gc-live-canvas";
    canvas.setAttribute("role", "img");
    parentElement.appendChild(canvas);
  }
  // Laid out in `data.width` x `data.height` px; shrunk as a whole when the column is narrower.
  const ratio = window.devicePixelRatio || 1;
  const room = parentElement.clientWidth || data.width;
  const k = Math.min(1, room / data.width), w = data.width, h = data.height;
  const pw = Math.round(w * k * ratio), ph = Math.round(h * k * ratio);
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw; canvas.height = ph;
    canvas.style.width = `${Math.round(w * k)}px`; canvas.style.height = `${Math.round(h * k)}px`;
  }
  canvas.setAttribute("aria-label", data.label || "live chart");
  const ctx = canvas.getContext("2d");
  const now = performance.now(), before = GLIDES.get(canvas);
  if (before && before.raf) cancelAnimationFrame(before.raf);
  const shown = shownPoints(before, now);
  const panels = [], layers = [];
  for (const panel of data.panels || []) {
    const upTo = (panel.layers || []).findIndex((layer) => layer.id);
    if (upTo < 0) continue;
    panels.push({ panel, upTo });
    for (const layer of panel.layers.slice(upTo)) {
      if (!layer.id) continue;
      const to = floats(layer.b64), from = shown[layer.id];
      layers.push({ id: layer.id, layer, to, from: from && from.length === to.length ? from : to });
    }
  }
  // the still part: every panel with its layers below the first gliding one, drawn once
  let base = canvas;
  if (panels.length) {
    base = (before && before.base) || document.createElement("canvas");
    base.width = canvas.width; base.height = canvas.height;
  }
  const bctx = base.getContext("2d");
  bctx.setTransform(ratio * k, 0, 0, ratio * k, 0, 0);
  bctx.clearRect(0, 0, w, h);
  for (const panel of data.panels || []) {
    const moving = panels.find((p) => p.panel === panel);
    const geometry = drawPanel(bctx, panel, data.font || 13, moving ? moving.upTo : Infinity);
    if (moving) moving.geometry = geometry;
  }
  canvas.dataset.frame = String(data.frame ?? ""); // one attribute change per drawn frame
  if (!panels.length) { GLIDES.delete(canvas); return; }
  ctx.setTransform(ratio * k, 0, 0, ratio * k, 0, 0);
  const moves = layers.some((g) => g.from !== g.to); // a first frame, or a new number of points: no glide
  const state = { layers, panels, base, start: now, ms: moves ? Math.max(0, data.glide || 0) : 0, raf: 0 };
  GLIDES.set(canvas, state);
  const frame = (t) => { state.raf = paintGlide(canvas, ctx, state, t) ? requestAnimationFrame(frame) : 0; };
  if (!paintGlide(canvas, ctx, state, now)) return;
  state.raf = requestAnimationFrame(frame);
}
