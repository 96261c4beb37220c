// The network view: feature inputs, hidden layers and output as small heatmaps joined by SVG links.
// Hover (or tap) a neuron to show its map; hover a link or a neuron's bias square to read its value,
// click it to edit it. On a narrow screen the network is scaled to fit (down to MIN_SCALE, then it
// scrolls), so the output node stays in view.

import { FEATURES, FEATURE_NAMES } from "./data.js";
import { drawHeatmap } from "./draw.js";
import { el } from "./dom.js";
import { MAX_LAYERS, MAX_NEURONS } from "./state.js";
import { editParam } from "./train.js";

export const DENSITY = 50; // heatmap grid per side
const MIN_SCALE = 0.6;
const SVG_NS = "http://www.w3.org/2000/svg";

export class NetworkView {
  /** pg: the Playground (cfg, s, set, changed, say); check(key): a checkbox control with its label. */
  constructor(pg, check) {
    this.pg = pg;
    this.hover = null; // {layer, unit} while a neuron is hovered or pinned
    this.pinned = null;
    this.scale = 1;
    this.inner = el("div", { class: "pg-netinner" });
    this.fitBox = el("div", { class: "pg-netfit" }, this.inner);
    this.scroller = el("div", { class: "pg-netscroll" }, this.fitBox);
    this.svg = document.createElementNS(SVG_NS, "svg");
    this.svg.setAttribute("class", "pg-links");
    // the links' pointer targets: wide, transparent, never restyled, in a layer of their own so that
    // recolouring the visible links each redraw does not repaint them
    this.hitSvg = document.createElementNS(SVG_NS, "svg");
    this.hitSvg.setAttribute("class", "pg-links pg-hits");
    this.layersOut = el("b", { text: "" });
    this.hint = el("p", { class: "pg-legend", "data-out": "net-hint" });
    this.editor = this.buildEditor();
    this.element = el("div", { class: "pg-net" },
      el("div", { class: "pg-netbar" },
        el("span", { class: "pg-cap" }, this.layersOut, " hidden layers "),
        el("button", { "data-action": "add-layer", title: "Add a hidden layer", onclick: () => this.changeLayers(+1), text: "+" }),
        " ",
        el("button", { "data-action": "remove-layer", title: "Remove the last hidden layer", onclick: () => this.changeLayers(-1), text: "−" }),
        " ",
        check("residual"),
      ),
      this.scroller,
      this.editor,
      this.hint,
    );
    this.setHint("on the right");
  }

  setHint(where) {
    this.hint.textContent = "Links: blue positive, orange negative weights, width ∝ |w|. " +
      `Hover (or tap) a neuron to show its map ${where}. Click a link or a neuron's bias (its small square) to edit it. ` +
      "Click an input to toggle it.";
  }

