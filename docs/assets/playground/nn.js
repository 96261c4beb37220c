// The network: fully connected layers with optional batch norm and residual (skip) connections,
// forward and backward on a batch (row-major Float64Array n x units), losses, L1/L2 penalties and
// weight initializations. Pure functions: no DOM, runs under Node.
//
// Hidden layer l:  Z = A_prev Wᵀ + b;  H = BN(Z) if bn else Z;  Y = act(H);
//                  Out = Y + skip(A_prev) if residual (l ≥ 1), else Y.
// skip(A_prev) is the identity where widths match; otherwise the first min(n_in, n_out) units are
// carried over and the rest zero-padded / dropped (ResNet's "option A" shortcut).
// Output layer: one unit, Z = A Wᵀ + b, then tanh (classification, squared error), identity
// (regression, or classification with sigmoid + binary cross-entropy: the sigmoid is in the loss).

import { normalRandom, randUniform } from "./data.js";

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Activations: f(h) and f'(h) given h and y = f(h). ReLU'(0) = 0 as in torch. */
export const ACTIVATIONS = {
  relu: { f: (x) => (x > 0 ? x : 0), df: (h) => (h > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, df: (h, y) => 1 - y * y },
  sigmoid: { f: sigmoid, df: (h, y) => y * (1 - y) },
  linear: { f: (x) => x, df: () => 1 },
};

// Monomorphic loops per activation (the hot path); ACTIVATIONS above is the reference they must match
// (tests/js/gradcheck.test.mjs swaps a derivative there to prove the check can fail, so the loops
// defer to ACTIVATIONS whenever an entry was replaced).
const BUILTIN = Object.fromEntries(Object.entries(ACTIVATIONS).map(([k, v]) => [k, { f: v.f, df: v.df }]));

function applyActivation(act, H, Y) {
  const n = H.length;
  const a = ACTIVATIONS[act];
  if (a.f !== BUILTIN[act].f) {
    for (let i = 0; i < n; i++) Y[i] = a.f(H[i]);
  } else if (act === "tanh") {
    for (let i = 0; i < n; i++) Y[i] = Math.tanh(H[i]);
  } else if (act === "relu") {
    for (let i = 0; i < n; i++) Y[i] = H[i] > 0 ? H[i] : 0;
  } else if (act === "sigmoid") {
    for (let i = 0; i < n; i++) {
      const x = H[i];
      if (x >= 0) Y[i] = 1 / (1 + Math.exp(-x));
      else {
        const e = Math.exp(x);
        Y[i] = e / (1 + e);
      }
    }
  } else {
    Y.set(H);
  }
}

function activationBackward(act, dA, H, Y, dH) {
  const n = dH.length;
  const a = ACTIVATIONS[act];
  if (a.df !== BUILTIN[act].df) {
    for (let i = 0; i < n; i++) dH[i] = dA[i] * a.df(H[i], Y[i]);
  } else if (act === "tanh") {
    for (let i = 0; i < n; i++) dH[i] = dA[i] * (1 - Y[i] * Y[i]);
  } else if (act === "relu") {
    for (let i = 0; i < n; i++) dH[i] = H[i] > 0 ? dA[i] : 0;
  } else if (act === "sigmoid") {
    for (let i = 0; i < n; i++) dH[i] = dA[i] * Y[i] * (1 - Y[i]);
  } else {
    dH.set(dA.subarray(0, n));
  }
}

export const INITS = ["tf", "torch", "xavier", "kaiming"];

/** Output activation and loss for a problem/loss choice. */
export function outputFor(problem, loss) {
  if (problem === "regression") return { outAct: "linear", loss: "square" };
  return loss === "bce" ? { outAct: "linear", loss: "bce" } : { outAct: "tanh", loss: "square" };
}

/**
 * Build a network.
 * spec: {nInputs, hidden: [sizes], activation, bn: [bool per hidden layer], residual, init, problem, loss}
 */
export function buildNet(spec, rng) {
  const { nInputs, hidden, activation = "tanh", residual = false, init = "tf", problem = "classification" } = spec;
  const bn = spec.bn || [];
  const { outAct, loss } = outputFor(problem, spec.loss);
  const sizes = [nInputs, ...hidden, 1];
  const layers = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l];
    const nOut = sizes[l + 1];
    const isOut = l === sizes.length - 2;
    const L = {
      nIn,
      nOut,
      W: new Float64Array(nOut * nIn),
      b: new Float64Array(nOut),
      act: isOut ? outAct : activation,
      bn: !isOut && !!bn[l],
      residual: !isOut && residual && l >= 1,
    };
    if (L.bn) {
      L.gamma = new Float64Array(nOut).fill(1);
      L.beta = new Float64Array(nOut);
      L.runMean = new Float64Array(nOut);
      L.runVar = new Float64Array(nOut).fill(1);
    }
    initLayer(L, init, rng);
    layers.push(L);
  }
  return { layers, loss, outAct, problem, nInputs };
}

