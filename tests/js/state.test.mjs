// The playground's state table and TensorFlow Playground link import (docs/assets/playground/state.js).
import assert from "node:assert/strict";
import test from "node:test";

import { DATASETS } from "../../docs/assets/playground/data.js";
import {
  CHOICES, DEFAULTS, LABELS, PROPS, RESET_KEYS, TF_UNSUPPORTED, fromHash, fromTfHash, isTfHash, normalize, parseHash,
  PRESETS, tfSeed, toHash,
} from "../../docs/assets/playground/state.js";

// TF Playground's State.PROPS names (src/state.ts, tensorflow/playground), in its serialize() order;
// "tutorial" is written only when a tutorial is open.
const TF_PROPS = ["activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
  "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize", "percTrainData", "x", "y",
  "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY", "collectStats", "problem", "initZero", "hideText"];

// Addresses as TF Playground's serialize() writes them (every key, booleans as true/false), with every
// value away from its default. The first is a classification link, the second a regression one.
const TF_CLASSIFY = "https://playground.tensorflow.org/#activation=relu&regularization=L1&batchSize=3&dataset=spiral" +
  "&regDataset=reg-gauss&learningRate=0.3&regularizationRate=0.003&noise=25&networkShape=5,3,2&seed=0.23571" +
  "&showTestData=true&discretize=true&percTrainData=70&x=false&y=false&xTimesY=true&xSquared=true&ySquared=true" +
  "&cosX=true&sinX=true&cosY=true&sinY=true&collectStats=true&problem=classification&initZero=true&hideText=true";
const TF_REGRESS = "https://playground.tensorflow.org/#activation=sigmoid&regularization=L2&batchSize=25" +
  "&dataset=xor&regDataset=reg-gauss&learningRate=0.001&regularizationRate=0.1&noise=5&networkShape=&seed=0.5" +
  "&showTestData=true&discretize=false&percTrainData=30&x=true&y=false&xTimesY=false&xSquared=false&ySquared=true" +
  "&cosX=false&sinX=false&cosY=false&sinY=true&collectStats=false&problem=regression&initZero=false&hideText=false";
// TF Playground's default page (its address after loading, seed drawn at random).
const TF_DEFAULT = "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03" +
  "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.74141&showTestData=false&discretize=false&percTrainData=50" +
  "&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false" +
  "&collectStats=false&problem=classification&initZero=false&hideText=false";

const keysOf = (url) => url.slice(url.indexOf("#") + 1).split("&").map((kv) => kv.split("=")[0]);
const without = (url, key) => url.replace(new RegExp(`([#&])${key}=[^&]*&?`), "$1").replace(/&$/, "");

test("the tables derive from PROPS: defaults, choices, labels, reset keys", () => {
  assert.deepEqual(Object.keys(DEFAULTS), Object.keys(PROPS));
  assert.deepEqual(normalize(DEFAULTS), DEFAULTS);
  for (const [k, p] of Object.entries(PROPS)) {
    if (p.choices) {
      assert.deepEqual(CHOICES[k], p.choices, k);
      assert.deepEqual(Object.keys(LABELS[k]).sort(), [...p.choices].sort(), `${k}: a label per choice`);
    }
    assert.equal(RESET_KEYS.has(k), !!p.reset, k);
    if (p.range) assert.ok(p.range[0] <= DEFAULTS[k] || Array.isArray(DEFAULTS[k]), k);
  }
  assert.deepEqual(CHOICES.dataset, [...Object.keys(DATASETS), "custom"]);
});

test("TF import: the addresses hold every key of TF Playground's state", () => {
  assert.deepEqual(keysOf(TF_CLASSIFY).sort(), [...TF_PROPS].sort());
  assert.deepEqual(keysOf(TF_REGRESS).sort(), [...TF_PROPS].sort());
  assert.deepEqual(keysOf(TF_DEFAULT).sort(), TF_PROPS.filter((k) => k !== "regularization").sort());
  // each key is read: a counterpart in PROPS or a stated reason why not
  const mapped = Object.values(PROPS).flatMap((p) => (p.tf === undefined ? [] : typeof p.tf === "string" ? [p.tf] : Object.keys(p.tf)));
  for (const k of TF_PROPS) assert.ok(mapped.includes(k) || k in TF_UNSUPPORTED, k);
});

