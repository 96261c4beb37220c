// The loss engine on its own (no Python): it reads only the generated payload, and the payload
// drives every answer. tests/test_losses_parity.py proves it equal to the Python core.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { makeEngine, pyFloat, pyStrRepr, UsageError } from "../../docs/assets/loss-engine.js";

const payload = JSON.parse(readFileSync(new URL("../../docs/assets/loss-payload.json", import.meta.url), "utf8"));
const engine = makeEngine(payload);

test("names: aliases resolve, typos get suggestions from the payload's index", () => {
  assert.equal(engine.resolve("F.nll_loss").name, "NLLLoss");
  assert.equal(engine.resolve("torch.nn.CrossEntropyLoss").name, "CrossEntropyLoss");
  assert.throws(() => engine.resolve("CrossEntopyLoss"), (e) => e instanceof UsageError && e.suggestions[0] === "CrossEntropyLoss");
});

test("specs: what Python prints is read", () => {
  assert.deepEqual(engine.parseSpec("torch.Size([8, 10]) torch.float32"), { dtype: "float32", shape: [8, 10] });
  assert.deepEqual(engine.parseSpec("8x10", "long"), { dtype: "int64", shape: [8, 10] });
  assert.throws(() => engine.parseSpec("(8, 10)"), /no dtype in '\(8, 10\)'/);
});

test("diagnosis: provenance, device and legacy options come from the payload's tables", () => {
  const nll = engine.resolve("nll");
  const d = engine.diagnose(nll, { input: "float32[8,10]", target: "int64[8]" }, {}, "probabilities");
  assert.equal(d.outcome, "ok");
  assert.match(d.problems[0].rule, /softmax probabilities give a wrong, negative loss/);
  const mm = engine.resolve("MultiMarginLoss");
  assert.equal(engine.diagnose(mm, { input: "float16[8,4]", target: "int64[8]" }, {}, null, "cpu").outcome, "forward-error");
  assert.equal(engine.diagnose(mm, { input: "float16[8,4]", target: "int64[8]" }, {}, null, "cuda").outcome, "ok");
  const mse = engine.diagnose(engine.resolve("mse"), { input: "float32[8]", target: "float32[8]" }, { reduce: "false" });
  assert.equal(mse.reduction, "none");
  assert.deepEqual(mse.output_shape, [8]);
});

test("Python's repr, as the messages quote values", () => {
  assert.equal(pyFloat(1e-5), "1e-05");
  assert.equal(pyFloat(2), "2.0");
  assert.equal(pyFloat(1e16), "1e+16");
  assert.equal(pyFloat(0.1), "0.1");
  assert.equal(pyStrRepr("it's"), '"it\'s"');
});