/** Weight init: tf = U(±0.5), bias 0.1 (TF Playground); torch = U(±1/√fan_in) weights and bias;
 * xavier = U(±√(6/(fan_in+fan_out))), bias 0; kaiming = N(0, 2/fan_in), bias 0. */
export function initLayer(L, init, rng) {
  const { nIn, nOut, W, b } = L;
  for (let i = 0; i < W.length; i++) {
    if (init === "tf") W[i] = rng() - 0.5;
    else if (init === "torch") W[i] = randUniform(rng, -1, 1) / Math.sqrt(nIn);
    else if (init === "xavier") W[i] = randUniform(rng, -1, 1) * Math.sqrt(6 / (nIn + nOut));
    else if (init === "kaiming") W[i] = normalRandom(rng, 0, 2 / nIn);
    else throw new Error(`unknown init ${init}`);
  }
  for (let i = 0; i < b.length; i++) {
    if (init === "tf") b[i] = 0.1;
    else if (init === "torch") b[i] = randUniform(rng, -1, 1) / Math.sqrt(nIn);
    else b[i] = 0;
  }
}

/** The trainable parameters as a flat list of arrays (order: W, b, [gamma, beta] per layer). */
export function parameters(net) {
  const ps = [];
  for (const L of net.layers) {
    ps.push(L.W, L.b);
    if (L.bn) ps.push(L.gamma, L.beta);
  }
  return ps;
}

export function cloneNet(net) {
  const copy = (a) => (a ? Float64Array.from(a) : a);
  return {
    ...net,
    layers: net.layers.map((L) => ({
      ...L,
      W: copy(L.W),
      b: copy(L.b),
      gamma: copy(L.gamma),
      beta: copy(L.beta),
      runMean: copy(L.runMean),
      runVar: copy(L.runVar),
    })),
  };
}

// Scratch buffers per network and batch size, reused across steps so training allocates nothing per
// minibatch (garbage collection took a third of the time). A WeakMap, not a property of the net, so
// cloneNet's copies never share them. A cache or gradients from a `reuse` call are overwritten by the
// next `reuse` call on the same net and batch size.
const SCRATCH = new WeakMap();

function scratchFor(net, n) {
  let byN = SCRATCH.get(net);
  if (!byN) SCRATCH.set(net, (byN = new Map()));
  let ws = byN.get(n);
  if (!ws) {
    ws = {
      cache: { n, X: null, bnMode: "train", layers: [], out: null, ws: null },
      fwd: net.layers.map((L) => ({
        Z: new Float64Array(n * L.nOut),
        H: L.bn ? new Float64Array(n * L.nOut) : null,
        xhat: L.bn ? new Float64Array(n * L.nOut) : null,
        invstd: L.bn ? new Float64Array(L.nOut) : null,
        Y: new Float64Array(n * L.nOut),
        Out: L.residual ? new Float64Array(n * L.nOut) : null,
      })),
      bwd: null, // allocated by the first backward at this batch size
      dOut: new Float64Array(n),
    };
    ws.cache.ws = ws;
    byN.set(n, ws);
  }
  return ws;
}

function backwardScratch(net, ws, n) {
  if (!ws.bwd) {
    ws.bwd = net.layers.map((L) => ({
      dH: new Float64Array(n * L.nOut),
      dZ: L.bn ? new Float64Array(n * L.nOut) : null,
      dPrev: new Float64Array(n * L.nIn),
      g: {
        dW: new Float64Array(L.nOut * L.nIn),
        db: new Float64Array(L.nOut),
        ...(L.bn ? { dgamma: new Float64Array(L.nOut), dbeta: new Float64Array(L.nOut) } : {}),
      },
    }));
  }
  return ws.bwd;
}

/**
 * Forward pass on X (n x nInputs). bnMode "train" normalizes with the batch statistics (and, with
 * updateStats, updates the running statistics as torch does: momentum 0.1, unbiased variance);
 * "eval" uses the running statistics. Returns a cache for backward; cache.out is n x 1.
 * reuse: compute into the net's scratch buffers for this n (no allocation; see SCRATCH).
 */
