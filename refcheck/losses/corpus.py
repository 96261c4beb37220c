"""A corpus of real loss calls that the contracts were not written from, run through torch and the API.

The probe grid (``probe.py``) varies one thing at a time around each contract's base cases, with
fixed sizes. This corpus draws from a different random grid (its own seed): new sizes for every
named dim, then one perturbation drawn per call: another dtype (float16, bfloat16, complex too),
another shape, an option value (legacy ``size_average``/``reduce``, ``reduction=None``, a
non-positive ``delta``), 0-dim tensors, NaN values, Python scalars and lists where torch takes
them, out-of-range values. Each call is run for real (forward, then backward of the summed loss)
and by ``check_loss_inputs``; both verdicts are one of: valid, forward-error, backward-error.

Imports torch (an adapter, not part of the torch-free core).
"""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass, field
from typing import Any

from refcheck.losses.contracts import CONTRACTS
from refcheck.losses.diagnose import concrete, diagnose
from refcheck.losses.model import Contract
from refcheck.losses.spec import parse_spec

SEED = 20261201  # the probe uses no randomness for its grid; this corpus draws its own
DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool", "complex64")
PERTURBATIONS = ("valid", "valid", "dtype", "dtype", "shape", "shape", "option", "scalar", "nan", "values", "python")
VERDICTS = ("valid", "forward-error", "backward-error")


@dataclass
class Call:
    loss: str
    tensors: dict[str, dict[str, Any]]  # arg -> {dtype, shape, values, python: "" | "float" | "list"}
    options: dict[str, Any] = field(default_factory=dict)
    change: str = "valid"  # what was perturbed, for the report

    def label(self) -> str:
        ts = ", ".join(f"{k}={v['python'] or v['dtype']}{list(v['shape'])}" for k, v in self.tensors.items())
        return f"{self.loss}({ts}{''.join(f', {k}={v!r}' for k, v in self.options.items())}) [{self.change}]"


def _sizes(rng: random.Random, names) -> dict[str, Any]:
    pick = {"N": (2, 3, 5, 16), "C": (2, 4, 7), "D": (3, 6), "T": (10, 15), "S": (2, 3, 4)}
    return {n: rng.choice(pick.get(n, (2, 3, 5))) for n in names}


def _base(rng: random.Random, contract: Contract) -> Call:
    """A valid call of the contract with new sizes for its named dims (the base case's own sizes when no draw is valid)."""
    base = rng.choice(contract.probe)
    for _ in range(6):
        call = _resized(rng, contract, base)
        specs = {k: f"{v['dtype']}[{','.join(map(str, v['shape']))}]" for k, v in call.tensors.items()}
        if diagnose(contract, specs, {k: v for k, v in call.options.items()}).valid:
            return call
    tensors = {a.name: {"dtype": parse_spec(base["specs"][a.name]).dtype, "shape": list(parse_spec(base["specs"][a.name]).shape), "values": a.values,
                        "python": ""} for a in contract.module_args}
    return Call(contract.name, tensors, dict(base.get("options", {})))


def _resized(rng: random.Random, contract: Contract, base: dict[str, Any]) -> Call:
    specs, options = base["specs"], dict(base.get("options", {}))
    d = diagnose(contract, specs, options)
    form = next(f for f in contract.forms if f.name == d.form)
    env = dict(d.bound)
    new = _sizes(rng, [k for k, v in env.items() if not isinstance(v, list)])
    groups = {}  # groups of the same length get the same sizes (broadcasting forms need equal shapes)
    for k, v in env.items():
        if isinstance(v, list):
            new[k] = groups.setdefault(len(v), [rng.choice((2, 3, 5, 6)) for _ in v])
    if contract.name == "CTCLoss" and "L" in new:  # concatenated targets: L = N * S
        new["S"] = new.get("S", 3)
        new["L"] = new["N"] * new["S"]
    for o in contract.options:  # options that fix a dim (LinearCrossEntropyLoss)
        if o.dim and o.name in options:
            options[o.name] = new[o.dim.lstrip("*+")]
    tensors = {}
    for a in contract.module_args:
        pattern = form.shapes[a.name]
        shape = concrete(pattern, new)
        if shape is None:
            shape = parse_spec(specs[a.name]).shape
        tensors[a.name] = {"dtype": parse_spec(specs[a.name]).dtype, "shape": list(shape), "values": a.values, "python": ""}
    for k, v in options.items():
        opt = contract.option(k)
        if opt is not None and opt.kind == "tensor" and isinstance(v, str):
            shape = list(concrete(opt.shape, new) or parse_spec(v).shape) if opt.shape and opt.shape != "~input" else list(parse_spec(v).shape)
            options[k] = f"{parse_spec(v).dtype}{shape}".replace(" ", "")
    return Call(contract.name, tensors, options)


