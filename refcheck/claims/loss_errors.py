"""The loss error index (docs/losses/errors.md) as a claim: torch's real messages are its evidence.

The check triggers every error the loss contracts predict (each rejected case of the probe grid) plus a
few value-level misuses, and keeps torch's message with the call, cause and fix. It then makes the same
calls again with every size of 2 or more multiplied by 4 and checks that the templates built from the
first messages (``refcheck/losses/errors.py``) find the same entry in the new messages, so the index
matches a pasted error whatever its sizes. The page renders from this evidence; the site build runs no torch.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from refcheck import claim
from refcheck.losses.errors import CLAIM_ID, build_index, match, payload

SCALE = 4  # sizes >= 2 are multiplied by this in the second run; 1 stays 1 so broadcasting rules are unchanged

# value-level misuses the dtype/shape grid cannot show: (loss, call with {n} for the batch size, cause, fix)
VALUE_TRIGGERS = [
    ("BCELoss", "F.binary_cross_entropy(torch.randn({n}) * 3, torch.ones({n}))", "logits passed to BCELoss (values outside [0, 1])",
     "use BCEWithLogitsLoss on the logits, or torch.sigmoid first"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn({n}, 3), torch.arange({n}) % 4)", "a class id >= C (labels 1..C instead of 0..C-1, or too few output units)",
     "class ids must lie in [0, C); check the label encoding or the model's output size"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn({n}, 3), torch.arange({n}) % 3 - 1)", "a negative class id (padding marker other than ignore_index)",
     "set ignore_index=-1, or map padding to -100"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn({n}, 3), torch.arange({n}) % 3, label_smoothing=1.5)", "label_smoothing outside [0, 1]",
     "use a value in [0, 1], e.g. 0.1"),
    ("GaussianNLLLoss", "F.gaussian_nll_loss(torch.randn({n}), torch.randn({n}), -torch.rand({n}))", "negative variances (a raw linear output used as var)",
     "var = F.softplus(raw) or raw.exp()"),
    ("MSELoss", "F.mse_loss(torch.randn({n}), torch.randn({n}), reduction='avg')", "an unknown reduction", "reduction='none', 'mean' or 'sum'"),
    ("MultiMarginLoss", "F.multi_margin_loss(torch.randn({n}, 3), torch.arange({n}) % 4)", "a class id >= C", "class ids must lie in [0, C)"),
    ("CTCLoss", "F.ctc_loss(torch.randn(5, {n}, 4).log_softmax(2), torch.ones({n}, 3, dtype=torch.long), torch.full(({n},), 6), torch.full(({n},), 3))",
     "input_lengths larger than T (the time dim of log_probs; batch-first input?)", "log_probs must be (T, N, C); input_lengths <= T"),
    ("NLLLoss2d", "torch.nn.NLLLoss2d()", "NLLLoss2d is deprecated", "use NLLLoss: same arguments, any number of spatial dims"),
]


def _scale_spec(text: str) -> str:
    """float32[8,1,3] -> float32[32,1,12]; anything that is not a spec is returned unchanged."""
    m = re.fullmatch(r"(\w+)\[([\d, ]*)\]", text)
    if not m:
        return text
    dims = [int(d) * SCALE if int(d) >= 2 else int(d) for d in re.findall(r"\d+", m.group(2))]
    return f"{m.group(1)}[{','.join(map(str, dims))}]"


def _scale_option(contract: Any, name: str, value: Any) -> Any:
    """Tensor options are rescaled like tensors; options that fix a dim (``Option.dim``, e.g. in_features) too."""
    if isinstance(value, str):
        return _scale_spec(value)
    opt = contract.option(name)
    if opt is None or not getattr(opt, "dim", ""):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(v * SCALE if v >= 2 else v for v in value)
    return value * SCALE if isinstance(value, int) and value >= 2 else value


def _scaled(contract: Any, case: dict[str, Any]) -> dict[str, Any]:
    return {"specs": {k: _scale_spec(v) for k, v in case["specs"].items()},
            "options": {k: _scale_option(contract, k, v) for k, v in case["options"].items()}}


def _grid_messages(device: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(entry, scaled case) for every grid case the contract rejects and torch rejects the same way."""
    from refcheck.losses.contracts import CONTRACTS
    from refcheck.losses.diagnose import diagnose
    from refcheck.losses.probe import grid, run_case

    found = []
    for c in CONTRACTS.values():
        for case in grid(c):
            d = diagnose(c, case["specs"], case["options"])
            if d.outcome == "ok":
                continue
            m = run_case(c, case["specs"], case["options"], device)
            if m.outcome != d.outcome or not m.message:
                continue  # a disagreement: the loss's probe claim reports it
            call = f"{c.name}(" + ", ".join(f"{k}={v}" for k, v in case["specs"].items()) + "".join(f", {k}={v!r}" for k, v in case["options"].items()) + ")"
            p = next(p for p in d.problems if p.stage != "silent")
            entry = {"message": m.message, "stage": m.outcome, "loss": c.name, "call": call, "cause": p.rule, "fix": p.fix,
                     "specs": case["specs"], "options": case["options"]}
            scaled = _scaled(c, case)
            again = run_case(c, scaled["specs"], scaled["options"], device)
            found.append((entry, {**scaled, "message": again.message, "outcome": again.outcome}))
    return found