export function forward(net, X, n, { bnMode = "train", updateStats = false, reuse = false } = {}) {
  const ws = reuse ? scratchFor(net, n) : null;
  const cache = ws ? ws.cache : { n, X, bnMode, layers: [] };
  cache.X = X;
  cache.bnMode = bnMode;
  cache.layers.length = 0;
  let A = X;
  for (let l = 0; l < net.layers.length; l++) {
    const L = net.layers[l];
    const buf = ws ? ws.fwd[l] : null;
    const { nIn, nOut, W, b } = L;
    const Z = buf ? buf.Z : new Float64Array(n * nOut);
    for (let i = 0; i < n; i++) {
      const ai = i * nIn;
      const zi = i * nOut;
      for (let o = 0; o < nOut; o++) {
        let s = b[o];
        const wo = o * nIn;
        for (let k = 0; k < nIn; k++) s += A[ai + k] * W[wo + k];
        Z[zi + o] = s;
      }
    }
    let H = Z;
    let bnc = null;
    if (L.bn) {
      H = buf ? buf.H : new Float64Array(n * nOut);
      const xhat = buf ? buf.xhat : new Float64Array(n * nOut);
      const invstd = buf ? buf.invstd : new Float64Array(nOut);
      const train = bnMode === "train";
      for (let o = 0; o < nOut; o++) {
        let mean;
        let v;
        if (train) {
          mean = 0;
          for (let i = 0; i < n; i++) mean += Z[i * nOut + o];
          mean /= n;
          v = 0;
          for (let i = 0; i < n; i++) v += (Z[i * nOut + o] - mean) ** 2;
          v /= n;
          if (updateStats) {
            L.runMean[o] = (1 - BN_MOMENTUM) * L.runMean[o] + BN_MOMENTUM * mean;
            const unbiased = n > 1 ? (v * n) / (n - 1) : v;
            L.runVar[o] = (1 - BN_MOMENTUM) * L.runVar[o] + BN_MOMENTUM * unbiased;
          }
        } else {
          mean = L.runMean[o];
          v = L.runVar[o];
        }
        const is = 1 / Math.sqrt(v + BN_EPS);
        invstd[o] = is;
        for (let i = 0; i < n; i++) {
          const xh = (Z[i * nOut + o] - mean) * is;
          xhat[i * nOut + o] = xh;
          H[i * nOut + o] = L.gamma[o] * xh + L.beta[o];
        }
      }
      bnc = { xhat, invstd, train };
    }
    const Y = buf ? buf.Y : new Float64Array(n * nOut);
    applyActivation(L.act, H, Y);
    let Out = Y;
    if (L.residual) {
      Out = buf ? buf.Out : new Float64Array(n * nOut);
      Out.set(Y);
      const k = Math.min(nIn, nOut);
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) Out[i * nOut + j] += A[i * nIn + j];
    }
    cache.layers.push({ A, Z, H, Y, Out, bnc });
    A = Out;
  }
  cache.out = A;
  return cache;
}

/** Network output -> prediction in [-1, 1] (classification) or the value (regression). */
export function predictionFromOutput(net, z) {
  return net.loss === "bce" ? 2 * sigmoid(z) - 1 : z;
}

/** Mean data loss and its gradient w.r.t. the network output (n x 1). Labels y in {-1,1} or real. */
export function dataLoss(net, out, y, n, d = new Float64Array(n)) {
  let loss = 0;
  if (net.loss === "bce") {
    for (let i = 0; i < n; i++) {
      const z = out[i];
      const t = (y[i] + 1) / 2;
      loss += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      d[i] = (sigmoid(z) - t) / n;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const e = out[i] - y[i];
      loss += 0.5 * e * e;
      d[i] = e / n;
    }
  }
  return { loss: loss / n, dOut: d };
}

/** Penalty over all weight matrices (not biases, not BN): L2 = rate·½Σw², L1 = rate·Σ|w|. */
export function penalty(net, reg, rate) {
  if (reg === "none" || !rate) return 0;
  let s = 0;
  for (const L of net.layers) {
    const W = L.W;
    if (reg === "L2") for (let i = 0; i < W.length; i++) s += 0.5 * W[i] * W[i];
    else for (let i = 0; i < W.length; i++) s += Math.abs(W[i]);
  }
  return rate * s;
}

/** Backward from dOut (n x 1). Returns {layers: [{dW, db, dgamma, dbeta}], dX}. A cache from a `reuse`
 * forward computes into the same scratch (the gradients are overwritten by the next such backward). */
