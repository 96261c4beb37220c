"""Diagnose tensor specs against a loss contract: valid and the output shape, or the rules broken.

Pure Python over the contract data and the message tables, no torch. Each rule is one small
function returning its problems. ``docs/assets/loss-engine.js`` mirrors this module function for
function (camelCase names); ``tests/test_losses_parity.py`` runs both on a generated grid and
requires identical answers.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from refcheck.losses.messages import (
    ACCEPT_WORDS,
    DTYPE_FIX,
    FLOAT_BITS,
    LOG_SOFTMAX_DIM,
    MADE,
    MADE_EXPECTED,
    MADE_FINE,
    MADE_RULES,
    OUTCOME,
    STAGE_ORDER,
)
from refcheck.losses.model import STAGE_TEXT, Contract, Dt, Form
from refcheck.losses.spec import (
    FLOAT_RE,
    INT_RE,
    TORCH_NAMES,
    Spec,
    SpecError,
    broadcast_shapes,
    differentiable,
    dtype_group,
    parse_spec,
)

__all__ = ["STAGE_TEXT", "DiagnoseError", "Diagnosis", "Problem", "diagnose", "fmt_shape"]


class DiagnoseError(ValueError):
    """The question itself is malformed (missing tensor, unknown option): a usage error."""


@dataclass
class Problem:
    arg: str  # which tensor or option
    rule: str  # the rule that is broken
    got: str  # what was passed
    fix: str
    stage: str  # forward | backward | warning | silent

    def line(self) -> str:
        return f"{self.rule}; got {self.got}. Fix: {self.fix}"


@dataclass
class Diagnosis:
    loss: str
    specs: dict[str, str]
    options: dict[str, Any]
    form: str | None
    outcome: str  # ok | warning | backward-error | forward-error | error (raises, at a stage that depends on more than the specs)
    output_shape: list[int] | None  # for the given reduction, when torch computes a loss
    problems: list[Problem] = field(default_factory=list)
    bound: dict[str, Any] = field(default_factory=dict)  # named dims as bound by the chosen form
    also: list[str] = field(default_factory=list)  # when invalid: the other accepted forms, with the dims filled in
    made: str | None = None  # how the first tensor was made, when the question says
    reduction: Any = "mean"  # the reduction torch uses (legacy size_average/reduce override the option)

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["valid"] = self.valid
        for p in d["problems"]:
            p["stage_text"] = STAGE_TEXT[p["stage"]]
        return d


# ------------------------------------------------------------------------------------------ shapes
def tokens(pattern: str) -> list[str]:
    return [t.strip() for t in pattern.split(",") if t.strip()] if pattern.strip() else []


def fmt_shape(shape) -> str:
    shape = list(shape)
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def render(pattern: str, env: dict[str, Any]) -> str:
    """A pattern with the dims already known filled in: 'N,C,*d' -> '(8, 10, *d)'."""
    out = []
    for t in tokens(pattern):
        if t[0] in "*+":
            out.extend(str(x) for x in env[t[1:]]) if t[1:] in env and (env[t[1:]] or t[0] == "*") else out.append(t)
        elif t in env:
            out.append(str(env[t]))
        else:
            out.append(t)
    return "(" + ", ".join(out) + ("," if len(out) == 1 else "") + ")"


def match(pattern: str, shape: tuple[int, ...], env: dict[str, Any]) -> str | None:
    """Bind the pattern's dims to ``shape`` in ``env`` (mutated); returns why it does not match, or None."""
    toks = tokens(pattern)
    var = [i for i, t in enumerate(toks) if t[0] in "*+"]
    fixed = len(toks) - len(var)
    if var:
        i = var[0]
        least = fixed + (1 if toks[i][0] == "+" else 0)
        if len(shape) < least:
            return f"needs at least {least} dims"
        head, tail = toks[:i], toks[i + 1 :]
        n_var = len(shape) - fixed
        pairs = list(zip(head, shape[: len(head)])) + list(zip(tail, shape[len(shape) - len(tail) :] if tail else ()))
        group = tuple(shape[len(head) : len(head) + n_var])
        name = toks[i][1:]
        if name in env and tuple(env[name]) != group:
            return f"dims {fmt_shape(group)} must equal {fmt_shape(env[name])}"
        env[name] = group
    else:
        if len(shape) != fixed:
            return f"needs {fixed} dim{'s' if fixed != 1 else ''}"
        pairs = list(zip(toks, shape))
    for t, size in pairs:
        if re.fullmatch(r"\d+", t):
            if size != int(t):
                return f"dim {t} expected, got {size}"
        elif t in env:
            if env[t] != size:
                return f"{t} = {env[t]} expected, got {size}"
        else:
            env[t] = size
    return None


