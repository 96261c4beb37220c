// Runs the loss engine for tests/test_losses_parity.py: reads {"payload", "cases"} as JSON on stdin,
// writes one answer per case as JSON on stdout. Not a test file itself (node --test skips this name).
//   {"loss", "specs", "options", "made", "device"}  a diagnosis (or {"usage": message})
//   {"name"}                             a name lookup: the class, or the message and suggestions
//   {"spec", "dtype"}                     a parsed spec (or {"usage": message})
import { readFileSync } from "node:fs";

import { makeEngine, UsageError } from "../../docs/assets/loss-engine.js";

const { payload, cases } = JSON.parse(readFileSync(0, "utf8"));
const engine = makeEngine(payload);

function answer(c) {
  try {
    if ("name" in c) return { loss: engine.resolve(c.name).name };
    if ("spec" in c) return { spec: engine.specStr(engine.parseSpec(c.spec, c.dtype)) };
    return engine.diagnose(engine.resolve(c.loss), c.specs, c.options || {}, c.made, c.device || "cpu");
  } catch (e) {
    if (e instanceof UsageError) return { usage: e.message, suggestions: e.suggestions || [] };
    return { crash: String(e && e.stack) };
  }
}

process.stdout.write(JSON.stringify(cases.map(answer)));
