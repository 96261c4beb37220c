// Engine behaviour beyond gradients: data, features, CSV, state <-> URL, optimizers, schedules,
// inits, batch norm statistics, the epoch loop, early stopping, divergence, diagnostics, export.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  columnStats,
  DATASETS,
  featurize,
  generate,
  makeRng,
  parseCsv,
  split,
  UNSCALED,
} from "../../docs/assets/playground/data.js";
import { toJSON, toPyTorch, toPyTorchTraining } from "../../docs/assets/playground/export.js";
import { buildNet, forward, initLayer, lossAndGrad, parameters, BN_MOMENTUM } from "../../docs/assets/playground/nn.js";
import { ADAM, makeOptimizer, MOMENTUM, scheduledLr, step } from "../../docs/assets/playground/optim.js";
import { DEFAULTS, fromHash, normalize, parseHash, PRESETS, toHash } from "../../docs/assets/playground/state.js";
import { createSession, diagnostics, editParam, predictPoints, shuffleSeed, trainEpoch, trainFor } from "../../docs/assets/playground/train.js";

const close = (a, b, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

// ---------- data

test("datasets: seeded, sized, labelled as their problem", () => {
  for (const [name, ds] of Object.entries(DATASETS)) {
    const a = generate(name, 10, 5);
    const b = generate(name, 10, 5);
    const c = generate(name, 10, 6);
    assert.equal(a.length, 500, name);
    assert.deepEqual(a, b, `${name}: same seed, same data`);
    assert.notDeepEqual(a, c, `${name}: another seed, other data`);
    for (const p of a) {
      assert.ok(Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.label));
      if (ds.problem === "classification") assert.ok(p.label === 1 || p.label === -1);
      else assert.ok(Math.abs(p.label) <= 1.2 * (1 + 0.1 * 2) + 1e-9); // (x+y)/10 with noise: TF does not clamp
    }
  }
});

test("circle without noise: label is +1 exactly inside radius 2.5", () => {
  for (const p of generate("circle", 0, 1)) assert.equal(p.label, Math.hypot(p.x, p.y) < 2.5 ? 1 : -1);
  const labels = generate("circle", 0, 1).map((p) => p.label);
  assert.equal(labels.filter((l) => l === 1).length, 250);
});

test("xor without noise: label is the sign of x·y", () => {
  for (const p of generate("xor", 0, 2)) assert.equal(p.label, p.x * p.y >= 0 ? 1 : -1);
});

test("plane: label (x+y)/10 without noise", () => {
  for (const p of generate("plane", 0, 3)) assert.ok(close(p.label, (p.x + p.y) / 10));
});

test("split: ratio, disjoint, covering", () => {
  const pts = generate("spiral", 0, 1);
  const { train, test: te } = split(pts, 70, 1);
  assert.equal(train.length, 350);
  assert.equal(te.length, 150);
  assert.equal(new Set([...train, ...te]).size, 500);
});

test("features: values, unscaled X1, standardization", () => {
  const pts = [{ x: 2, y: -3 }, { x: 0.5, y: 1 }];
  const names = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];
  const X = featurize(pts, names);
  assert.deepEqual(Array.from(X.subarray(0, 7)), [2, -3, 4, 9, -6, Math.sin(2), Math.sin(-3)]);
  const U = featurize(pts, ["x1", "x2"], { unscaled: true });
  assert.equal(U[0], 2 * UNSCALED.scale + UNSCALED.shift);
  assert.equal(U[1], -3);
  const many = generate("gauss", 0, 1);
  const raw = featurize(many, ["x1", "x2"], { unscaled: true });
  const stats = columnStats(raw, many.length, 2);
  const Z = featurize(many, ["x1", "x2"], { unscaled: true, stats });
  const after = columnStats(Z, many.length, 2);
  for (let j = 0; j < 2; j++) {
    assert.ok(Math.abs(after.mean[j]) < 1e-12);
    assert.ok(close(after.std[j], 1, 1e-12));
  }
});