def shape_fix(got: tuple[int, ...], want: tuple[int, ...] | None, arg: str) -> str:
    """A concrete fix for a shape mismatch when the wanted shape is known."""
    if want is None:
        return f"reshape {arg} to the shape above"
    got, want = tuple(got), tuple(want)
    if len(got) == len(want) + 1:
        for i in range(len(got)):
            if got[i] == 1 and got[:i] + got[i + 1 :] == want:
                return f"{arg}.squeeze({i if i < len(got) - 1 else -1})"
    if len(want) == len(got) + 1:
        for i in range(len(want)):
            if want[i] == 1 and want[:i] + want[i + 1 :] == got:
                return f"{arg}.unsqueeze({i if i < len(want) - 1 else -1})"
    return f"give {arg} the shape {fmt_shape(want)}"


def concrete(pattern: str, env: dict[str, Any]) -> tuple[int, ...] | None:
    """The pattern as a concrete shape when all its dims are bound."""
    out: list[int] = []
    for t in tokens(pattern):
        if t[0] in "*+":
            if t[1:] not in env:
                return None
            out.extend(env[t[1:]])
        elif re.fullmatch(r"\d+", t):
            out.append(int(t))
        elif t in env:
            out.append(env[t])
        else:
            return None
    return tuple(out)


# ------------------------------------------------------------------------------------------ dtypes
def dtype_ok(dt: Dt, dtype: str, first_dtype: str) -> bool:
    return dtype in dt.accept or dtype_group(dtype) in dt.accept or ("same" in dt.accept and dtype == first_dtype)


def dtype_stage(dt: Dt, dtype: str) -> str:
    return dt.stages.get(dtype) or dt.stages.get(dtype_group(dtype)) or dt.stage


def accept_text(dt: Dt, first_dtype: str) -> str:
    return " or ".join(ACCEPT_WORDS[a].replace("{first}", first_dtype) if a in ACCEPT_WORDS else a for a in dt.accept)


def dtype_fix(dt: Dt, arg: str, first_arg: str) -> str:
    if dt.fix:
        return dt.fix.replace("target", arg) if dt.fix.startswith("target") else f"{arg}{dt.fix}" if dt.fix.startswith(".") else dt.fix
    a = dt.accept[0]
    template = DTYPE_FIX.get(a, "{arg}.to(torch." + a + ")")
    return template.replace("{arg}", arg).replace("{first}", first_arg)


# ------------------------------------------------------------------------------------------ options
def parse_option(contract: Contract, key: str, value: Any) -> Any:
    """Turn a CLI/JSON option value into the option's type; raises DiagnoseError."""
    opt = contract.option(key)
    if opt is None:
        valid = ", ".join(o.name for o in contract.options)
        raise DiagnoseError(f"{contract.name} has no option {key!r}; valid options: {valid}")
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if opt.kind == "int":
            if text.lower() == "none":
                return None
            if not re.match(INT_RE, text):
                raise ValueError
            return int(text)
        if opt.kind == "float":
            if not re.match(FLOAT_RE, text) or not math.isfinite(float(text)):
                raise ValueError
            return float(text)
        if opt.kind in ("bool", "legacy"):
            if opt.kind == "legacy" and text.lower() == "none":
                return None
            if text.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "1")
        if opt.kind == "ints":
            parts = [x for x in re.split(r"[,\s]+", text.strip("[]() ")) if x]
            if not all(re.match(INT_RE, x) for x in parts):
                raise ValueError
            return [int(x) for x in parts]
        if opt.kind == "tensor":
            return None if text.lower() == "none" else str(parse_spec(text))
    except SpecError as exc:
        raise DiagnoseError(f"option {key}: {exc}") from None
    except ValueError:
        raise DiagnoseError(f"option {key}={value!r}: expected {'true or false' if opt.kind in ('bool', 'legacy') else 'an integer' if opt.kind == 'int' else 'a number' if opt.kind == 'float' else 'integers like 3,4'}") from None
    return text


