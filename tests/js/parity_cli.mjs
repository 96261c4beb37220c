// Runs the playground engine for tests/test_playground_parity.py: reads a JSON request on stdin,
// writes JSON results on stdout. Not a test file itself (node --test skips this name).
//   {"cases": [...]}      forward / backward / optimizer steps from an engine-initialized network
//   {"schedules": [...]}  learning rate per epoch
//   {"exports": [...]}    train a session, export the PyTorch script, predict at given points
//   {"inits": [...]}      one layer's initial weights and biases
//   {"trainingExports": [...]}  train a session, export the PyTorch training script, return its loss curve
import { readFileSync } from "node:fs";

import { makeRng } from "../../docs/assets/playground/data.js";
import { toPyTorch, toPyTorchTraining } from "../../docs/assets/playground/export.js";
import { buildNet, flatGrads, forward, initLayer, layerGradNorms, lossAndGrad, parameters } from "../../docs/assets/playground/nn.js";
import { makeOptimizer, scheduledLr, step } from "../../docs/assets/playground/optim.js";
import { fromHash } from "../../docs/assets/playground/state.js";
import { createSession, editParam, predictPoints, trainFor } from "../../docs/assets/playground/train.js";

const arr = (a) => (a ? Array.from(a) : null);
const snapshot = (net) =>
  net.layers.map((L) => ({
    in: L.nIn,
    out: L.nOut,
    W: arr(L.W),
    b: arr(L.b),
    act: L.act,
    residual: L.residual,
    bn: L.bn,
    gamma: arr(L.gamma),
    beta: arr(L.beta),
    runMean: arr(L.runMean),
    runVar: arr(L.runVar),
  }));

function runCase(c) {
  const net = buildNet(c.spec, makeRng(c.seed));
  const X = Float64Array.from(c.X);
  const y = Float64Array.from(c.y);
  const init = snapshot(net);
  const opt = makeOptimizer(c.optimizer, parameters(net));
  const steps = [];
  for (let k = 0; k < c.steps; k++) {
    const r = lossAndGrad(net, X, y, c.n, { reg: c.reg, rate: c.rate, bnMode: "train", updateStats: true });
    const grads = flatGrads(net, r.grads).map(arr);
    const gradNorms = layerGradNorms(r.grads);
    step(opt, parameters(net), flatGrads(net, r.grads), c.lr);
    steps.push({ out: arr(r.cache.out), loss: r.loss, grads, gradNorms, after: snapshot(net) });
  }
  const evalOut = arr(forward(net, X, c.n, { bnMode: "eval" }).out);
  return { init, steps, evalOut };
}

function runExport(e) {
  const s = createSession(fromHash(e.hash));
  trainFor(s, e.epochs);
  return { snippet: toPyTorch(s, e.points), predictions: predictPoints(s, e.points.map(([x, y]) => ({ x, y }))), epoch: s.epoch };
}

function runTrainingExport(e) {
  const s = createSession(fromHash(e.hash));
  let done = 0;
  for (const edit of e.edits || []) {
    trainFor(s, edit.after - done);
    done = edit.after;
    editParam(s, edit);
  }
  trainFor(s, e.epochs - done);
  return {
    script: toPyTorchTraining(s),
    history: s.history,
    epoch: s.epoch,
    status: s.status,
    predictions: predictPoints(s, e.points.map(([x, y]) => ({ x, y }))),
  };
}

const req = JSON.parse(readFileSync(0, "utf8"));
const res = {};
if (req.cases) res.cases = req.cases.map(runCase);
if (req.schedules) res.schedules = req.schedules.map((q) => Array.from({ length: q.epochs }, (_, e) => scheduledLr(q.lr, q.schedule, e, q)));
if (req.exports) res.exports = req.exports.map(runExport);
if (req.trainingExports) res.trainingExports = req.trainingExports.map(runTrainingExport);
if (req.inits) {
  res.inits = req.inits.map((q) => {
    const L = { nIn: q.nIn, nOut: q.nOut, W: new Float64Array(q.nIn * q.nOut), b: new Float64Array(q.nOut) };
    initLayer(L, q.init, makeRng(q.seed));
    return { W: Array.from(L.W), b: Array.from(L.b) };
  });
}
process.stdout.write(JSON.stringify(res));