test("CSV: header, 0/1 labels, separators, regression, errors name the line", () => {
  const c = parseCsv("x1,x2,label\n1,2,1\n3;4;0\n5\t6\t1\n# comment\n\n-1 -2 0\n");
  assert.equal(c.problem, "classification");
  assert.deepEqual(c.points.map((p) => p.label), [1, -1, 1, -1]);
  const r = parseCsv("0,0,0.5\n1,1,0.25\n2,2,-0.5\n3,3,2\n");
  assert.equal(r.problem, "regression");
  assert.throws(() => parseCsv("1,2,1\n3,x,0\n1,1,1\n2,2,0"), /line 2/);
  assert.throws(() => parseCsv("1,2\n"), /line 1: expected three numbers/);
  assert.throws(() => parseCsv("1,2,1\n"), /at least 4/);
});

// ---------- state <-> URL

test("hash round trip: every key survives, for random configurations", () => {
  const rng = makeRng(9);
  const pick = (a) => a[Math.floor(rng() * a.length)];
  for (let t = 0; t < 200; t++) {
    const hidden = Array.from({ length: Math.floor(rng() * 7) }, () => 1 + Math.floor(rng() * 8));
    const dataset = pick(Object.keys(DATASETS));
    const cfg = normalize({
      dataset, problem: DATASETS[dataset].problem, noise: pick([0, 5, 50]), trainPct: pick([10, 50, 90]),
      seed: Math.floor(rng() * 1e6), features: ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"].filter(() => rng() < 0.5),
      hidden, activation: pick(["relu", "tanh", "sigmoid", "linear"]), lr: pick([0.001, 0.03, 3]), batch: 1 + Math.floor(rng() * 300),
      reg: pick(["none", "L1", "L2"]), regRate: pick([0, 0.001, 0.3]), optimizer: pick(["sgd", "momentum", "adam"]),
      schedule: pick(["constant", "step", "cosine"]), stepEvery: 1 + Math.floor(rng() * 500), period: 1 + Math.floor(rng() * 500),
      init: pick(["tf", "torch", "xavier", "kaiming"]), loss: pick(["square", "bce"]), bn: hidden.map(() => rng() < 0.5),
      bnMode: pick(["eval", "train"]), residual: rng() < 0.5, unscaled: rng() < 0.5, standardize: rng() < 0.5,
      patience: Math.floor(rng() * 100), restoreBest: rng() < 0.5, showTest: rng() < 0.5, discretize: rng() < 0.5,
      logLoss: rng() < 0.5,
    });
    assert.deepEqual(fromHash(toHash(cfg)), cfg);
    assert.deepEqual(fromHash(`#${toHash(cfg)}`), cfg);
  }
});

test("hash: defaults for an empty hash, clamping and unknown values", () => {
  assert.deepEqual(fromHash(""), normalize(DEFAULTS));
  const c = fromHash("noise=999&hidden=20,0,3,4,5,6,7,8&activation=swish&lr=abc&features=&bn=1");
  assert.equal(c.noise, 50);
  assert.deepEqual(c.hidden, [8, 1, 3, 4, 5, 6]);
  assert.equal(c.activation, DEFAULTS.activation);
  assert.equal(c.lr, DEFAULTS.lr);
  assert.deepEqual(c.features, ["x1"]);
  assert.deepEqual(c.bn, [true, false, false, false, false, false]);
});

test("presets: each parses, differs from the defaults, and overrides apply on top", () => {
  for (const name of Object.keys(PRESETS)) {
    const c = fromHash(`preset=${name}`);
    assert.notDeepEqual(c, normalize(DEFAULTS), name);
    for (const [k, v] of Object.entries(PRESETS[name].cfg)) assert.deepEqual(c[k], v, `${name}.${k}`);
  }
  assert.equal(fromHash("preset=residual&lr=0.3").lr, 0.3);
});

test("custom points travel in the hash", () => {
  const pts = [{ x: 1.23456, y: -2, label: 1 }, { x: 0, y: 0, label: -1 }, { x: 3, y: 1, label: 1 }, { x: -1, y: 2, label: -1 }];
  const cfg = normalize({ ...DEFAULTS, dataset: "custom" });
  const { cfg: back, points } = parseHash(toHash(cfg, pts));
  assert.equal(back.dataset, "custom");
  assert.deepEqual(points.map((p) => p.x), [1.2346, 0, 3, -1]);
  // custom without data falls back to a built-in set
  assert.equal(parseHash("dataset=custom").cfg.dataset, "circle");
});