# ------------------------------------------------------------------------------------------ rules of a form
def _selected(form: Form, specs: dict[str, Spec]) -> bool | None:
    """True/False for a form with a dispatch rule, None for forms without one."""
    if not form.select:
        return None
    kind, a, b = form.select
    if kind == "same_shape":
        return a in specs and b in specs and specs[a].shape == specs[b].shape
    return None


def shape_rules(form: Form, specs: dict[str, Spec], names: list[str], env: dict[str, Any]) -> list[Problem]:
    """Each tensor against the form's shape pattern (binds the named dims in ``env``)."""
    problems = []
    for name in names:
        pattern = form.shapes.get(name)
        if pattern is None:
            continue
        why = match(pattern, specs[name].shape, env)
        if why:
            want = concrete(pattern, env)
            problems.append(Problem(name, f"{name} must have shape {render(pattern, env)} ({form.name}): {why}", fmt_shape(specs[name].shape),
                                    shape_fix(specs[name].shape, want, name), "forward"))
    return problems


def broadcast_rule(form: Form, specs: dict[str, Spec]) -> tuple[int, list[Problem], tuple[int, ...] | None]:
    """The tensors that broadcast together: (shape problem count, problems, broadcast shape)."""
    present = [n for n in form.broadcast if n in specs]
    if not present:
        return 0, [], None
    shapes = [specs[n].shape for n in present]
    bshape = broadcast_shapes(*shapes)
    base = specs[present[0]].shape
    got = ", ".join(f"{n} {fmt_shape(specs[n].shape)}" for n in present)
    if form.mode == "same_ndim" and len({len(s) for s in shapes}) > 1:
        odd = next(n for n in present if len(specs[n].shape) != len(base))
        return 1, [Problem(odd, f"{', '.join(present)} must have the same number of dims", got,
                           shape_fix(specs[odd].shape, base, odd) if len(base) else f"give all of them {len(base)} dims", "forward")], bshape
    if bshape is None:
        other = present[1]
        return 1, [Problem(other, f"{' and '.join(present)} must have broadcastable shapes (normally equal)", got,
                           shape_fix(specs[other].shape, base, other), "forward")], bshape
    if form.mode == "to_input" and bshape != base:
        return 1, [Problem(present[1], f"{present[1]} must broadcast to {present[0]}'s shape {fmt_shape(base)}; together they broadcast to {fmt_shape(bshape)}",
                           got, shape_fix(specs[present[1]].shape, base, present[1]), "forward")], bshape
    if form.mode == "warn" and any(s != base for s in shapes):
        return 0, [Problem(present[1], f"{present[1]} must have {present[0]}'s shape {fmt_shape(base)}: torch broadcasts them to {fmt_shape(bshape)} with only a UserWarning"
                           + (", so the loss compares every prediction with every target" if bshape != base else ""),
                           got, shape_fix(specs[present[1]].shape, base, present[1]), "warning")], bshape
    if form.mode in ("silent", "same_ndim") and bshape != base:
        return 0, [Problem(present[1], f"{', '.join(present)} broadcast silently to {fmt_shape(bshape)}, larger than {present[0]}'s {fmt_shape(base)}: probably not what you meant",
                           got, shape_fix(specs[present[1]].shape, base, present[1]), "silent")], bshape
    return 0, [], bshape


