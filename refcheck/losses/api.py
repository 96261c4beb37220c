"""``check_loss_inputs``: check real tensors against a loss's contract before torch does.

Shapes and dtypes are checked from the same contract data as ``refcheck explain``; values are
looked at for the misuses that raise nothing (probabilities where log-probabilities belong,
softmax output fed as logits, 0/1 labels for a {-1, 1} loss, class ids out of range).
"""

from __future__ import annotations

import warnings
from typing import Any

from refcheck.losses.contracts import UnknownLoss, resolve
from refcheck.losses.diagnose import STAGE_TEXT, Problem, diagnose
from refcheck.losses.model import Contract
from refcheck.losses.spec import DTYPES, Spec


class LossInputError(ValueError):
    """The tensors break the loss's contract; the message states the rule, what was passed and the fix."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


class LossInputWarning(UserWarning):
    """The values look like a misuse that torch would not report (e.g. probabilities fed as logits)."""


def _contract_of(loss: Any) -> tuple[Contract, bool]:
    """The contract of a module instance, a loss class, a functional or a name; and whether it is functional."""
    if isinstance(loss, str):
        try:
            return resolve(loss), False
        except UnknownLoss as exc:
            raise LossInputError(str(exc)) from None
    cls = loss if isinstance(loss, type) else type(loss)
    if cls.__module__ == "torch.nn.modules.loss":
        return resolve(cls.__name__), False
    name = getattr(loss, "__name__", None)
    if callable(loss) and name:
        try:
            return resolve(name), True
        except UnknownLoss:
            pass
    raise LossInputError(f"{loss!r} is not a torch.nn loss module, loss class or torch.nn.functional loss")


def _module_options(contract: Contract, module: Any) -> dict[str, Any]:
    """The options of a loss module instance that the contract knows."""
    opts: dict[str, Any] = {}
    for o in contract.options:
        value = getattr(module, o.name, None)
        if contract.name == "LinearCrossEntropyLoss" and o.name == "in_features":
            value = module.linear.in_features
        if value is None or o.kind in ("callable", "object"):
            continue
        if o.kind == "tensor":
            opts[o.name] = str(_spec(value))
        elif o.kind == "ints":
            opts[o.name] = list(value)
        else:
            opts[o.name] = value
    return opts


def _spec(t: Any) -> Spec:
    dtype = str(getattr(t, "dtype", "")).removeprefix("torch.")
    if dtype not in DTYPES:
        raise LossInputError(f"unsupported tensor dtype {dtype or type(t).__name__!r}; losses take one of {', '.join(DTYPES)}")
    return Spec(dtype, tuple(int(d) for d in t.shape))


def _value_problems(contract: Contract, named: dict[str, Any], bound: dict[str, Any], options: dict[str, Any]) -> list[Problem]:
    """Misuses visible only in the values."""
    out: list[Problem] = []
    for name, rule in contract.values.items():
        t = named.get(name)
        if t is None or t.numel() == 0:
            continue
        x = t.detach()
        floating = x.is_floating_point()
        lo, hi = float(x.min()), float(x.max())
        if rule == "logits" and floating and lo >= 0.0 and hi <= 1.0:
            sums = x.sum(1) if x.ndim > 1 and contract.name == "CrossEntropyLoss" else None
            what = "softmax probabilities (rows sum to 1)" if sums is not None and bool(((sums - 1).abs() < 1e-3).all()) else "probabilities (all values in [0, 1])"
            out.append(Problem(name, f"{contract.name} takes raw logits; these look like {what}", f"values in [{lo:.3g}, {hi:.3g}]",
                               "pass the model's output before softmax/sigmoid", "silent"))
        elif rule == "logprob" and floating and hi > 1e-6:
            looks = "probabilities" if lo >= 0 and hi <= 1 else "logits"
            out.append(Problem(name, f"{contract.name} takes log-probabilities (all <= 0); these look like {looks}", f"max value {hi:.3g}",
                               f"{name}.log_softmax(dim=1) of the logits" + (" (or use CrossEntropyLoss on the logits)" if contract.name.startswith("NLL") else ""), "silent"))
        elif rule == "prob01" and floating and (lo < 0 or hi > 1):
            stage = "forward" if name == "input" and contract.name == "BCELoss" else "silent"
            fix = "apply torch.sigmoid, or better use BCEWithLogitsLoss on the logits" if name == "input" else f"{name} must hold probabilities / 0-1 labels"
            out.append(Problem(name, f"{name} values must lie in [0, 1]", f"values in [{lo:.3g}, {hi:.3g}]", fix, stage))
        elif rule == "prob" and floating:
            if options.get("log_target"):
                if hi > 1e-6:
                    out.append(Problem(name, "with log_target=True the target must be log-probabilities (<= 0)", f"max value {hi:.3g}", "log_target=False, or target.log()", "silent"))
            elif lo < 0:
                out.append(Problem(name, "the target must be probabilities (>= 0); these look like log-probabilities", f"min value {lo:.3g}", "log_target=True, or target.exp()", "silent"))
        elif rule == "sign" and lo >= 0 and hi <= 1 and x.numel() > 1:
            out.append(Problem(name, f"{contract.name} expects labels in {{-1, 1}}; these are 0/1", f"values in [{lo:g}, {hi:g}]", f"{name} * 2 - 1", "silent"))
        elif rule == "nonneg" and lo < 0:
            stage = "forward" if name == "var" else "silent"
            out.append(Problem(name, f"{name} must be non-negative", f"min value {lo:.3g}", f"e.g. softplus or exp of the raw output for {name}", stage))
        elif rule in ("class", "class_or_pad") and not floating and "C" in bound:
            c = bound["C"]
            ignore = options.get("ignore_index", -100)
            ignore = -100 if ignore is None else ignore
            bad = (x < (-1 if rule == "class_or_pad" else 0)) | (x >= c)
            if rule == "class":
                bad &= x != ignore
            if bool(bad.any()):
                out.append(Problem(name, f"class ids must lie in [0, {c}) (C = {c})" + (f" or equal ignore_index={ignore}" if rule == "class" else ", -1 for padding"),
                                   f"values in [{int(x.min())}, {int(x.max())}]", "check the label encoding, or the number of output classes", "forward"))
    return out


def check_loss_inputs(loss: Any, *tensors: Any, strict: bool = False, **options: Any) -> None:
    """Check the tensors you would pass to ``loss`` against its contract, before torch does.

    Args:
        loss: a loss module instance (its options, e.g. ``ignore_index`` and ``reduction``, are read from it),
            a loss class, a ``torch.nn.functional`` loss, or a name such as ``"cross_entropy"``.
        *tensors: the positional tensors, in the loss's own order (input, target, and any extra tensors,
            e.g. ``var`` for GaussianNLLLoss or the two lengths tensors for CTCLoss).
        strict: raise for misuses visible only in the values (by default they warn).
        **options: options of a functional call, e.g. ``reduction="none"`` or ``weight=w``.

    Raises:
        LossInputError: a rule of the contract is broken (torch would raise in the forward call or in
            ``backward()``, or would broadcast with only a warning); the message says which rule, what
            was passed and the fix. Silent misuses seen in the values raise it too when ``strict``.

    Warns:
        LossInputWarning: silent misuses (values that look like probabilities where log-probabilities
            belong, 0/1 labels for a {-1, 1} loss, shapes that broadcast silently) when not ``strict``.
    """
    contract, functional = _contract_of(loss)
    opts = {} if isinstance(loss, (str, type)) or functional else _module_options(contract, loss)
    for k, v in options.items():
        opt = contract.option(k)
        if opt is None:
            raise LossInputError(f"{contract.name} has no option {k!r}; valid: {', '.join(o.name for o in contract.options)}")
        opts[k] = str(_spec(v)) if opt.kind == "tensor" and v is not None and hasattr(v, "shape") else v
    order = contract.functional_args if functional and contract.functional_args else tuple(a.name for a in contract.module_args)
    if len(tensors) != len(order):
        raise LossInputError(f"{contract.name} takes {len(order)} tensors ({', '.join(order)}); got {len(tensors)}")
    named = dict(zip(order, tensors))
    specs = {k: _spec(v) for k, v in named.items()}
    opts = {k: v for k, v in opts.items() if contract.option(k) is not None}
    diag = diagnose(contract, specs, opts)
    problems = list(diag.problems)
    if diag.outcome in ("ok", "warning"):
        problems += _value_problems(contract, named, diag.bound, diag.options)
    loud = [p for p in problems if p.stage != "silent" or strict]
    quiet = [p for p in problems if p not in loud]
    call = f"{contract.name}({', '.join(f'{k}={v}' for k, v in specs.items())})"
    if loud:
        lines = [f"{call} breaks its contract:"] + [f"  - {p.line()} [{STAGE_TEXT[p.stage]}]" for p in loud]
        raise LossInputError("\n".join(lines), loud)
    for p in quiet:
        warnings.warn(f"{call}: {p.line()}", LossInputWarning, stacklevel=2)