test("TF import: a classification link opens the same network and settings", () => {
  assert.ok(isTfHash(TF_CLASSIFY));
  const { cfg, notes } = fromTfHash(TF_CLASSIFY);
  assert.deepEqual(cfg, {
    ...DEFAULTS, activation: "relu", reg: "L1", batch: 3, dataset: "spiral", lr: 0.3, regRate: 0.003, noise: 25,
    hidden: [5, 3, 2], bn: [false, false, false], seed: 23571, showTest: true, discretize: true, trainPct: 70,
    features: ["x1sq", "x2sq", "x1x2", "sinx1", "sinx2"], problem: "classification",
  });
  assert.deepEqual(notes.map((n) => n.split(":")[0]), ["cosX", "cosY", "initZero", "collectStats", "hideText"]);
  // through parseHash (the page's entry point) the same
  assert.deepEqual(parseHash(TF_CLASSIFY).cfg, cfg);
  assert.deepEqual(parseHash(TF_CLASSIFY.slice(TF_CLASSIFY.indexOf("#"))).cfg, cfg);
});

test("TF import: a regression link takes its dataset from regDataset; an empty networkShape has no layers", () => {
  const { cfg, notes } = fromTfHash(TF_REGRESS);
  assert.deepEqual(cfg, {
    ...DEFAULTS, problem: "regression", dataset: "multigauss", activation: "sigmoid", reg: "L2", batch: 25, lr: 0.001,
    regRate: 0.1, noise: 5, hidden: [], bn: [], seed: 5, showTest: true, trainPct: 30, features: ["x1", "x2sq", "sinx2"],
  });
  assert.deepEqual(notes, []);
});

test("TF import: every key counts (dropping it from one of the links changes the result)", () => {
  const result = (url) => JSON.stringify(fromTfHash(url));
  for (const k of TF_PROPS) {
    const changed = [TF_CLASSIFY, TF_REGRESS].some((url) => result(without(url, k)) !== result(url));
    assert.ok(changed, k);
  }
});

test("TF import: TF Playground's default page is this page's defaults", () => {
  const { cfg, notes } = fromTfHash(TF_DEFAULT);
  assert.deepEqual(cfg, { ...DEFAULTS, seed: 74141 });
  assert.deepEqual(notes, []);
});

test("TF import: read as TF Playground reads it", () => {
  // a boolean is true unless "false"; an empty value is absent; unknown choices keep the default
  assert.equal(fromTfHash("networkShape=4&showTestData=1").cfg.showTest, true);
  assert.equal(fromTfHash("networkShape=4&learningRate=").cfg.lr, DEFAULTS.lr);
  assert.equal(fromTfHash("networkShape=4&activation=swish").cfg.activation, DEFAULTS.activation);
  // the regression default dataset is the plane; an unknown one says so
  assert.equal(fromTfHash("problem=regression&networkShape=2").cfg.dataset, "plane");
  const odd = fromTfHash("problem=regression&regDataset=reg-maximum&networkShape=2");
  assert.equal(odd.cfg.dataset, "plane");
  assert.match(odd.notes[0], /^regDataset=reg-maximum: not a dataset here/);
  // out-of-range shapes are clamped to TF Playground's own limits (6 layers of 8)
  assert.deepEqual(fromTfHash("networkShape=9,1,1,1,1,1,1").cfg.hidden, [8, 1, 1, 1, 1, 1]);
  // no input selected
  const none = fromTfHash("x=false&y=false&networkShape=1");
  assert.deepEqual(none.cfg.features, ["x1"]);
  assert.match(none.notes.at(-1), /no input selected/);
  // percent-encoded pastes decode
  assert.deepEqual(fromTfHash("networkShape=3%2C2").cfg.hidden, [3, 2]);
});

test("TF seeds: decimals give their digits, integers themselves, text a stable hash", () => {
  assert.equal(tfSeed("0.74141"), 74141);
  assert.equal(tfSeed(".5"), 5);
  assert.equal(tfSeed("42"), 42);
  const h = tfSeed("hello");
  assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 31);
  assert.equal(tfSeed("hello"), h);
  assert.notEqual(tfSeed("hellp"), h);
});

test("this page's own hashes and presets are not taken for TF links", () => {
  assert.equal(isTfHash(toHash(DEFAULTS)), false);
  assert.equal(isTfHash(""), false);
  for (const name of Object.keys(PRESETS)) assert.equal(isTfHash(`preset=${name}`), false, name);
  assert.equal(isTfHash("dataset=xor&noise=10"), false); // shared keys only: read as this page's
  assert.equal(isTfHash("hidden=3&networkShape=4"), false); // mixed: this page's keys win
  assert.deepEqual(fromHash("dataset=xor&noise=10"), normalize({ ...DEFAULTS, dataset: "xor", noise: 10 }));
});