def dtype_rules(contract: Contract, form: Form, specs: dict[str, Spec], names: list[str]) -> list[Problem]:
    """Each tensor's dtype against the form's accepted dtypes."""
    problems = []
    first = names[0]
    first_dtype = specs[first].dtype
    for name in names:
        dt = form.dtypes.get(name)
        if dt is None or dtype_ok(dt, specs[name].dtype, first_dtype):
            continue
        d = specs[name].dtype
        stage = dtype_stage(dt, d)
        rule = f"{name} dtype must be {accept_text(dt, first_dtype)} ({form.name if len(contract.forms) > 1 else contract.arg(name).kind})"
        if contract.arg(name).grad and not differentiable(d) and stage == "backward":
            rule += "; an integer tensor cannot require grad, so backward() fails"
        problems.append(Problem(name, rule, f"{d} (torch calls it {TORCH_NAMES[d]})", dtype_fix(dt, name, first), stage))
    return problems


def device_rule(contract: Contract, form: Form, specs: dict[str, Spec], names: list[str], device: str) -> list[Problem]:
    """Dtypes torch accepts but has no kernel for on this device (float16/bfloat16 on CPU)."""
    problems = []
    for name in names:
        dt = form.dtypes.get(name)
        d = specs[name].dtype
        if dt is not None and device == "cpu" and d in dt.not_on_cpu and dtype_ok(dt, d, specs[names[0]].dtype):
            problems.append(Problem(name, f"{contract.name} has no CPU kernel for {d} {name}: torch raises 'not implemented for {TORCH_NAMES[d]}' on CPU (CUDA has one)",
                                    f"{d} on cpu", f"{name}.float() on CPU", "forward"))
    return problems


def tolerated_rule(form: Form, specs: dict[str, Spec], names: list[str], problems: list[Problem]) -> list[Problem]:
    """A dtype torch takes but that is not the one to pass (float CTC ids, uint8 class ids, integer regression targets)."""
    out = []
    for name in names:
        dt = form.dtypes.get(name)
        d = specs[name].dtype
        if dt is None or not dt.warn_tolerated or d in dt.intended or dtype_group(d) in dt.intended or any(p.arg == name for p in problems):
            continue
        if not dtype_ok(dt, d, specs[names[0]].dtype):
            continue
        want = " / ".join(dt.intended)
        fix = DTYPE_FIX.get(dt.intended[0], "{arg}.to(torch." + dt.intended[0] + ")").replace("{arg}", name).replace("{first}", names[0])
        out.append(Problem(name, f"{name} dtype {d} is tolerated, not intended (pass {want}): {dt.tolerated}", d, fix, "silent"))
    return out


def precision_rule(form: Form, specs: dict[str, Spec], names: list[str]) -> list[Problem]:
    """A tensor whose dtype becomes the output's: narrower than the first tensor's, the loss silently loses precision."""
    first, fd = names[0], specs[names[0]].dtype
    problems = []
    for name in names[1:]:
        dt = form.dtypes.get(name)
        d = specs[name].dtype
        if dt is not None and dt.out_dtype and d != fd and d in FLOAT_BITS and fd in FLOAT_BITS and FLOAT_BITS[d] <= FLOAT_BITS[fd]:
            problems.append(Problem(name, f"torch computes the loss in {name}'s dtype: {d} {name} with {fd} {first} gives a {d} loss (precision lost)",
                                    f"{first} {fd}, {name} {d}", f"{name}.to({first}.dtype)", "silent"))
    return problems


def size1_rule(form: Form, specs: dict[str, Spec]) -> list[Problem]:
    """a has b's ndim and differs from b in exactly one dim, where a is 1 (torch sums a's sizes at the mismatches)."""
    if not form.size1_of or any(n not in specs for n in form.size1_of):
        return []
    a, b = form.size1_of
    sa, sb = specs[a].shape, specs[b].shape
    if len(sa) == len(sb) and sum(y for x, y in zip(sb, sa) if x != y) == 1:
        return []
    return [Problem(a, f"{a} must have {b}'s number of dims and differ from it in exactly one dim, where {a} is 1", fmt_shape(sa),
                    f"give {a} the shape {fmt_shape(sb)}", "forward")]


