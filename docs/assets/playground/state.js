// The playground's whole state as a flat config, its URL-hash form, and the named presets.
// Pure: no DOM. The hash lists every key, so a link reproduces the run (data seed included).

import { DATASETS, FEATURE_NAMES } from "./data.js";

export const DEFAULTS = {
  problem: "classification",
  dataset: "circle",
  noise: 0,
  trainPct: 50,
  seed: 1,
  features: ["x1", "x2"],
  hidden: [4, 2],
  activation: "tanh",
  lr: 0.03,
  batch: 10,
  reg: "none",
  regRate: 0,
  optimizer: "sgd",
  schedule: "constant",
  stepEvery: 100,
  period: 500,
  init: "tf",
  loss: "square",
  bn: [false, false],
  bnMode: "eval",
  residual: false,
  unscaled: false,
  standardize: false,
  patience: 0,
  restoreBest: true,
  showTest: false,
  discretize: false,
  logLoss: false,
};

export const CHOICES = {
  problem: ["classification", "regression"],
  dataset: [...Object.keys(DATASETS), "custom"],
  activation: ["relu", "tanh", "sigmoid", "linear"],
  reg: ["none", "L1", "L2"],
  optimizer: ["sgd", "momentum", "adam"],
  schedule: ["constant", "step", "cosine"],
  init: ["tf", "torch", "xavier", "kaiming"],
  loss: ["square", "bce"],
  bnMode: ["eval", "train"],
};
export const LR_VALUES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

const BOOL_KEYS = ["residual", "unscaled", "standardize", "restoreBest", "showTest", "discretize", "logLoss"];
const NUM_KEYS = { noise: [0, 50], trainPct: [10, 90], seed: [0, 2 ** 31 - 1], lr: [1e-6, 100], batch: [1, 1000],
  regRate: [0, 100], stepEvery: [1, 100000], period: [1, 100000], patience: [0, 100000] };

/** Make a config valid: known choices, numbers in range, bn array matching hidden layers. */
export function normalize(cfg) {
  const c = { ...DEFAULTS, ...cfg };
  for (const [k, opts] of Object.entries(CHOICES)) if (!opts.includes(c[k])) c[k] = DEFAULTS[k];
  for (const [k, [lo, hi]] of Object.entries(NUM_KEYS)) {
    const v = Number(c[k]);
    c[k] = Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : DEFAULTS[k];
  }
  for (const k of ["noise", "trainPct", "seed", "batch", "stepEvery", "period", "patience"]) c[k] = Math.round(c[k]);
  for (const k of BOOL_KEYS) c[k] = !!c[k];
  c.features = FEATURE_NAMES.filter((f) => c.features.includes(f));
  if (c.features.length === 0) c.features = ["x1"];
  c.hidden = c.hidden.slice(0, MAX_LAYERS).map((h) => Math.min(MAX_NEURONS, Math.max(1, Math.round(Number(h) || 1))));
  c.bn = c.hidden.map((_, i) => !!(c.bn && c.bn[i]));
  if (c.dataset !== "custom" && DATASETS[c.dataset].problem !== c.problem) c.problem = DATASETS[c.dataset].problem;
  return c;
}

/** Custom points <-> "x,y,label;x,y,label" (numbers only, so the hash needs no escaping). */
export function encodePoints(points) {
  const r = (v) => String(Math.round(v * 1e4) / 1e4);
  return points.map((p) => `${r(p.x)},${r(p.y)},${r(p.label)}`).join(";");
}
export function decodePoints(text) {
  return String(text)
    .split(";")
    .filter(Boolean)
    .map((row) => {
      const [x, y, label] = row.split(",").map(Number);
      return { x, y, label };
    })
    .filter((p) => [p.x, p.y, p.label].every(Number.isFinite));
}

