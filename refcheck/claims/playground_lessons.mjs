// Runs the playground's presets headlessly for refcheck/claims/playground_lessons.py: reads a JSON
// request on stdin, writes JSON on stdout. Each run: {preset, seed, epochs} -> the per-epoch train and
// test losses, the stop status, the best epoch, the losses of the final (possibly restored) weights and
// the diagnostics (per-layer gradient norms, relative gradient noise) at the initial weights.
import { readFileSync } from "node:fs";

import { fromHash } from "../../docs/assets/playground/state.js";
import { createSession, diagnostics, trainEpoch } from "../../docs/assets/playground/train.js";

function run({ preset, seed, epochs }) {
  const t0 = performance.now();
  const s = createSession(fromHash(`preset=${preset}&seed=${seed}`));
  const d0 = diagnostics(s);
  while (s.epoch < epochs && trainEpoch(s));
  return {
    preset,
    seed,
    status: s.status,
    epochs: s.epoch,
    train: s.history.train,
    test: s.history.test,
    initial: s.initialLoss,
    best: { epoch: s.best.epoch, loss: s.best.loss },
    last: s.last,
    gradNorms0: d0.gradNorms,
    relNoise0: d0.relNoise,
    ms: performance.now() - t0,
  };
}

const req = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify({ node: process.version, runs: req.runs.map(run) }));