def _option_values(contract: Contract) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("reduction", None), ("reduction", "avg"), ("reduction", "none"), ("reduction", "sum"),
                                  ("size_average", False), ("reduce", False), ("size_average", True)]
    for o in contract.options:
        if o.kind == "float":
            out += [(o.name, -1.0), (o.name, 0.0), (o.name, 0.5), (o.name, 2.0)]
        elif o.kind == "int" and o.name == "ignore_index":
            out += [(o.name, 0), (o.name, -1)]
        elif o.kind == "int" and o.name == "p":
            out += [(o.name, 2), (o.name, 3)]
        elif o.kind == "int" and o.name == "blank":
            out += [(o.name, 1)]
        elif o.kind == "bool":
            out += [(o.name, True), (o.name, False)]
    if contract.name == "LinearCrossEntropyLoss":
        out = [x for x in out if x[0] not in ("size_average", "reduce")]
    return out


def perturb(rng: random.Random, call: Call, contract: Contract, kind: str) -> Call:
    """One change to a valid call."""
    names = list(call.tensors)
    if kind == "values" and contract.name == "CTCLoss":  # out-of-range CTC target ids corrupt torch's CPU heap: not run
        names = ["input_lengths", "target_lengths"]
    t = call.tensors[rng.choice(names)]
    call.change = kind
    if kind == "dtype":
        t["dtype"] = rng.choice(DTYPES)
        call.change = f"dtype {t['dtype']}"
    elif kind == "shape":
        how = rng.choice(("unsqueeze", "squeeze", "resize", "drop", "transpose"))
        s = t["shape"]
        if how == "unsqueeze":
            s.insert(rng.randrange(len(s) + 1), 1)
        elif how == "squeeze" and s:
            s.pop(rng.randrange(len(s)))
        elif how == "resize" and s:
            i = rng.randrange(len(s))
            s[i] = rng.choice([x for x in (1, 2, 6, 9) if x != s[i]])
        elif how == "drop" and s:
            del s[0]
        elif how == "transpose" and len(s) >= 2:
            s[-1], s[-2] = s[-2], s[-1]
        call.change = f"shape {how}"
    elif kind == "option":
        k, v = rng.choice(_option_values(contract))
        call.options[k] = v
        call.change = f"option {k}={v!r}"
    elif kind == "scalar":
        for x in call.tensors.values():
            x["shape"] = []
    elif kind == "nan":
        t["values"] = "nan"
    elif kind == "values":
        t["values"] = rng.choice(("out_of_range", "negative", "big"))
        call.change = f"values {t['values']}"
    elif kind == "python":
        if contract.name == "GaussianNLLLoss":
            call.tensors["var"]["python"] = "float"
        elif contract.name == "CTCLoss":
            call.tensors[rng.choice(("input_lengths", "target_lengths"))]["python"] = "list"
        else:
            t["python"] = "list"
        call.change = "python " + ",".join(k for k, v in call.tensors.items() if v["python"])
    return call


def corpus(n_per_loss: int = 24, seed: int = SEED) -> list[Call]:
    """The calls: ``n_per_loss`` per contract, drawn with ``seed``."""
    rng = random.Random(seed)
    calls = []
    for contract in CONTRACTS.values():
        for _ in range(n_per_loss):
            call = _base(rng, contract)
            calls.append(perturb(rng, call, contract, rng.choice(PERTURBATIONS)))
    return calls


# ------------------------------------------------------------------------------------------ running
def _tensor(torch, spec: dict[str, Any], env: dict[str, Any], gen):
    dtype = getattr(torch, spec["dtype"])
    shape = tuple(spec["shape"])
    how = spec["values"]
    if how.startswith("len:"):
        n = env.get(how[4:], 1)
        x = torch.full(shape, int(n), dtype=torch.int64)
    elif how in ("class", "label"):
        low = 1 if how == "label" else 0
        x = torch.randint(low, max(low + 1, int(env.get("C", 1))), shape, generator=gen)
    elif how == "sign":
        x = torch.randint(0, 2, shape, generator=gen) * 2 - 1
    elif how == "prob":
        x = torch.rand(shape, generator=gen)
    elif how == "positive":
        x = torch.rand(shape, generator=gen) + 0.1
    elif how == "logprob":
        x = torch.randn(shape, generator=gen)
        x = x.log_softmax(-1) if x.ndim else x.clamp(max=0)
    elif how == "out_of_range":
        x = torch.full(shape, int(env.get("C", 2)) + 3)
    elif how == "negative":
        x = -torch.rand(shape, generator=gen) - 0.5
    elif how == "big":
        x = torch.randn(shape, generator=gen) * 50
    elif how == "nan":
        x = torch.randn(shape, generator=gen)
        if x.numel():
            x.view(-1)[0] = float("nan")
    else:
        x = torch.randn(shape, generator=gen)
    if dtype.is_complex:
        x = x.to(torch.float32).to(dtype)
    elif dtype == torch.bool:
        x = x != 0
    elif not dtype.is_floating_point and x.is_floating_point():
        x = x.round().to(dtype) if how != "nan" else torch.zeros(shape, dtype=dtype)
    else:
        x = x.to(dtype)
    if spec["python"] == "float":
        return float(x.reshape(-1)[0]) if x.numel() else 1.0
    if spec["python"] == "list":
        return x.tolist()
    return x


