// The frame loop's scheduling rules (docs/assets/playground/loop.js), on a fake clock: training starts
// an epoch only if the average epoch still fits before the redraw, and redraws are spaced so that their
// rate stays above 30/s on a 60 Hz display, also when a frame is missed.
import assert from "node:assert/strict";
import { test } from "node:test";

import { nextRedraw, targetInterval, trainUntil } from "../../docs/assets/playground/loop.js";
import { fromHash } from "../../docs/assets/playground/state.js";
import { createSession } from "../../docs/assets/playground/train.js";

/** A clock that advances `epochMs` per reading after the first: each epoch "takes" epochMs. */
function fakeClock(epochMs) {
  let t = 0;
  let first = true;
  return () => {
    if (first) first = false;
    else t += epochMs;
    return t;
  };
}

test("trainUntil: whole epochs while the average epoch fits before the deadline", () => {
  const s = createSession(fromHash(""));
  // 2 ms epochs, 10 ms to the deadline: epochs start at 0, 2, 4, 6, 8 (8 + 2 <= 10), none at 10
  const r = trainUntil(s, 10, 2, false, fakeClock(2));
  assert.equal(r.epochs, 5);
  assert.equal(s.epoch, 5);
  assert.equal(r.epochMs, 2);
  // an epoch that would end past the deadline is not started...
  assert.equal(trainUntil(s, 1.5, 2, false, fakeClock(2)).epochs, 0);
  // ...unless the frame has had none yet: then exactly one, and the average learns its real length
  const one = trainUntil(s, 1.5, 2, true, fakeClock(12));
  assert.equal(one.epochs, 1);
  assert.equal(one.epochMs, 0.8 * 2 + 0.2 * 12);
  assert.equal(s.epoch, 6);
});

test("trainUntil: stops when the session stops (early stopping, divergence)", () => {
  const s = createSession(fromHash("preset=early-stopping&patience=3&lr=0.03"));
  const r = trainUntil(s, 1e9, 0, false, fakeClock(0));
  assert.notEqual(s.status, "ok");
  assert.equal(r.epochs, s.epoch);
});

/** Redraw intervals (ms) over `n` redraws, each done on time unless listed in `late` (one frame later). */
function cadence(target, frameMs, n, late = new Set()) {
  let goal = null;
  let ts = 0;
  const gaps = [];
  for (let i = 0; i < n; i++) {
    const r = nextRedraw(goal, ts, target, frameMs);
    goal = r.goal;
    const at = r.due + (late.has(i) ? frameMs : 0);
    gaps.push(at - ts);
    ts = at;
  }
  return gaps;
}
const rate = (gaps) => (1000 * gaps.length) / gaps.reduce((a, b) => a + b, 0);

test("nextRedraw: whole display frames, averaging the target interval", () => {
  const f60 = 1000 / 60;
  // small networks at 60 Hz: one- and two-frame intervals, 34 redraws/s (fixed two frames gave 30)
  const small = cadence(targetInterval(3), f60, 360);
  assert.ok(small.every((g) => Math.abs(g - f60) < 1e-6 || Math.abs(g - 2 * f60) < 1e-6));
  assert.ok(Math.abs(rate(small) - 34) < 0.5, `${rate(small)}`);
  // a missed frame every 10th redraw: the goal catches up, still ~34/s (a fixed two-frame cadence gives 27.3/s)
  const late = new Set(Array.from({ length: 36 }, (_, k) => 10 * k));
  assert.ok(rate(cadence(targetInterval(3), f60, 360, late)) >= 33.5, `${rate(cadence(targetInterval(3), f60, 360, late))}`);
  // slower redraws: 32/s, then 20/s; at 120 Hz small networks keep about 34/s
  assert.ok(Math.abs(rate(cadence(targetInterval(8), f60, 120)) - 32) < 0.5);
  assert.ok(Math.abs(rate(cadence(targetInterval(20), f60, 120)) - 20) < 0.1);
  assert.ok(Math.abs(rate(cadence(targetInterval(3), 1000 / 120, 360)) - 34) < 1);
  // after a long stall (hidden tab) the goal starts anew instead of racing to catch up
  const r = nextRedraw(0, 5000, 25, f60);
  assert.ok(r.goal === 5025 && r.due - 5000 >= f60);
});
