// The playground page: builds the controls into #playground, keeps config <-> URL hash, and runs
// the training loop decoupled from drawing (many epochs per animation frame within a time budget,
// one redraw per frame). All math lives in the DOM-free modules it imports.

import { DATASETS, FEATURES, FEATURE_NAMES, UNSCALED, generate, parseCsv } from "./data.js";
import { cssColor, drawAxes, drawGradNorms, drawHeatmap, drawLossChart, drawPoints } from "./draw.js";
import { toJSON, toPyTorch } from "./export.js";
import { parameters } from "./nn.js";
import { makeOptimizer } from "./optim.js";
import { CHOICES, LR_VALUES, MAX_LAYERS, MAX_NEURONS, REG_RATES, normalize, parseHash, toHash } from "./state.js";
import { createSession, currentLosses, currentLr, diagnostics, gridValues, trainEpoch, trainFor } from "./train.js";

const DENSITY = 50; // heatmap grid per side
// Each redraw is due REDRAW_MS after the previous one (two 60 Hz frames: ~30 redraws/s); the frame
// trains until the redraw, less the (running average) drawing time and a margin, so a slow draw
// takes time from training, not from the redraw rate.
const REDRAW_MS = 33; // 50 when drawing alone takes over DRAW_SLOW_MS (big networks): still 20 redraws/s
const DRAW_SLOW_MS = 12;
const MARGIN_MS = 3;
const DIAG_EVERY_MS = 250; // gradient norms / noise refresh while playing
const THUMBS_EVERY_MS = 90; // neuron maps and links refresh of big networks while playing
const SMALL_NET = 16; // hidden neurons up to which every redraw includes the neuron maps and links

// Keys whose change rebuilds data and network (reset); the others apply live.
const RESET_KEYS = new Set(["problem", "dataset", "noise", "trainPct", "seed", "features", "hidden", "activation",
  "init", "loss", "bn", "residual", "unscaled", "standardize"]);

