// A training session: data, features, network, optimizer, the epoch loop with reshuffled
// minibatches, loss history, early stopping, divergence detection and diagnostics (per-layer
// gradient norms, gradient noise). Pure: no DOM, runs under Node.

import { columnStats, domainFor, featurize, generate, makeRng, shuffle, split, DOMAIN } from "./data.js";
import {
  buildNet,
  cloneNet,
  evalLoss,
  flatGrads,
  forward,
  layerGradNorms,
  lossAndGrad,
  parameters,
  predictionFromOutput,
} from "./nn.js";
import { makeOptimizer, scheduledLr, step } from "./optim.js";

/** Build a session from a config (see state.js DEFAULTS); customPoints for dataset "custom". */
export function createSession(cfg, customPoints = null) {
  let points;
  let domain = DOMAIN;
  if (cfg.dataset === "custom") {
    if (!customPoints || customPoints.length < 4) throw new Error("custom dataset needs pasted CSV rows");
    points = customPoints.map((p) => ({ ...p }));
    domain = domainFor(points);
  } else {
    points = generate(cfg.dataset, cfg.noise, cfg.seed);
  }
  const { train, test } = split(points, cfg.trainPct, cfg.seed);
  const features = cfg.features;
  if (features.length === 0) throw new Error("select at least one input feature");
  const d = features.length;
  const raw = featurize(train, features, { unscaled: cfg.unscaled });
  const stats = cfg.standardize ? columnStats(raw, train.length, d) : null;
  const opts = { unscaled: cfg.unscaled, stats };
  const s = {
    cfg,
    domain,
    train,
    test,
    features,
    featOpts: opts,
    Xtr: featurize(train, features, opts),
    ytr: Float64Array.from(train, (p) => p.label),
    Xte: featurize(test, features, opts),
    yte: Float64Array.from(test, (p) => p.label),
    ntr: train.length,
    nte: test.length,
    d,
    epoch: 0,
    history: { train: [], test: [] },
    edits: [], // weights and biases set by hand: {epoch, layer, kind, index, value}
    status: "ok",
    message: "",
  };
  s.shuffleSeed = shuffleSeed(cfg.seed);
  s.shuffleRng = makeRng(s.shuffleSeed);
  s.net = buildNet(
    {
      nInputs: d,
      hidden: cfg.hidden,
      activation: cfg.activation,
      bn: cfg.bn,
      residual: cfg.residual,
      init: cfg.init,
      problem: cfg.problem,
      loss: cfg.loss,
    },
    makeRng(cfg.seed * 7919 + 17),
  );
  s.initNet = cloneNet(s.net); // the weights before any update: what a training export starts from
  s.opt = makeOptimizer(cfg.optimizer, parameters(s.net));
  const l0 = currentLosses(s);
  s.initialLoss = l0;
  s.last = l0; // losses of the current weights (after a restore, not the history's last entry)
  s.best = { epoch: 0, loss: l0.test, net: cloneNet(s.net) };
  return s;
}

/** Seed (uint32) of the minibatch-order generator of a session with data seed `seed`. */
export function shuffleSeed(seed) {
  return ((seed * 2654435761) ^ 0x51ed27) >>> 0;
}

export function currentLosses(s) {
  const mode = s.cfg.bnMode;
  return { train: evalLoss(s.net, s.Xtr, s.ytr, s.ntr, mode), test: evalLoss(s.net, s.Xte, s.yte, s.nte, mode) };
}

/** Rows idx[from..to) of X and y, copied into `into` ({X, y} buffers of that many rows) or new arrays. */
function gather(X, y, d, idx, from, to, into = null) {
  const n = to - from;
  const Xb = into ? into.X : new Float64Array(n * d);
  const yb = into ? into.y : new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = idx[from + r];
    for (let j = 0; j < d; j++) Xb[r * d + j] = X[i * d + j];
    yb[r] = y[i];
  }
  return [Xb, yb, n];
}