def build(torch, call: Call, seed: int = 0):
    """The module's constructor kwargs and the positional arguments, made of real tensors."""
    contract = CONTRACTS[call.loss]
    gen = torch.Generator().manual_seed(seed)
    env = {}
    for name, t in call.tensors.items():
        pattern = None
        for f in contract.forms:
            pattern = f.shapes.get(name)
            break
        if pattern:
            toks = [p.strip() for p in pattern.split(",") if p.strip()]
            if len(toks) == len(t["shape"]):
                for tok, size in zip(toks, t["shape"]):
                    if tok.isalpha():
                        env.setdefault(tok, size)
    if call.loss == "CTCLoss":
        lp, tg = call.tensors["log_probs"]["shape"], call.tensors["targets"]["shape"]
        env["T"] = lp[0] if lp else 1
        env["S"] = (tg[-1] if len(tg) == 2 else (tg[0] // max(1, lp[1]) if len(lp) == 3 and tg else (tg[0] if tg else 0)))
    kwargs = {}
    for k, v in call.options.items():
        opt = contract.option(k)
        if opt is not None and opt.kind == "tensor" and isinstance(v, str):
            s = parse_spec(v)
            kwargs[k] = (torch.rand(s.shape, generator=gen) + 0.5).to(getattr(torch, s.dtype))
        elif opt is not None and opt.kind == "ints":
            kwargs[k] = tuple(v)
        else:
            kwargs[k] = v
    args = []
    for a in contract.module_args:
        x = _tensor(torch, call.tensors[a.name], env, gen)
        if a.grad and hasattr(x, "is_floating_point") and (x.is_floating_point() or x.is_complex()):
            x.requires_grad_(True)
        args.append(x)
    return kwargs, args


def run_torch(call: Call, seed: int = 0) -> tuple[str, str]:
    """torch's verdict on the call (valid | forward-error | backward-error) and its message."""
    import torch

    kwargs, args = build(torch, call, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = getattr(torch.nn, call.loss)(**kwargs)
            out = module(*args)
        except Exception as exc:
            return "forward-error", f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
        try:
            if not out.requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            out.sum().backward()  # as the probe: a complex loss cannot start backward()
        except Exception as exc:
            return "backward-error", f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return "valid", ""


def run_api(call: Call, seed: int = 0) -> tuple[str, str, list[str]]:
    """check_loss_inputs' verdict on the same call, its message, and the LossInputWarnings it gave."""
    import torch

    from refcheck.losses.api import LossInputError, LossInputWarning, check_loss_inputs

    kwargs, args = build(torch, call, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_loss_inputs(call.loss, *args, **kwargs)
            verdict, message = "valid", ""
        except LossInputError as exc:
            stages = [p.stage for p in exc.problems] or ["forward"]
            verdict = {"backward": "backward-error", "warning": "valid", "silent": "valid", "error": "error"}.get(stages[0], "forward-error")
            message = str(exc).splitlines()[0] + (" " + str(exc).splitlines()[1].strip() if "\n" in str(exc) else "")
    warned = [str(w.message) for w in caught if issubclass(w.category, LossInputWarning)]
    return verdict, message, warned


def agreement(calls: list[Call]) -> dict[str, Any]:
    """Per loss and overall: how often the API's verdict equals torch's; the disagreements."""
    per: dict[str, list[int]] = {}
    wrong = []
    verdicts: dict[str, int] = {}
    for i, call in enumerate(calls):
        t, tmsg = run_torch(call, i)
        verdicts[t] = verdicts.get(t, 0) + 1
        a, amsg, _ = run_api(call, i)
        ok = t == a or (a == "error" and t != "valid")  # 'error': raises, at a stage the specs do not decide
        per.setdefault(call.loss, [0, 0])
        per[call.loss][0] += ok
        per[call.loss][1] += 1
        if not ok:
            wrong.append({"call": call.label(), "torch": t, "api": a, "torch_message": tmsg, "api_message": amsg})
    total = sum(v[1] for v in per.values())
    agree = sum(v[0] for v in per.values())
    return {"calls": total, "agree": agree, "rate": agree / total, "torch_verdicts": verdicts, "per_loss": {k: {"agree": v[0], "calls": v[1]} for k, v in per.items()},
            "disagreements": wrong}