// ---------- optimizers and schedules

test("SGD, momentum and Adam follow their update rules", () => {
  const g1 = [Float64Array.from([0.5, -2])];
  const g2 = [Float64Array.from([-1, 3])];
  const lr = 0.1;
  const sgd = [Float64Array.from([1, 1])];
  const o1 = makeOptimizer("sgd", sgd);
  step(o1, sgd, g1, lr);
  assert.deepEqual(Array.from(sgd[0]), [1 - 0.05, 1 + 0.2]);
  const mom = [Float64Array.from([1, 1])];
  const o2 = makeOptimizer("momentum", mom);
  step(o2, mom, g1, lr);
  step(o2, mom, g2, lr);
  const buf = [MOMENTUM * 0.5 - 1, MOMENTUM * -2 + 3];
  assert.ok(close(mom[0][0], 1 - lr * 0.5 - lr * buf[0]));
  assert.ok(close(mom[0][1], 1 + lr * 2 - lr * buf[1]));
  const adam = [Float64Array.from([1, 1])];
  const o3 = makeOptimizer("adam", adam);
  step(o3, adam, g1, lr);
  // first Adam step moves each weight by lr·sign(g) (up to ε)
  assert.ok(close(adam[0][0], 1 - lr, 1e-7));
  assert.ok(close(adam[0][1], 1 + lr, 1e-7));
  step(o3, adam, g2, lr);
  const { beta1: b1, beta2: b2, eps } = ADAM;
  for (let i = 0; i < 2; i++) {
    const m = (1 - b1) * (b1 * g1[0][i] + g2[0][i]);
    const v = (1 - b2) * (b2 * g1[0][i] ** 2 + g2[0][i] ** 2);
    const mh = m / (1 - b1 ** 2);
    const vh = v / (1 - b2 ** 2);
    const first = 1 - lr * Math.sign(g1[0][i]) * (Math.abs(g1[0][i]) / (Math.abs(g1[0][i]) + eps));
    assert.ok(close(adam[0][i], first - (lr * mh) / (Math.sqrt(vh) + eps), 1e-9));
  }
});

test("schedules: step halves every N epochs, cosine runs to 0 and restarts", () => {
  assert.equal(scheduledLr(0.1, "constant", 1000), 0.1);
  assert.equal(scheduledLr(0.1, "step", 99, { every: 100 }), 0.1);
  assert.equal(scheduledLr(0.1, "step", 100, { every: 100 }), 0.05);
  assert.equal(scheduledLr(0.1, "step", 250, { every: 100 }), 0.025);
  assert.equal(scheduledLr(0.1, "cosine", 0, { period: 10 }), 0.1);
  assert.ok(close(scheduledLr(0.1, "cosine", 5, { period: 10 }), 0.05));
  assert.ok(scheduledLr(0.1, "cosine", 9, { period: 10 }) < 0.003);
  assert.equal(scheduledLr(0.1, "cosine", 10, { period: 10 }), 0.1);
});

// ---------- inits

test("inits: bounds and variances", () => {
  const rng = makeRng(4);
  const L = { nIn: 50, nOut: 200, W: new Float64Array(10000), b: new Float64Array(200) };
  const stats = (a) => {
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    return { m, v: a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length, max: Math.max(...a.map(Math.abs)) };
  };
  initLayer(L, "tf", rng);
  assert.ok(stats(L.W).max <= 0.5 && close(stats(L.W).v, 1 / 12, 0.05));
  assert.ok(L.b.every((v) => v === 0.1));
  initLayer(L, "torch", rng);
  const k = 1 / Math.sqrt(50);
  assert.ok(stats(L.W).max <= k && close(stats(L.W).v, (k * k) / 3, 0.05));
  assert.ok(stats(L.b).max <= k && stats(L.b).max > 0);
  initLayer(L, "xavier", rng);
  const a = Math.sqrt(6 / 250);
  assert.ok(stats(L.W).max <= a && close(stats(L.W).v, (a * a) / 3, 0.05));
  assert.ok(L.b.every((v) => v === 0));
  initLayer(L, "kaiming", rng);
  assert.ok(Math.abs(stats(L.W).m) < 0.01 && close(stats(L.W).v, 2 / 50, 0.05));
});

