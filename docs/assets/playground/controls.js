// Controls built from the property table (state.js PROPS): one function makes any setting's control,
// one syncs every control to a config. The panels (top bar, data column) are laid out here too.

import { DATASETS, UNSCALED, generate } from "./data.js";
import { cssColor } from "./draw.js";
import { el } from "./dom.js";
import { PROPS } from "./state.js";

/** The control of a setting (its PROPS row says select / range / number / checkbox); onSet(key, value). */
export function control(key, onSet, onInvalid) {
  const p = PROPS[key];
  const attrs = { "data-key": key };
  let e;
  if (p.control === "select") {
    const values = p.values || p.choices;
    e = el("select", attrs, values.map((v) => el("option", { value: String(v), text: p.labels?.[v] ?? String(v) })));
    e.addEventListener("change", () => onSet(key, p.kind === "choice" ? e.value : Number(e.value)));
  } else if (p.control === "range" || p.control === "number") {
    const [min, max] = p.range;
    e = el("input", { type: p.control, min, max: p.control === "range" ? max : undefined, step: p.step, ...attrs });
    e.addEventListener(p.control === "range" ? "input" : "change", () => {
      if (e.value === "" || !Number.isFinite(Number(e.value))) return onInvalid(key, e.value);
      onSet(key, Number(e.value));
    });
  } else if (p.control === "checkbox") {
    e = el("input", { type: "checkbox", ...attrs });
    e.addEventListener("change", () => onSet(key, e.checked));
  } else {
    throw new Error(`no control for ${key}`);
  }
  return e;
}

/** A captioned control; `out` (optional) shows the current value after the caption. */
export function field(key, ctl, out = null) {
  return el("label", {}, el("span", { class: "pg-cap", text: `${PROPS[key].label}${out ? " " : ""}` }, out), ctl);
}

/** A checkbox control with its label to the right. */
export function check(key, ctl, text = PROPS[key].label) {
  return el("label", { class: "pg-inline" }, ctl, text);
}

/** Every [data-key] control under root shows cfg; value outputs ([data-show]) show their values. */
export function syncControls(root, cfg, { ntr = 250, hasCustom = false } = {}) {
  for (const e of root.querySelectorAll("[data-key]")) {
    const k = e.dataset.key;
    if (k === "features") e.checked = cfg.features.includes(e.dataset.value);
    else if (k === "bn") e.checked = !!cfg.bn[Number(e.dataset.layer)];
    else if (e.type === "checkbox") e.checked = !!cfg[k];
    else e.value = String(cfg[k]);
  }
  for (const o of root.querySelectorAll("[data-show]")) {
    const k = o.dataset.show;
    o.textContent = k === "batch" && cfg.batch >= ntr ? `${cfg.batch} (full batch)` : `${cfg[k]}${PROPS[k].unit || ""}`;
  }
  const batch = root.querySelector('[data-key="batch"]');
  if (batch) batch.max = String(Math.max(1, ntr));
  // settings that mean nothing for regression (tanh/BCE head, class colours)
  for (const k of ["loss", "discretize"]) {
    const e = root.querySelector(`[data-key="${k}"]`);
    if (e) {
      e.disabled = cfg.problem === "regression";
      e.title = e.disabled ? "Classification only" : "";
    }
  }
  for (const b of root.querySelectorAll("[data-dataset]")) {
    b.hidden = b.dataset.problem !== cfg.problem;
    b.classList.toggle("pg-selected", b.dataset.dataset === cfg.dataset);
    b.setAttribute("aria-pressed", b.dataset.dataset === cfg.dataset ? "true" : "false");
  }
  const customOpt = root.querySelector('[data-key="dataset"] option[value="custom"]');
  if (customOpt) customOpt.disabled = !hasCustom;
}

/** A dataset's points (seed 1, no noise) on a small canvas, for the dataset buttons. */
function drawDatasetThumb(canvas, name) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#f4f6f7";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const w = canvas.width;
  for (const p of generate(name, 0, 1, 200)) {
    ctx.fillStyle = cssColor(p.label);
    ctx.fillRect(((p.x + 6) / 12) * w - 1, ((6 - p.y) / 12) * w - 1, 2, 2);
  }
}

