// The playground page: keeps the config <-> URL hash (this page's links and TensorFlow Playground's),
// applies each setting change, and composes the views: controls (controls.js), the network
// (netview.js), the output column (outview.js) and the frame loop (loop.js). All math lives in the
// DOM-free modules.

import { DATASETS, parseCsv } from "./data.js";
import { check, control, dataPanel, syncControls, topBar } from "./controls.js";
import { el, setText } from "./dom.js";
import { toJSON, toPyTorch, toPyTorchTraining } from "./export.js";
import { freshStats, startLoop } from "./loop.js";
import { DENSITY, NetworkView } from "./netview.js";
import { parameters } from "./nn.js";
import { makeOptimizer } from "./optim.js";
import { OutputView } from "./outview.js";
import { PROPS, RESET_KEYS, isTfHash, normalize, parseHash, toHash } from "./state.js";
import { createSession, currentLosses, currentLr, diagnostics, gridValues, trainEpoch } from "./train.js";

const DIAG_EVERY_MS = 250; // gradient norms / noise refresh while playing
const THUMBS_EVERY_MS = 90; // neuron maps and links refresh of big networks while playing
const SMALL_NET = 16; // hidden neurons up to which every redraw includes the neuron maps and links

class Playground {
  constructor(root) {
    this.root = root;
    const { cfg, points, imported } = parseHash(location.hash);
    this.cfg = cfg;
    this.customPoints = points;
    this.playing = false;
    this.dirty = true;
    this.diag = null;
    this.lastDiag = 0;
    this.stats = freshStats();
    this.fg = "#222";
    this.build();
    this.reset();
    this.writeHash();
    if (imported) this.sayImported(imported);
    window.addEventListener("hashchange", () => this.loadHash());
    // links and the fit follow the layout (resize, fonts, a neighbour's reflow)
    let lastSize = "";
    const relayout = () => {
      const a = this.net.inner.getBoundingClientRect();
      const b = this.net.element.getBoundingClientRect();
      const size = `${Math.round(a.width)}x${Math.round(a.height)}/${Math.round(b.width)}`;
      if (size !== lastSize) {
        lastSize = size;
        this.relayout();
      }
    };
    if (typeof ResizeObserver !== "undefined") {
      const ro = new ResizeObserver(relayout);
      ro.observe(this.net.inner);
      ro.observe(this.net.element);
    }
    window.addEventListener("resize", () => this.relayout());
    startLoop(this);
  }

  // ---------- state