// ---------- batch norm statistics

test("batch norm: train-mode output is normalized; running stats follow torch's update", () => {
  const rng = makeRng(3);
  const net = buildNet({ nInputs: 2, hidden: [3], activation: "linear", bn: [true], init: "torch" }, rng);
  const n = 6;
  const X = Float64Array.from({ length: n * 2 }, () => rng() * 4 - 2);
  const c = forward(net, X, n, { bnMode: "train", updateStats: true });
  const H = c.layers[0].H;
  const Z = c.layers[0].Z;
  for (let o = 0; o < 3; o++) {
    const col = Array.from({ length: n }, (_, i) => H[i * 3 + o]);
    const z = Array.from({ length: n }, (_, i) => Z[i * 3 + o]);
    const m = col.reduce((s, v) => s + v, 0) / n;
    const v = col.reduce((s, x) => s + (x - m) ** 2, 0) / n;
    assert.ok(Math.abs(m) < 1e-12);
    const zm = z.reduce((s, x) => s + x, 0) / n;
    const zv = z.reduce((s, x) => s + (x - zm) ** 2, 0) / n;
    assert.ok(close(v, zv / (zv + 1e-5), 1e-12));
    assert.ok(close(net.layers[0].runMean[o], BN_MOMENTUM * zm));
    assert.ok(close(net.layers[0].runVar[o], (1 - BN_MOMENTUM) + BN_MOMENTUM * zv * n / (n - 1)));
  }
  // eval mode uses the running statistics and does not change them
  const before = Array.from(net.layers[0].runMean);
  forward(net, X, n, { bnMode: "eval", updateStats: true });
  assert.deepEqual(Array.from(net.layers[0].runMean), before);
});

// ---------- training loop

test("default circle: test loss falls below 0.05 within 200 epochs (seeds 1-5)", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const s = createSession(fromHash(`seed=${seed}`));
    assert.ok(s.initialLoss.test > 0.3);
    trainFor(s, 200);
    assert.equal(s.epoch, 200);
    assert.ok(s.history.test[199] < 0.05, `seed ${seed}: ${s.history.test[199]}`);
  }
});

test("same config, same run; minibatches reshuffled every epoch", () => {
  const a = createSession(fromHash("seed=7"));
  const b = createSession(fromHash("seed=7"));
  trainFor(a, 15);
  trainFor(b, 15);
  assert.deepEqual(a.history, b.history);
  // reshuffling: each epoch visits every training point once, in a new order
  const s = createSession(fromHash("seed=3&batch=1"));
  trainEpoch(s);
  const first = s.lastOrder;
  trainEpoch(s);
  const second = s.lastOrder;
  const sorted = (a) => a.slice().sort((x, y) => x - y);
  const all = Array.from({ length: s.ntr }, (_, i) => i);
  assert.deepEqual(sorted(first), all);
  assert.deepEqual(sorted(second), all);
  assert.notDeepEqual(first, second);
  assert.notDeepEqual(first, all);
});

test("batch size: whole training set = one step per epoch; batch 1 = one step per point", () => {
  for (const [batch, steps] of [[1, 250], [10, 25], [7, 36], [250, 1], [1000, 1]]) {
    const s = createSession(fromHash(`batch=${batch}&optimizer=adam`));
    trainEpoch(s);
    assert.equal(s.opt.t, steps, `batch ${batch}`);
  }
});

test("divergence: NaN/Inf stops training with a message; history stays finite", () => {
  const s = createSession(fromHash("dataset=plane&lr=10&activation=linear"));
  const done = trainFor(s, 100);
  assert.ok(done < 100);
  assert.equal(s.status, "diverged");
  assert.match(s.message, /NaN or infinite.*Lower the learning rate/);
  assert.ok(s.history.train.every(Number.isFinite) && s.history.test.every(Number.isFinite));
  assert.equal(trainEpoch(s), false);
});