/** Config -> "key=value&..." (every key, fixed order); custom points appended as data=... */
export function toHash(cfg, points = null) {
  const c = normalize(cfg);
  const parts = [];
  for (const k of Object.keys(DEFAULTS)) {
    let v = c[k];
    if (k === "features") v = v.join(",");
    else if (k === "hidden") v = v.join(",");
    else if (k === "bn") v = v.map((b) => (b ? 1 : 0)).join("");
    else if (typeof v === "boolean") v = v ? 1 : 0;
    parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ",")}`); // commas are safe in a fragment
  }
  if (c.dataset === "custom" && points) parts.push(`data=${encodePoints(points)}`);
  return parts.join("&");
}

/** Parse a hash into {cfg, points}; points are the custom data (dataset=custom) or null. */
export function parseHash(hash) {
  const h = String(hash || "").replace(/^#/, "");
  const m = /(?:^|&)data=([^&]*)/.exec(h);
  const points = m ? decodePoints(decodeURIComponent(m[1])) : null;
  let cfg = fromHash(h);
  if (cfg.dataset === "custom" && (!points || points.length < 4)) cfg = normalize({ ...cfg, dataset: "circle" });
  return { cfg, points: cfg.dataset === "custom" ? points : null };
}

/** Parse a hash (with or without "#"): either key=value pairs or preset=NAME (plus overrides). */
export function fromHash(hash) {
  const h = String(hash || "").replace(/^#/, "");
  const kv = {};
  for (const part of h.split("&")) {
    if (!part) continue;
    const i = part.indexOf("=");
    if (i < 0) continue;
    kv[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
  }
  let c = { ...DEFAULTS };
  if (kv.preset && PRESETS[kv.preset]) c = { ...c, ...PRESETS[kv.preset].cfg };
  for (const [k, v] of Object.entries(kv)) {
    if (!(k in DEFAULTS)) continue;
    if (k === "features") c.features = v ? v.split(",") : [];
    else if (k === "hidden") c.hidden = v ? v.split(",").map(Number) : [];
    else if (k === "bn") c.bn = [...v].map((ch) => ch === "1");
    else if (BOOL_KEYS.includes(k)) c[k] = v === "1" || v === "true";
    else if (k in NUM_KEYS) c[k] = Number(v);
    else c[k] = v;
  }
  return normalize(c);
}

const deep = { dataset: "circle", hidden: [8, 8, 8, 8, 8, 8], activation: "sigmoid", init: "torch", lr: 0.1,
  optimizer: "sgd", batch: 10, features: ["x1", "x2"] };

/** Named presets, each a lesson from the notes; linked as #preset=NAME. */
export const PRESETS = {
  "vanishing-gradients": {
    title: "Vanishing gradients: six sigmoid layers",
    cfg: { ...deep },
    lesson: "The gradient-norm bars shrink layer by layer toward the input; the loss barely moves.",
  },
  residual: {
    title: "The same stack with residual connections",
    cfg: { ...deep, residual: true },
    lesson: "Skips carry the gradient past each sigmoid: the early layers' bars rise and the loss falls.",
  },
  "batch-norm": {
    title: "The same stack with batch norm in every layer",
    cfg: { ...deep, bn: [true, true, true, true, true, true] },
    lesson: "Normalizing each layer's pre-activations keeps the sigmoids out of saturation; it trains.",
  },
  "small-batch": {
    title: "Batch size 1: noisy gradients",
    cfg: { dataset: "gauss", noise: 35, hidden: [4], batch: 1, lr: 0.01 },
    lesson: "The gradient-noise readout is large; the loss curve is jagged.",
  },
  "full-batch": {
    title: "Full batch: the exact gradient",
    cfg: { dataset: "gauss", noise: 35, hidden: [4], batch: 250, lr: 0.01 },
    lesson: "Gradient noise is zero and the loss curve is smooth, but one step per epoch.",
  },
  unscaled: {
    title: "Unscaled input: X₁ ×100 + 500",
    cfg: { dataset: "gauss", hidden: [4], unscaled: true, standardize: false },
    lesson: "One huge feature saturates the first layer and dominates the gradient: training stalls or diverges.",
  },
  standardized: {
    title: "The same input, standardized",
    cfg: { dataset: "gauss", hidden: [4], unscaled: true, standardize: true },
    lesson: "Subtracting the mean and dividing by the standard deviation restores fast, stable training.",
  },
  "early-stopping": {
    title: "Early stopping on noisy, scarce data",
    cfg: { dataset: "xor", noise: 30, trainPct: 20, hidden: [8, 8, 8], activation: "relu", optimizer: "adam",
      lr: 0.001, init: "torch", patience: 50, restoreBest: true, features: ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"] },
    lesson: "Test loss bottoms out and rises while training loss keeps falling; training stops and the best weights return.",
  },
};

export function presetHash(name) {
  return `preset=${name}`;
}
