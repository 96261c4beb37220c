// The playground's whole state as a flat config, its URL-hash form, TensorFlow Playground links and
// the named presets. Pure: no DOM. One property table (PROPS) describes every setting; the defaults,
// choices, labels, reset keys and both hash formats derive from it. The hash lists every key, so a
// link reproduces the run (data seed included).

import { DATASETS, FEATURES, FEATURE_NAMES } from "./data.js";

export const LR_VALUES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;

/**
 * Every setting, in hash order. Fields: kind (codec below), default, choices + labels (choice), range
 * (numbers: [lo, hi]), values (numbers offered by a select), control ("select" | "range" | "number" |
 * "checkbox"; absent: the network view or a special control edits it), step, label (the control's
 * caption), unit (after a shown value), reset (a change rebuilds data and network; otherwise it
 * applies live), tf (TensorFlow Playground's hash key; an object for settings spread over keys).
 */
export const PROPS = {
  problem: { kind: "choice", default: "classification", choices: ["classification", "regression"],
    labels: { classification: "Classification", regression: "Regression" }, control: "select", label: "Problem type",
    reset: true, tf: "problem" },
  dataset: { kind: "choice", default: "circle", choices: [...Object.keys(DATASETS), "custom"],
    labels: { ...Object.fromEntries(Object.entries(DATASETS).map(([k, v]) => [k, v.label])), custom: "Your CSV" },
    control: "select", label: "Data", reset: true,
    tf: { dataset: { circle: "circle", xor: "xor", gauss: "gauss", spiral: "spiral" },
      regDataset: { "reg-plane": "plane", "reg-gauss": "multigauss" } } },
  noise: { kind: "int", default: 0, range: [0, 50], step: 5, control: "range", label: "Noise", unit: "%", reset: true, tf: "noise" },
  trainPct: { kind: "int", default: 50, range: [10, 90], step: 10, control: "range", label: "Ratio of training data", unit: "%",
    reset: true, tf: "percTrainData" },
  seed: { kind: "int", default: 1, range: [0, 2 ** 31 - 1], step: 1, control: "number", label: "Data seed", reset: true, tf: "seed" },
  features: { kind: "list", default: ["x1", "x2"], choices: FEATURE_NAMES,
    labels: Object.fromEntries(FEATURE_NAMES.map((f) => [f, FEATURES[f].label])), label: "Features", reset: true,
    tf: { x: "x1", y: "x2", xSquared: "x1sq", ySquared: "x2sq", xTimesY: "x1x2", sinX: "sinx1", sinY: "sinx2" } },
  hidden: { kind: "ints", default: [4, 2], range: [1, MAX_NEURONS], maxLength: MAX_LAYERS, label: "Hidden layers", reset: true,
    tf: "networkShape" },
  activation: { kind: "choice", default: "tanh", choices: ["relu", "tanh", "sigmoid", "linear"],
    labels: { relu: "ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear" }, control: "select", label: "Activation",
    reset: true, tf: "activation" },
  lr: { kind: "number", default: 0.03, range: [1e-6, 100], values: LR_VALUES, control: "select", label: "Learning rate",
    tf: "learningRate" },
  batch: { kind: "int", default: 10, range: [1, 1000], step: 1, control: "range", label: "Batch size", tf: "batchSize" },
  reg: { kind: "choice", default: "none", choices: ["none", "L1", "L2"], labels: { none: "None", L1: "L1", L2: "L2" },
    control: "select", label: "Regularization", tf: "regularization" },
  regRate: { kind: "number", default: 0, range: [0, 100], values: REG_RATES, control: "select", label: "Reg. rate",
    tf: "regularizationRate" },
  optimizer: { kind: "choice", default: "sgd", choices: ["sgd", "momentum", "adam"],
    labels: { sgd: "SGD", momentum: "SGD + momentum 0.9", adam: "Adam" }, control: "select", label: "Optimizer" },
  schedule: { kind: "choice", default: "constant", choices: ["constant", "step", "cosine"],
    labels: { constant: "Constant", step: "Step (×0.5)", cosine: "Cosine (restarts)" }, control: "select", label: "LR schedule" },
  stepEvery: { kind: "int", default: 100, range: [1, 100000], step: 1, control: "number", label: "Step every (epochs)" },
  period: { kind: "int", default: 500, range: [1, 100000], step: 1, control: "number", label: "Cosine period" },
  init: { kind: "choice", default: "tf", choices: ["tf", "torch", "xavier", "kaiming"],
    labels: { tf: "U(±0.5) (TF Playground)", torch: "PyTorch default U(±1/√fan_in)", xavier: "Xavier uniform", kaiming: "Kaiming normal" },
    control: "select", label: "Weight init", reset: true },
  loss: { kind: "choice", default: "square", choices: ["square", "bce"],
    labels: { square: "Squared error (tanh out)", bce: "Cross-entropy (sigmoid + BCE)" }, control: "select",
    label: "Classification loss", reset: true },
  bn: { kind: "bits", default: [false, false], label: "BN", reset: true },
  bnMode: { kind: "choice", default: "eval", choices: ["eval", "train"],
    labels: { eval: "eval (running stats)", train: "train (batch stats)" }, control: "select", label: "Batch norm evaluates in" },
  residual: { kind: "bool", default: false, control: "checkbox", label: "Residual connections", reset: true },
  unscaled: { kind: "bool", default: false, control: "checkbox", label: "Unscaled X₁", reset: true },
  standardize: { kind: "bool", default: false, control: "checkbox", label: "Standardize inputs", reset: true },
  patience: { kind: "int", default: 0, range: [0, 100000], step: 1, control: "number", label: "Patience (epochs, 0 = off)" },
  restoreBest: { kind: "bool", default: true, control: "checkbox", label: "Restore best weights" },
  showTest: { kind: "bool", default: false, control: "checkbox", label: "Show test data", tf: "showTestData" },
  discretize: { kind: "bool", default: false, control: "checkbox", label: "Discretize output", tf: "discretize" },
  logLoss: { kind: "bool", default: false, control: "checkbox", label: "Log scale" },
};

