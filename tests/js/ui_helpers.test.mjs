// The playground view helpers that need no DOM: axis ticks and their labels (docs/assets/playground/dom.js).
import assert from "node:assert/strict";
import test from "node:test";

import { niceTicks, tickLabel } from "../../docs/assets/playground/dom.js";

test("niceTicks: round steps (1, 2, 5 x 10^k) inside the range, about `count` of them", () => {
  assert.deepEqual(niceTicks(-6, 6, 5), [-5, 0, 5]);
  assert.deepEqual(niceTicks(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(niceTicks(1, 3, 5), [1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(niceTicks(1, 200, 5), [50, 100, 150, 200]);
  assert.deepEqual(niceTicks(0, 0.51, 3), [0, 0.5]);
  assert.deepEqual(niceTicks(2, 2), [2]);
  assert.deepEqual(niceTicks(-161.0079, -161.0016, 2), []); // no multiple of 0.01 inside
  // every range: ticks inside it, evenly spaced by a round step, at most 2x the count asked
  for (let i = 0; i < 2000; i++) {
    const lo = (Math.sin(i) * 10) ** 3;
    const hi = lo + Math.abs(Math.cos(i * 7)) * 10 ** ((i % 9) - 3) + 1e-6;
    const count = 2 + (i % 5);
    const t = niceTicks(lo, hi, count);
    assert.ok(t.length <= 2 * count + 1, `${lo} ${hi}: ${t.length}`);
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
