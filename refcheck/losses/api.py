"""``check_loss_inputs``: check real tensors against a loss's contract before torch does.

Shapes and dtypes are checked from the same contract data as ``refcheck explain``; values are
looked at for the misuses that raise nothing (probabilities where log-probabilities belong,
softmax output fed as logits, 0/1 labels for a {-1, 1} loss, class ids out of range).
"""

from __future__ import annotations

import warnings
from typing import Any

from refcheck.losses.contracts import UnknownLoss, resolve
from refcheck.losses.diagnose import STAGE_TEXT, DiagnoseError, Problem, diagnose, effective_reduction, fmt_shape
from refcheck.losses.model import Contract
from refcheck.losses.spec import DTYPES, Spec, SpecError


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


def _float(x) -> bool:
    return x.is_floating_point()


def _nan_problems(contract: Contract, named: dict[str, Any]) -> list[Problem]:
    """NaN anywhere: torch raises for the few losses that range-check their values, else the loss is NaN."""
    out = []
    raising = {("BCELoss", "input"), ("BCELoss", "target"), ("GaussianNLLLoss", "var")}
    for name, t in named.items():
        if hasattr(t, "is_floating_point") and _float(t) and t.numel() and bool(t.detach().isnan().any()):
            stage = "forward" if (contract.name, name) in raising else "silent"
            out.append(Problem(name, f"{name} contains NaN: " + ("torch's range check rejects it" if stage == "forward" else "the loss and every gradient become NaN"),
                               f"{int(t.detach().isnan().sum())} NaN value(s)", f"find where the NaN comes from (torch.isnan({name}).nonzero())", stage))
    return out


def _value_problems(contract: Contract, named: dict[str, Any], bound: dict[str, Any], options: dict[str, Any]) -> list[Problem]:
    """Misuses visible only in the values."""
    out: list[Problem] = []
    first = named[contract.module_args[0].name]
    if "C" not in bound and first.ndim == 0:
        bound = {**bound, "C": 1}  # a 0-dim score tensor holds one class
    for name, rule in contract.values.items():
        t = named.get(name)
        if t is None or t.numel() == 0:
            continue
        x = t.detach()
        floating = x.is_floating_point()
        if x.is_complex() or (floating and bool(x.isnan().any())):
            continue  # complex values have no order; NaN is reported by _nan_problems
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
        elif rule == "logprob" and floating and x.ndim >= 2 and contract.name.startswith("NLL"):
            out += _wrong_dim(contract, name, x)
        elif rule == "prob01" and floating and (lo < 0 or hi > 1):
            stage = "forward" if contract.name == "BCELoss" else "silent"
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
        elif rule == "log_rate" and floating and options.get("log_input", True) and lo >= 0:
            target = named.get("target")
            if target is not None and target.numel() == x.numel():
                y = target.detach().to(x.dtype).reshape(-1)
                as_rates = float((x.reshape(-1) - y).abs().mean())
                as_logs = float((x.reshape(-1).exp() - y).abs().mean())
                if as_rates < as_logs:
                    out.append(Problem(name, "PoissonNLLLoss has log_input=True: input is read as log(rate), but these values look like rates (>= 0, close to the counts)",
                                       f"values in [{lo:.3g}, {hi:.3g}]", "log_input=False, or pass log(rate)", "silent"))
        elif rule == "class" and floating and contract.name == "CrossEntropyLoss" and x.ndim >= 1 and named.get("input") is not None and x.shape == named["input"].shape:
            out += _probability_rows(name, x)
        elif rule in ("class", "class_or_pad") and not floating and "C" in bound:
            out += _class_ids(contract, name, x, bound, options, rule)
        elif rule == "ctc_ids" and not floating:
            out += _ctc_ids(named, bound, options)
        elif rule == "ctc_lengths":
            out += _ctc_lengths(named, bound)
    return out


def _wrong_dim(contract: Contract, name: str, x) -> list[Problem]:
    """Log-probabilities normalized over another dim than the class dim (1)."""
    p = x.double().exp()
    normal = [d for d in range(x.ndim) if x.shape[d] > 1 and bool(((p.sum(d) - 1).abs() < 1e-3).all())]
    if normal and 1 not in normal:
        return [Problem(name, f"{contract.name} reads classes from dim 1, but these log-probabilities are normalized over dim {normal[0]}",
                        f"exp({name}) sums to 1 over dim {normal[0]}, not over dim 1", f"log_softmax(dim=1) of the logits (or {name}.transpose(1, {normal[0]}))", "silent")]
    return []