const clamp = (v, [lo, hi]) => Math.min(hi, Math.max(lo, v));
const finiteOr = (v, d) => (Number.isFinite(Number(v)) ? Number(v) : d);

/** Per kind: fix (make a value valid), encode (value -> hash text), decode (hash text -> value). */
const KINDS = {
  choice: { fix: (v, p) => (p.choices.includes(v) ? v : p.default), encode: String, decode: (t) => t },
  int: { fix: (v, p) => Math.round(clamp(finiteOr(v, p.default), p.range)), encode: String, decode: Number },
  number: { fix: (v, p) => clamp(finiteOr(v, p.default), p.range), encode: String, decode: Number },
  bool: { fix: (v) => !!v, encode: (v) => (v ? "1" : "0"), decode: (t) => t === "1" || t === "true" },
  list: { fix: (v, p) => p.choices.filter((f) => (Array.isArray(v) ? v : []).includes(f)), encode: (v) => v.join(","),
    decode: (t) => (t ? t.split(",") : []) },
  ints: { fix: (v, p) => (Array.isArray(v) ? v : []).slice(0, p.maxLength).map((h) => clamp(Math.round(Number(h) || 1), p.range)),
    encode: (v) => v.join(","), decode: (t) => (t ? t.split(",").map(Number) : []) },
  bits: { fix: (v) => (Array.isArray(v) ? v.map((b) => !!b) : []), encode: (v) => v.map((b) => (b ? 1 : 0)).join(""),
    decode: (t) => [...t].map((ch) => ch === "1") },
};

const KEYS = Object.keys(PROPS);
const copy = (v) => (Array.isArray(v) ? v.slice() : v);
const pick = (field) => Object.fromEntries(KEYS.filter((k) => PROPS[k][field] !== undefined).map((k) => [k, PROPS[k][field]]));

export const DEFAULTS = Object.fromEntries(KEYS.map((k) => [k, copy(PROPS[k].default)]));
export const CHOICES = pick("choices");
export const LABELS = pick("labels");
export const RESET_KEYS = new Set(KEYS.filter((k) => PROPS[k].reset));

/** Make a config valid: known choices, numbers in range, bn array matching hidden layers. */
export function normalize(cfg) {
  const c = { ...DEFAULTS, ...cfg };
  for (const k of KEYS) c[k] = KINDS[PROPS[k].kind].fix(c[k], PROPS[k]);
  if (c.features.length === 0) c.features = [FEATURE_NAMES[0]];
  c.bn = c.hidden.map((_, i) => !!c.bn[i]);
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
  const parts = KEYS.map((k) => `${k}=${encodeURIComponent(KINDS[PROPS[k].kind].encode(c[k])).replace(/%2C/g, ",")}`);
  if (c.dataset === "custom" && points) parts.push(`data=${encodePoints(points)}`); // commas are safe in a fragment
  return parts.join("&");
}

/** "a=1&b=2" (with or without "#", or a whole address) -> {a: "1", b: "2"}; a bad escape stays as typed. */
function hashPairs(hash) {
  let h = String(hash || "").trim();
  if (h.includes("#")) h = h.slice(h.indexOf("#") + 1);
  const dec = (t) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  };
  const kv = {};
  for (const part of h.split("&")) {
    const i = part.indexOf("=");
    if (i > 0) kv[dec(part.slice(0, i))] = dec(part.slice(i + 1));
  }
  return kv;
}

/** Parse a hash into {cfg, points, imported}; points are the custom data (dataset=custom) or null.
 * A TensorFlow Playground hash is recognised by its keys and converted (imported: its notes). */
