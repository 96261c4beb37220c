// Data: seeded random numbers, the datasets (ported from TensorFlow Playground's dataset.ts),
// input features, the train/test split, standardization and pasted CSV. Pure: no DOM.

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function makeRng(seed) {
  let a = seed >>> 0;
  return function rng() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randUniform(rng, a, b) {
  return rng() * (b - a) + a;
}

/** Normal sample (Marsaglia polar method, as TF Playground's normalRandom). */
export function normalRandom(rng, mean = 0, variance = 1) {
  let v1, v2, s;
  do {
    v1 = 2 * rng() - 1;
    v2 = 2 * rng() - 1;
    s = v1 * v1 + v2 * v2;
  } while (s >= 1 || s === 0);
  return mean + Math.sqrt(variance) * v1 * Math.sqrt((-2 * Math.log(s)) / s);
}

export function shuffle(arr, rng) {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

const dist = (ax, ay, bx, by) => Math.hypot(ax - bx, ay - by);

// ---- datasets: each returns [{x, y, label}] with label in {-1, 1} (classification) or [-1, 1] (regression)

function circle(n, noise, rng) {
  const pts = [];
  const radius = 5;
  const label = (x, y) => (dist(x, y, 0, 0) < radius * 0.5 ? 1 : -1);
  const gen = (rmin, rmax) => {
    for (let i = 0; i < n / 2; i++) {
      const r = randUniform(rng, rmin, rmax);
      const angle = randUniform(rng, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const nx = randUniform(rng, -radius, radius) * noise;
      const ny = randUniform(rng, -radius, radius) * noise;
      pts.push({ x, y, label: label(x + nx, y + ny) });
    }
  };
  gen(0, radius * 0.5);
  gen(radius * 0.7, radius);
  return pts;
}

function xor(n, noise, rng) {
  const pts = [];
  const pad = 0.3;
  for (let i = 0; i < n; i++) {
    let x = randUniform(rng, -5, 5);
    x += x > 0 ? pad : -pad;
    let y = randUniform(rng, -5, 5);
    y += y > 0 ? pad : -pad;
    const nx = randUniform(rng, -5, 5) * noise;
    const ny = randUniform(rng, -5, 5) * noise;
    pts.push({ x, y, label: (x + nx) * (y + ny) >= 0 ? 1 : -1 });
  }
  return pts;
}

function gauss(n, noise, rng) {
  const pts = [];
  const variance = 0.5 + (noise / 0.5) * 3.5; // TF: linear [0, .5] -> [.5, 4]
  const gen = (cx, cy, label) => {
    for (let i = 0; i < n / 2; i++) {
      pts.push({ x: normalRandom(rng, cx, variance), y: normalRandom(rng, cy, variance), label });
    }
  };
  gen(2, 2, 1);
  gen(-2, -2, -1);
  return pts;
}

function spiral(n, noise, rng) {
  const pts = [];
  const half = n / 2;
  const gen = (deltaT, label) => {
    for (let i = 0; i < half; i++) {
      const r = (i / half) * 5;
      const t = ((1.75 * i) / half) * 2 * Math.PI + deltaT;
      const x = r * Math.sin(t) + randUniform(rng, -1, 1) * noise;
      const y = r * Math.cos(t) + randUniform(rng, -1, 1) * noise;
      pts.push({ x, y, label });
    }
  };
  gen(0, 1);
  gen(Math.PI, -1);
  return pts;
}

/** Points uniform on [-6, 6]^2, labelled at a noise-shifted position (TF Playground's regression sampling). */
function regressionPoints(n, noise, rng, label) {
  const radius = 6;
  const pts = [];
  for (let i = 0; i < n; i++) {
    const x = randUniform(rng, -radius, radius);
    const y = randUniform(rng, -radius, radius);
    const nx = randUniform(rng, -radius, radius) * noise;
    const ny = randUniform(rng, -radius, radius) * noise;
    pts.push({ x, y, label: label(x + nx, y + ny) });
  }
  return pts;
}

function regressPlane(n, noise, rng) {
  return regressionPoints(n, noise, rng, (x, y) => (x + y) / 10);
}

function regressGaussian(n, noise, rng) {
  const gaussians = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
  const scale = (d) => Math.min(1, Math.max(0, 1 - d / 2)); // TF: linear [0, 2] -> [1, 0], clamped
  const label = (x, y) => {
    let best = 0;
    for (const [cx, cy, sign] of gaussians) {
      const v = sign * scale(dist(x, y, cx, cy));
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    return best;
  };
  return regressionPoints(n, noise, rng, label);
}

export const DATASETS = {
  circle: { problem: "classification", gen: circle, label: "Circle" },
  xor: { problem: "classification", gen: xor, label: "Exclusive or" },
  gauss: { problem: "classification", gen: gauss, label: "Two Gaussians" },
  spiral: { problem: "classification", gen: spiral, label: "Spiral" },
  plane: { problem: "regression", gen: regressPlane, label: "Plane" },
  multigauss: { problem: "regression", gen: regressGaussian, label: "Multi Gaussian" },
};

export const NUM_SAMPLES = 500;
export const DOMAIN = 6;

/** Generate a dataset: noise in percent (0..50) as TF Playground. */
export function generate(name, noisePct, seed, n = NUM_SAMPLES) {
  const ds = DATASETS[name];
  if (!ds) throw new Error(`unknown dataset ${name}`);
  return ds.gen(n, noisePct / 100, makeRng(seed));
}

/** Shuffle (seeded) and split: the first trainPct percent are training points. */
export function split(points, trainPct, seed) {
  const pts = shuffle(points.slice(), makeRng(seed ^ 0x9e3779b9));
  const k = Math.max(1, Math.min(pts.length - 1, Math.floor((pts.length * trainPct) / 100)));
  return { train: pts.slice(0, k), test: pts.slice(k) };
}

// ---- features

export const FEATURES = {
  x1: { label: "X₁", f: (x) => x },
  x2: { label: "X₂", f: (x, y) => y },
  x1sq: { label: "X₁²", f: (x) => x * x },
  x2sq: { label: "X₂²", f: (x, y) => y * y },
  x1x2: { label: "X₁X₂", f: (x, y) => x * y },
  sinx1: { label: "sin(X₁)", f: (x) => Math.sin(x) },
  sinx2: { label: "sin(X₂)", f: (x, y) => Math.sin(y) },
};
export const FEATURE_NAMES = Object.keys(FEATURES);

/** The "unscaled input" lesson: raw X₁ feature becomes X₁·SCALE + SHIFT. */
export const UNSCALED = { feature: "x1", scale: 100, shift: 500 };

/**
 * Feature matrix (row-major n x d) for points [[x, y], ...] given the selected feature names.
 * `unscaled` turns on the X₁ blow-up; `stats` ({mean, std} arrays) standardizes columns.
 */
export function featurize(points, names, { unscaled = false, stats = null } = {}) {
  const n = points.length;
  const d = names.length;
  const X = new Float64Array(n * d);
  const fs = names.map((k) => FEATURES[k].f);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    const x = p.x ?? p[0];
    const y = p.y ?? p[1];
    for (let j = 0; j < d; j++) {
      let v = fs[j](x, y);
      if (unscaled && names[j] === UNSCALED.feature) v = v * UNSCALED.scale + UNSCALED.shift;
      if (stats) v = (v - stats.mean[j]) / stats.std[j];
      X[i * d + j] = v;
    }
  }
  return X;
}

/** Column mean and (population) standard deviation; a constant column gets std 1. */
export function columnStats(X, n, d) {
  const mean = new Array(d).fill(0);
  const std = new Array(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (X[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = std[j] > 1e-24 ? Math.sqrt(std[j]) : 1;
  return { mean, std };
}

// ---- pasted CSV: rows "x1,x2,label"

/**
 * Parse CSV text. Accepts a header line, blank lines, comments (#), commas/semicolons/tabs/spaces.
 * Labels all in {0,1} or {-1,1} -> classification (0 maps to -1); otherwise regression.
 * Returns {points, problem} or throws an Error naming the bad line.
 */
export function parseCsv(text) {
  const points = [];
  const lines = String(text).split(/\r?\n/);
  lines.forEach((raw, idx) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const cells = line.split(/[,;\t ]+/).filter((c) => c !== "");
    const nums = cells.map(Number);
    if (nums.length >= 1 && nums.some((v) => !Number.isFinite(v))) {
      if (points.length === 0 && idx === lines.findIndex((l) => l.trim() && !l.trim().startsWith("#"))) return; // header
      throw new Error(`line ${idx + 1}: expected three numbers x1,x2,label, got "${line}"`);
    }
    if (nums.length !== 3) throw new Error(`line ${idx + 1}: expected three numbers x1,x2,label, got ${nums.length}`);
    points.push({ x: nums[0], y: nums[1], label: nums[2] });
  });
  if (points.length < 4) throw new Error(`need at least 4 data rows, got ${points.length}`);
  const labels = new Set(points.map((p) => p.label));
  const binary = [...labels].every((l) => l === 0 || l === 1 || l === -1);
  if (binary) {
    for (const p of points) p.label = p.label === 1 ? 1 : -1;
    return { points, problem: "classification" };
  }
  return { points, problem: "regression" };
}

/** A square domain [-r, r] that covers the points with a margin (built-in data: 6). */
export function domainFor(points) {
  let m = 0;
  for (const p of points) m = Math.max(m, Math.abs(p.x), Math.abs(p.y));
  return m <= DOMAIN ? DOMAIN : m * 1.1;
}