test("early stopping: stops `patience` epochs after the best test loss and restores its weights", () => {
  const s = createSession(fromHash("preset=early-stopping"));
  trainFor(s, 5000);
  assert.equal(s.status, "stopped");
  const h = s.history.test;
  const best = h.indexOf(Math.min(...h)) + 1;
  assert.equal(s.best.epoch, best);
  assert.equal(s.epoch - best, s.cfg.patience);
  assert.ok(h.at(-1) > h[best - 1]);
  assert.ok(close(s.last.test, h[best - 1], 1e-12), "restored weights give the best test loss");
  const noRestore = createSession(fromHash("preset=early-stopping&restoreBest=0"));
  trainFor(noRestore, 5000);
  assert.ok(close(noRestore.last.test, noRestore.history.test.at(-1), 1e-12));
});

test("diagnostics: vanishing gradients without skips, not with; gradient noise 0 at full batch", () => {
  const v = diagnostics(createSession(fromHash("preset=vanishing-gradients")));
  const r = diagnostics(createSession(fromHash("preset=residual")));
  assert.ok(v.gradNorms[0] / v.gradNorms.at(-1) < 1e-3);
  assert.ok(r.gradNorms[0] / r.gradNorms.at(-1) > 1e-2);
  // unscaled X1 saturates the first layer: its gradient vanishes; standardizing restores it
  const u = diagnostics(createSession(fromHash("preset=unscaled")));
  const z = diagnostics(createSession(fromHash("preset=standardized")));
  assert.ok(u.gradNorms[0] < 1e-6 * u.gradNorms.at(-1), String(u.gradNorms));
  assert.ok(z.gradNorms[0] > 0.1 * z.gradNorms.at(-1), String(z.gradNorms));
  const full = diagnostics(createSession(fromHash("preset=full-batch")));
  assert.equal(full.relNoise, 0);
  const one = diagnostics(createSession(fromHash("preset=small-batch")));
  const ten = diagnostics(createSession(fromHash("preset=small-batch&batch=25")));
  assert.ok(one.relNoise > ten.relNoise && ten.relNoise > 0, `${one.relNoise} > ${ten.relNoise} > 0`);
});

test("presets teach their lesson (the statements of the playground page's preset table)", () => {
  const run = (h, n = 300) => {
    const s = createSession(fromHash(h));
    trainFor(s, n);
    return s;
  };
  const last = (s) => s.history.test.at(-1);
  assert.ok(Math.abs(last(run("preset=vanishing-gradients")) - 0.5) < 0.05);
  assert.ok(last(run("preset=residual")) < 0.05);
  assert.ok(last(run("preset=batch-norm")) < 0.1);
  assert.ok(Math.abs(last(run("preset=unscaled")) - 0.5) < 0.05);
  assert.ok(last(run("preset=standardized", 20)) < 0.05);
  assert.ok(last(run("preset=small-batch", 10)) < last(run("preset=full-batch", 10)));
  // early stopping: test loss rises after the best epoch while the training loss keeps falling
  const es = run("preset=early-stopping", 5000);
  const b = es.best.epoch;
  assert.ok(es.history.test.at(-1) > es.history.test[b - 1]);
  assert.ok(es.history.train.at(-1) < es.history.train[b - 1]);
});

test("classification with cross-entropy trains; regression trains", () => {
  const s = createSession(fromHash("loss=bce&dataset=xor&features=x1,x2,x1x2"));
  trainFor(s, 100);
  assert.ok(s.history.test.at(-1) < 0.2, String(s.history.test.at(-1)));
  const r = createSession(fromHash("dataset=plane"));
  trainFor(r, 100);
  assert.ok(r.history.test.at(-1) < 0.01, String(r.history.test.at(-1)));
});

test("custom data: domain covers the points; training works", () => {
  const pts = [];
  const rng = makeRng(2);
  for (let i = 0; i < 80; i++) pts.push({ x: (rng() - 0.5) * 40, y: (rng() - 0.5) * 40, label: i % 2 ? 1 : -1 });
  for (const p of pts) p.label = p.x > 0 ? 1 : -1;
  const s = createSession(normalize({ ...DEFAULTS, dataset: "custom", standardize: true }), pts);
  assert.ok(s.domain >= 19);
  trainFor(s, 100);
  assert.ok(s.history.test.at(-1) < 0.1);
});

// ---------- export