export function parseHash(hash) {
  if (isTfHash(hash)) {
    const { cfg, notes } = fromTfHash(hash);
    return { cfg, points: null, imported: notes };
  }
  const kv = hashPairs(hash);
  const points = kv.data !== undefined ? decodePoints(kv.data) : null;
  let cfg = fromHash(hash);
  if (cfg.dataset === "custom" && (!points || points.length < 4)) cfg = normalize({ ...cfg, dataset: "circle" });
  return { cfg, points: cfg.dataset === "custom" ? points : null, imported: null };
}

/** Parse a hash (with or without "#"): either key=value pairs or preset=NAME (plus overrides). */
export function fromHash(hash) {
  const kv = hashPairs(hash);
  let c = { ...DEFAULTS };
  if (kv.preset && PRESETS[kv.preset]) c = { ...c, ...PRESETS[kv.preset].cfg };
  for (const [k, v] of Object.entries(kv)) if (k in PROPS) c[k] = KINDS[PROPS[k].kind].decode(v);
  return normalize(c);
}

// ---------- TensorFlow Playground links (its src/state.ts: State.PROPS and deserializeState)

/** TF Playground keys with no counterpart here, and what a link that sets them gets instead. */
export const TF_UNSUPPORTED = {
  cosX: "cos(X₁) is not an input here",
  cosY: "cos(X₂) is not an input here",
  initZero: "zero initial weights are not offered: weights start at U(±0.5) as TF Playground's default",
  collectStats: "statistics collection has no counterpart",
  hideText: "the page text stays visible",
  tutorial: "tutorials have no counterpart",
};
const TF_KEYS = new Set(
  KEYS.flatMap((k) => {
    const tf = PROPS[k].tf;
    return tf === undefined ? [] : typeof tf === "string" ? [tf] : Object.keys(tf);
  }).concat(Object.keys(TF_UNSUPPORTED)),
);
// keys only TF Playground writes (its links always hold several of them); ours never use them
const TF_ONLY = [...TF_KEYS].filter((k) => !(k in PROPS));

/** True when a hash (or address) is a TensorFlow Playground link rather than this page's own. */
export function isTfHash(hash) {
  const kv = hashPairs(hash);
  return TF_ONLY.some((k) => k in kv) && !KEYS.some((k) => k in kv && !TF_KEYS.has(k));
}

/** TF Playground's seed is a string (Math.random().toFixed(5), or any text): decimals -> their
 * digits, an integer -> itself, other text -> a 31-bit FNV-1a hash. */
export function tfSeed(text) {
  const t = String(text).trim();
  if (/^0?\.\d{1,9}$/.test(t)) return Number(t.slice(t.indexOf(".") + 1));
  if (/^\d{1,9}$/.test(t)) return Number(t);
  let h = 0x811c9dc5;
  for (const ch of t) h = Math.imul(h ^ ch.codePointAt(0), 16777619) >>> 0;
  return h & 0x7fffffff;
}

/**
 * A TensorFlow Playground hash or address -> {cfg, notes}. Read as TF Playground reads it: a key with
 * an empty value is absent, a boolean is true unless "false", networkShape may be empty, and the
 * dataset comes from `regDataset` under regression. Keys it lacks keep TF Playground's defaults
 * (which are this page's). notes: one line per setting that has no counterpart here.
 */
export function fromTfHash(hash) {
  const kv = hashPairs(hash);
  const has = (k) => k in kv && kv[k].trim() !== "";
  const c = { ...DEFAULTS };
  const notes = [];
  for (const k of KEYS) {
    const { tf, kind } = PROPS[k];
    if (typeof tf !== "string") continue;
    if (kind === "ints") {
      if (tf in kv) c[k] = kv[tf].trim() === "" ? [] : kv[tf].split(",").map(Number);
    } else if (!has(tf)) continue;
    else if (kind === "bool") c[k] = kv[tf] !== "false";
    else if (kind === "choice") {
      if (PROPS[k].choices.includes(kv[tf])) c[k] = kv[tf];
    } else if (k === "seed") c.seed = tfSeed(kv[tf]);
    else c[k] = Number(kv[tf]);
  }
  const dsKey = c.problem === "regression" ? "regDataset" : "dataset";
  const ds = PROPS.dataset.tf[dsKey];
  const known = has(dsKey) && kv[dsKey] in ds;
  c.dataset = known ? ds[kv[dsKey]] : Object.values(ds)[0]; // TF Playground's defaults: circle, reg-plane
  if (has(dsKey) && !known) notes.push(`${dsKey}=${kv[dsKey]}: not a dataset here; using ${PROPS.dataset.labels[c.dataset]}`);
  const feats = PROPS.features.tf;
  c.features = Object.keys(feats)
    .filter((t) => (has(t) ? kv[t] !== "false" : DEFAULTS.features.includes(feats[t])))
    .map((t) => feats[t]);
  for (const [k, why] of Object.entries(TF_UNSUPPORTED)) if (has(k) && kv[k] !== "false") notes.push(`${k}: ${why}`);
  const cfg = normalize(c);
  if (c.features.length === 0) notes.push(`no input selected: using ${FEATURES[cfg.features[0]].label}`);
  return { cfg, notes };
}

// ---------- presets

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