def _probability_rows(name: str, x) -> list[Problem]:
    """Class-probability targets: each row must be a distribution over dim 1."""
    sums = x.double().sum(1 if x.ndim >= 2 else 0)
    if bool(((sums - 1).abs() > 1e-3).any()) or float(x.min()) < 0:
        return [Problem(name, "class-probability targets must be distributions over dim 1 (>= 0, summing to 1); torch uses them as given",
                        f"row sums in [{float(sums.min()):.3g}, {float(sums.max()):.3g}]", f"{name}.softmax(1) of scores, or {name} / {name}.sum(1, keepdim=True)", "silent")]
    return []


def _class_ids(contract: Contract, name: str, x, bound: dict[str, Any], options: dict[str, Any], rule: str) -> list[Problem]:
    out = []
    c = bound["C"]
    ignore = options.get("ignore_index", -100)
    ignore = -100 if ignore is None else ignore
    bad = (x < (-1 if rule == "class_or_pad" else 0)) | (x >= c)
    if rule == "class":
        bad &= x != ignore
    if bool(bad.any()):
        out.append(Problem(name, f"class ids must lie in [0, {c}) (C = {c})" + (f" or equal ignore_index={ignore}" if rule == "class" else ", -1 for padding"),
                           f"values in [{int(x.min())}, {int(x.max())}]", "check the label encoding, or the number of output classes", "forward"))
    elif rule == "class" and bool((x == ignore).all()) and options.get("reduction", "mean") == "mean":
        out.append(Problem(name, f"every target equals ignore_index={ignore}: the mean over zero elements is NaN", f"{x.numel()} ignored target(s)",
                           "skip the batch, or use reduction='sum'", "silent"))
    elif rule == "class_or_pad" and contract.name == "MultiLabelMarginLoss" and c > 2 and not bool((x == -1).any()) and bool(((x == 0) | (x == 1)).all()):
        out.append(Problem(name, "MultiLabelMarginLoss takes class ids padded with -1; this looks like a 0/1 multi-hot target, read as classes 0 and 1",
                           "values only 0 and 1, no -1", "MultiLabelSoftMarginLoss / BCEWithLogitsLoss for multi-hot, or convert to ids padded with -1", "silent"))
    return out


def _ctc_ids(named: dict[str, Any], bound: dict[str, Any], options: dict[str, Any]) -> list[Problem]:
    """CTC targets: ids in [0, C) (torch's CPU kernel does not check them), and never the blank."""
    x, lengths = named["targets"].detach(), named["target_lengths"].detach().reshape(-1)
    c, blank = bound.get("C"), options.get("blank", 0)
    if x.ndim == 2:  # padded: only the first target_lengths[n] places count
        keep = (x.new_zeros(x.shape) + x.new_tensor(range(x.shape[1]))) < lengths.reshape(-1, 1).clamp(max=x.shape[1])
        used = x[keep]
    else:
        used = x.reshape(-1)[: int(lengths.clamp(min=0).sum())] if lengths.numel() else x.reshape(-1)
    if c is not None and used.numel() and bool(((used < 0) | (used >= c)).any()):
        return [Problem("targets", f"CTC target ids must lie in [0, {c}) (C = {c}); torch's CPU kernel does not check them and reads out of bounds (wrong loss or a crash)",
                        f"ids in [{int(used.min())}, {int(used.max())}]", "check the vocabulary size (C includes the blank)", "forward")]
    if used.numel() and bool((used == blank).any()):
        return [Problem("targets", f"the blank id {blank} is used as a label: CTC cannot emit it, the loss is wrong (often inf)", f"{int((used == blank).sum())} blank id(s)",
                        "shift labels to start after the blank (or set blank= to an unused id)", "silent")]
    return []