const LABELS = {
  problem: { classification: "Classification", regression: "Regression" },
  dataset: Object.fromEntries([...Object.entries(DATASETS).map(([k, v]) => [k, v.label]), ["custom", "Your CSV"]]),
  activation: { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear" },
  reg: { none: "None", L1: "L1", L2: "L2" },
  optimizer: { sgd: "SGD", momentum: "SGD + momentum 0.9", adam: "Adam" },
  schedule: { constant: "Constant", step: "Step (×0.5)", cosine: "Cosine (restarts)" },
  init: { tf: "U(±0.5) (TF Playground)", torch: "PyTorch default U(±1/√fan_in)", xavier: "Xavier uniform", kaiming: "Kaiming normal" },
  loss: { square: "Squared error (tanh out)", bce: "Cross-entropy (sigmoid + BCE)" },
  bnMode: { eval: "eval (running stats)", train: "train (batch stats)" },
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** A dataset's points (seed 1, no noise) on a small canvas, for the dataset buttons. */
function drawDatasetThumb(canvas, name) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f4f6f7";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const pts = generate(name, 0, 1, 200);
  const w = canvas.width;
  for (const p of pts) {
    ctx.fillStyle = cssColor(p.label);
    ctx.fillRect(((p.x + 6) / 12) * w - 1, ((6 - p.y) / 12) * w - 1, 2, 2);
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function fgColor(node) {
  return getComputedStyle(node).color || "#222";
}

class Playground {
  constructor(root) {
    this.root = root;
    const { cfg, points } = parseHash(location.hash);
    this.cfg = cfg;
    this.customPoints = points;
    this.playing = false;
    this.hover = null; // {layer, unit} while a neuron is hovered or pinned
    this.dirty = true;
    this.diag = null;
    this.lastDiag = 0;
    this.stats = { epochs: 0, redraws: 0, trainMs: 0, drawMs: 0, t0: performance.now() };
    this.fg = "#222";
    this.build();
    this.reset();
    this.writeHash();
    window.addEventListener("hashchange", () => this.loadHash());
    // links follow the nodes when the layout moves (resize, fonts, a neighbour's reflow)
    let lastSize = "";
    const relayout = () => {
      const r = this.netInner.getBoundingClientRect();
      const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
      if (size !== lastSize) {
        lastSize = size;
        this.layoutLinks();
      }
    };
    if (typeof ResizeObserver !== "undefined") new ResizeObserver(relayout).observe(this.netInner);
    window.addEventListener("resize", () => this.layoutLinks());
    this.drawAvg = 5;
    requestAnimationFrame((ts) => this.frame(ts));
  }

  // ---------- state

  loadHash() {
    const h = location.hash.replace(/^#/, "");
    if (h === toHash(this.cfg, this.customPoints)) return;
    const { cfg, points } = parseHash(location.hash);
    this.cfg = cfg;
    if (points) this.customPoints = points;
    this.pause();
    this.reset();
    this.writeHash();
  }

  writeHash() {
    const h = `#${toHash(this.cfg, this.cfg.dataset === "custom" ? this.customPoints : null)}`;
    if (location.hash !== h) history.replaceState(null, "", h);
  }

  /** Change one config key (the single entry point of every control). */
  set(key, value) {
    let next = { ...this.cfg, [key]: value };
    if (key === "problem" && value !== this.cfg.problem) {
      next.dataset = Object.keys(DATASETS).find((d) => DATASETS[d].problem === value);
    }
    if (key === "dataset" && value === "custom" && !this.customPoints) {
      this.say("Paste CSV rows under “Your own data” first.", true);
      this.syncControls();
      return;
    }
    next = normalize(next);
    this.cfg = next;
    this.writeHash();
    if (RESET_KEYS.has(key)) {
      this.reset();
    } else {
      this.s.cfg = next;
      if (key === "optimizer") this.s.opt = makeOptimizer(next.optimizer, parameters(this.s.net));
      if (key === "bnMode" || key === "batch") this.diag = null;
      if (key === "bnMode") this.s.last = currentLosses(this.s);
      if (key === "patience" && this.s.status === "stopped") this.resume();
      this.syncControls();
      this.dirty = true;
    }
  }

  reset() {
    const wasPlaying = this.playing;
    this.pause();
    try {
      this.s = createSession(this.cfg, this.customPoints);
      this.say("");
    } catch (err) {
      this.say(String(err.message || err), true);
      this.cfg = normalize({ ...this.cfg, dataset: "circle" });
      this.s = createSession(this.cfg, null);
    }
    this.diag = null;
    this.hover = null;
    this.buildNetwork();
    this.syncControls();
    this.dirty = true;
    if (wasPlaying && this.s.status === "ok") this.play();
  }

  resume() {
    if (this.s.status === "stopped") {
      this.s.status = "ok";
      this.s.best = { ...this.s.best, epoch: this.s.epoch };
      this.say("");
    }
  }

  play() {
    if (this.s.status === "diverged") return;
    this.resume();
    this.playing = true;
    this.syncPlay();
  }

  pause() {
    this.playing = false;
    this.syncPlay();
  }

  stepOnce() {
    this.pause();
    this.resume();
    trainEpoch(this.s);
    this.afterTraining();
    this.diag = null;
    this.dirty = true;
  }

  afterTraining() {
    if (this.s.status !== "ok") {
      this.pause();
      this.say(this.s.message, this.s.status === "diverged");
    }
  }

  say(text, error = false) {
    if (!this.msg) return;
    this.msg.textContent = text;
    this.msg.classList.toggle("pg-error", !!error);
  }

  // ---------- loop

  frame(ts) {
    const t0 = performance.now();
    if (this.playing) {
      const start = Math.min(ts, t0);
      const interval = this.drawAvg > DRAW_SLOW_MS ? 50 : REDRAW_MS;
      const budget = Math.max(2, start + interval - this.drawAvg - MARGIN_MS - t0);
      const k = trainFor(this.s, Infinity, budget);
      this.stats.epochs += k;
      this.stats.trainMs += performance.now() - t0;
      this.afterTraining();
      this.dirty = true;
    }
    if (this.dirty) {
      const t1 = performance.now();
      this.draw();
      const dt = performance.now() - t1;
      this.drawAvg = 0.8 * this.drawAvg + 0.2 * dt;
      this.stats.redraws += 1;
      this.stats.drawMs += dt;
      this.stats.drawMax = Math.max(this.stats.drawMax || 0, dt);
      this.dirty = false;
    }
    requestAnimationFrame((t) => this.frame(t));
  }

  // ---------- DOM

  build() {
    const c = this.cfg;
    const ctl = (key, kind, extra = {}) => {
      const attrs = { "data-key": key, ...extra };
      let e;
      if (kind === "select") {
        const values = extra.values || CHOICES[key];
        delete attrs.values;
        e = el("select", attrs, values.map((v) => el("option", { value: String(v), text: LABELS[key]?.[v] ?? String(v) })));
        e.addEventListener("change", () => this.set(key, extra.numeric ? Number(e.value) : e.value));
      } else if (kind === "range" || kind === "number") {
        e = el("input", { type: kind, ...attrs });
        e.addEventListener(kind === "range" ? "input" : "change", () => {
          if (e.value === "" || !Number.isFinite(Number(e.value))) return this.syncControls();
          this.set(key, Number(e.value));
        });
      } else if (kind === "checkbox") {
        e = el("input", { type: "checkbox", ...attrs });
        e.addEventListener("change", () => this.set(key, e.checked));
      }
      return e;
    };
    const field = (label, control, out = null) => el("label", {}, el("span", { class: "pg-cap", text: label }, out), control);
    this.outs = {};
    const valueOut = (key) => (this.outs[key] = el("b", { text: "" }));

    const top = el("div", { class: "pg-top" },
      el("div", { class: "pg-buttons" },
        el("button", { "data-action": "reset", title: "Reset the network (same seed: same start)", onclick: () => this.reset(), text: "↺ Reset" }),
        (this.playBtn = el("button", { class: "pg-play", "data-action": "play", onclick: () => (this.playing ? this.pause() : this.play()), text: "▶ Play" })),
        el("button", { "data-action": "step", title: "Train one epoch", onclick: () => this.stepOnce(), text: "Step" }),
        el("button", { "data-action": "copy-link", title: "Copy a link to this configuration", onclick: () => this.copyLink(), text: "Copy link" }),
      ),
      el("div", { class: "pg-epoch" }, el("span", { class: "pg-cap", text: "Epoch" }), (this.epochOut = el("b", { "data-out": "epoch", text: "0" }))),
      field("Learning rate", ctl("lr", "select", { values: LR_VALUES, numeric: true })),
      field("Activation", ctl("activation", "select")),
      field("Regularization", ctl("reg", "select")),
      field("Reg. rate", ctl("regRate", "select", { values: REG_RATES, numeric: true })),
      field("Problem type", ctl("problem", "select")),
      field("Optimizer", ctl("optimizer", "select")),
      field("LR schedule", ctl("schedule", "select")),
      field("Step every (epochs)", ctl("stepEvery", "number", { min: 1, max: 100000, step: 1 })),
      field("Cosine period", ctl("period", "number", { min: 1, max: 100000, step: 1 })),
      field("Weight init", ctl("init", "select")),
      field("Classification loss", ctl("loss", "select")),
    );

    this.csvBox = el("textarea", { "data-role": "csv", placeholder: "x1,x2,label\n1.5,2.0,1\n-3,0.5,0\n…", spellcheck: "false" });
    const data = el("div", { class: "pg-data" },
      field("Data", ctl("dataset", "select")),
      (this.thumbRow = el("div", { class: "pg-dsrow" },
        Object.entries(DATASETS).map(([name, ds]) => {
          const canvas = el("canvas", { width: 48, height: 48 });
          const b = el("button", { class: "pg-ds", "data-dataset": name, "data-problem": ds.problem, title: ds.label,
            "aria-label": `${ds.label} data`, onclick: () => this.set("dataset", name) }, canvas);
          drawDatasetThumb(canvas, name);
          return b;
        }))),
      field("Ratio of training data ", ctl("trainPct", "range", { min: 10, max: 90, step: 10 }), valueOut("trainPct")),
      field("Noise ", ctl("noise", "range", { min: 0, max: 50, step: 5 }), valueOut("noise")),
      field("Batch size ", (this.batchCtl = ctl("batch", "range", { min: 1, max: 250, step: 1 })), valueOut("batch")),
      field("Data seed", ctl("seed", "number", { min: 0, step: 1 })),
      el("button", { "data-action": "regenerate", title: "New data and weights (new seed)", onclick: () => this.set("seed", (this.cfg.seed * 48271 + 11) % 2147483647), text: "Regenerate" }),
      el("details", {},
        el("summary", { text: "Your own data (CSV)" }),
        el("p", { class: "pg-legend", text: "Rows x1,x2,label. Labels 0/1 or −1/1 train a classifier; other numbers a regression. A header line is allowed." }),
        this.csvBox,
        el("button", { "data-action": "use-csv", onclick: () => this.useCsv(), text: "Train on this data" }),
      ),
      el("div", { class: "pg-section" },
        el("span", { class: "pg-cap", text: "Input scaling" }),
        el("label", { class: "pg-inline" }, ctl("unscaled", "checkbox"), `Unscaled X₁ (×${UNSCALED.scale} + ${UNSCALED.shift})`),
        el("label", { class: "pg-inline" }, ctl("standardize", "checkbox"), "Standardize inputs"),
      ),
    );

    this.netInner = el("div", { class: "pg-netinner" });
    this.svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    this.svg.setAttribute("class", "pg-links");
    const net = el("div", { class: "pg-net" },
      el("div", { class: "pg-netbar" },
        el("span", { class: "pg-cap" }, (this.layersOut = el("b", { text: "" })), " hidden layers "),
        el("button", { "data-action": "add-layer", title: "Add a hidden layer", onclick: () => this.changeLayers(+1), text: "+" }),
        " ",
        el("button", { "data-action": "remove-layer", title: "Remove the last hidden layer", onclick: () => this.changeLayers(-1), text: "−" }),
        " ",
        el("label", { class: "pg-inline" }, ctl("residual", "checkbox"), "Residual connections"),
      ),
      this.netInner,
      el("p", { class: "pg-legend", text: "Links: blue positive, orange negative weights, width ∝ |w|. Hover (or tap) a neuron to show its map on the right. Click an input to toggle it." }),
    );

    this.heat = el("canvas", { width: 300, height: 300, "data-role": "heatmap", role: "img",
      "aria-label": "Decision surface: the network's output over the input plane, with the data points" });
    this.pointsCanvas = el("canvas", { width: 300, height: 300 });
    this.lossCanvas = el("canvas", { class: "pg-chart", width: 300, height: 90, "data-role": "loss-chart", role: "img", "aria-label": "Train and test loss per epoch" });
    this.gradCanvas = el("canvas", { class: "pg-chart pg-grad", width: 300, height: 100, "data-role": "grad-chart", role: "img", "aria-label": "Gradient norm per layer, log scale" });
    this.testOut = el("b", { "data-out": "test-loss" });
    this.trainOut = el("b", { "data-out": "train-loss" });
    this.lrOut = el("span", { "data-out": "lr" });
    this.readout = el("div", { class: "pg-read", "data-out": "losses" },
      "Test loss ", this.testOut, " · Train loss ", this.trainOut, el("br"), this.lrOut);
    this.noiseVal = el("b", { "data-out": "grad-noise" });
    this.noiseNote = el("span", { class: "pg-legend" });
    this.noiseOut = el("div", { class: "pg-read", "data-out": "noise" },
      "Gradient noise E‖g_B − g‖²/‖g‖² ", this.noiseVal, el("br"), this.noiseNote);
    const out = el("div", { class: "pg-out" },
      el("span", { class: "pg-cap", text: "Output" }),
      this.readout,
      el("div", { class: "pg-heat" }, this.heat, this.pointsCanvas),
      (this.heatCap = el("div", { class: "pg-legend", "data-out": "heat-caption" })),
      el("label", { class: "pg-inline" }, ctl("showTest", "checkbox"), "Show test data"),
      el("label", { class: "pg-inline" }, ctl("discretize", "checkbox"), "Discretize output"),
      el("span", { class: "pg-cap", text: "Loss: train (grey), test (solid)" }),
      this.lossCanvas,
      el("label", { class: "pg-inline" }, ctl("logLoss", "checkbox"), "Log scale"),
      el("span", { class: "pg-cap", text: "Gradient norm per layer (log scale)" }),
      this.gradCanvas,
      this.noiseOut,
      el("div", { class: "pg-section" },
        el("span", { class: "pg-cap", text: "Early stopping" }),
        field("Patience (epochs, 0 = off)", ctl("patience", "number", { min: 0, step: 1 })),
        el("label", { class: "pg-inline" }, ctl("restoreBest", "checkbox"), "Restore best weights"),
      ),
      el("div", { class: "pg-section" }, field("Batch norm evaluates in", ctl("bnMode", "select"))),
      el("div", { class: "pg-section" },
        el("span", { class: "pg-cap", text: "Export" }),
        el("button", { "data-action": "export-json", onclick: () => this.exportJson(), text: "JSON" }),
        " ",
        el("button", { "data-action": "export-pytorch", onclick: () => this.exportPyTorch(), text: "PyTorch script" }),
      ),
    );
    this.msg = el("div", { class: "pg-msg", role: "status", "aria-live": "polite", "data-out": "message" });
    this.root.replaceChildren(el("div", { class: "pg" }, top, this.msg, el("div", { class: "pg-main" }, data, net, out)));
    this.rootPg = this.root.firstChild;
  }

  /** Features column, hidden layers and output node, then the SVG links. */
  buildNetwork() {
    const c = this.cfg;
    this.nodes = []; // {canvas, layer (-1 = inputs), unit, feature}
    const cols = [];
    const fcol = el("div", { class: "pg-col" }, el("div", { class: "pg-colhead", text: "Features" }));
    const featNodes = [];
    FEATURE_NAMES.forEach((f) => {
      const on = c.features.includes(f);
      const cb = el("input", { type: "checkbox", "data-key": "features", "data-value": f, "aria-label": FEATURES[f].label });
      cb.checked = on;
      cb.addEventListener("change", () => this.toggleFeature(f, cb.checked));
      const canvas = el("canvas", { width: DENSITY, height: DENSITY });
      const node = el("label", { class: `pg-node pg-feat${on ? "" : " pg-off"}`, title: FEATURES[f].label }, el("span", { text: FEATURES[f].label }), cb, canvas);
      node.style.margin = "0";
      fcol.append(node);
      this.drawFeature(canvas, f);
      if (on) featNodes.push({ canvas, node, layer: -1, unit: c.features.indexOf(f) });
    });
    cols.push(fcol);
    this.nodes.push(featNodes);
    c.hidden.forEach((size, l) => {
      const bn = el("input", { type: "checkbox", "data-key": "bn", "data-layer": String(l), "aria-label": `Batch norm in layer ${l + 1}` });
      bn.checked = !!c.bn[l];
      bn.addEventListener("change", () => {
        const arr = this.cfg.bn.slice();
        arr[l] = bn.checked;
        this.set("bn", arr);
      });
      const head = el("div", { class: "pg-colhead" },
        el("div", {},
          el("button", { "data-action": "add-neuron", "data-layer": String(l), "aria-label": `Add a neuron to layer ${l + 1}`, onclick: () => this.changeNeurons(l, +1), text: "+" }),
          " ",
          el("button", { "data-action": "remove-neuron", "data-layer": String(l), "aria-label": `Remove a neuron from layer ${l + 1}`, onclick: () => this.changeNeurons(l, -1), text: "−" }),
        ),
        el("div", { text: `${size} neuron${size > 1 ? "s" : ""}` }),
        el("label", { class: "pg-inline", title: "Batch normalization after the linear map" }, bn, "BN"),
      );
      const col = el("div", { class: "pg-col" }, head);
      const ns = [];
      for (let u = 0; u < size; u++) {
        const canvas = el("canvas", { width: DENSITY, height: DENSITY });
        const node = el("div", { class: "pg-node", "data-neuron": `${l}-${u}` }, canvas);
        const pin = { layer: l, unit: u };
        node.addEventListener("mouseenter", () => this.setHover(pin));
        node.addEventListener("mouseleave", () => this.setHover(this.pinned || null));
        node.addEventListener("click", () => {
          this.pinned = this.pinned && this.pinned.layer === l && this.pinned.unit === u ? null : pin;
          this.setHover(this.pinned);
        });
        col.append(node);
        ns.push({ canvas, node, layer: l, unit: u });
      }
      cols.push(col);
      this.nodes.push(ns);
    });
    const ocanvas = el("canvas", { width: DENSITY, height: DENSITY });
    const onode = el("div", { class: "pg-node" }, ocanvas);
    cols.push(el("div", { class: "pg-col" }, el("div", { class: "pg-colhead", text: "Output" }), onode));
    this.nodes.push([{ canvas: ocanvas, node: onode, layer: c.hidden.length, unit: 0 }]);
    this.pinned = null;
    this.netInner.replaceChildren(this.svg, ...cols);
    requestAnimationFrame(() => this.layoutLinks());
    this.layoutLinks();
  }

  /** A feature's map over the grid (raw values, scaled to [-1, 1] by their largest magnitude). */
  drawFeature(canvas, f) {
    const r = this.s.domain;
    const vals = new Float64Array(DENSITY * DENSITY);
    let m = 0;
    for (let i = 0; i < DENSITY; i++) {
      const y = r - ((i + 0.5) * 2 * r) / DENSITY;
      for (let j = 0; j < DENSITY; j++) {
        const v = FEATURES[f].f(-r + ((j + 0.5) * 2 * r) / DENSITY, y);
        vals[i * DENSITY + j] = v;
        m = Math.max(m, Math.abs(v));
      }
    }
    drawHeatmap(canvas, vals, DENSITY, { scale: m > 0 ? 1 / m : 1 });
  }

  setHover(h) {
    this.hover = h;
    for (const col of this.nodes) for (const n of col) n.node.classList.toggle("pg-hover", !!h && h.layer === n.layer && h.unit === n.unit && n.layer >= 0);
    this.dirty = true;
  }

  /** Geometry of the links (rebuilt on structure change / resize); colours update each redraw. */
  layoutLinks() {
    if (!this.nodes) return;
    const box = this.netInner.getBoundingClientRect();
    this.svg.setAttribute("width", String(Math.ceil(box.width)));
    this.svg.setAttribute("height", String(Math.ceil(box.height)));
    const pos = (n, side) => {
      const r = n.canvas.getBoundingClientRect();
      return [(side === "out" ? r.right : r.left) - box.left, r.top + r.height / 2 - box.top];
    };
    const ns = "http://www.w3.org/2000/svg";
    this.links = [];
    const frag = document.createDocumentFragment();
    for (let l = 0; l + 1 < this.nodes.length; l++) {
      for (const to of this.nodes[l + 1]) {
        for (const from of this.nodes[l]) {
          const [x1, y1] = pos(from, "out");
          const [x2, y2] = pos(to, "in");
          const mx = (x1 + x2) / 2;
          const p = document.createElementNS(ns, "path");
          p.setAttribute("stroke-opacity", "0.75");
          p.setAttribute("d", `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
          const link = { path: p, layer: l, to: to.unit, from: from.unit };
          const title = document.createElementNS(ns, "title");
          p.append(title);
          p.addEventListener("mouseenter", () => {
            const L = this.s.net.layers[link.layer];
            title.textContent = `weight ${L.W[link.to * L.nIn + link.from].toPrecision(4)}`;
          });
          this.links.push(link);
          frag.append(p);
        }
      }
    }
    this.svg.replaceChildren(frag);
    this.dirty = true;
  }

  syncControls() {
    const c = this.cfg;
    this.batchCtl.max = String(Math.max(1, this.s ? this.s.ntr : 250));
    for (const e of this.root.querySelectorAll("[data-key]")) {
      const k = e.dataset.key;
      if (k === "features") e.checked = c.features.includes(e.dataset.value);
      else if (k === "bn") e.checked = !!c.bn[Number(e.dataset.layer)];
      else if (e.type === "checkbox") e.checked = !!c[k];
      else e.value = String(c[k]);
    }
    for (const [k, o] of Object.entries(this.outs)) o.textContent = k === "batch" && this.s && c.batch >= this.s.ntr ? `${c.batch} (full batch)` : String(c[k]) + (k === "trainPct" || k === "noise" ? "%" : "");
    this.layersOut.textContent = String(c.hidden.length);
    const loss = this.root.querySelector('[data-key="loss"]');
    if (loss) loss.disabled = c.problem === "regression";
    for (const b of this.thumbRow.children) {
      b.hidden = b.dataset.problem !== c.problem;
      b.classList.toggle("pg-selected", b.dataset.dataset === c.dataset);
      b.setAttribute("aria-pressed", b.dataset.dataset === c.dataset ? "true" : "false");
    }
    const customOpt = this.root.querySelector('[data-key="dataset"] option[value="custom"]');
    if (customOpt) customOpt.disabled = !this.customPoints;
  }

  syncPlay() {
    if (this.playBtn) {
      this.playBtn.textContent = this.playing ? "❚❚ Pause" : "▶ Play";
      this.playBtn.setAttribute("aria-pressed", this.playing ? "true" : "false");
    }
  }

  toggleFeature(f, on) {
    const set = new Set(this.cfg.features);
    if (on) set.add(f);
    else set.delete(f);
    if (set.size === 0) {
      this.say("Keep at least one input feature.", true);
      this.syncControls();
      this.buildNetwork();
      return;
    }
    this.set("features", FEATURE_NAMES.filter((k) => set.has(k)));
  }

  changeLayers(delta) {
    const h = this.cfg.hidden.slice();
    if (delta > 0 && h.length < MAX_LAYERS) h.push(h.length ? h[h.length - 1] : 2);
    else if (delta < 0 && h.length > 0) h.pop();
    else return;
    const bn = this.cfg.bn.slice(0, h.length);
    this.cfg = { ...this.cfg, bn };
    this.set("hidden", h);
  }

  changeNeurons(l, delta) {
    const h = this.cfg.hidden.slice();
    const v = h[l] + delta;
    if (v < 1 || v > MAX_NEURONS) return;
    h[l] = v;
    this.set("hidden", h);
  }

  useCsv() {
    try {
      const { points, problem } = parseCsv(this.csvBox.value);
      this.customPoints = points;
      this.cfg = normalize({ ...this.cfg, dataset: "custom", problem });
      this.writeHash();
      this.reset();
      this.say(`Loaded ${points.length} rows (${problem}); ${this.s.ntr} train, ${this.s.nte} test. Press play.`);
    } catch (err) {
      this.say(`CSV: ${err.message}`, true);
    }
  }

  copyLink() {
    const url = location.href;
    const done = () => this.say("Link to this configuration copied.");
    const fail = () => this.say(`Copy this link: ${url}`);
    try {
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, fail);
      else fail();
    } catch {
      fail();
    }
  }

  download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 2000);
  }

  exportJson() {
    this.download("playground-network.json", `${JSON.stringify(toJSON(this.s), null, 1)}\n`, "application/json");
  }

  exportPyTorch() {
    this.download("playground_network.py", toPyTorch(this.s), "text/x-python");
  }

  // ---------- drawing

  draw() {
    const s = this.s;
    const c = this.cfg;
    if (this.stats.redraws % 30 === 0) this.fg = fgColor(this.rootPg);
    // neuron maps and links: every redraw, except while playing a network of more than SMALL_NET
    // hidden neurons (up to 48 maps and 400 links): then ~11/s

    const now = performance.now();
    const big = this.cfg.hidden.reduce((a, b) => a + b, 0) > SMALL_NET;
    const heavy = !this.playing || !big || now - (this.lastThumbs || 0) >= THUMBS_EVERY_MS;
    if (heavy) this.lastThumbs = now;
    const h = this.hover;
    const g = gridValues(s, DENSITY, heavy || !!h);
    const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const scaleOf = (a) => {
      const m = maxAbs(a);
      return m > 1 ? 1 / m : 1;
    };
    // main heatmap: output, or the hovered neuron's map
    if (h && g.layers && h.layer >= 0 && h.layer < s.net.layers.length - 1 && g.layers[h.layer]?.[h.unit]) {
      const vals = g.layers[h.layer][h.unit];
      drawHeatmap(this.heat, vals, DENSITY, { scale: scaleOf(vals), light: true });
      setText(this.heatCap, `Showing neuron ${h.unit + 1} of hidden layer ${h.layer + 1} (colour scaled to its largest |value|).`);
    } else {
      drawHeatmap(this.heat, g.output, DENSITY, { discretize: c.discretize && c.problem === "classification", light: true });
      setText(this.heatCap, c.problem === "regression" ? "Network output (blue +1, orange −1)." : "Network output: blue class +1, orange class −1.");
    }
    const pc = this.pointsCanvas;
    pc.getContext("2d").clearRect(0, 0, pc.width, pc.height);
    drawPoints(pc, s.train, s.domain, { problem: c.problem });
    if (c.showTest) drawPoints(pc, s.test, s.domain, { test: true, problem: c.problem });
    drawAxes(pc, s.domain, "#555");
    if (heavy && this.nodes) {
      for (let l = 1; l < this.nodes.length - 1; l++) {
        for (const n of this.nodes[l]) {
          const vals = g.layers[l - 1]?.[n.unit];
          if (vals) drawHeatmap(n.canvas, vals, DENSITY, { scale: scaleOf(vals) });
        }
      }
      drawHeatmap(this.nodes[this.nodes.length - 1][0].canvas, g.output, DENSITY, { discretize: c.discretize && c.problem === "classification" });
    }
    // links
    if (heavy && this.links) {
      for (const k of this.links) {
        const L = s.net.layers[k.layer];
        if (!L) continue;
        const w = L.W[k.to * L.nIn + k.from];
        const stroke = w >= 0 ? "#0877bd" : "#f59322";
        const width = Math.min(6, 0.4 + Math.abs(w) * 1.5).toFixed(1);
        if (k.stroke !== stroke) k.path.setAttribute("stroke", (k.stroke = stroke));
        if (k.width !== width) k.path.setAttribute("stroke-width", (k.width = width));
      }
    }
    // numbers
    setText(this.epochOut, String(s.epoch).padStart(6, "0"));
    const tr = s.last.train;
    const te = s.last.test;
    const lr = currentLr(s);
    setText(this.testOut, te.toFixed(4));
    setText(this.trainOut, tr.toFixed(4));
    setText(this.lrOut, `lr now ${Number(lr.toPrecision(3))} · best test ${s.best.loss.toFixed(4)} @ epoch ${s.best.epoch}`);
    drawLossChart(this.lossCanvas, s.history.train, s.history.test, { best: s.history.test.length ? s.best.epoch : 0, fg: this.fg, log: c.logLoss });
    if (!this.diag || (this.playing && now - this.lastDiag > DIAG_EVERY_MS)) {
      this.diag = diagnostics(s);
      this.lastDiag = now;
      const d = this.diag;
      setText(this.noiseVal, d.batches ? d.relNoise.toPrecision(3) : "0 (full batch)");
      setText(this.noiseNote, `batch ${Math.min(c.batch, s.ntr)} of ${s.ntr}; full-batch ‖g‖ = ${Math.sqrt(d.gradNorm2).toPrecision(3)}; ` +
        `‖g‖ layer 1 / output layer = ${(d.gradNorms[0] / Math.max(1e-300, d.gradNorms.at(-1))).toExponential(1)}`);
    }
    drawGradNorms(this.gradCanvas, this.diag.gradNorms, { fg: this.fg });
  }
}

const root = document.getElementById("playground");
if (root) {
  const pg = new Playground(root);
  // A small read-only handle for tests, the benchmark and the curious reader's console.
  window.playgroundApp = {
    get state() {
      return JSON.parse(JSON.stringify(pg.cfg));
    },
    get hash() {
      return location.hash;
    },
    get epoch() {
      return pg.s.epoch;
    },
    get history() {
      return { train: pg.s.history.train.slice(), test: pg.s.history.test.slice() };
    },
    get status() {
      return { status: pg.s.status, message: pg.s.message, playing: pg.playing };
    },
    get sizes() {
      return { train: pg.s.ntr, test: pg.s.nte, features: pg.s.d };
    },
    get stats() {
      return { ...pg.stats, elapsedMs: performance.now() - pg.stats.t0 };
    },
    resetStats() {
      pg.stats = { epochs: 0, redraws: 0, trainMs: 0, drawMs: 0, t0: performance.now() };
    },
    diagnostics() {
      return pg.diag;
    },
  };
}
