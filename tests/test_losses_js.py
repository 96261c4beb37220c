"""The lookup widget's JavaScript (docs/assets/loss-lookup.js) gives the Python diagnosis's answers.

Node runs the widget's `makeLib` on the JSON the site embeds; every probe-grid case, the explain
test cases, random cases and malformed questions must give the same form, outcome, output shape,
problems (rule, got, fix, stage) and alternatives as refcheck.losses.diagnose.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest
from test_losses_explain import CASES

from refcheck.losses.contracts import CONTRACTS, resolve
from refcheck.losses.diagnose import DiagnoseError, diagnose
from refcheck.losses.site import lookup_payload
from refcheck.losses.spec import DTYPES, Spec, SpecError, parse_spec

from support import ROOT

NODE = shutil.which("node")
SCRIPT = """
const { makeLib } = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const { data, cases } = JSON.parse(input);
  const lib = makeLib(data);
  const out = cases.map((c) => {
    try {
      const d = lib.diagnose(lib.resolve(c.loss), c.specs, c.options || {});
      return { loss: d.loss, form: d.form, outcome: d.outcome, output_shape: d.output_shape, problems: d.problems, also: d.also, valid: d.valid };
    } catch (e) {
      if (e instanceof lib.UsageError) return { usage: e.message };
      return { crash: String(e && e.stack) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def python_answer(case):
    try:
        d = diagnose(resolve(case["loss"]), case["specs"], case.get("options", {}))
    except (DiagnoseError, SpecError) as exc:
        return {"usage": str(exc)}
    return {"loss": d.loss, "form": d.form, "outcome": d.outcome, "output_shape": d.output_shape,
            "problems": [{"arg": p.arg, "rule": p.rule, "got": p.got, "fix": p.fix, "stage": p.stage} for p in d.problems],
            "also": d.also, "valid": d.valid}


def js_answers(cases):
    proc = subprocess.run([NODE, "-e", SCRIPT, str(ROOT / "docs" / "assets" / "loss-lookup.js")], input=json.dumps({"data": lookup_payload(), "cases": cases}),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def all_cases():
    cases = []
    for c in CONTRACTS.values():
        from refcheck.losses.probe import grid

        for case in grid(c):
            cases.append({"loss": c.name, "specs": case["specs"], "options": case["options"]})
    for loss, specs, options, *_ in CASES:
        cases.append({"loss": loss, "specs": specs, "options": options})
    rng = random.Random(4)
    for c in CONTRACTS.values():
        for _ in range(10):
            base = rng.choice(c.probe)
            specs = {}
            for k, v in base["specs"].items():
                s = parse_spec(v)
                shape = list(s.shape)
                if shape and rng.random() < 0.4:
                    shape[rng.randrange(len(shape))] = rng.choice([1, 2, 7])
                if rng.random() < 0.3:
                    shape.insert(0, rng.choice([1, 3]))
                specs[k] = str(Spec(rng.choice(DTYPES) if rng.random() < 0.4 else s.dtype, tuple(shape)))
            cases.append({"loss": c.name, "specs": specs, "options": {**base.get("options", {}), "reduction": rng.choice(["none", "mean", "sum"])}})
    cases += [
        {"loss": "ce", "specs": {"input": "float32[8,", "target": "int64[8]"}},
        {"loss": "ce", "specs": {"input": "floot32[8]", "target": "int64[8]"}},
        {"loss": "ce", "specs": {"input": "float32[-2]", "target": "int64[8]"}},
        {"loss": "ce", "specs": {"input": "float32[8,10]"}},
        {"loss": "ce", "specs": {"input": "float32[8,10]", "target": "int64[8]"}, "options": {"nope": "1"}},
        {"loss": "ce", "specs": {"input": "float32[8,10]", "target": "int64[8]"}, "options": {"ignore_index": "one"}},
        {"loss": "ce", "specs": {"input": "float32[8,10]", "target": "int64[8]"}, "options": {"label_smoothing": "2"}},
        {"loss": "kl", "specs": {"input": "float32[8,10]", "target": "float32[8,10]"}, "options": {"log_target": "yes"}},
        {"loss": "lce", "specs": {"input": "float32[8,16]", "target": "int64[8,3]"}, "options": {"in_features": "16", "num_classes": "4", "out_features": "[3]"}},
    ]
    return cases


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_js_port_gives_the_python_answers():
    cases = all_cases()
    js = js_answers(cases)
    assert len(js) == len(cases)
    mismatches = [(c, py, j) for c, j in zip(cases, js) if (py := python_answer(c)) != j]
    assert not mismatches, "\n\n".join(f"{c}\npython: {py}\njs:     {j}" for c, py, j in mismatches[:5])
    assert sum("usage" in j for j in js) >= 6


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_js_resolves_names_like_python():
    names = ["cross_entropy", "CE", "F.binary_cross_entropy_with_logits", "torch.nn.MSELoss", "nll_loss", "ctc", "triplet_distance"]
    js = js_answers([{"loss": n, "specs": {}} for n in names])
    for n, j in zip(names, js):
        # an empty question is a usage error naming the resolved loss's tensors
        assert j["usage"].startswith(resolve(n).name + " needs"), (n, j)
    (typo,) = js_answers([{"loss": "CrossEntopyLoss", "specs": {}}])
    assert "did you mean CrossEntropyLoss" in typo["usage"]