export function backward(net, cache, dOut) {
  const n = cache.n;
  const scratch = cache.ws ? backwardScratch(net, cache.ws, n) : null;
  const grads = new Array(net.layers.length);
  let dA = dOut;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const L = net.layers[l];
    const c = cache.layers[l];
    const buf = scratch ? scratch[l] : null;
    const { nIn, nOut, W } = L;
    const dH = buf ? buf.dH : new Float64Array(n * nOut);
    activationBackward(L.act, dA, c.H, c.Y, dH);
    let g;
    if (buf) {
      g = buf.g;
      g.dW.fill(0);
      g.db.fill(0);
    } else {
      g = { dW: new Float64Array(nOut * nIn), db: new Float64Array(nOut) };
    }
    let dZ = dH;
    if (L.bn) {
      const { xhat, invstd, train } = c.bnc;
      if (!buf) {
        g.dgamma = new Float64Array(nOut);
        g.dbeta = new Float64Array(nOut);
      }
      dZ = buf ? buf.dZ : new Float64Array(n * nOut);
      for (let o = 0; o < nOut; o++) {
        let sg = 0;
        let sb = 0;
        for (let i = 0; i < n; i++) {
          sg += dH[i * nOut + o] * xhat[i * nOut + o];
          sb += dH[i * nOut + o];
        }
        g.dgamma[o] = sg;
        g.dbeta[o] = sb;
        const gam = L.gamma[o];
        const is = invstd[o];
        if (train) {
          // dxhat = dH·γ; dZ = (1/n)·invstd·(n·dxhat − Σdxhat − xhat·Σ(dxhat·xhat))
          const sdx = sb * gam;
          const sdxx = sg * gam;
          for (let i = 0; i < n; i++) {
            const dx = dH[i * nOut + o] * gam;
            dZ[i * nOut + o] = (is / n) * (n * dx - sdx - xhat[i * nOut + o] * sdxx);
          }
        } else {
          for (let i = 0; i < n; i++) dZ[i * nOut + o] = dH[i * nOut + o] * gam * is;
        }
      }
    }
    const A = c.A;
    const dPrev = buf ? buf.dPrev : new Float64Array(n * nIn);
    if (buf) dPrev.fill(0);
    const { dW, db } = g;
    for (let i = 0; i < n; i++) {
      const ai = i * nIn;
      const zi = i * nOut;
      for (let o = 0; o < nOut; o++) {
        const dz = dZ[zi + o];
        if (dz === 0) continue;
        db[o] += dz;
        const wo = o * nIn;
        for (let k = 0; k < nIn; k++) {
          dW[wo + k] += dz * A[ai + k];
          dPrev[ai + k] += dz * W[wo + k];
        }
      }
    }
    if (L.residual) {
      const k = Math.min(nIn, nOut);
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) dPrev[i * nIn + j] += dA[i * nOut + j];
    }
    grads[l] = g;
    dA = dPrev;
  }
  return { layers: grads, dX: dA };
}

/** Add the penalty's (sub)gradient to the weight gradients in place; sign(0) = 0 as torch. */
export function addPenaltyGrad(net, grads, reg, rate) {
  if (reg === "none" || !rate) return;
  net.layers.forEach((L, l) => {
    const dW = grads.layers[l].dW;
    for (let i = 0; i < dW.length; i++) dW[i] += rate * (reg === "L2" ? L.W[i] : Math.sign(L.W[i]));
  });
}

/** Gradients as a flat list matching parameters(net). */
export function flatGrads(net, grads) {
  const gs = [];
  net.layers.forEach((L, l) => {
    const g = grads.layers[l];
    gs.push(g.dW, g.db);
    if (L.bn) gs.push(g.dgamma, g.dbeta);
  });
  return gs;
}

/**
 * Objective (mean data loss + penalty) and its gradients on a batch.
 * Returns {loss, dataLoss, grads, cache}. reuse: into the net's scratch buffers (see forward).
 */
export function lossAndGrad(
  net, X, y, n, { reg = "none", rate = 0, bnMode = "train", updateStats = false, reuse = false } = {},
) {
  const cache = forward(net, X, n, { bnMode, updateStats, reuse });
  const { loss, dOut } = dataLoss(net, cache.out, y, n, reuse ? cache.ws.dOut : undefined);
  const grads = backward(net, cache, dOut);
  addPenaltyGrad(net, grads, reg, rate);
  return { loss: loss + penalty(net, reg, rate), dataLoss: loss, grads, cache };
}

/** Mean data loss on a set (no penalty): what the loss chart shows. */
export function evalLoss(net, X, y, n, bnMode = "eval") {
  if (n === 0) return NaN;
  const cache = forward(net, X, n, { bnMode, reuse: true });
  return dataLoss(net, cache.out, y, n, cache.ws.dOut).loss;
}

/** Frobenius norm of each layer's weight gradient. */
export function layerGradNorms(grads) {
  return grads.layers.map((g) => Math.sqrt(g.dW.reduce((s, v) => s + v * v, 0)));
}
