(prefix) => {
  if (window.__bl) return window.__bl.mode();
  const FRAME_MS = 1000 / 60;
  const CHARTS = ".js-plotly-plot, [data-testid='stPlotlyChart'], [data-testid='stImage'], " +
                 "[data-testid='stImageContainer'], [data-testid='stVegaLiteChart'], canvas, img";
  const B = window.__bl = {
    prefix, dirty: false, prevDirty: false, last: null, on: false,
    frames: 0, bursts: 0, ticks: 0, draws: 0, mutations: 0, busy: 0, gaps: [], t0: 0,
    longtasks: [], iters: [], armed: null, result: null, lastInput: {}, observed: new WeakSet(),
  };
  const container = () => document.querySelector(`.st-key-${prefix}_live`);
  B.mode = () => {
    if (container()) return "container";
    const main = document.querySelector("[data-testid='stMain']");
    const n = main ? main.querySelectorAll(".js-plotly-plot, [data-testid='stImage'], canvas").length : 0;
    return `fallback: ${n} charts/images`;
  };
  const isLive = (node) => {
    const el = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!el) return false;
    if (el.ownerDocument !== document) return true;  // inside an iframe of the live container
    if (container()) return !!el.closest(`.st-key-${prefix}_live`);
    return !!(el.closest(CHARTS) && el.closest("[data-testid='stMain']"));
  };
  const touches = (nodes) => {
    for (const n of nodes) {
      if (n.nodeType !== 1) continue;
      if (isLive(n) || (n.querySelector && n.querySelector(CHARTS) && n.closest("[data-testid='stMain']"))) return true;
    }
    return false;
  };
  const onMutations = (records) => {
    if (B.on) {
      B.mutations += records.length;
      for (const r of records) {
        if (r.type === "attributes" && r.attributeName === "data-frame") B.draws++;
        if (!B.dirty && (isLive(r.target) || touches(r.addedNodes) || touches(r.removedNodes))) B.dirty = true;
      }
    }
    B.check();
  };
  const opts = {subtree: true, childList: true, attributes: true, characterData: true};
  new MutationObserver(onMutations).observe(document.body, opts);
  const watchFrames = () => {  // same-origin iframes (custom components) in the live container
    const c = container();
    if (!c) return;
    for (const f of c.querySelectorAll("iframe")) {
      try {
        const doc = f.contentDocument;
        if (doc && doc.body && !B.observed.has(doc)) {
          B.observed.add(doc);
          new MutationObserver(onMutations).observe(doc.body, opts);
        }
      } catch (e) { /* cross-origin: not observable */ }
    }
  };
  setInterval(watchFrames, 1000);
  const takeLongtasks = (list) => { for (const e of list) B.longtasks.push([e.startTime, e.duration]); };
  try {
    B.ltObserver = new PerformanceObserver((list) => takeLongtasks(list.getEntries()));
    B.ltObserver.observe({type: "longtask", buffered: true});
  } catch (e) { B.noLongtask = String(e); }
  // quiet(true) stops this rAF loop (quiet(false) starts it again): a loop that asks for every
  // frame makes a headless Chromium produce 60 frames a second whatever the page does, which costs
  // the renderer CPU a user's page does not spend; the training rate is measured without it
  B.quiet = (off) => {
    if (off) B.framesOff = true;
    else if (B.framesOff) { B.framesOff = false; B.last = null; requestAnimationFrame(tick); }
    return performance.now();
  };
  const tick = (now) => {
    if (B.framesOff) return;
    if (B.on) {
      if (B.last !== null) {
        const gap = now - B.last;
        B.busy += Math.max(0, gap - FRAME_MS);
        if (B.gaps.length < 200000) B.gaps.push(gap);
      }
      B.ticks++;
      if (B.dirty) { B.frames++; if (!B.prevDirty) B.bursts++; }
      B.prevDirty = B.dirty;
    }
    B.last = now;
    B.dirty = false;
    B.check();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  setInterval(() => B.check(), 50);

  // the iteration counter, sampled while the page lives; a change is stored with its time
  const iteration = () => {
    for (const item of document.querySelectorAll(".gc-readout .gc-item")) {  // ui.kit.readout's big numbers
      const label = item.querySelector(".gc-label");
      if (label && /^iteration\b/i.test(label.textContent.trim())) {
        const n = parseInt(item.querySelector(".gc-value").textContent.replace(/[,\s]/g, ""), 10);
        if (Number.isFinite(n)) return n;
      }
    }
    for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
      const label = m.querySelector("[data-testid='stMetricLabel']");
      if (label && /^iteration\b/i.test(label.textContent.trim())) {
        const v = m.querySelector("[data-testid='stMetricValue']");
        const n = v && parseInt(v.textContent.replace(/[,\s]/g, ""), 10);
        if (Number.isFinite(n)) return n;
      }
    }
    const places = [document.querySelector(`.st-key-${prefix}_status`),
      ...document.querySelectorAll("[data-testid='stMain'] [data-testid='stMarkdownContainer'], " +
                                   "[data-testid='stMain'] [data-testid='stCaptionContainer']")];
    for (const el of places) {
      const m = el && el.textContent.match(/\biteration\s*[:=#]?\s*([\d,]+)/i);
      if (m) return parseInt(m[1].replace(/,/g, ""), 10);
    }
    return null;
  };
  B.iteration = iteration;
  setInterval(() => {
    const v = iteration();
    const lastV = B.iters.length ? B.iters[B.iters.length - 1][1] : null;
    if (v !== null && v !== lastV && B.iters.length < 100000) B.iters.push([performance.now(), v]);
  }, 250);

  // input latency: what the probe shows now, and the first time it differs from `before`
  B.read = (kind) => {
    if (kind === "play") {
      const b = document.querySelector(`.st-key-${prefix}_play button`);
      return b ? {src: "button", v: b.textContent.trim()} : {src: "none", v: null};
    }
    const status = document.querySelector(`.st-key-${prefix}_status`);
    const re = kind === "label_smoothing" ? /label smoothing\W*([0-9]*\.?[0-9]+)/i : /batch size\W*([0-9]+)/i;
    const m = status && status.textContent.match(re);
    if (m) return {src: "status", v: m[1]};
    return {src: "address", v: location.search};
  };
  const thumb = (kind) => document.querySelector(`.st-key-${prefix}_knob_${kind} [role='slider'], ` +
                                                 `.st-key-${prefix}_knob_${kind} input[type='range']`);
  const remember = (name) => (e) => { B.lastInput[name] = [e.timeStamp, performance.now()]; };
  document.addEventListener("keydown", remember("key"), true);
  document.addEventListener("pointerdown", remember("pointer"), true);
  // arm a probe; a slider's thumb gets the focus here, the button's centre is returned to click
  B.arm = (kind, input, expect) => {
    let el = kind === "play" ? document.querySelector(`.st-key-${prefix}_play button`) : thumb(kind);
    if (!el) return {src: "none", v: null, missing: true};
    if (kind !== "play" && document.activeElement !== el) el.focus();
    const r = el.getBoundingClientRect();
    const now = B.read(kind);
    B.armed = {kind, input, before: now.v, src: now.src, armedAt: performance.now(),
               expect: now.src === "status" || kind === "play" ? expect : null};
    B.result = null;
    delete B.lastInput[input];
    return Object.assign(now, {x: r.left + r.width / 2, y: r.top + r.height / 2,
                               focused: document.activeElement === el});
  };
  B.check = () => {
    const a = B.armed;
    if (!a || B.result) return;
    const got = B.read(a.kind);
    if (got.v === null) return;
    if (a.kind === "play" && a.expect !== null && a.expect !== undefined) {
      if (/pause/i.test(got.v) !== a.expect) return;  // the label for the state the click asks for
    } else if (a.expect !== null && a.expect !== undefined) {
      if (Math.abs(parseFloat(got.v) - a.expect) > 1e-9) return;  // exactly this move's value
    } else if (got.v === a.before) return;
    const shown = performance.now(), input = B.lastInput[a.input];
    let t0 = a.armedAt, how = "armed";
    if (input) {
      const [stamp, handler] = input;
      // the event's own timeStamp when it is plausible, else the time our listener ran
      if (stamp >= a.armedAt - 1 && stamp <= handler + 1) { t0 = stamp; how = "event"; }
      else { t0 = handler; how = "handler"; }
    }
    const th = a.kind === "play" ? null : thumb(a.kind);
    B.result = {ms: shown - t0, value: got.v, src: got.src, t0: how, queue_ms: input ? input[1] - input[0] : null,
                slider: th ? (th.getAttribute("aria-valuenow") ?? th.value) : null};
    B.armed = null;
  };
  B.start = () => {
    const t0 = performance.now();
    Object.assign(B, {on: true, frames: 0, bursts: 0, ticks: 0, draws: 0, mutations: 0, busy: 0, gaps: [],
                      t0, t1: null, last: t0});
    return B.mode();
  };
  // stop() ends the window (the gap since the last tick counts as busy time); report(), called in
  // a later task, adds the long tasks that ended since (their entries arrive after the task ends)
  B.stop = () => {
    B.t1 = performance.now();
    B.on = false;
    B.busy += Math.max(0, B.t1 - B.last - FRAME_MS);
    B.gaps.push(B.t1 - B.last);
    return B.t1 - B.t0;
  };
  B.report = () => {
    if (B.ltObserver) takeLongtasks(B.ltObserver.takeRecords());
    const t1 = B.t1, span = t1 - B.t0;
    let lt = 0;
    for (const [s, d] of B.longtasks) lt += Math.max(0, Math.min(s + d, t1) - Math.max(s, B.t0));
    const gaps = B.gaps.slice().sort((x, y) => x - y);
    const q = (p) => gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] : null;
    const it = B.itersIn(B.t0, t1);
    return {seconds: span / 1000, frames: B.frames, bursts: B.bursts, ticks: B.ticks, draws: B.draws,
            mutations: B.mutations, busy_ms: B.busy, longtask_ms: lt, longtask_supported: !B.noLongtask,
            gap_p50: q(0.5), gap_p95: q(0.95), gap_max: gaps.length ? gaps[gaps.length - 1] : null,
            iters: it, mode: B.mode()};
  };
  // the counter's changes inside a window, and the nearest one on each side: a page that redraws
  // every few seconds shows few values, and its rate is still measured over the window
  B.itersIn = (t0, t1) => {
    const inside = B.iters.filter(([t]) => t >= t0 && t <= t1);
    const before = B.iters.filter(([t]) => t < t0).slice(-1), after = B.iters.filter(([t]) => t > t1).slice(0, 1);
    return before.concat(inside, after);
  };
  B.dom = () => {
    let all = document.getElementsByTagName("*").length, frames = 0;
    for (const f of document.querySelectorAll("iframe")) {
      try { frames += f.contentDocument ? f.contentDocument.getElementsByTagName("*").length : 0; } catch (e) {}
    }
    return [all, frames];
  };
  B.resets = () => {
    let n = 0;
    for (let i = 1; i < B.iters.length; i++) if (B.iters[i][1] < B.iters[i - 1][1]) n++;
    return n;
  };
  return B.mode();
}