test("export JSON mirrors the network; PyTorch script embeds the same weights", () => {
  const s = createSession(fromHash("hidden=3,2&bn=10&residual=1"));
  trainFor(s, 5);
  const j = toJSON(s);
  assert.equal(j.layers.length, 3);
  assert.deepEqual(j.layers[0].weight.flat(), Array.from(s.net.layers[0].W));
  assert.ok(j.layers[0].batchnorm && !j.layers[1].batchnorm);
  assert.equal(j.layers[1].residual, true);
  assert.deepEqual(fromHash(j.hash), s.cfg);
  const py = toPyTorch(s);
  assert.ok(py.includes(JSON.stringify(Array.from(s.net.layers[0].W.subarray(0, 2)))));
  assert.match(py, /def build\(\):/);
  assert.match(py, /if __name__ == "__main__":/);
  assert.equal(predictPoints(s, [{ x: 0, y: 0 }]).length, 1);
});

test("training export: initial weights (kept through training), data, minibatch seed, trained weights", () => {
  const s = createSession(fromHash("hidden=3,2&bn=10&optimizer=adam&seed=7"));
  const w0 = Array.from(s.net.layers[0].W);
  trainFor(s, 5);
  assert.deepEqual(Array.from(s.initNet.layers[0].W), w0, "initNet is a copy, not the live weights");
  assert.notDeepEqual(Array.from(s.net.layers[0].W), w0);
  const py = toPyTorchTraining(s);
  assert.ok(py.includes(`INITIAL = [{"in":2,"out":3,"weight":[[${w0.slice(0, 2).join(",")}`));
  assert.ok(py.includes(JSON.stringify(Array.from(s.net.layers[0].W.subarray(0, 2))).slice(1, -1)));
  assert.ok(py.includes(`SHUFFLE_SEED = ${shuffleSeed(7)} `));
  assert.ok(py.includes(`TRAIN = [[${s.train[0].x},${s.train[0].y},${s.train[0].label}]`));
  assert.match(py, /^EPOCHS = 5$/m);
  assert.match(py, /"optimizer":"adam"/);
  assert.ok(!/@[A-Z_]+@/.test(py), "every placeholder filled");
  const fresh = createSession(fromHash("hidden=3,2&seed=7"));
  const rng = makeRng(shuffleSeed(7));
  assert.deepEqual([fresh.shuffleRng(), fresh.shuffleRng()], [rng(), rng()], "the exported seed is the session's");
});

test("editParam: sets the value, records the epoch, updates the current losses; bad edits name what is valid", () => {
  const s = createSession(fromHash("hidden=3"));
  trainFor(s, 2);
  const before = s.last.train;
  editParam(s, { layer: 0, kind: "weight", index: 5, value: 2.5 });
  editParam(s, { layer: 1, kind: "bias", index: 0, value: -1 });
  assert.equal(s.net.layers[0].W[5], 2.5);
  assert.equal(s.net.layers[1].b[0], -1);
  assert.deepEqual(s.edits.map((e) => [e.epoch, e.kind]), [[2, "weight"], [2, "bias"]]);
  assert.notEqual(s.last.train, before);
  assert.throws(() => editParam(s, { layer: 0, kind: "weight", index: 6, value: 1 }), /weight index 6 out of range 0\.\.5/);
  assert.throws(() => editParam(s, { layer: 2, kind: "bias", index: 0, value: 1 }), /no bias in layer 2; kind is "weight" or "bias", layer 0\.\.1/);
  assert.throws(() => editParam(s, { layer: 0, kind: "bias", index: 0, value: NaN }), /not a finite number/);
  assert.equal(s.edits.length, 2, "a rejected edit is not recorded");
});

test("lossAndGrad: penalty is part of the objective, not of the reported data loss", () => {
  const net = buildNet({ nInputs: 2, hidden: [2], init: "torch" }, makeRng(1));
  const X = Float64Array.from([1, 2, 3, 4]);
  const y = Float64Array.from([1, -1]);
  const a = lossAndGrad(net, X, y, 2);
  const b = lossAndGrad(net, X, y, 2, { reg: "L2", rate: 0.5 });
  let sq = 0;
  for (const L of net.layers) for (const w of L.W) sq += w * w;
  assert.ok(close(b.loss - a.loss, 0.25 * sq));
  assert.equal(a.dataLoss, b.dataLoss);
  assert.equal(parameters(net).length, 4);
});