  /** Features column, hidden layers and output node; links follow in layout(). */
  build(cfg, s) {
    this.closeEditor();
    this.layersOut.textContent = String(cfg.hidden.length);
    this.nodes = []; // per column: [{canvas, node, layer (-1 = inputs), unit}]
    const cols = [];
    const fcol = el("div", { class: "pg-col" }, el("div", { class: "pg-colhead", text: "Features" }));
    const featNodes = [];
    for (const f of FEATURE_NAMES) {
      const on = cfg.features.includes(f);
      const cb = el("input", { type: "checkbox", "data-key": "features", "data-value": f, "aria-label": FEATURES[f].label });
      cb.checked = on;
      cb.addEventListener("change", () => this.toggleFeature(f, cb.checked));
      const canvas = el("canvas", { width: DENSITY, height: DENSITY });
      const node = el("label", { class: `pg-node pg-feat${on ? "" : " pg-off"}`, title: FEATURES[f].label }, el("span", { text: FEATURES[f].label }), cb, canvas);
      fcol.append(node);
      drawFeature(canvas, f, s.domain);
      if (on) featNodes.push({ canvas, node, layer: -1, unit: cfg.features.indexOf(f) });
    }
    cols.push(fcol);
    this.nodes.push(featNodes);
    cfg.hidden.forEach((size, l) => {
      const bn = el("input", { type: "checkbox", "data-key": "bn", "data-layer": String(l), "aria-label": `Batch norm in layer ${l + 1}` });
      bn.checked = !!cfg.bn[l];
      bn.addEventListener("change", () => {
        const arr = this.pg.cfg.bn.slice();
        arr[l] = bn.checked;
        this.pg.set("bn", arr);
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
        const n = this.neuron(l, u, `${l}-${u}`);
        col.append(n.node);
        ns.push(n);
      }
      cols.push(col);
      this.nodes.push(ns);
    });
    const out = this.neuron(cfg.hidden.length, 0, null);
    cols.push(el("div", { class: "pg-col" }, el("div", { class: "pg-colhead", text: "Output" }), out.node));
    this.nodes.push([out]);
    this.pinned = null;
    this.hover = null;
    this.inner.replaceChildren(this.svg, this.hitSvg, ...cols);
    this.layout();
    requestAnimationFrame(() => this.layout());
  }

  /** A hidden or output neuron: its map, its bias square; hover shows it, click pins it. */
  neuron(l, u, id) {
    const canvas = el("canvas", { width: DENSITY, height: DENSITY });
    const bias = el("span", { class: "pg-bias", "data-bias": `${l}-${u}`, role: "button", tabindex: "0",
      "aria-label": `Bias of ${this.unitName(l, u)} (click to edit)` });
    const node = el("div", { class: "pg-node", "data-neuron": id }, canvas, bias);
    const hidden = id !== null;
    const pin = { layer: l, unit: u };
    node.addEventListener("mouseenter", () => {
      node.title = `${this.unitName(l, u)}: bias ${this.param({ kind: "bias", layer: l, unit: u }).toPrecision(4)}`;
      bias.title = node.title;
      if (hidden) this.setHover(pin);
    });
    if (hidden) {
      node.addEventListener("mouseleave", () => this.setHover(this.pinned));
      node.addEventListener("click", (ev) => {
        if (ev.target === bias) return;
        this.pinned = this.pinned && this.pinned.layer === l && this.pinned.unit === u ? null : pin;
        this.setHover(this.pinned);
      });
    }
    const edit = (ev) => {
      ev.stopPropagation();
      this.openEditor({ kind: "bias", layer: l, unit: u }, bias);
    };
    bias.addEventListener("click", edit);
    bias.addEventListener("keydown", (ev) => (ev.key === "Enter" || ev.key === " ") && edit(ev));
    return { canvas, node, bias, layer: l, unit: u };
  }

  /** "neuron 2 of layer 1" (hidden layers count from 1) or "the output". */
  unitName(l, u) {
    return l === this.pg.cfg.hidden.length ? "the output" : `neuron ${u + 1} of layer ${l + 1}`;
  }

  setHover(h) {
    this.hover = h;
    for (const col of this.nodes) for (const n of col) n.node.classList.toggle("pg-hover", !!h && h.layer === n.layer && h.unit === n.unit && n.layer >= 0);
    this.pg.dirty = true;
  }

  // ---------- weights and biases

  /** The current value of {kind: "weight", layer, to, from} or {kind: "bias", layer, unit}. */
  param(t) {
    const L = this.pg.s.net.layers[t.layer];
    return t.kind === "weight" ? L.W[t.to * L.nIn + t.from] : L.b[t.unit];
  }

  describe(t) {
    if (t.kind === "bias") {
      const bn = this.pg.s.net.layers[t.layer].bn ? " (batch norm subtracts it again)" : "";
      return `Bias of ${this.unitName(t.layer, t.unit)}${bn}`;
    }
    const from = t.layer === 0 ? FEATURES[this.pg.s.features[t.from]].label : `neuron ${t.from + 1} of layer ${t.layer}`;
    return `Weight ${from} → ${this.unitName(t.layer, t.to)}`;
  }

  buildEditor() {
    this.editLabel = el("span", { "data-out": "edit-label" });
    this.editInput = el("input", { type: "number", step: "any", "data-role": "edit-value" });
    this.editInput.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") this.applyEdit();
      else if (ev.key === "Escape") this.closeEditor();
    });
    return el("div", { class: "pg-edit", "data-role": "editor", hidden: true },
      el("label", {}, this.editLabel, this.editInput),
      el("button", { "data-action": "edit-set", onclick: () => this.applyEdit(), text: "Set" }),
      " ",
      el("button", { "data-action": "edit-cancel", onclick: () => this.closeEditor(), text: "Cancel" }),
    );
  }

  /** Show the editor for target t next to the element (or at the point {x, y} in page pixels). */
  openEditor(t, at) {
    this.editing = t;
    this.editLabel.textContent = `${this.describe(t)} `;
    this.editInput.value = String(Number(this.param(t).toPrecision(6)));
    this.editor.hidden = false;
    const box = this.element.getBoundingClientRect();
    const r = at instanceof Element ? at.getBoundingClientRect() : { left: at.x, bottom: at.y };
    const left = Math.max(0, Math.min(r.left - box.left, this.element.clientWidth - this.editor.offsetWidth));
    this.editor.style.left = `${left}px`;
    this.editor.style.top = `${r.bottom - box.top + 4}px`;
    this.editInput.focus();
    this.editInput.select();
  }

  closeEditor() {
    this.editing = null;
    if (this.editor) this.editor.hidden = true;
  }

  applyEdit() {
    const t = this.editing;
    if (!t) return;
    const text = this.editInput.value.trim();
    const v = Number(text);
    if (text === "" || !Number.isFinite(v)) {
      this.pg.say(`${this.describe(t)}: “${text}” is not a number; type a finite value such as 0.5 or -1.2.`, true);
      return;
    }
    // through the engine, which records the edit so that the training export replays it
    const L = this.pg.s.net.layers[t.layer];
    const index = t.kind === "weight" ? t.to * L.nIn + t.from : t.unit;
    editParam(this.pg.s, { layer: t.layer, kind: t.kind, index, value: v });
    this.closeEditor();
    this.pg.say("");
    this.pg.paramsEdited();
  }

  // ---------- structure edits

  toggleFeature(f, on) {
    const set = new Set(this.pg.cfg.features);
    if (on) set.add(f);
    else set.delete(f);
    if (set.size === 0) {
      this.pg.say("Keep at least one input feature.", true);
      this.pg.syncControls();
      this.build(this.pg.cfg, this.pg.s);
      return;
    }
    this.pg.set("features", FEATURE_NAMES.filter((k) => set.has(k)));
  }

  changeLayers(delta) {
    const h = this.pg.cfg.hidden.slice();
    if (delta > 0 && h.length < MAX_LAYERS) h.push(h.length ? h[h.length - 1] : 2);
    else if (delta < 0 && h.length > 0) h.pop();
    else return;
    this.pg.cfg = { ...this.pg.cfg, bn: this.pg.cfg.bn.slice(0, h.length) };
    this.pg.set("hidden", h);
  }

  changeNeurons(l, delta) {
    const h = this.pg.cfg.hidden.slice();
    const v = h[l] + delta;
    if (v < 1 || v > MAX_NEURONS) return;
    h[l] = v;
    this.pg.set("hidden", h);
  }

  // ---------- geometry

  /** Scale the network to the available width (not below MIN_SCALE), then lay out the links. */
  layout() {
    if (!this.nodes) return;
    this.inner.style.transform = "";
    const natural = this.inner.offsetWidth;
    const height = this.inner.offsetHeight;
    const avail = this.scroller.clientWidth;
    this.scale = natural > avail && avail > 0 ? Math.max(MIN_SCALE, avail / natural) : 1;
    if (this.scale < 1) this.inner.style.transform = `scale(${this.scale})`;
    this.fitBox.style.width = `${Math.ceil(natural * this.scale)}px`;
    this.fitBox.style.height = `${Math.ceil(height * this.scale)}px`;
    this.layoutLinks(natural, height);
  }

  /** Link paths in the unscaled coordinates of the inner box; colours update on each redraw. */
  layoutLinks(width, height) {
    const k = this.scale;
    const box = this.inner.getBoundingClientRect();
    for (const svg of [this.svg, this.hitSvg]) {
      svg.setAttribute("width", String(Math.ceil(width)));
      svg.setAttribute("height", String(Math.ceil(height)));
    }
    const pos = (n, side) => {
      const r = n.canvas.getBoundingClientRect();
      return [((side === "out" ? r.right : r.left) - box.left) / k, (r.top + r.height / 2 - box.top) / k];
    };
    this.links = [];
    const frag = document.createDocumentFragment();
    const hits = document.createDocumentFragment();
    for (let l = 0; l + 1 < this.nodes.length; l++) {
      for (const to of this.nodes[l + 1]) {
        for (const from of this.nodes[l]) {
          const [x1, y1] = pos(from, "out");
          const [x2, y2] = pos(to, "in");
          const mx = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
          const t = { kind: "weight", layer: l, to: to.unit, from: from.unit };
          const p = document.createElementNS(SVG_NS, "path");
          p.setAttribute("class", "pg-link");
          p.setAttribute("stroke-opacity", "0.75");
          p.setAttribute("d", d);
          p.dataset.link = `${l}-${to.unit}-${from.unit}`;
          // a wider transparent twin takes the pointer: thin links stay easy to hover, click and tap
          const hit = document.createElementNS(SVG_NS, "path");
          hit.setAttribute("class", "pg-hit");
          hit.setAttribute("d", d);
          hit.dataset.link = p.dataset.link;
          const title = document.createElementNS(SVG_NS, "title");
          hit.append(title);
          hit.addEventListener("mouseenter", () => (title.textContent = `${this.describe(t)}: ${this.param(t).toPrecision(4)} (click to edit)`));
          hit.addEventListener("click", (ev) => this.openEditor(t, { x: ev.clientX, y: ev.clientY }));
          this.links.push({ path: p, layer: l, to: to.unit, from: from.unit });
          frag.append(p);
          hits.append(hit);
        }
      }
    }
    this.svg.replaceChildren(frag);
    this.hitSvg.replaceChildren(hits);
    this.pg.dirty = true;
  }

  // ---------- drawing

  /** Neuron maps (g.layers) and output map. */
  drawMaps(g, scaleOf, discretize) {
    for (let l = 1; l < this.nodes.length - 1; l++) {
      for (const n of this.nodes[l]) {
        const vals = g.layers[l - 1]?.[n.unit];
        if (vals) drawHeatmap(n.canvas, vals, DENSITY, { scale: scaleOf(vals) });
      }
    }
    drawHeatmap(this.nodes[this.nodes.length - 1][0].canvas, g.output, DENSITY, { discretize });
  }

  /** Link colour (sign) and width (|w|); bias squares coloured by sign. */
  drawLinks(net) {
    for (const col of this.nodes.slice(1)) {
      for (const n of col) {
        const b = net.layers[n.layer]?.b[n.unit];
        const fill = b === undefined ? "" : b >= 0 ? "#0877bd" : "#f59322";
        if (n.fill !== fill) n.bias.style.background = n.fill = fill;
      }
    }
    for (const k of this.links || []) {
      const L = net.layers[k.layer];
      if (!L) continue;
      const w = L.W[k.to * L.nIn + k.from];
      const stroke = w >= 0 ? "#0877bd" : "#f59322";
      const width = Math.min(6, 0.4 + Math.abs(w) * 1.5).toFixed(1);
      if (k.stroke !== stroke) k.path.setAttribute("stroke", (k.stroke = stroke));
      if (k.width !== width) k.path.setAttribute("stroke-width", (k.width = width));
    }
  }
}

/** A feature's map over the grid (raw values, scaled to [-1, 1] by their largest magnitude). */
function drawFeature(canvas, f, r) {
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
