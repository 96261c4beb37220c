// The engine's fast paths change no result: scratch-buffer reuse gives the same numbers as fresh
// allocation, clones never share scratch, and the flush of tiny values removes subnormal weights.
import assert from "node:assert/strict";
import { test } from "node:test";

import { makeRng } from "../../docs/assets/playground/data.js";
import { buildNet, cloneNet, flatGrads, lossAndGrad } from "../../docs/assets/playground/nn.js";
import { FLUSH_BELOW, makeOptimizer, step } from "../../docs/assets/playground/optim.js";
import { fromHash } from "../../docs/assets/playground/state.js";
import { createSession, trainFor } from "../../docs/assets/playground/train.js";

const spec = { nInputs: 3, hidden: [5, 4], activation: "tanh", bn: [true, false], residual: true, init: "torch" };

function batch(n, seed) {
  const rng = makeRng(seed);
  return [Float64Array.from({ length: 3 * n }, () => rng() * 4 - 2), Float64Array.from({ length: n }, () => (rng() < 0.5 ? -1 : 1))];
}

test("scratch reuse: same loss and gradients as fresh allocation, batch after batch", () => {
  const a = buildNet(spec, makeRng(3));
  const b = cloneNet(a);
  for (const [n, seed] of [[8, 1], [5, 2], [8, 3], [1, 4]]) {
    const [X, y] = batch(n, seed);
    const ra = lossAndGrad(a, X, y, n, { reg: "L2", rate: 0.01, updateStats: true, reuse: true });
    const rb = lossAndGrad(b, X, y, n, { reg: "L2", rate: 0.01, updateStats: true });
    assert.equal(ra.loss, rb.loss);
    assert.deepEqual(flatGrads(a, ra.grads).map((g) => Array.from(g)), flatGrads(b, rb.grads).map((g) => Array.from(g)));
    assert.deepEqual(Array.from(ra.cache.out), Array.from(rb.cache.out));
  }
});

test("clones train independently of the net they were cloned from (no shared scratch)", () => {
  const s = createSession(fromHash("hidden=4,3&bn=11&seed=5"));
  const t = createSession(fromHash("hidden=4,3&bn=11&seed=5"));
  trainFor(s, 3);
  trainFor(t, 3);
  const clone = cloneNet(s.net);
  trainFor(s, 3); // the original trains on; the clone must keep its weights
  assert.deepEqual(Array.from(clone.layers[0].W), Array.from(t.net.layers[0].W));
  trainFor(t, 3);
  assert.deepEqual(s.history, t.history);
});

test("flush: updates below FLUSH_BELOW become 0, larger ones are untouched (SGD, momentum, Adam)", () => {
  for (const kind of ["sgd", "momentum", "adam"]) {
    const p = [Float64Array.from([1e-310, 1e-31, 1e-20, 0.5])];
    const g = [new Float64Array(4)];
    const opt = makeOptimizer(kind, p);
    step(opt, p, g, 0.1);
    assert.deepEqual(Array.from(p[0]), [0, 0, 1e-20, 0.5], kind);
  }
  assert.equal(FLUSH_BELOW, 1e-30);
});

test("L2 on dead ReLU units: weights decay to exact zeros, never to subnormals", () => {
  const s = createSession(fromHash("activation=relu&reg=L2&regRate=0.3&lr=0.3&hidden=8,8"));
  trainFor(s, 400); // without the flush, 18 weights end between 0 and 2.3e-308 here
  const ws = s.net.layers.flatMap((L) => Array.from(L.W));
  assert.equal(ws.filter((w) => w !== 0 && Math.abs(w) < 2.3e-308).length, 0);
  assert.ok(ws.filter((w) => w === 0).length > 0, "some weights decayed all the way");
});
