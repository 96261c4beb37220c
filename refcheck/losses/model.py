"""The shape of a loss contract: plain dataclasses, no torch.

A contract lists the loss's tensor arguments (in torch's order), its options, and one or more
*forms*: alternative shape/dtype signatures torch accepts (class indices vs class probabilities,
batched vs unbatched). The same data is read by the Python diagnosis (``diagnose.py``), the lookup
widget (exported as JSON by ``to_json``) and the probe that checks it against torch.

Shape patterns are comma-separated tokens: a dim name (``N``, ``C``, ``D``), an integer literal,
``*d`` (zero or more dims, bound as a group) or ``+d`` (one or more). ``""`` is a 0-d scalar.
A name used in several patterns must have the same size everywhere.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

STAGES = ("forward", "error", "backward", "warning", "silent")
# what the reader sees for each stage of a broken rule
STAGE_TEXT = {
    "forward": "torch raises in the forward call",
    "error": "torch raises, in the forward call or in backward() depending on the other tensors and the reduction",
    "backward": "the forward call succeeds; torch raises in backward()",
    "warning": "torch only warns and computes a (probably wrong) loss",
    "silent": "torch says nothing and computes a (probably wrong) loss",
}


@dataclass(frozen=True)
class Dt:
    """Accepted dtypes of one argument.

    ``accept`` holds dtype names or groups: ``float``, ``int`` (incl. uint8), ``bool``, and ``same``
    (exactly the dtype of the first argument). A dtype outside ``accept`` breaks the contract at
    ``stage``, or at ``stages[group-or-name]`` when given (e.g. ``{"int": "backward"}``).
    """

    accept: tuple[str, ...]
    stage: str = "forward"
    stages: dict[str, str] = field(default_factory=dict)
    fix: str = ""
    intended: tuple[str, ...] = ()  # what to pass (dtype names or groups); the rest of accept is merely tolerated
    tolerated: str = ""  # the consequence of passing a tolerated, not intended, dtype
    warn_tolerated: bool = False  # the consequence changes the data silently: the diagnosis flags it
    out_dtype: bool = False  # torch computes the output in this argument's dtype (a narrower one than the first's loses precision)
    not_on_cpu: tuple[str, ...] = ()  # accepted dtypes whose CPU kernel torch lacks (float16/bfloat16): raise on CPU only


@dataclass(frozen=True)
class Arg:
    name: str  # torch's parameter name
    kind: str  # what the values are: logits, probabilities, log-probabilities, class indices, ...
    role: str = "input"  # input | target | extra
    grad: bool = False  # receives a gradient in normal use (the probe sets requires_grad when floating)
    values: str = "real"  # probe value generator: real | prob | logprob | class | sign | positive | len:NAME
    module: bool = True  # passed to the module's forward (False: functional form only)
    python: str = ""  # a Python value torch also takes here: "float" (a scalar) or "list" (of ints, with the other list args)


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    kind: str  # int | float | bool | str | tensor | ints | callable | object | legacy (size_average/reduce)
    desc: str
    shape: str = ""  # tensor options: pattern in the form's dims, or "~input" (broadcasts to input)
    dtype: Dt | None = None
    low: float | None = None
    high: float | None = None
    dim: str = ""  # the dim this option fixes (LinearCrossEntropyLoss: in_features -> D)
    low_open: bool = False  # the value must be > low (not >= low)


@dataclass(frozen=True)
class Form:
    name: str
    shapes: dict[str, str]
    dtypes: dict[str, Dt]
    out: str  # shape of the output with reduction='none'; "=broadcast" / "=broadcast[:-1]"
    broadcast: tuple[str, ...] = ()  # arguments that broadcast together
    mode: str = ""  # warn | silent | to_input | same_ndim
    select: tuple[str, ...] = ()  # ("same_shape", a, b): torch takes this form exactly when a.shape == b.shape
    fails: str = ""  # a trap form: torch accepts it in forward and breaks at this stage
    why: str = ""
    forbid: dict[str, str] = field(default_factory=dict)  # option -> message when set to a non-default value
    note: str = ""
    requires_empty: str = ""  # a dim group (e.g. "o" of out_features) that must be empty for this form to apply
    size1_of: tuple[str, ...] = ()  # (a, b): a has b's ndim and differs from b in exactly one dim, where a is 1


@dataclass(frozen=True)
class Contract:
    name: str  # torch.nn class name
    functional: str  # torch.nn.functional name
    input_kind: str  # what the first argument must be
    summary: str
    args: tuple[Arg, ...]
    forms: tuple[Form, ...]
    options: tuple[Option, ...] = ()
    reductions: tuple[str, ...] = ("none", "mean", "sum")
    aliases: tuple[str, ...] = ()
    mistakes: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)  # arg -> value rule for check_loss_inputs
    probe: tuple[dict[str, Any], ...] = ()  # valid base cases: {"specs": {...}, "options": {...}}
    traps: tuple[dict[str, Any], ...] = ()  # extra probe cases (no expected outcome: diagnose predicts it)
    deprecated: str = ""
    functional_args: tuple[str, ...] = ()  # when the functional form orders tensors differently
    present_since: str = ""  # a torch release known to have the class, for losses older torch lacks
    version_note: str = ""  # behaviour known to differ between torch versions (from verify-matrix reports)

    @property
    def module_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if a.module)

    def arg(self, name: str) -> Arg:
        for a in self.args:
            if a.name == name:
                return a
        raise KeyError(name)

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    @property
    def target_arg(self) -> Arg | None:
        return next((a for a in self.module_args if a.role == "target"), None)


def to_json(contract: Contract) -> dict[str, Any]:
    """A JSON-ready dict (the lookup widget's input); options' defaults become strings where needed."""
    data = asdict(contract)
    for o in data["options"]:
        if isinstance(o["default"], (tuple, list)):
            o["default"] = list(o["default"])
        elif not isinstance(o["default"], (str, int, float, bool, type(None))):
            o["default"] = repr(o["default"])
    data.pop("probe")
    data.pop("traps")
    return data