def _ctc_lengths(named: dict[str, Any], bound: dict[str, Any]) -> list[Problem]:
    """CTC lengths against T, S and the length of 1-D targets."""
    il, tl, tg = named["input_lengths"].detach().reshape(-1), named["target_lengths"].detach().reshape(-1), named["targets"]
    t = bound.get("T")
    out = []
    if il.numel() and (int(il.min()) < 0 or (t is not None and int(il.max()) > t)):
        out.append(Problem("input_lengths", f"input_lengths must lie in [0, T = {t}]", f"values in [{int(il.min())}, {int(il.max())}]",
                           "lengths <= log_probs.shape[0] (is log_probs time-first?)", "forward"))
    if tl.numel() and int(tl.min()) < 0:
        out.append(Problem("target_lengths", "target_lengths must be >= 0", f"min {int(tl.min())}", "lengths of the label sequences", "forward"))
    elif tg.ndim == 2 and tl.numel() and int(tl.max()) > tg.shape[1]:
        out.append(Problem("target_lengths", f"target_lengths must be <= S = {tg.shape[1]} (targets' padded length)", f"max {int(tl.max())}",
                           "pad targets to the longest sequence", "forward"))
    elif tg.ndim <= 1 and tl.numel() and int(tl.sum()) != tg.numel():
        out.append(Problem("target_lengths", f"with 1-D (concatenated) targets, sum(target_lengths) must equal len(targets) = {tg.numel()}", f"sum {int(tl.sum())}",
                           "concatenate exactly the labels the lengths count", "forward"))
    return out


def _python_values(contract: Contract, named: dict[str, Any]) -> dict[str, Any]:
    """Python scalars and lists where torch takes them, as tensors; anything else that is no tensor is an error."""
    first = next((v for v in named.values() if hasattr(v, "new_tensor")), None)
    if first is None:
        raise LossInputError(f"{contract.name} takes tensors; got {', '.join(type(v).__name__ for v in named.values())}")
    listed = [a.name for a in contract.args if a.python == "list" and a.name in named]
    kinds = {isinstance(named[n], (list, tuple)) for n in listed}
    if len(kinds) > 1:
        raise LossInputError(f"{contract.name}: {' and '.join(listed)} must both be tensors or both be lists: torch has no overload that mixes them",
                             [Problem(listed[0], "lengths must both be tensors or both be lists", ", ".join(f"{n} {type(named[n]).__name__}" for n in listed),
                                      "torch.tensor(lengths) for both", "forward")])
    out = {}
    for name, v in named.items():
        arg = contract.arg(name)
        if hasattr(v, "shape"):
            out[name] = v
        elif arg.python == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
            out[name] = first.new_full(tuple(named[contract.module_args[0].name].shape), float(v))  # torch broadcasts a float var to input
        elif arg.python == "list" and isinstance(v, (list, tuple)) and all(isinstance(i, int) and not isinstance(i, bool) for i in v):
            out[name] = first.new_tensor(list(v)).long()
        else:
            took = " (a Python float is taken)" if arg.python == "float" else " (Python lists of ints are taken, for both lengths)" if arg.python == "list" else ""
            raise LossInputError(f"{contract.name}: {name} must be a torch.Tensor{took}; got {type(v).__name__}",
                                 [Problem(name, f"{name} must be a tensor{took}", type(v).__name__, f"torch.as_tensor({name})", "forward")])
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
    named = _python_values(contract, dict(zip(order, tensors)))
    specs = {k: _spec(v) for k, v in named.items()}
    opts = {k: v for k, v in opts.items() if contract.option(k) is not None}
    device = next((v.device.type for v in named.values() if hasattr(v, "device")), "cpu")
    try:
        diag = diagnose(contract, specs, opts, device=device)
    except (DiagnoseError, SpecError) as exc:
        raise LossInputError(str(exc)) from None
    problems = list(diag.problems)
    if diag.outcome in ("ok", "warning"):
        problems += _nan_problems(contract, named)
        problems += _value_problems(contract, named, diag.bound, {**diag.options, "reduction": effective_reduction(diag.options)})
        first = named[order[0]]
        if first.numel() == 0 and effective_reduction(diag.options) == "mean":
            problems.append(Problem(order[0], "an empty batch with reduction='mean': the mean over zero elements is NaN", fmt_shape(tuple(first.shape)),
                                    "skip empty batches, or use reduction='sum'", "silent"))
    loud = [p for p in problems if p.stage != "silent" or strict]
    quiet = [p for p in problems if p not in loud]
    call = f"{contract.name}({', '.join(f'{k}={v}' for k, v in specs.items())})"
    if loud:
        lines = [f"{call} breaks its contract:"] + [f"  - {p.line()} [{STAGE_TEXT[p.stage]}]" for p in loud]
        raise LossInputError("\n".join(lines), loud)
    for p in quiet:
        warnings.warn(f"{call}: {p.line()}", LossInputWarning, stacklevel=2)
