"""Run a loss on real tensors built from specs and classify what torch does (imports torch).

The probe grid of a contract is its valid base cases, each argument swapped through a set of
dtypes, ``reduction='none'``, and the contract's listed shape traps. For every case the outcome
torch shows (ok | warning | forward-error | backward-error, plus the output shape) is compared
with what ``diagnose`` predicts from the contract data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from refcheck.losses.diagnose import diagnose
from refcheck.losses.model import Contract
from refcheck.losses.spec import Spec, parse_spec

GRAD_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "complex64")
DATA_DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool", "complex64")


@dataclass
class Outcome:
    outcome: str  # ok | warning | forward-error | backward-error
    output_shape: list[int] | None
    message: str = ""


def grid(contract: Contract) -> list[dict[str, Any]]:
    """Every probe case of a contract: {"specs": {arg: spec}, "options": {...}}."""
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(specs, options):
        key = repr((sorted(specs.items()), sorted((k, repr(v)) for k, v in options.items())))
        if key not in seen:
            seen.add(key)
            cases.append({"specs": dict(specs), "options": dict(options)})

    for base in contract.probe:
        specs, options = base["specs"], base.get("options", {})
        add(specs, options)
        add(specs, {**options, "reduction": "none"})
        for name, text in specs.items():
            arg = contract.arg(name)
            shape = parse_spec(text).shape
            for dt in GRAD_DTYPES if arg.grad else DATA_DTYPES:
                add({**specs, name: str(Spec(dt, shape))}, options)
        add({k: str(Spec(parse_spec(v).dtype, ())) for k, v in specs.items()}, options)  # every tensor 0-dim
        for opt in contract.options:  # every range rule, at and beyond its bounds
            if opt.kind in ("float", "int") and (opt.low is not None or opt.high is not None):
                cast = float if opt.kind == "float" else int
                for v in [b for b in (opt.low, opt.high) if b is not None] + ([opt.low - 1] if opt.low is not None else []) + ([opt.high + 1] if opt.high is not None else []):
                    add(specs, {**options, opt.name: cast(v)})
        add(specs, {**options, "reduction": None})
        if contract.option("size_average") is not None:  # the legacy arguments torch still takes
            for legacy in ({"size_average": False}, {"reduce": False}):
                add(specs, {**options, **legacy})
    for trap in contract.traps:
        add(trap["specs"], trap.get("options", {}))
        add(trap["specs"], {**trap.get("options", {}), "reduction": "none"})
    return cases


def _values(torch, spec: Spec, how: str, env: dict[str, Any], device: str):
    """A tensor of the spec whose values are valid for the argument (so only dtype/shape are probed)."""
    shape = spec.shape
    dtype = getattr(torch, spec.dtype)
    if how.startswith("len:"):
        key = how[4:]
        n = env[key] if key in env else env["L"] // max(env.get("N", 1), 1) if "L" in env else 1  # concatenated CTC targets
        return torch.full(shape, int(n), dtype=dtype, device=device)
    if spec.dtype == "bool":
        return torch.randint(0, 2, shape, device=device).bool()
    floating = dtype.is_floating_point or dtype.is_complex
    if how in ("class", "label"):
        low = 1 if how == "label" else 0
        high = max(low + 1, min(2, int(env.get("C", 1))))  # valid class ids even when C == 1 (a 0-dim score holds one class)
        return torch.randint(low, high, shape, device=device).to(dtype)
    if how == "sign":
        x = torch.randint(0, 2, shape, device=device)
        return (x * 2 - 1).to(dtype) if spec.dtype != "uint8" else x.to(dtype)
    if not floating:
        return torch.randint(0, 2, shape, device=device).to(dtype)
    if how == "prob":
        return torch.rand(shape, device=device).to(dtype)
    if how == "positive":
        return (torch.rand(shape, device=device) + 0.1).to(dtype)
    if how == "logprob":
        x = torch.randn(shape, device=device)
        return (x.log_softmax(-1) if x.ndim else x.clamp(max=0)).to(dtype)
    return torch.randn(shape, device=device).to(dtype)


def _build(torch, contract: Contract, options: dict[str, Any], device: str):
    nn = torch.nn
    kwargs = {}
    for k, v in options.items():
        opt = contract.option(k)
        if opt is not None and opt.kind == "tensor" and v is not None:
            s = parse_spec(v)
            kwargs[k] = torch.rand(s.shape, device=device).to(getattr(torch, s.dtype)) + 0.5
        elif opt is not None and opt.kind == "ints":
            kwargs[k] = tuple(v)
        else:
            kwargs[k] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # NLLLoss2d's deprecation notice, raised at construction
        module = getattr(nn, contract.name)(**kwargs)
    return module.to(device)


def run_case(contract: Contract, specs: dict[str, str], options: dict[str, Any], device: str = "cpu") -> Outcome:
    """What torch does with tensors of these specs: forward, then backward of the summed loss.

    Warnings torch gives once per process (TORCH_WARN_ONCE, e.g. "Casting complex values to real discards the
    imaginary part") are given on every call here: an outcome must not depend on what this process ran before
    (the error index failed when run alone, and passed only after another claim had used up such a warning).
    """
    import torch

    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        return _run_case(torch, contract, specs, options, device)
    finally:
        torch.set_warn_always(always)


def _run_case(torch: Any, contract: Contract, specs: dict[str, str], options: dict[str, Any], device: str) -> Outcome:
    diag = diagnose(contract, specs, options)  # only for the bound dims, used to fill length tensors
    env = {**diag.bound}
    for name, val in list(env.items()):
        if isinstance(val, list):
            env[name] = len(val)
    with warnings.catch_warnings(record=True) as built:
        warnings.simplefilter("always")
        try:
            module = _build(torch, contract, options, device)
        except Exception as exc:  # an option torch rejects at construction
            return Outcome("forward-error", None, f"{type(exc).__name__}: {_first_line(exc)}")
    tensors = []
    for arg in contract.module_args:
        spec = parse_spec(specs[arg.name])
        t = _values(torch, spec, arg.values, env, device)
        if arg.grad and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        tensors.append(t)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = module(*tensors)
        except Exception as exc:
            return Outcome("forward-error", None, f"{type(exc).__name__}: {_first_line(exc)}")
        shape = list(out.shape)
        try:
            if not out.requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            out.sum().backward()
        except Exception as exc:
            return Outcome("backward-error", shape, f"{type(exc).__name__}: {_first_line(exc)}")
    user = [w for w in [*built, *caught] if issubclass(w.category, UserWarning) and not issubclass(w.category, FutureWarning)]
    if user:
        return Outcome("warning", shape, f"{user[0].category.__name__}: {_first_line(user[0].message)}")
    return Outcome("ok", shape)


def _first_line(exc: Any) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def agrees(predicted: str, measured: str) -> bool:
    """'error' (the contract does not commit to the stage) agrees with an error in either stage."""
    return predicted == measured or (predicted == "error" and measured in ("forward-error", "backward-error"))


def probe(contract: Contract, device: str = "cpu") -> list[dict[str, Any]]:
    """Every grid case with the predicted and the measured outcome."""
    rows = []
    for case in grid(contract):
        d = diagnose(contract, case["specs"], case["options"], device=str(device).split(":")[0])
        m = run_case(contract, case["specs"], case["options"], device)
        predicted_shape = d.output_shape if d.outcome in ("ok", "warning") else None
        measured_shape = m.output_shape if m.outcome in ("ok", "warning") else None
        rows.append({
            "specs": case["specs"], "options": case["options"],
            "predicted": d.outcome, "measured": m.outcome,
            "predicted_shape": predicted_shape, "measured_shape": measured_shape,
            "agree": agrees(d.outcome, m.outcome) and predicted_shape == measured_shape,
            "message": m.message, "rule": d.problems[0].rule if d.problems else "",
        })
    return rows