def float_rule(specs: dict[str, Spec], names: list[str], problems: list[Problem]) -> list[Problem]:
    """At least one floating tensor (unless torch already raises for another reason)."""
    if any(differentiable(specs[n].dtype) for n in names) or any(p.stage in ("forward", "error") for p in problems):
        return []
    first = names[0]
    return [Problem(first, "at least one tensor must be floating point: with only integer/bool tensors torch cannot compute a differentiable loss",
                    ", ".join(f"{n} {specs[n].dtype}" for n in names), f"{first}.float()", "error")]


def grad_rule(contract: Contract, specs: dict[str, Spec], names: list[str], problems: list[Problem]) -> list[Problem]:
    """The tensors that receive a gradient must be floating point."""
    grad_names = [n for n in names if contract.arg(n).grad]
    if any(a.grad and not a.module for a in contract.args):  # the fused Linear's own weight gets the gradient
        return []
    if grad_names and not any(differentiable(specs[n].dtype) for n in grad_names) and not any(p.arg in grad_names for p in problems):
        return [Problem(grad_names[0], f"{' or '.join(grad_names)} must be floating point to receive a gradient: integer tensors cannot require grad",
                        ", ".join(f"{n} {specs[n].dtype}" for n in grad_names), f"{grad_names[0]}.float() (model outputs are floating point)", "backward")]
    return [Problem(n, f"{n} is {specs[n].dtype}: torch computes the loss, but no gradient can reach an integer tensor", specs[n].dtype,
                    f"{n}.float() if it is a model output", "silent")
            for n in grad_names if not differentiable(specs[n].dtype) and not any(p.arg == n for p in problems)]


def tensor_option_rules(contract: Contract, specs: dict[str, Spec], names: list[str], options: dict[str, Any], env: dict[str, Any]) -> list[Problem]:
    """Tensor options (weight, pos_weight): their shape and dtype."""
    problems = []
    first = names[0]
    for opt in contract.options:
        value = options.get(opt.name)
        if opt.kind != "tensor" or value is None:
            continue
        spec = parse_spec(value)
        if opt.shape == "~input":
            if broadcast_shapes(spec.shape, specs[first].shape) != specs[first].shape:
                problems.append(Problem(opt.name, f"{opt.name} must broadcast to {first}'s shape {fmt_shape(specs[first].shape)}", fmt_shape(spec.shape),
                                        f"give {opt.name} shape {fmt_shape(specs[first].shape[-1:])}", "forward"))
        elif opt.shape:
            why = match(opt.shape, spec.shape, dict(env))
            if why:
                problems.append(Problem(opt.name, f"{opt.name} must have shape {render(opt.shape, env)}", fmt_shape(spec.shape),
                                        f"one weight per class: shape {render(opt.shape, env)}", "forward"))
        if opt.dtype is not None and not dtype_ok(opt.dtype, spec.dtype, specs[first].dtype):
            problems.append(Problem(opt.name, f"{opt.name} dtype must be {accept_text(opt.dtype, specs[first].dtype)}", spec.dtype,
                                    f"{opt.name}.to({first}.dtype)", "forward"))
    return problems


def forbid_rule(contract: Contract, form: Form, options: dict[str, Any]) -> list[Problem]:
    """Options this form does not allow (ignore_index with class probabilities)."""
    problems = []
    for opt in contract.options:
        value = options.get(opt.name)
        if opt.name in form.forbid and value is not None and value != opt.default:
            problems.append(Problem(opt.name, form.forbid[opt.name], f"{opt.name}={value!r}", f"drop {opt.name}, or use class-index targets", "forward"))
    return problems


def trap_rule(form: Form, specs: dict[str, Spec], names: list[str]) -> list[Problem]:
    """A trap form: torch takes it in forward and breaks later."""
    if not form.fails:
        return []
    return [Problem(names[-1] if len(names) > 1 else names[0], form.why, ", ".join(f"{n} {fmt_shape(specs[n].shape)}" for n in names),
                    form.note or "see the rule", form.fails)]