def _trigger(code: str, n: int, device: str) -> tuple[str, str]:
    """(message, stage) of a value trigger run with batch size n on the device."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # a once-per-process torch warning is given every time, as in run_case
    with warnings.catch_warnings(record=True) as caught, torch.device(device):
        warnings.simplefilter("always")
        try:
            eval(code.format(n=n), {"torch": torch, "F": F})  # a fixed expression of VALUE_TRIGGERS
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}", "forward-error"
        finally:
            torch.set_warn_always(always)
    if caught:
        return f"{caught[0].category.__name__}: {str(caught[0].message).splitlines()[0]}", "warning"
    return "", "ok"


@claim(
    CLAIM_ID,
    page="losses/errors.md",
    says="Every message in this index was raised (or warned) by the installed torch for the call shown beside it, and the "
    f"index finds the same entry for the same calls made again with every size of 2 or more multiplied by {SCALE}.",
    tags=("losses",),
)
def error_index(ctx):
    if not str(ctx.device).startswith("cpu"):
        ctx.skip("the index records CPU messages; on CUDA its out-of-range class ids trip device-side asserts that break the "
                 "CUDA context for every later claim")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = _grid_messages(ctx.device)
    silent = []
    for loss, code, cause, fix in VALUE_TRIGGERS:
        first, stage = _trigger(code, 4, ctx.device)
        again, again_stage = _trigger(code, 4 * SCALE, ctx.device)
        if not first:
            silent.append(code.format(n=4))
        else:
            entry = {"message": first, "stage": stage, "loss": loss, "call": code.format(n=4), "cause": cause, "fix": fix, "specs": {}, "options": {}}
            pairs.append((entry, {"message": again, "outcome": again_stage, "call": code.format(n=4 * SCALE)}))
    ctx.expect_equal(silent, [], "value-level misuses that neither raised nor warned")
    messages = [e for e, _ in pairs]
    index = build_index(messages)
    templates = payload(index)["templates"]
    by_message = {m: e["id"] for e in index for m in e["variants"]}
    kinds = {e["id"]: e["kinds"] for e in index}
    misfiled, shapes_same, with_sizes = [], 0, 0
    for entry, again in pairs:
        found = match(again["message"], templates) if again["message"] else None
        if found is None or found["id"] != by_message[entry["message"]]:
            misfiled.append(f"{entry['call']} -> {again['message'] or again['outcome']}")
        elif found["loss"] == entry["loss"] and "specs" in again and any(k != "dtype" for k in kinds[found["id"]]):
            with_sizes += 1
            shapes_same += found["specs"] == again["specs"]
    ctx.expect_equal(misfiled, [], f"calls made again with sizes x{SCALE} whose message the index files elsewhere or not at all")
    ctx.expect_greater(len(index), 30, "distinct messages in the index")
    return {
        "messages": messages,
        "triggered": len(messages),
        "entries": len(index),
        "rescaled_found": len(pairs) - len(misfiled),
        "prefill_exact": f"{shapes_same} of {with_sizes} (calls made again whose message prints numbers: the lookup's pre-filled specs equal the call's)",
    }
