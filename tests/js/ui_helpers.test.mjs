// The playground view helpers that need no DOM: axis ticks and their labels (docs/assets/playground/dom.js).
import assert from "node:assert/strict";
import test from "node:test";

import { epochTicks, niceTicks, tickLabel } from "../../docs/assets/playground/dom.js";

test("niceTicks: round steps (1, 2, 5 x 10^k) inside the range, about `count` of them", () => {
  assert.deepEqual(niceTicks(-6, 6, 5), [-5, 0, 5]);
  assert.deepEqual(niceTicks(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(1, 3, 5), [1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(niceTicks(1, 200, 5), [50, 100, 150, 200]);
  assert.deepEqual(niceTicks(0, 0.51, 3), [0, 0.5]);
  assert.deepEqual(niceTicks(2, 2), [2]);
  // no multiple of 0.01 (the step for 2 ticks) inside: the next smaller round steps, until 2 fit
  assert.deepEqual(niceTicks(-161.0079, -161.0016, 2), [-161.006, -161.004, -161.002]);
  // 999 epochs: the step 500 (nearest 998 / 4) leaves one tick; 200 gives four
  assert.deepEqual(niceTicks(1, 999, 5), [200, 400, 600, 800]);
  // every range: ticks inside it, evenly spaced by a round step, at least min(count, max(2, ceil(count/2))),
  // at most 2x the count asked
  for (let i = 0; i < 2000; i++) {
    const lo = (Math.sin(i) * 10) ** 3;
    const hi = lo + Math.abs(Math.cos(i * 7)) * 10 ** ((i % 9) - 3) + 1e-6;
    const count = 2 + (i % 5);
    const t = niceTicks(lo, hi, count);
    assert.ok(t.length <= 2 * count + 1, `${lo} ${hi}: ${t.length}`);
    assert.ok(t.length >= Math.min(count, Math.max(2, Math.ceil(count / 2))), `${lo} ${hi} ${count}: ${t}`);
    const step = t.length > 1 ? t[1] - t[0] : null;
    for (let k = 0; k < t.length; k++) {
      const tol = (hi - lo) * 1e-6;
      assert.ok(t[k] >= lo - tol && t[k] <= hi + tol, `${lo} ${hi}: ${t[k]}`);
      if (k > 0) assert.ok(Math.abs(t[k] - t[k - 1] - step) <= Math.abs(step) * 1e-6);
    }
    if (step) {
      const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      assert.ok([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-6), `step ${step}`);
    }
  }
});

test("epochTicks: every history length 1..5000 gets whole epochs in [1, n], evenly spaced, at least min(n, 3), the last within one step of n", () => {
  assert.deepEqual(epochTicks(0), []);
  assert.deepEqual(epochTicks(1), [1]);
  assert.deepEqual(epochTicks(2), [1, 2]);
  assert.deepEqual(epochTicks(3), [1, 2, 3]);
  assert.deepEqual(epochTicks(900), [200, 400, 600, 800]); // niceTicks once gave [500] here
  for (let n = 1; n <= 5000; n++) {
    const t = epochTicks(n);
    assert.ok(t.length >= Math.min(n, 3) && t.length <= 9, `n=${n}: ${t}`);
    assert.ok(t.every((e) => Number.isInteger(e) && e >= 1 && e <= n), `n=${n}: ${t}`);
    const step = t.length > 1 ? t[1] - t[0] : 1;
    assert.ok(t.every((e, k) => k === 0 || e - t[k - 1] === step), `n=${n}: uneven ${t}`);
    assert.ok(n - t.at(-1) < step, `n=${n}: last tick ${t.at(-1)}, step ${step}`);
  }
});

test("tickLabel: short, a real minus sign, exponents for tiny and huge values", () => {
  assert.equal(tickLabel(0), "0");
  assert.equal(tickLabel(-5), "−5");
  assert.equal(tickLabel(0.5), "0.5");
  assert.equal(tickLabel(1 / 3), "0.333");
  assert.equal(tickLabel(0.001), "1e−3");
  assert.equal(tickLabel(-0.001), "−1e−3");
  assert.equal(tickLabel(250000), "3e+5");
  assert.equal(tickLabel(150), "150");
});
