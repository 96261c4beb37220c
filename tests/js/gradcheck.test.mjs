// Finite-difference gradient checks of the playground engine: every activation, batch norm in
// train and eval mode, residual connections (equal and unequal widths), both classification losses
// and regression, L1/L2 penalties. Central differences in float64.
import assert from "node:assert/strict";
import { test } from "node:test";

import { makeRng } from "../../docs/assets/playground/data.js";
import { ACTIVATIONS, buildNet, forward, dataLoss, lossAndGrad, parameters, penalty, flatGrads } from "../../docs/assets/playground/nn.js";

const H = 1e-6;
// Central differences have truncation error ~H²·f''' and round-off ~1e-16/H ≈ 1e-10 here;
// 1e-6 relative (floored at 1) separates a correct gradient from a wrong one by orders of magnitude.
const TOL = 1e-6;

function objective(net, X, y, n, opts) {
  const c = forward(net, X, n, { bnMode: opts.bnMode });
  return dataLoss(net, c.out, y, n).loss + penalty(net, opts.reg, opts.rate);
}

function randomBatch(rng, n, d, problem) {
  const X = Float64Array.from({ length: n * d }, () => rng() * 4 - 2);
  const y = Float64Array.from({ length: n }, () => (problem === "regression" ? rng() * 2 - 1 : rng() < 0.5 ? -1 : 1));
  return { X, y };
}

function checkCase({ activation, bn, bnMode, residual, problem, loss, reg, hidden }) {
  const rng = makeRng(12345);
  const d = 3;
  const n = 7;
  const net = buildNet({ nInputs: d, hidden, activation, bn: hidden.map(() => bn), residual, init: "torch", problem, loss }, rng);
  // Move BN parameters and running statistics away from their identity values so they matter.
  for (const L of net.layers) {
    if (!L.bn) continue;
    for (let i = 0; i < L.nOut; i++) {
      L.gamma[i] = 0.5 + rng();
      L.beta[i] = rng() - 0.5;
      L.runMean[i] = rng() - 0.5;
      L.runVar[i] = 0.5 + rng();
    }
  }
  const { X, y } = randomBatch(rng, n, d, problem);
  const opts = { reg, rate: reg === "none" ? 0 : 0.07, bnMode };
  const r = lossAndGrad(net, X, y, n, opts);
  assert.ok(Math.abs(r.loss - objective(net, X, y, n, opts)) < 1e-12, "loss reported = objective");
  const params = parameters(net);
  const grads = flatGrads(net, r.grads);
  let worst = 0;
  params.forEach((p, j) => {
    for (let i = 0; i < p.length; i++) {
      const old = p[i];
      p[i] = old + H;
      const fp = objective(net, X, y, n, opts);
      p[i] = old - H;
      const fm = objective(net, X, y, n, opts);
      p[i] = old;
      const num = (fp - fm) / (2 * H);
      const err = Math.abs(num - grads[j][i]) / Math.max(1, Math.abs(num), Math.abs(grads[j][i]));
      worst = Math.max(worst, err);
      assert.ok(err < TOL, `param ${j}[${i}]: analytic ${grads[j][i]} vs numeric ${num}`);
    }
  });
  // gradient w.r.t. the input too (checks the residual and BN paths back to layer 0)
  for (let i = 0; i < X.length; i++) {
    const old = X[i];
    X[i] = old + H;
    const fp = objective(net, X, y, n, opts);
    X[i] = old - H;
    const fm = objective(net, X, y, n, opts);
    X[i] = old;
    const num = (fp - fm) / (2 * H);
    const err = Math.abs(num - r.grads.dX[i]) / Math.max(1, Math.abs(num));
    assert.ok(err < TOL, `dX[${i}]: analytic ${r.grads.dX[i]} vs numeric ${num}`);
  }
  return worst;
}

const heads = [
  { problem: "classification", loss: "square" },
  { problem: "classification", loss: "bce" },
  { problem: "regression", loss: "square" },
];
const norms = [
  { bn: false, bnMode: "train" },
  { bn: true, bnMode: "train" },
  { bn: true, bnMode: "eval" },
];

for (const activation of ["relu", "tanh", "sigmoid", "linear"]) {
  for (const head of heads) {
    for (const norm of norms) {
      for (const residual of [false, true]) {
        for (const reg of ["none", "L1", "L2"]) {
          const name = `${activation} ${head.problem}/${head.loss} bn=${norm.bn ? norm.bnMode : "off"} residual=${residual} reg=${reg}`;
          test(`finite differences: ${name}`, () => {
            // widths 5,5 (identity skip), 3 (narrowing skip), 4 (widening skip)
            checkCase({ activation, ...head, ...norm, residual, reg, hidden: [5, 5, 3, 4] });
          });
        }
      }
    }
  }
}

test("the check catches a wrong derivative (tanh' replaced by 1)", () => {
  const saved = ACTIVATIONS.tanh.df;
  ACTIVATIONS.tanh.df = () => 1;
  try {
    assert.throws(() => checkCase({ activation: "tanh", problem: "regression", loss: "square", bn: false, bnMode: "train",
      residual: false, reg: "none", hidden: [3] }), /analytic/);
  } finally {
    ACTIVATIONS.tanh.df = saved;
  }
});