function allFinite(arrs) {
  for (const a of arrs) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Minibatch buffers of a session for batches of n rows (reused every epoch). */
function batchBuffers(s, n) {
  if (!s.batchBufs) s.batchBufs = new Map();
  let b = s.batchBufs.get(n);
  if (!b) s.batchBufs.set(n, (b = { X: new Float64Array(n * s.d), y: new Float64Array(n) }));
  return b;
}

function diverge(s, where) {
  s.status = "diverged";
  s.message =
    `Training diverged at epoch ${s.epoch + 1}: the ${where} became NaN or infinite. ` +
    `Lower the learning rate (now ${s.cfg.lr}) and press reset.`;
}

/** A fresh permutation of the training points: minibatches are reshuffled every epoch. */
export function epochOrder(s) {
  return shuffle(Array.from({ length: s.ntr }, (_, i) => i), s.shuffleRng);
}

/** The learning rate used for the next epoch. */
export function currentLr(s) {
  const c = s.cfg;
  return scheduledLr(c.lr, c.schedule, s.epoch, { every: c.stepEvery, period: c.period });
}

/**
 * One epoch: reshuffle, minibatch updates (last batch may be smaller), then train/test loss.
 * Returns false (and sets status/message) when training must stop: divergence or early stopping.
 */
export function trainEpoch(s) {
  if (s.status !== "ok") return false;
  const c = s.cfg;
  const B = Math.max(1, Math.min(c.batch, s.ntr));
  const idx = epochOrder(s);
  s.lastOrder = idx;
  const lr = currentLr(s);
  for (let from = 0; from < s.ntr; from += B) {
    const to = Math.min(s.ntr, from + B);
    const [Xb, yb, n] = gather(s.Xtr, s.ytr, s.d, idx, from, to, batchBuffers(s, to - from));
    const r = lossAndGrad(s.net, Xb, yb, n, { reg: c.reg, rate: c.regRate, bnMode: "train", updateStats: true, reuse: true });
    if (!Number.isFinite(r.loss)) {
      diverge(s, "training loss");
      return false;
    }
    const params = parameters(s.net);
    step(s.opt, params, flatGrads(s.net, r.grads), lr);
    if (!allFinite(params)) {
      diverge(s, "weights");
      return false;
    }
  }
  const l = currentLosses(s);
  if (!Number.isFinite(l.train) || !Number.isFinite(l.test)) {
    diverge(s, "loss");
    return false;
  }
  s.epoch += 1;
  s.last = l;
  s.history.train.push(l.train);
  s.history.test.push(l.test);
  if (l.test < s.best.loss || !Number.isFinite(s.best.loss)) {
    s.best = { epoch: s.epoch, loss: l.test, net: c.patience > 0 ? cloneNet(s.net) : null };
  } else if (c.patience > 0 && s.epoch - s.best.epoch >= c.patience) {
    s.status = "stopped";
    s.message = `Early stopping at epoch ${s.epoch}: test loss has not improved for ${c.patience} epochs; best was ${s.best.loss.toFixed(4)} at epoch ${s.best.epoch}.`;
    if (c.restoreBest && s.best.net) {
      s.net = cloneNet(s.best.net);
      s.last = currentLosses(s);
      s.message += " Restored the weights of the best epoch.";
    }
    return false;
  }
  return true;
}

/**
 * Set one weight (index into layer `layer`'s row-major W) or bias (index = unit) by hand, as the UI's
 * editor does, and record it in s.edits with the epoch, so a training export replays it at that point.
 */
export function editParam(s, { layer, kind, index, value }) {
  const L = s.net.layers[layer];
  const arr = kind === "weight" ? L?.W : kind === "bias" ? L?.b : null;
  if (!arr) throw new Error(`editParam: no ${kind} in layer ${layer}; kind is "weight" or "bias", layer 0..${s.net.layers.length - 1}`);
  if (!Number.isInteger(index) || index < 0 || index >= arr.length) {
    throw new Error(`editParam: ${kind} index ${index} out of range 0..${arr.length - 1}`);
  }
  if (!Number.isFinite(value)) throw new Error(`editParam: value ${value} is not a finite number`);
  arr[index] = value;
  s.edits.push({ epoch: s.epoch, layer, kind, index, value });
  s.last = currentLosses(s);
}

/** Train for up to `maxEpochs` epochs or `budgetMs` milliseconds; returns epochs done. */
export function trainFor(s, maxEpochs, budgetMs = Infinity, now = () => performance.now()) {
  const t0 = now();
  let k = 0;
  while (k < maxEpochs && s.status === "ok") {
    trainEpoch(s);
    k += 1;
    if (now() - t0 >= budgetMs) break;
  }
  return k;
}

/** Predictions ([-1,1] for classification, value for regression) at raw points [{x,y}]. */
export function predictPoints(s, pts) {
  const X = featurize(pts, s.features, s.featOpts);
  const cache = forward(s.net, X, pts.length, { bnMode: s.cfg.bnMode });
  return Array.from(cache.out, (z) => predictionFromOutput(s.net, z));
}

/** The grid's input features (density² x d, row 0 at the top: y = +domain), computed once per session. */
function gridFeatures(s, density) {
  if (!s.grids) s.grids = new Map();
  let g = s.grids.get(density);
  if (!g) {
    const pts = [];
    const r = s.domain;
    for (let i = 0; i < density; i++) {
      const y = r - ((i + 0.5) * 2 * r) / density;
      for (let j = 0; j < density; j++) pts.push({ x: -r + ((j + 0.5) * 2 * r) / density, y });
    }
    const n = pts.length;
    const X = featurize(pts, s.features, s.featOpts);
    g = { n, X, inputs: columns(X, n, s.d), output: new Float64Array(n), layers: null };
    s.grids.set(density, g);
  }
  return g;
}

/** Columns of a row-major n x k matrix, into `into` (k arrays of n) or new arrays. */
function columns(M, n, k, into = null) {
  const out = into || Array.from({ length: k }, () => new Float64Array(n));
  for (let u = 0; u < k; u++) {
    const col = out[u];
    for (let i = 0; i < n; i++) col[i] = M[i * k + u];
  }
  return out;
}

/**
 * Values on a density x density grid over the domain, row 0 at the top (y = +domain):
 * {inputs: [feature arrays], layers: [[unit arrays]] (null unless withNeurons), output: array}.
 * The arrays belong to the session and are overwritten by its next gridValues call: copy to keep.
 */
export function gridValues(s, density, withNeurons = true) {
  const g = gridFeatures(s, density);
  const n = g.n;
  const cache = forward(s.net, g.X, n, { bnMode: s.cfg.bnMode, reuse: true });
  const output = g.output;
  for (let i = 0; i < n; i++) output[i] = predictionFromOutput(s.net, cache.out[i]);
  let layers = null;
  if (withNeurons) {
    if (!g.layers || g.layersNet !== s.net) {
      g.layers = s.net.layers.slice(0, -1).map((L) => Array.from({ length: L.nOut }, () => new Float64Array(n)));
      g.layersNet = s.net;
    }
    layers = cache.layers.slice(0, -1).map((c, l) => columns(c.Out, n, s.net.layers[l].nOut, g.layers[l]));
  }
  return { inputs: g.inputs, layers, output };
}

function sqDist(a, b) {
  let t = 0;
  for (let j = 0; j < a.length; j++) for (let i = 0; i < a[j].length; i++) t += (a[j][i] - b[j][i]) ** 2;
  return t;
}

/**
 * Diagnostics at the current weights (no update): per-layer weight-gradient norms of the
 * full-batch data loss, and the gradient noise E‖g_B − g‖² / ‖g‖² over up to `maxBatches`
 * minibatches of the current batch size (one reshuffled pass; partial last batch dropped).
 */
export function diagnostics(s, maxBatches = 40) {
  const full = lossAndGrad(s.net, s.Xtr, s.ytr, s.ntr, { bnMode: "train" });
  const g = flatGrads(s.net, full.grads);
  const gn2 = sqDist(g, g.map((a) => new Float64Array(a.length)));
  const B = Math.max(1, Math.min(s.cfg.batch, s.ntr));
  let noise = 0;
  let nb = 0;
  if (B < s.ntr) {
    const idx = shuffle(Array.from({ length: s.ntr }, (_, i) => i), makeRng(s.epoch * 31 + 7));
    for (let from = 0; from + B <= s.ntr && nb < maxBatches; from += B, nb++) {
      const [Xb, yb, n] = gather(s.Xtr, s.ytr, s.d, idx, from, from + B);
      const r = lossAndGrad(s.net, Xb, yb, n, { bnMode: "train" });
      noise += sqDist(flatGrads(s.net, r.grads), g);
    }
    noise /= Math.max(1, nb);
  }
  return {
    gradNorms: layerGradNorms(full.grads),
    gradNorm2: gn2,
    noise,
    relNoise: gn2 > 0 ? noise / gn2 : 0,
    batches: nb,
  };
}