  /** The address fragment changed (a link, the address bar, back/forward): reconfigure, no reload. */
  loadHash() {
    const h = location.hash.replace(/^#/, "");
    if (h === toHash(this.cfg, this.customPoints)) return;
    const { cfg, points, imported } = parseHash(location.hash);
    this.cfg = cfg;
    if (points) this.customPoints = points;
    this.pause();
    this.reset();
    this.writeHash();
    if (imported) this.sayImported(imported);
  }

  writeHash() {
    const h = `#${toHash(this.cfg, this.cfg.dataset === "custom" ? this.customPoints : null)}`;
    if (location.hash !== h) history.replaceState(null, "", h);
  }

  /** A pasted TensorFlow Playground address (or its fragment): open it here. */
  importTf(text) {
    const t = String(text || "").trim();
    if (!isTfHash(t)) {
      this.say("Not a TensorFlow Playground link: paste an address like https://playground.tensorflow.org/#activation=tanh&networkShape=4,2&… " +
        "(its part after # is enough).", true);
      return;
    }
    const { cfg, imported } = parseHash(t);
    this.cfg = cfg;
    this.reset();
    this.writeHash();
    this.sayImported(imported);
  }

  sayImported(notes) {
    this.say(`Opened a TensorFlow Playground link.${notes.length ? ` Not carried over: ${notes.join("; ")}.` : ""}`);
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

  /** A number control was left empty or not a number: say what is valid, show the value in force. */
  invalid(key, text) {
    const { label, range } = PROPS[key];
    const what = text === "" ? "is empty" : `“${text}” is not a number`;
    this.say(`${label}: ${what}; type a whole number from ${range[0]} (the value stays ${this.cfg[key]}).`, true);
    this.syncControls();
  }

  /** A weight or bias was edited in the network view (editParam has refreshed the losses). */
  paramsEdited() {
    this.diag = null;
    this.dirty = true;
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
    this.net.build(this.cfg, this.s);
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

  syncControls() {
    syncControls(this.root, this.cfg, { ntr: this.s ? this.s.ntr : 250, hasCustom: !!this.customPoints });
  }

  syncPlay() {
    if (this.playBtn) {
      this.playBtn.textContent = this.playing ? "❚❚ Pause" : "▶ Play";
      this.playBtn.setAttribute("aria-pressed", this.playing ? "true" : "false");
    }
  }

  /** Refit the network and say where the output column is (right of the network, or below it). */
  relayout() {
    this.net.layout();
    const a = this.net.element.getBoundingClientRect();
    const b = this.out.element.getBoundingClientRect();
    this.net.setHint(b.top >= a.bottom - 1 ? "in the output below" : "on the right");
  }

  // ---------- DOM

  build() {
    const ctl = (key) => control(key, (k, v) => this.set(k, v), (k, t) => this.invalid(k, t));
    this.net = new NetworkView(this, (key) => check(key, ctl(key)));
    this.out = new OutputView(this, ctl);
    const top = topBar(this, ctl);
    const data = dataPanel(this, ctl);
    this.msg = el("div", { class: "pg-msg", role: "status", "aria-live": "polite", "data-out": "message" });
    this.root.replaceChildren(el("div", { class: "pg" }, top, this.msg, el("div", { class: "pg-main" }, data, this.net.element, this.out.element)));
    this.rootPg = this.root.firstChild;
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

  /** The data, the initial network, the optimizer and the training loop, with the hand edits. */
  exportTraining() {
    this.download("playground_training.py", toPyTorchTraining(this.s), "text/x-python");
  }

  // ---------- drawing

  draw() {
    const s = this.s;
    const c = this.cfg;
    if (this.stats.redraws % 30 === 0) this.fg = getComputedStyle(this.rootPg).color || "#222";
    // neuron maps and links: every redraw, except while playing a network of more than SMALL_NET
    // hidden neurons (up to 48 maps and 400 links): then ~11/s
    const now = performance.now();
    const big = c.hidden.reduce((a, b) => a + b, 0) > SMALL_NET;
    const heavy = !this.playing || !big || now - (this.lastThumbs || 0) >= THUMBS_EVERY_MS;
    if (heavy) this.lastThumbs = now;
    const h = this.net.hover;
    const g = gridValues(s, DENSITY, heavy || !!h);
    const scaleOf = (a) => {
      const m = a.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0);
      return m > 1 ? 1 / m : 1;
    };
    const discretize = c.discretize && c.problem === "classification";
    // main heatmap: output, or the hovered neuron's map
    if (h && g.layers && h.layer >= 0 && h.layer < s.net.layers.length - 1 && g.layers[h.layer]?.[h.unit]) {
      const vals = g.layers[h.layer][h.unit];
      this.out.drawHeat(vals, { scale: scaleOf(vals), caption: `Showing neuron ${h.unit + 1} of hidden layer ${h.layer + 1} (colour scaled to its largest |value|).` });
    } else {
      this.out.drawHeat(g.output, { discretize, caption: c.problem === "regression" ? "Network output (blue +1, orange −1)." : "Network output: blue class +1, orange class −1." });
    }
    this.out.drawData(s, c);
    if (heavy) {
      this.net.drawMaps(g, scaleOf, discretize);
      this.net.drawLinks(s.net);
    }
    setText(this.epochOut, String(s.epoch).padStart(6, "0"));
    this.out.drawReadouts(s, currentLr(s));
    this.out.drawLoss(s.history, s.history.test.length ? s.best.epoch : 0, this.fg, c.logLoss);
    const fresh = !this.diag || (this.playing && now - this.lastDiag > DIAG_EVERY_MS);
    if (fresh) {
      this.diag = diagnostics(s);
      this.lastDiag = now;
    }
    this.out.drawDiagnostics(this.diag, s, c, this.fg, fresh);
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
    get scale() {
      return pg.net.scale;
    },
    /** A weight (layer l, unit `to` of layer l's output, input `from`) or, without `from`, a bias. */
    param(l, to, from) {
      return pg.net.param(from === undefined ? { kind: "bias", layer: l, unit: to } : { kind: "weight", layer: l, to, from });
    },
    resetStats() {
      pg.stats = freshStats();
    },
    diagnostics() {
      return pg.diag;
    },
  };
}