/** The top bar: run buttons, epoch counter and the training settings. pg: the Playground. */
export function topBar(pg, ctl) {
  return el("div", { class: "pg-top" },
    el("div", { class: "pg-buttons" },
      el("button", { "data-action": "reset", title: "Reset the network (same seed: same start)", onclick: () => pg.reset(), text: "↺ Reset" }),
      (pg.playBtn = el("button", { class: "pg-play", "data-action": "play", onclick: () => (pg.playing ? pg.pause() : pg.play()), text: "▶ Play" })),
      el("button", { "data-action": "step", title: "Train one epoch", onclick: () => pg.stepOnce(), text: "Step" }),
      el("button", { "data-action": "copy-link", title: "Copy a link to this configuration", onclick: () => pg.copyLink(), text: "Copy link" }),
    ),
    el("div", { class: "pg-epoch" }, el("span", { class: "pg-cap", text: "Epoch" }), (pg.epochOut = el("b", { "data-out": "epoch", text: "0" }))),
    ["lr", "activation", "reg", "regRate", "problem", "optimizer", "schedule", "stepEvery", "period", "init", "loss"].map((k) => field(k, ctl(k))),
  );
}

/** The data column: datasets, split, noise, batch, seed, pasted CSV, a TF Playground link, scaling. */
export function dataPanel(pg, ctl) {
  const show = (k) => el("b", { "data-show": k });
  pg.csvBox = el("textarea", { "data-role": "csv", placeholder: "x1,x2,label\n1.5,2.0,1\n-3,0.5,0\n…", spellcheck: "false" });
  const tfBox = el("input", { type: "url", "data-role": "tf-link", placeholder: "https://playground.tensorflow.org/#activation=…",
    "aria-label": "TensorFlow Playground link", spellcheck: "false" });
  tfBox.addEventListener("keydown", (ev) => ev.key === "Enter" && pg.importTf(tfBox.value));
  return el("div", { class: "pg-data" },
    field("dataset", ctl("dataset")),
    el("div", { class: "pg-dsrow" },
      Object.entries(DATASETS).map(([name, ds]) => {
        const canvas = el("canvas", { width: 48, height: 48 });
        drawDatasetThumb(canvas, name);
        return el("button", { class: "pg-ds", "data-dataset": name, "data-problem": ds.problem, title: ds.label,
          "aria-label": `${ds.label} data`, onclick: () => pg.set("dataset", name) }, canvas);
      })),
    field("trainPct", ctl("trainPct"), show("trainPct")),
    field("noise", ctl("noise"), show("noise")),
    field("batch", ctl("batch"), show("batch")),
    field("seed", ctl("seed")),
    el("button", { "data-action": "regenerate", title: "New data and weights (new seed)", onclick: () => pg.set("seed", (pg.cfg.seed * 48271 + 11) % 2147483647), text: "Regenerate" }),
    el("details", {},
      el("summary", { text: "Your own data (CSV)" }),
      el("p", { class: "pg-legend", text: "Rows x1,x2,label. Labels 0/1 or −1/1 train a classifier; other numbers a regression. A header line is allowed." }),
      pg.csvBox,
      el("button", { "data-action": "use-csv", onclick: () => pg.useCsv(), text: "Train on this data" }),
    ),
    el("details", {},
      el("summary", { text: "Open a TensorFlow Playground link" }),
      el("p", { class: "pg-legend", text: "Paste an address from playground.tensorflow.org (or its part after #): same network and settings." }),
      tfBox,
      el("button", { "data-action": "import-tf", onclick: () => pg.importTf(tfBox.value), text: "Open" }),
    ),
    el("div", { class: "pg-section" },
      el("span", { class: "pg-cap", text: "Input scaling" }),
      check("unscaled", ctl("unscaled"), `Unscaled X₁ (×${UNSCALED.scale} + ${UNSCALED.shift})`),
      check("standardize", ctl("standardize")),
    ),
  );
}