def output_shape(form: Form, env: dict[str, Any], bshape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    """The output shape for reduction='none'."""
    if form.out.startswith("=broadcast"):
        if bshape is None:
            return None
        return bshape[:-1] if form.out.endswith("[:-1]") else bshape
    return concrete(form.out, env)


def check_form(contract: Contract, form: Form, specs: dict[str, Spec], options: dict[str, Any], env0: dict[str, Any], device: str = "cpu"):
    """Problems of one form: (shape problem count, problems, env, output shape for reduction='none')."""
    env = dict(env0)
    names = [a.name for a in contract.args if a.name in specs]
    problems = shape_rules(form, specs, names, env) + size1_rule(form, specs)
    n_shape = len(problems)
    n_broadcast, more, bshape = broadcast_rule(form, specs)
    n_shape += n_broadcast
    problems += more
    problems += dtype_rules(contract, form, specs, names)
    problems += device_rule(contract, form, specs, names, device)
    problems += precision_rule(form, specs, names)
    problems += float_rule(specs, names, problems)
    problems += grad_rule(contract, specs, names, problems)
    problems += tensor_option_rules(contract, specs, names, options, env)
    problems += forbid_rule(contract, form, options)
    problems += trap_rule(form, specs, names)
    problems += tolerated_rule(form, specs, names, problems)
    return n_shape, problems, env, output_shape(form, env, bshape)


# ------------------------------------------------------------------------------------------ rules of the call
def effective_reduction(options: dict[str, Any]) -> Any:
    """The reduction torch uses: legacy size_average/reduce, when given, override reduction (torch's legacy_get_string)."""
    size_average, reduce = options.get("size_average"), options.get("reduce")
    if size_average is None and reduce is None:
        return options.get("reduction", "mean")
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if size_average and reduce else "sum" if reduce else "none"


def legacy_rule(options: dict[str, Any]) -> list[Problem]:
    """size_average / reduce: torch accepts them with a deprecation warning; say what they mean."""
    given = [k for k in ("size_average", "reduce") if options.get(k) is not None]
    if not given:
        return []
    red = effective_reduction(options)
    got = ", ".join(f"{k}={options[k]!r}" for k in given)
    return [Problem(given[0], f"size_average and reduce are deprecated: torch warns and uses reduction={red!r} (any reduction argument is ignored)",
                    got, f"reduction={red!r}", "warning")]


def reduction_rule(contract: Contract, options: dict[str, Any]) -> list[Problem]:
    red = effective_reduction(options)
    problems = []
    if red not in contract.reductions:
        problems.append(Problem("reduction", f"reduction must be one of {', '.join(repr(r) for r in contract.reductions)}", repr(red), "reduction='mean'", "forward"))
    if contract.name == "KLDivLoss" and red == "mean":
        problems.append(Problem("reduction", "reduction='mean' averages over every element, not over the batch: torch warns, and the value is not the KL divergence",
                                "reduction='mean'", "reduction='batchmean'", "warning"))
    return problems


def range_rule(contract: Contract, options: dict[str, Any]) -> list[Problem]:
    """Float options outside their documented range."""
    problems = []
    for opt in contract.options:
        v = options.get(opt.name)
        if v is None or opt.kind not in ("float", "int") or not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        low_bad = opt.low is not None and (v <= opt.low if opt.low_open else v < opt.low)
        if low_bad or (opt.high is not None and v > opt.high):
            if opt.low is not None and opt.high is not None:
                rng = f"in [{opt.low}, {opt.high}]"
            elif opt.high is not None:
                rng = f"<= {opt.high}"
            else:
                rng = f"{'>' if opt.low_open else '>='} {opt.low}"
            problems.append(Problem(opt.name, f"{opt.name} must be {rng}", repr(v), f"{opt.name}={opt.default}", "forward"))
    return problems


def option_problems(contract: Contract, options: dict[str, Any]) -> list[Problem]:
    return legacy_rule(options) + reduction_rule(contract, options) + range_rule(contract, options)


def made_rule(contract: Contract, made: str | None) -> list[Problem]:
    """How the first tensor was made (logits, probabilities, log-probabilities) against what the loss takes."""
    first = contract.module_args[0].name
    expected = MADE_EXPECTED.get(contract.values.get(first, ""))
    if made is None or expected is None or made == expected or made in MADE_FINE.get(contract.name, []):
        return []
    rule, fix, stage = MADE_RULES[f"{expected}/{made}"]
    dim = LOG_SOFTMAX_DIM.get(contract.name, "-1")
    return [Problem(first, rule.replace("{loss}", contract.name), f"{first} made as {made}", fix.replace("{arg}", first).replace("{dim}", dim), stage)]


def diagnose(contract: Contract, specs: dict[str, str | Spec], options: dict[str, Any] | None = None, made: str | None = None,
             device: str = "cpu") -> Diagnosis:
    """Check tensor specs (keyed by torch's argument names) and options against ``contract``.

    ``made`` says how the first tensor was made: logits, probabilities or log-probabilities; ``device``
    the device type of the tensors (``cpu`` or ``cuda``).
    """
    if made is not None and made not in MADE:
        raise DiagnoseError(f"made={made!r}: expected one of {', '.join(MADE)}")
    parsed: dict[str, Spec] = {}
    for name, s in specs.items():
        if s is None:
            continue
        try:
            contract.arg(name)
        except KeyError:
            raise DiagnoseError(f"{contract.name} takes no tensor {name!r}; its tensors are {', '.join(a.name for a in contract.args)}") from None
        try:
            parsed[name] = s if isinstance(s, Spec) else parse_spec(s)
        except SpecError as exc:
            raise SpecError(f"{name}: {exc}") from None
    missing = [a.name for a in contract.module_args if a.name not in parsed]
    if missing:
        raise DiagnoseError(f"{contract.name} needs {', '.join(a.name for a in contract.module_args)}; missing {', '.join(missing)}")
    opts = {k: parse_option(contract, k, v) for k, v in (options or {}).items()}
    env0: dict[str, Any] = {}
    for o in contract.options:
        if o.dim and opts.get(o.name) is not None:
            v = opts[o.name]
            env0[o.dim.lstrip("*+")] = tuple(v) if o.kind == "ints" else v
        elif o.dim.startswith("*") and o.kind == "ints":
            env0[o.dim[1:]] = tuple(o.default)
    forms = list(contract.forms)
    chosen = [f for f in forms if _selected(f, parsed)]
    candidates = chosen or [f for f in forms if _selected(f, parsed) is None]
    candidates = [f for f in candidates if not f.requires_empty or not env0.get(f.requires_empty)] or candidates
    best = None
    for i, form in enumerate(candidates):
        n_shape, problems, env, out = check_form(contract, form, parsed, opts, env0, device)
        key = (n_shape, len(problems), i)
        if best is None or key < best[0]:
            best = (key, form, problems, env, out)
    assert best is not None
    _, form, problems, env, out = best
    problems = option_problems(contract, opts) + made_rule(contract, made) + problems
    problems.sort(key=lambda p: STAGE_ORDER[p.stage])
    stages = [p.stage for p in problems if p.stage != "silent"]
    outcome = OUTCOME[stages[0]] if stages else "ok"
    red = effective_reduction(opts)
    output = None
    if outcome in ("ok", "warning", "backward-error"):  # torch computes the forward value
        output = list(out) if red == "none" and out is not None else ([] if red != "none" else None)
    bound = {k: list(v) if isinstance(v, tuple) else v for k, v in env.items()}
    also = []
    if problems:
        for f in forms:
            if f is form or f.fails:
                continue
            shapes = ", ".join(f"{n} {render(f.shapes[n], env)} {'/'.join(f.dtypes[n].accept) if n in f.dtypes else ''}".rstrip()
                               for n in (a.name for a in contract.module_args) if n in f.shapes)
            also.append(f"{f.name}: {shapes}")
    return Diagnosis(contract.name, {k: str(v) for k, v in parsed.items()}, opts, form.name, outcome, output, problems, bound, also, made, red)
