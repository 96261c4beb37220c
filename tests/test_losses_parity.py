"""The widget's engine (docs/assets/loss-engine.js) gives the Python core's answers, on a generated grid.

Every loss x a grid of shapes, dtypes, options and input provenance, the probe grid, pasted spec
formats and 30+ misspelled loss names run through both engines (one node process); every answer
(form, outcome, output shape, problems with their wording, alternatives, bound dims, usage errors,
suggestions) must be identical. The engine reads only the generated payload, which must be current.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess

import pytest

from refcheck.losses import payload as payload_mod
from refcheck.losses.contracts import CONTRACTS, UnknownLoss, resolve
from refcheck.losses.diagnose import DiagnoseError, diagnose
from refcheck.losses.messages import MADE
from refcheck.losses.probe import grid
from refcheck.losses.spec import DTYPES, Spec, SpecError, parse_spec

from support import ROOT

NODE = shutil.which("node")

# misspellings as people type them (missing, doubled, swapped letters; other libraries' names)
MISSPELLINGS = [
    "CrossEntopyLoss", "crossentropy_los", "CrossEntropyLos", "croos_entropy", "NLLLos", "nll_los", "nlll", "BCELos", "bce_logits",
    "BCEWithLogitLoss", "binary_crossentropy", "binary_cross_entropy_logits", "MSELos", "mse", "msee", "L1Los", "l1", "l2_loss", "huber",
    "HubberLoss", "SmoothL1", "smooth_l1", "KLDiv", "kl_divergence", "kldiv_loss", "PoissonNLL", "poisson", "GaussianNLL", "gausian_nll_loss",
    "CTCLos", "ctc_los", "TripletLoss", "triplet_margin", "tripletmarginloss2", "MarginRanking", "margin", "hinge", "HingeLoss", "cosine_loss",
    "CosineEmbedding", "multilabel", "MultiLabelMargin", "multi_label_soft_margin", "MultiMargin", "SoftMargin", "focal_loss", "dice",
    "sparse_categorical_crossentropy", "categorical_crossentropy", "LinearCrossEntropy", "nn.CrossEntropy", "torch.nn.functional.nll",
    "F.cross_entropy_loss", "", "   ", "loss", "Loss", "x", "CE_Loss", "softmax", "it's a loss", 'say "hi"', "back\\slash",
]
PASTED = [
    "torch.Size([8, 10]) torch.float32", "torch.Size([8]) torch.int64", "torch.Size([]) torch.float32", "(8, 10) long", "(8,) float",
    "[8, 10] float32", "8x10 float32", "8 x 10 x 3 half", "8×10 bf16", "float32 (8, 10)", "torch.float64, torch.Size([2, 3])",
    "float32[8,10]", "float32(8,10)", "int64[8,]", "int64(8,)", "long[]", "torch.Size([8, 10])", "(8, 10)", "[8, 10]", "8x10",
    "float32[8,", "floot32[8]", "float32[-2]", "float32[8, a]", "torch.Size([8, 10]) torch.flaot32", "8x", "x10 float32", "(8, 10) (8, 10)",
    "float32 float32", "", "  ", "torch.Size([8, 10]) torch.float32 extra", "[[8]] float32", "8,10 float32", "(8,,10) float32", "double[0, 3]",
]
OPTION_TEXTS = {
    "int": ["0", "-100", "none", "3", "x", "1.5", "+2"],
    "float": ["0.5", "-1", "2", "1e-3", "0", "nan", "1.", ".5", "1e400", "abc"],
    "bool": ["true", "0", "yes"],
    "legacy": ["false", "true", "none", "maybe"],
    "ints": ["[3]", "3,4", "", "a"],
    "str": ["none", "sum", "mean", "avg", " None", "batchmean"],
    "tensor": ["float32[4]", "float64[4]", "float32[3]", "none", "int64[4]", "float32[8,4]", "float32[", "(4,) float32"],
}


def _shape_variants(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    out = [(), (1, *shape), (*shape, 1), shape[1:], shape[:-1], tuple(reversed(shape)), (0, *shape[1:])]
    for i in range(len(shape)):
        out += [shape[:i] + (1,) + shape[i + 1 :], shape[:i] + (7,) + shape[i + 1 :]]
    return list(dict.fromkeys(out))


def cases() -> list[dict]:
    """The generated grid (deterministic)."""
    rng = random.Random(10)
    out: list[dict] = []
    for c in CONTRACTS.values():
        for case in grid(c):  # the probe grid, once with each provenance
            for made in (None, *MADE):
                out.append({"loss": c.name, "specs": case["specs"], "options": case["options"], "made": made})
        for base in (*c.probe, *c.traps):
            specs, options = base["specs"], {k: (v if isinstance(v, str) else json.dumps(v) if isinstance(v, list) else str(v)) for k, v in base.get("options", {}).items()}
            for name, text in specs.items():
                s = parse_spec(text)
                for dt in DTYPES:
                    for device in ("cpu", "cuda"):
                        out.append({"loss": c.name, "specs": {**specs, name: str(Spec(dt, s.shape))}, "options": options, "device": device})
                for shape in _shape_variants(s.shape):
                    for dt in {s.dtype, rng.choice(DTYPES)}:
                        out.append({"loss": c.name, "specs": {**specs, name: str(Spec(dt, shape))}, "options": options, "made": rng.choice((None, *MADE))})
            for opt in c.options:
                for text in OPTION_TEXTS.get(opt.kind, ["x"]):
                    out.append({"loss": c.name, "specs": specs, "options": {**options, opt.name: text}})
            out.append({"loss": c.name, "specs": specs, "options": {**options, "reduction": None}})
            for legacy in itertools.product(("true", "false", None), repeat=2):
                given = {k: v for k, v in zip(("size_average", "reduce"), legacy) if v is not None}
                out.append({"loss": c.name, "specs": specs, "options": {**options, **given, "reduction": rng.choice(("none", "sum", "mean"))}})
            out.append({"loss": c.name, "specs": specs, "options": {**options, "no_such_option": "1"}})
            out.append({"loss": c.name, "specs": {**specs, "no_such_tensor": "float32[1]"}})
            out.append({"loss": c.name, "specs": dict(itertools.islice(specs.items(), 1))})
            out.append({"loss": c.name, "specs": specs, "made": "softmax"})
            for text in PASTED:
                first = next(iter(specs))
                out.append({"loss": c.name, "specs": {**specs, first: text}})
    out += [{"name": n} for n in MISSPELLINGS]
    out += [{"name": n} for c in CONTRACTS.values() for n in (c.name, c.functional, f"F.{c.functional}", f"torch.nn.{c.name}", *c.aliases)]
    out += [{"spec": t, "dtype": d} for t in PASTED for d in (None, "long", "torch.float32", "nope")]
    # the grid generates some questions twice (~7%: a variant equal to its base, a random dtype equal to
    # the given one); both engines are deterministic, so each distinct question is asked once
    return list({json.dumps(c, sort_keys=True): c for c in out}.values())


def python_answer(case: dict) -> dict:
    try:
        if "name" in case:
            return {"loss": resolve(case["name"]).name}
        if "spec" in case:
            return {"spec": str(parse_spec(case["spec"], case.get("dtype")))}
        return diagnose(resolve(case["loss"]), case["specs"], case.get("options") or {}, case.get("made"), case.get("device", "cpu")).to_dict()
    except UnknownLoss as exc:
        return {"usage": str(exc), "suggestions": exc.suggestions}
    except (DiagnoseError, SpecError) as exc:
        return {"usage": str(exc), "suggestions": []}


def js_answers(payload: dict, batch: list[dict]) -> list[dict]:
    proc = subprocess.run([NODE, str(ROOT / "tests" / "js" / "loss_parity_cli.mjs")], input=json.dumps({"payload": payload, "cases": batch}),
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_payload_file_is_current():
    assert payload_mod.PATH.read_text(encoding="utf-8") == payload_mod.dumps(), "run: python -m refcheck.losses.payload"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_both_engines_give_identical_answers_on_the_generated_grid():
    batch = cases()
    payload = json.loads(payload_mod.PATH.read_text(encoding="utf-8"))
    js = js_answers(payload, batch)
    py = [json.loads(json.dumps(python_answer(c))) for c in batch]
    assert len(js) == len(py) == len(batch)
    diffs = [(c, p, j) for c, p, j in zip(batch, py, js) if p != j]
    assert not diffs, f"{len(diffs)} of {len(batch)} differ; first:\n" + "\n\n".join(f"{c}\npython: {p}\njs:     {j}" for c, p, j in diffs[:3])
    # the grid reaches every loss, every outcome, every provenance rule, usage errors and suggestions
    diag = [p for p in py if "outcome" in p]
    assert {p["loss"] for p in diag} == set(CONTRACTS)
    assert {p["outcome"] for p in diag} == {"ok", "warning", "forward-error", "backward-error", "error"}
    assert sum("usage" in p for p in py) > 500
    assert sum(bool(p.get("suggestions")) for p in py) >= 30
    assert len([c for c in batch if "name" in c and c["name"] in MISSPELLINGS]) >= 30
    made_rules = {pr["rule"].split(";")[0] for p in diag for pr in p["problems"] if pr["got"].startswith(pr["arg"] + " made as")}
    assert len(made_rules) >= 5
