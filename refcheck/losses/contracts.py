"""The input contract of every ``torch.nn`` loss, as data (no torch import).

One entry per ``_Loss`` subclass of torch 2.14. Each statement here is checked against the
installed torch by the probe claims in ``refcheck/claims/losses.py``: the probe runs the loss on a
grid of dtypes and shapes and compares torch's behaviour with what ``diagnose`` predicts from
this data. Edit the data, and ``refcheck verify --only losses`` tells you if torch disagrees.
"""

from __future__ import annotations

from dataclasses import replace

from refcheck.losses.model import Arg, Contract, Dt, Form, Option
from refcheck.losses.names import build_index, key, suggest

# ---------------------------------------------------------------------------- shared pieces
FLOAT = Dt(("float",))
FLOAT_OR_INT = Dt(("float", "int"))
ANY_NUMBER = Dt(("float", "int", "bool"))
REAL_TARGET = Dt(("float", "int", "bool"), intended=("float",), tolerated="integer and bool targets are promoted to the input's float dtype")
SIGN_LABELS = Dt(("float", "int", "bool", "complex"), intended=("float",), tolerated="integer and bool labels are promoted; use -1. and 1.")
# complex tensors (measured on CPU): some losses compute with them, some give a complex loss that backward() refuses
CPLX_BACKWARD = {"complex": "backward"}
GAUSS_DT = Dt(("float", "int"), stages=CPLX_BACKWARD)
EMBEDDINGS = Dt(("float", "int", "complex"))
L1_INPUT = Dt(("float", "int", "complex"), stages={"bool": "error"}, intended=("float",),
              tolerated="an integer input gives a loss but can receive no gradient; complex inputs give |input - target|")
L1_TARGET = Dt(("float", "int", "complex"))
POISSON_INPUT = Dt(("float", "int"), stages={"bool": "error", "complex": "backward"}, intended=("float",),
                   tolerated="an integer input gives a loss but can receive no gradient")
POISSON_TARGET = Dt(("float", "int", "bool"), stages=CPLX_BACKWARD, intended=("float",), tolerated="integer and bool targets are promoted to the input's float dtype")
# complex ids warn ("Casting complex values to real ...") in every form: torch gives that warning once per process,
# which once made the concatenated and unbatched forms look silent when probed after the padded one
CTC_IDS = Dt(("float", "int", "bool"), stages={"complex": "warning"}, intended=("int64", "int32"),
             tolerated="float ids are truncated silently on CPU (1.7 reads as 1), bool reads as ids 0/1", warn_tolerated=True)
LENGTHS = Dt(("int",), fix=".long()", intended=("int64", "int32"), tolerated="other integer dtypes are converted")
# torch computes with an integer prediction; only backward() fails, as nothing can require grad
GRAD_FLOAT_OR_INT = Dt(("float", "int"), stages={"bool": "error"}, intended=("float",),
                       tolerated="an integer input gives a loss but can receive no gradient")
SAME = Dt(("same",), fix="target.to(input.dtype)")
CLASS_IDS = Dt(("int64", "uint8"), fix="target.long()", intended=("int64",), tolerated="uint8 ids work only without spatial dims")
CLASS_IDS_LONG = Dt(("int64",), fix="target.long()")
LONG = Dt(("int64",), fix=".long()")
INTEGRAL = Dt(("int",), fix=".long()")
PROBS_DT = Dt(("float",), fix="target.float()")
FLOAT_NOT_HALF_ON_CPU = Dt(("float",), not_on_cpu=("float16", "bfloat16"))  # measured: no Half/BFloat16 CPU kernel
LCE_INPUT = Dt(("float32",), fix="input.float(), or build the loss with dtype=input.dtype (its Linear weight is float32 by default)")

REDUCTION_DESC = "'none' keeps one loss per element (shape below); 'mean' and 'sum' return a scalar"


def _reduction(choices=("none", "mean", "sum")) -> Option:
    return Option("reduction", "mean", "str", REDUCTION_DESC)


def _weight(desc="a manual rescaling weight per class, shape (C), same dtype as input") -> Option:
    return Option("weight", None, "tensor", desc, shape="C", dtype=SAME)


IGNORE = Option("ignore_index", -100, "int", "target value that is skipped (class-index targets only)")


def _pointwise(name, functional, kind, input_dt, target_dt, mode, *, summary, aliases=(), mistakes=(), values=None,
               options=(), target_kind="real values", target_values="real", input_values="real", probe_shape="8,3",
               version_note=""):
    """A loss applied elementwise to input and target that broadcast together."""
    return Contract(
        name=name, functional=functional, input_kind=kind, summary=summary, aliases=aliases,
        args=(Arg("input", kind, "input", grad=True, values=input_values), Arg("target", target_kind, "target", values=target_values)),
        forms=(Form("elementwise", {"input": "*a", "target": "*b"}, {"input": input_dt, "target": target_dt}, out="=broadcast",
                    broadcast=("input", "target"), mode=mode),),
        options=(*options, _reduction()), mistakes=mistakes, values=values or {},
        probe=({"specs": {"input": f"float32[{probe_shape}]", "target": f"float32[{probe_shape}]"}},),
        traps=_broadcast_traps(), version_note=version_note,
    )


def _broadcast_traps():
    """The shape traps every elementwise loss is probed with."""
    pairs = [("8,1", "8"), ("8", "8,1"), ("8,3", "3"), ("8,3", "8"), ("8,3", "8,4"), ("", ""), ("8,3", "1,3"), ("2,3,4", "2,1,4")]
    return tuple({"specs": {"input": f"float32[{a}]", "target": f"float32[{b}]"}} for a, b in pairs)


def _class_forms(ids_dt_batched: Dt, *, probs: bool, out_features: str = "+d") -> tuple[Form, ...]:
    """NLLLoss / CrossEntropyLoss: class indices (uint8 only without spatial dims), optional probabilities."""
    forms = [
        Form("class indices", {"input": "N,C", "target": "N"}, {"input": FLOAT, "target": ids_dt_batched}, out="N"),
        Form("class indices, spatial (N, C, d1, ...)", {"input": f"N,C,{out_features}", "target": f"N,{out_features}"},
             {"input": FLOAT, "target": CLASS_IDS_LONG}, out=f"N,{out_features}",
             note="uint8 targets are accepted only without spatial dims"),
        Form("class indices, unbatched", {"input": "C", "target": ""}, {"input": FLOAT, "target": ids_dt_batched}, out=""),
        Form("unbatched with a (1,) target", {"input": "C", "target": "1"}, {"input": FLOAT, "target": ids_dt_batched}, out="",
             fails="backward", why="an unbatched (C) input needs a 0-d target; a (1,) target passes the forward call and breaks backward() with 'size mismatch'",
             note="target.squeeze(0)"),
    ]
    if probs:
        forbid = {"ignore_index": "ignore_index is not supported for class-probability (floating point) targets"}
        forms += [
            Form("class probabilities", {"input": "N,C,*d", "target": "N,C,*d"}, {"input": FLOAT, "target": PROBS_DT}, out="N,*d",
                 select=("same_shape", "target", "input"), forbid=forbid,
                 note="chosen whenever target.shape == input.shape; each target row is a distribution over C"),
            Form("class probabilities, unbatched", {"input": "C", "target": "C"}, {"input": FLOAT, "target": PROBS_DT}, out="",
                 select=("same_shape", "target", "input"), forbid=forbid),
        ]
    return tuple(forms)


_CLASS_PROBE = (
    {"specs": {"input": "float32[8,4]", "target": "int64[8]"}},
    {"specs": {"input": "float32[2,4,3,3]", "target": "int64[2,3,3]"}},
    {"specs": {"input": "float32[4]", "target": "int64[]"}},
)
_CLASS_TRAPS = (
    {"specs": {"input": "float32[8,4]", "target": "int64[8,1]"}},
    {"specs": {"input": "float32[8,4]", "target": "float32[8]"}},
    {"specs": {"input": "float32[8,4]", "target": "int64[8,4]"}},
    {"specs": {"input": "float32[8]", "target": "int64[8]"}},
    {"specs": {"input": "float32[8,4]", "target": "int64[7]"}},
    {"specs": {"input": "float32[4]", "target": "int64[1]"}},
    {"specs": {"input": "float32[4]", "target": "uint8[]"}},
    {"specs": {"input": "float32[2,4,3]", "target": "uint8[2,3]"}},
    {"specs": {"input": "float32[2,4,3]", "target": "int64[2,4]"}},
    {"specs": {"input": "float32[8,4]", "target": "int64[8]"}, "options": {"weight": "float32[3]"}},
    {"specs": {"input": "float32[8,4]", "target": "int64[8]"}, "options": {"weight": "float64[4]"}},
    {"specs": {"input": "float32[8,4]", "target": "int64[8]"}, "options": {"weight": "float32[4]"}},
)
_CLASS_MISTAKES = (
    "Class ids as float (`float32[N]`): targets must be int64 (`target.long()`); float targets are read as class probabilities and must then have the input's shape.",
    "int32 class ids (e.g. from numpy on Windows, or `torch.int`): rejected on CPU; call `.long()`.",
    "A `(N, 1)` target from a column vector: squeeze it to `(N,)` with `target.squeeze(1)`.",
    "Segmentation: input `(N, C, H, W)`, target `(N, H, W)` with class ids, not one-hot `(N, C, H, W)` int64.",
)

# ---------------------------------------------------------------------------- the contracts
_LIST: list[Contract] = [
    Contract(
        name="CrossEntropyLoss", functional="cross_entropy", input_kind="logits",
        summary="Multi-class classification from raw scores: log_softmax over dim 1 is applied inside.",
        aliases=("ce", "cross-entropy", "softmax_cross_entropy"),
        args=(Arg("input", "logits", "input", grad=True), Arg("target", "class indices or class probabilities", "target", values="class")),
        forms=_class_forms(CLASS_IDS, probs=True),
        options=(_weight(), IGNORE, Option("label_smoothing", 0.0, "float", "mixes targets with the uniform distribution", high=1.0), _reduction()),
        mistakes=("Applying softmax (or log_softmax) before it: the loss is computed on probabilities-of-probabilities, wrong value and weaker gradients, no error.",
                  *_CLASS_MISTAKES,
                  "One logit per sample (`(N,)` or `(N, 1)`) for a binary task: use BCEWithLogitsLoss with a float target of the same shape."),
        values={"input": "logits", "target": "class"},
        probe=(*_CLASS_PROBE, {"specs": {"input": "float32[8,4]", "target": "float32[8,4]"}}, {"specs": {"input": "float32[4]", "target": "float32[4]"}},
               {"specs": {"input": "float32[8,4]", "target": "int64[8]"}, "options": {"label_smoothing": 0.1, "ignore_index": 1}}),
        traps=(*_CLASS_TRAPS, {"specs": {"input": "float32[8,4]", "target": "float32[8,4]"}, "options": {"ignore_index": 0}},
               {"specs": {"input": "float32[8,4]", "target": "float64[8,4]"}}, {"specs": {"input": "float32[8,4]", "target": "float32[8,4]"}, "options": {"weight": "float32[4]"}}),
    ),
    Contract(
        name="NLLLoss", functional="nll_loss", input_kind="log-probabilities",
        summary="Negative log-likelihood: picks -input[n, target[n]]; feed it log_softmax outputs.",
        aliases=("nll", "negative_log_likelihood"),
        args=(Arg("input", "log-probabilities", "input", grad=True, values="logprob"), Arg("target", "class indices", "target", values="class")),
        forms=_class_forms(CLASS_IDS, probs=False),
        options=(_weight(), IGNORE, _reduction()),
        mistakes=("Feeding logits or softmax probabilities: NLLLoss does no log_softmax; with probabilities the loss is negative and wrong, no error.",
                  "Class ids as float (`float32[N]`): targets must be int64 (`target.long()`).", *_CLASS_MISTAKES[1:3],
                  "Class-probability targets: NLLLoss accepts class ids only; use CrossEntropyLoss (logits) or KLDivLoss for distributions."),
        values={"input": "logprob", "target": "class"},
        probe=_CLASS_PROBE, traps=_CLASS_TRAPS,
    ),
    Contract(
        name="NLLLoss2d", functional="nll_loss", input_kind="log-probabilities",
        summary="Deprecated alias of NLLLoss (constructing it emits a FutureWarning); same contract.",
        aliases=("nll2d",), deprecated="NLLLoss",
        args=(Arg("input", "log-probabilities", "input", grad=True, values="logprob"), Arg("target", "class indices", "target", values="class")),
        forms=_class_forms(CLASS_IDS, probs=False),
        options=(_weight(), IGNORE, _reduction()),
        mistakes=("Using it at all: it is deprecated; `NLLLoss` is the drop-in replacement for any number of spatial dims.",
                  "Class ids as float (`float32[N]`) or int32: targets must be int64 (`target.long()`)."),
        values={"input": "logprob", "target": "class"},
        probe=_CLASS_PROBE, traps=_CLASS_TRAPS[:6],
    ),
    Contract(
        name="LinearCrossEntropyLoss", functional="linear_cross_entropy", input_kind="features (pre-classifier activations)",
        summary="A Linear(in_features, num_classes) layer fused with cross entropy: takes features, not logits.",
        present_since="2.13",
        version_note="New in recent torch: torch 2.9.1 has no nn.LinearCrossEntropyLoss (measured by nox -s verify-matrix); "
        "the torch 2.13 documentation has it.",
        aliases=("lce", "linear_ce", "fused_linear_cross_entropy"),
        args=(Arg("input", "features", "input", grad=True), Arg("linear_weight", "weight of the fused Linear", "extra", grad=True, module=False),
              Arg("target", "class indices or class probabilities", "target", values="class")),
        functional_args=("input", "linear_weight", "target"),
        forms=(
            Form("class indices", {"input": "N,D", "linear_weight": "C,D", "target": "N"}, {"input": LCE_INPUT, "linear_weight": SAME, "target": CLASS_IDS}, out="N",
                 requires_empty="o"),
            Form("class indices, K-dimensional (out_features)", {"input": "N,D", "linear_weight": "C,D", "target": "N,+o"},
                 {"input": LCE_INPUT, "linear_weight": SAME, "target": CLASS_IDS_LONG}, out="N,+o", note="with out_features=(d1, ...) the target is (N, d1, ...) and must be int64"),
            Form("class indices, unbatched", {"input": "D", "linear_weight": "C,D", "target": ""}, {"input": LCE_INPUT, "linear_weight": SAME, "target": CLASS_IDS}, out="",
                 requires_empty="o"),
            Form("class probabilities", {"input": "N,D", "linear_weight": "C,D", "target": "N,C,*o"}, {"input": LCE_INPUT, "linear_weight": SAME, "target": PROBS_DT}, out="N,*o"),
            Form("class probabilities, unbatched", {"input": "D", "linear_weight": "C,D", "target": "C,*o"}, {"input": LCE_INPUT, "linear_weight": SAME, "target": PROBS_DT}, out="*o"),
        ),
        options=(Option("in_features", None, "int", "size of each input sample (D)", dim="D"),
                 Option("num_classes", None, "int", "number of classes (C)", dim="C"),
                 Option("out_features", (), "ints", "extra output dims (d1, ...) for K-dimensional loss", dim="*o"),
                 Option("bias", False, "bool", "learnable bias of the fused Linear"),
                 _weight("a manual rescaling weight per class, shape (C)"),
                 Option("ignore_index", None, "int", "target value that is skipped (class indices only; None means -100)"),
                 Option("label_smoothing", 0.0, "float", "mixes targets with the uniform distribution", high=1.0),
                 _reduction()),
        mistakes=("Passing logits (`(N, C)`): it applies its own Linear, so input's last dim must be `in_features`.",
                  "int32 or float class ids: use int64 (`target.long()`).",
                  "Using `out_features` with uint8 targets: K-dimensional targets must be int64."),
        values={"target": "class"},
        probe=({"specs": {"input": "float32[8,5]", "target": "int64[8]"}, "options": {"in_features": 5, "num_classes": 4}},
               {"specs": {"input": "float32[2,5]", "target": "int64[2,3]"}, "options": {"in_features": 5, "num_classes": 4, "out_features": [3]}},
               {"specs": {"input": "float32[8,5]", "target": "float32[8,4]"}, "options": {"in_features": 5, "num_classes": 4}}),
        traps=({"specs": {"input": "float32[8,4]", "target": "int64[8]"}, "options": {"in_features": 5, "num_classes": 4}},
               {"specs": {"input": "float32[2,5]", "target": "uint8[2,3]"}, "options": {"in_features": 5, "num_classes": 4, "out_features": [3]}},
               {"specs": {"input": "float32[8,5]", "target": "int64[8,1]"}, "options": {"in_features": 5, "num_classes": 4}}),
    ),
    Contract(
        name="BCELoss", functional="binary_cross_entropy", input_kind="probabilities (after sigmoid)",
        summary="Binary cross entropy on probabilities in [0, 1]: apply sigmoid first (or use BCEWithLogitsLoss).",
        aliases=("bce", "binary_cross_entropy_loss"),
        args=(Arg("input", "probabilities", "input", grad=True, values="prob"), Arg("target", "probabilities / 0-1 labels", "target", values="prob")),
        forms=(Form("same shape", {"input": "*a", "target": "*a"}, {"input": FLOAT, "target": SAME}, out="*a",
                    note="target must have exactly input's shape and dtype"),),
        options=(Option("weight", None, "tensor", "rescaling weight, broadcast to input", shape="~input"), _reduction()),
        mistakes=("Feeding logits: values outside [0, 1] raise 'all elements of input should be between 0 and 1'; in [0, 1] by chance, the loss is silently wrong. Use BCEWithLogitsLoss.",
                  "int64 / uint8 labels: target must be float and of input's dtype (`target.float()`, or `target.to(input.dtype)`).",
                  "`(N, 1)` output against `(N,)` labels: raises a ValueError; `output.squeeze(1)` or `target.unsqueeze(1)`.",
                  "Numerical saturation: sigmoid then log loses precision for large |logits|; BCEWithLogitsLoss stays finite."),
        values={"input": "prob01", "target": "prob01"},
        probe=({"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}},),
        traps=_broadcast_traps(),
    ),
    Contract(
        name="BCEWithLogitsLoss", functional="binary_cross_entropy_with_logits", input_kind="logits (no sigmoid)",
        summary="Sigmoid + binary cross entropy in one numerically stable op; for binary and multi-label tasks.",
        aliases=("bcewithlogits", "bce_logits", "sigmoid_cross_entropy"),
        args=(Arg("input", "logits", "input", grad=True), Arg("target", "probabilities / 0-1 labels", "target", values="prob")),
        forms=(Form("same shape", {"input": "*a", "target": "*a"}, {"input": FLOAT, "target": Dt(("float",), fix="target.float()", out_dtype=True)}, out="*a"),),
        options=(Option("weight", None, "tensor", "rescaling weight, broadcast to input", shape="~input"),
                 Option("pos_weight", None, "tensor", "weight of positive examples per class, broadcast along input's last dim, e.g. (C)", shape="~input"),
                 _reduction()),
        mistakes=("Applying sigmoid first: the loss is computed on sigmoid(sigmoid(x)); no error, wrong loss and gradients.",
                  "Integer labels (int64 from a dataset): target must be float (`target.float()`); the error reads 'result type Float can't be cast to the desired output type Long'.",
                  "`(N, 1)` logits against `(N,)` labels: ValueError 'Target size ... must be the same as input size'; squeeze the logits."),
        values={"input": "logits", "target": "prob01"},
        probe=({"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}},
               {"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}, "options": {"pos_weight": "float32[3]"}}),
        traps=(*_broadcast_traps(), {"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}, "options": {"pos_weight": "float32[8]"}}),
    ),
    _pointwise("L1Loss", "l1_loss", "real values (predictions)", L1_INPUT, L1_TARGET, "warn",
               summary="Mean absolute error between prediction and target of the same shape.", aliases=("l1", "mae", "mean_absolute_error"),
               mistakes=("Shape `(N, 1)` prediction vs `(N,)` target: broadcasts to `(N, N)` with only a UserWarning; the loss is wrong. Squeeze one side.",
                         "bool targets raise (subtraction on bool); convert with `.float()`.")),
    _pointwise("MSELoss", "mse_loss", "real values (predictions)", GRAD_FLOAT_OR_INT, REAL_TARGET, "warn",
               summary="Mean squared error between prediction and target of the same shape.", aliases=("mse", "l2", "mean_squared_error"),
               mistakes=("Shape `(N, 1)` prediction vs `(N,)` target: broadcasts to `(N, N)` with only a UserWarning ('Using a target size ... that is different to the input size'); the loss is wrong.",
                         "Integer or bool targets work (type promotion), but a float64 target makes the loss float64."),
               version_note="torch 2.9.1 accepts a target of another dtype in forward but raises in backward "
               "('Found dtype Float but expected Double'); torch 2.14.1 promotes (measured by nox -s verify-matrix)."),
    _pointwise("HuberLoss", "huber_loss", "real values (predictions)", FLOAT, Dt(("same",), stage="backward", stages={"complex": "forward"}, fix="target.to(input.dtype)"), "warn",
               summary="Quadratic below delta, linear above: a robust regression loss.", aliases=("huber",),
               options=(Option("delta", 1.0, "float", "threshold between quadratic and linear parts", low=0.0, low_open=True),),
               mistakes=("Target of another dtype (int64 labels, float64 from numpy): the forward pass works and backward() raises 'Found dtype Long but expected Float'. Use `target.to(input.dtype)`.",
                         "`(N, 1)` vs `(N,)` shapes broadcast with only a warning.")),
    _pointwise("SmoothL1Loss", "smooth_l1_loss", "real values (predictions)", GRAD_FLOAT_OR_INT, REAL_TARGET, "warn",
               summary="Huber loss divided by beta: quadratic below beta, L1 above.", aliases=("smoothl1", "smooth_l1"),
               options=(Option("beta", 1.0, "float", "threshold between L2 and L1 parts", low=0.0),),
               mistakes=("`(N, 1)` vs `(N,)` shapes broadcast with only a warning.",
                         "Expecting HuberLoss's dtype strictness: SmoothL1Loss promotes an int64/float64 target, HuberLoss fails in backward.")),
    _pointwise("SoftMarginLoss", "soft_margin_loss", "real-valued scores", FLOAT, Dt(("float", "int"), stages={"bool": "backward"}, fix="target.float() * 2 - 1"), "to_input",
               summary="Two-class logistic loss log(1 + exp(-y x)) with labels y in {-1, 1}.", aliases=("softmargin",),
               target_kind="labels in {-1, 1}", target_values="sign",
               mistakes=("0/1 labels: the loss expects -1/1 (`y * 2 - 1`); 0 labels contribute a constant log 2, no error.",
                         "A target that broadcasts to a larger shape than input (`(N, 1)` vs `(N,)`) raises; the target must broadcast *to* input's shape."),
               values={"target": "sign"}),
    Contract(
        name="KLDivLoss", functional="kl_div", input_kind="log-probabilities",
        summary="KL(target || input) with input as log-probabilities; target as probabilities (or log-probabilities with log_target=True).",
        aliases=("kl", "kldiv", "kl_divergence"),
        args=(Arg("input", "log-probabilities", "input", grad=True, values="logprob"), Arg("target", "probabilities (log-probabilities if log_target)", "target", values="prob")),
        forms=(Form("elementwise", {"input": "*a", "target": "*b"}, {"input": FLOAT, "target": Dt(("float",), fix="target.float()")}, out="=broadcast",
                    broadcast=("input", "target"), mode="silent"),),
        options=(Option("log_target", False, "bool", "target given as log-probabilities"), Option("reduction", "mean", "str", REDUCTION_DESC + "; use 'batchmean' for the true KL divergence")),
        reductions=("none", "mean", "sum", "batchmean"),
        mistakes=("Passing probabilities as input: KLDivLoss wants log-probabilities (`log_softmax`); probabilities give a wrong value with no error.",
                  "reduction='mean' (the default) divides by the number of elements, not the batch size: torch warns; use reduction='batchmean'.",
                  "Swapped arguments: it computes KL(target || input), input being the model's log-probabilities.",
                  "Shapes broadcast silently: `(N, 1)` vs `(N,)` gives an `(N, N)` loss with no warning."),
        values={"input": "logprob", "target": "prob"},
        probe=({"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}, "options": {"reduction": "batchmean"}},),
        traps=(*({"specs": t["specs"], "options": {"reduction": "batchmean"}} for t in _broadcast_traps()),
               {"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}, "options": {"reduction": "mean"}}),
    ),
    _pointwise("PoissonNLLLoss", "poisson_nll_loss", "log-rates (log_input=True) or rates", POISSON_INPUT, POISSON_TARGET, "silent",
               summary="Negative log-likelihood of a Poisson target; with log_input=True (default) input is the log of the rate.",
               aliases=("poisson",), target_kind="counts",
               options=(Option("log_input", True, "bool", "input is log(rate) (True) or rate (False)"), Option("full", False, "bool", "add the Stirling term"),
                        Option("eps", 1e-8, "float", "added to the rate when log_input=False")),
               mistakes=("Passing rates with log_input=True (the default): exp(rate) is used as the rate, no error.",
                         "Shapes broadcast silently (`(N, 1)` vs `(N,)` gives `(N, N)`)."),
               values={"target": "nonneg", "input": "log_rate"}),
    Contract(
        name="GaussianNLLLoss", functional="gaussian_nll_loss", input_kind="predicted means",
        summary="Negative log-likelihood of a Gaussian with predicted mean (input) and predicted variance (var).",
        aliases=("gaussian", "gaussian_nll", "gnll"),
        args=(Arg("input", "predicted means", "input", grad=True), Arg("target", "real values", "target"),
              Arg("var", "predicted variances (> 0)", "extra", grad=True, values="positive", python="float")),
        forms=tuple(
            Form(name, {"input": "*b,D", "target": "*t", "var": var}, {"input": GAUSS_DT, "target": GAUSS_DT, "var": FLOAT},
                 out="=broadcast", broadcast=("input", "target"), mode="silent")
            for name, var in (("var per element", "*b,D"), ("one var per sample (last dim 1)", "*b,1"), ("one var per sample (last dim dropped)", "*b"))
        ) + (
            Form("var with one size-1 dim (broadcasts)", {"input": "*b", "target": "*t", "var": "*v"}, {"input": GAUSS_DT, "target": GAUSS_DT, "var": FLOAT},
                 out="=broadcast", broadcast=("input", "target"), mode="silent", size1_of=("var", "input"),
                 note="var has input's dims except one, where it is 1, e.g. (1, 3) or (4, 1, 32, 32) for input (4, 3, 32, 32)"),
            Form("0-dim", {"input": "", "target": "", "var": ""}, {"input": GAUSS_DT, "target": GAUSS_DT, "var": FLOAT}, out=""),
        ),
        options=(Option("full", False, "bool", "add the constant term"), Option("eps", 1e-6, "float", "clamp for var"), _reduction()),
        mistakes=("var of another shape than input, input[..., :1] or input[..., 0]: ValueError 'var is of incorrect size'.",
                  "Negative variances (e.g. a raw linear output): ValueError; use softplus or exp for var.",
                  "Passing a standard deviation instead of a variance: no error, wrong loss."),
        values={"var": "nonneg"},
        probe=({"specs": {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8,3]"}},
               {"specs": {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8,1]"}},
               {"specs": {"input": "float32[8,3]", "target": "float32[8,3]", "var": "float32[8]"}}),
        traps=tuple({"specs": {"input": i, "target": t, "var": v}} for i, t, v in (
            ("float32[8,3]", "float32[8,3]", "float32[8,2]"), ("float32[8,3]", "float32[8,3]", "float32[3]"), ("float32[8,3]", "float32[8,3]", "float32[]"),
            ("float32[8,3]", "float32[8,1]", "float32[8,3]"), ("float32[8,3]", "float32[3]", "float32[8,3]"), ("float32[8]", "float32[8]", "float32[8]"),
            ("float32[8]", "float32[8]", "float32[8,1]"))),
    ),
    Contract(
        name="MarginRankingLoss", functional="margin_ranking_loss", input_kind="two score tensors",
        summary="max(0, -y (x1 - x2) + margin): learns to rank x1 above x2 when y = 1 and below when y = -1.",
        aliases=("ranking", "margin_ranking"),
        args=(Arg("input1", "scores", "input", grad=True), Arg("input2", "scores", "extra", grad=True), Arg("target", "labels in {-1, 1}", "target", values="sign")),
        forms=(Form("elementwise", {"input1": "*a", "input2": "*b", "target": "*c"},
                    {"input1": FLOAT_OR_INT, "input2": FLOAT_OR_INT, "target": Dt(("float", "int"), fix="target.float()")}, out="=broadcast",
                    broadcast=("input1", "input2", "target"), mode="same_ndim", note="all three need the same number of dims, then broadcast"),),
        options=(Option("margin", 0.0, "float", "margin"), _reduction()),
        mistakes=("0/1 labels: the loss expects -1/1; 0 labels give a constant `margin`, no error.",
                  "`(N, 1)` scores with a `(N,)` target: raises 'All input tensors should have same dimension'."),
        values={"target": "sign"},
        probe=({"specs": {"input1": "float32[8]", "input2": "float32[8]", "target": "float32[8]"}},),
        traps=tuple({"specs": {"input1": a, "input2": b, "target": c}} for a, b, c in (
            ("float32[8,1]", "float32[8,1]", "float32[8]"), ("float32[8,3]", "float32[8,3]", "float32[8,3]"), ("float32[8,3]", "float32[8,3]", "float32[8]"),
            ("float32[]", "float32[]", "float32[]"), ("float32[8]", "float32[1]", "float32[8]"), ("float32[8]", "float64[8]", "float32[8]"))),
    ),
    _pointwise("HingeEmbeddingLoss", "hinge_embedding_loss", "distances (e.g. L1 distance between two inputs)", Dt(("float",), stages={"int": "error", "bool": "error"}), SIGN_LABELS, "silent",
               summary="x for y = 1 and max(0, margin - x) for y = -1: learns distances between pairs.", aliases=("hinge_embedding",),
               target_kind="labels in {-1, 1}", target_values="sign",
               options=(Option("margin", 1.0, "float", "margin"),),
               mistakes=("0/1 labels: elements with label 0 fall in neither case and contribute nothing; use -1/1.",
                         "Shapes broadcast silently."),
               values={"target": "sign"}),
    Contract(
        name="MultiLabelMarginLoss", functional="multilabel_margin_loss", input_kind="scores per class",
        summary="Multi-label hinge loss; target lists the positive class ids, padded with -1 after the last one.",
        aliases=("multilabel_margin",),
        args=(Arg("input", "scores", "input", grad=True), Arg("target", "class ids padded with -1", "target", values="class")),
        forms=(Form("batched", {"input": "N,C", "target": "N,C"}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out="N"),
               Form("unbatched", {"input": "C", "target": "C"}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out=""),
               Form("0-dim (one class)", {"input": "", "target": ""}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out="")),
        options=(_reduction(),),
        mistakes=("A multi-hot 0/1 target: this loss wants class *ids* padded with -1 (`[3, 0, -1, 1]` means classes 3 and 0); for multi-hot use MultiLabelSoftMarginLoss or BCEWithLogitsLoss.",
                  "uint8/int32 targets: int64 only."),
        values={"target": "class_or_pad"},
        probe=({"specs": {"input": "float32[8,4]", "target": "int64[8,4]"}}, {"specs": {"input": "float32[4]", "target": "int64[4]"}}),
        traps=({"specs": {"input": "float32[8,4]", "target": "int64[8]"}},),
    ),
    Contract(
        name="MultiLabelSoftMarginLoss", functional="multilabel_soft_margin_loss", input_kind="logits per class",
        summary="Multi-label one-vs-all logistic loss on logits with a 0/1 target of the same shape (averaged over classes).",
        aliases=("multilabel_soft_margin",),
        args=(Arg("input", "logits", "input", grad=True), Arg("target", "0/1 labels", "target", values="prob")),
        forms=(Form("elementwise over classes", {"input": "*a,C", "target": "*b"}, {"input": FLOAT, "target": Dt(("float", "int"), stages=CPLX_BACKWARD, fix="target.float()")},
                    out="=broadcast[:-1]", broadcast=("input", "target"), mode="silent"),),
        options=(_weight("a manual rescaling weight per class, shape (C)"), _reduction()),
        mistakes=("bool targets raise; use `.float()`.", "Shapes broadcast silently: `(N, 1)` vs `(N,)` gives an `(N, N)` intermediate."),
        values={"target": "prob01"},
        probe=({"specs": {"input": "float32[8,3]", "target": "float32[8,3]"}},),
        traps=_broadcast_traps(),
    ),
    Contract(
        name="CosineEmbeddingLoss", functional="cosine_embedding_loss", input_kind="two embedding tensors",
        summary="1 - cos(x1, x2) for y = 1, max(0, cos(x1, x2) - margin) for y = -1.",
        aliases=("cosine_embedding", "cosine"),
        args=(Arg("input1", "embeddings", "input", grad=True), Arg("input2", "embeddings", "extra", grad=True), Arg("target", "labels in {-1, 1}", "target", values="sign")),
        forms=(Form("batched", {"input1": "N,D", "input2": "N,D", "target": "N"}, {"input1": ANY_NUMBER, "input2": ANY_NUMBER, "target": SIGN_LABELS}, out="N"),
               Form("unbatched", {"input1": "D", "input2": "D", "target": ""}, {"input1": ANY_NUMBER, "input2": ANY_NUMBER, "target": SIGN_LABELS}, out="")),
        options=(Option("margin", 0.0, "float", "margin, in [-1, 1]"), _reduction()),
        mistakes=("0/1 labels: pairs labelled 0 contribute nothing; use -1/1.", "A `(N, 1)` target: must be `(N,)`.", "3-D inputs: flatten to `(N, D)`."),
        values={"target": "sign"},
        probe=({"specs": {"input1": "float32[8,5]", "input2": "float32[8,5]", "target": "float32[8]"}},
               {"specs": {"input1": "float32[5]", "input2": "float32[5]", "target": "float32[]"}}),
        traps=tuple({"specs": {"input1": a, "input2": b, "target": c}} for a, b, c in (
            ("float32[8,5]", "float32[8,5]", "float32[8,1]"), ("float32[8,5,2]", "float32[8,5,2]", "float32[8]"), ("float32[8,5]", "float32[8,4]", "float32[8]"),
            ("float32[8,5]", "float64[8,5]", "float32[8]"))),
    ),
    Contract(
        name="MultiMarginLoss", functional="multi_margin_loss", input_kind="scores per class",
        summary="Multi-class hinge loss (SVM-style) on scores with int64 class-index targets.",
        aliases=("multi_margin", "svm"),
        args=(Arg("input", "scores", "input", grad=True), Arg("target", "class indices", "target", values="class")),
        forms=(Form("batched", {"input": "N,C", "target": "N"}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out="N"),
               Form("unbatched", {"input": "C", "target": ""}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out=""),
               Form("unbatched, (1,) target", {"input": "C", "target": "1"}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out="1"),
               Form("0-dim (one class)", {"input": "", "target": ""}, {"input": FLOAT_NOT_HALF_ON_CPU, "target": LONG}, out="")),
        options=(Option("p", 1, "int", "1 or 2", low=1, high=2), Option("margin", 1.0, "float", "margin"), _weight("a manual rescaling weight per class, shape (C)"), _reduction()),
        mistakes=("uint8/int32 class ids: int64 only (unlike CrossEntropyLoss, uint8 is rejected too).", "Spatial `(N, C, d)` inputs are not supported."),
        values={"target": "class"},
        probe=({"specs": {"input": "float32[8,4]", "target": "int64[8]"}}, {"specs": {"input": "float32[4]", "target": "int64[]"}}),
        traps=({"specs": {"input": "float32[8,4]", "target": "int64[8,1]"}}, {"specs": {"input": "float32[8,4,2]", "target": "int64[8,2]"}}),
    ),
    *(Contract(
        name=name, functional=functional, input_kind="embeddings (anchor, positive, negative)",
        summary=summary, aliases=aliases,
        args=(Arg("anchor", "embeddings", "input", grad=True), Arg("positive", "embeddings", "extra", grad=True), Arg("negative", "embeddings", "extra", grad=True)),
        forms=(Form("embeddings", {"anchor": "*a", "positive": "*b", "negative": "*c"},
                    {"anchor": EMBEDDINGS, "positive": EMBEDDINGS, "negative": EMBEDDINGS}, out="=broadcast[:-1]",
                    broadcast=("anchor", "positive", "negative"), mode="same_ndim", note="same number of dims, broadcastable; distance over the last dim"),),
        options=(*opts, _reduction()),
        mistakes=("Mixing a `(D,)` anchor with `(N, D)` positives: all three need the same number of dims.",
                  "Embedding sizes differ between branches: the last dims must match."),
        probe=({"specs": {"anchor": "float32[8,5]", "positive": "float32[8,5]", "negative": "float32[8,5]"}},
               {"specs": {"anchor": "float32[5]", "positive": "float32[5]", "negative": "float32[5]"}}),
        traps=tuple({"specs": {"anchor": a, "positive": b, "negative": c}} for a, b, c in (
            ("float32[8,5,2]", "float32[8,5,2]", "float32[8,5,2]"), ("float32[8,5]", "float32[1,5]", "float32[8,5]"),
            ("float32[8,5]", "float32[8,4]", "float32[8,5]"), ("float32[5]", "float32[8,5]", "float32[8,5]"))),
    ) for name, functional, summary, aliases, opts in (
        ("TripletMarginLoss", "triplet_margin_loss", "max(d(a, p) - d(a, n) + margin, 0) with the p-norm distance.", ("triplet",),
         (Option("margin", 1.0, "float", "margin", low=0.0, low_open=True), Option("p", 2.0, "float", "norm degree"), Option("swap", False, "bool", "distance swap"))),
        ("TripletMarginWithDistanceLoss", "triplet_margin_with_distance_loss", "Triplet loss with a custom distance function (default: pairwise distance).",
         ("triplet_distance",),
         (Option("distance_function", None, "callable", "distance between two tensors (default: pairwise_distance)"),
          Option("margin", 1.0, "float", "margin", low=0.0, low_open=True),
          Option("swap", False, "bool", "distance swap"))),
    )),
    Contract(
        name="CTCLoss", functional="ctc_loss", input_kind="log-probabilities (T, N, C), time first",
        summary="Connectionist temporal classification: log_softmax outputs over time against unaligned label sequences.",
        aliases=("ctc",),
        args=(Arg("log_probs", "log-probabilities (time first)", "input", grad=True, values="logprob"), Arg("targets", "label ids (never the blank)", "target", values="label"),
              Arg("input_lengths", "lengths <= T", "extra", values="len:T", python="list"),
              Arg("target_lengths", "lengths <= S", "extra", values="len:S", python="list")),
        forms=(
            Form("padded targets", {"log_probs": "T,N,C", "targets": "N,S", "input_lengths": "N", "target_lengths": "N"},
                 {"log_probs": FLOAT_NOT_HALF_ON_CPU, "targets": CTC_IDS, "input_lengths": LENGTHS, "target_lengths": LENGTHS}, out="N"),
            Form("concatenated targets", {"log_probs": "T,N,C", "targets": "L", "input_lengths": "N", "target_lengths": "N"},
                 {"log_probs": FLOAT_NOT_HALF_ON_CPU, "targets": CTC_IDS, "input_lengths": LENGTHS, "target_lengths": LENGTHS}, out="N",
                 note="targets concatenated into one 1-D tensor of length sum(target_lengths)"),
            Form("unbatched", {"log_probs": "T,C", "targets": "S", "input_lengths": "", "target_lengths": ""},
                 {"log_probs": FLOAT_NOT_HALF_ON_CPU, "targets": CTC_IDS, "input_lengths": LENGTHS, "target_lengths": LENGTHS}, out=""),
            Form("batch-first log_probs (N, T, C)", {"log_probs": "N,T,C", "targets": "N,S", "input_lengths": "N", "target_lengths": "N"},
                 {"log_probs": FLOAT_NOT_HALF_ON_CPU, "targets": CTC_IDS, "input_lengths": LENGTHS, "target_lengths": LENGTHS}, out="N",
                 fails="forward", why="CTCLoss is time-first: log_probs must be (T, N, C), not batch-first (N, T, C)", note="log_probs.transpose(0, 1)"),
            Form("unbatched, lengths of shape (1,)", {"log_probs": "T,C", "targets": "S", "input_lengths": "1", "target_lengths": "1"},
                 {"log_probs": FLOAT_NOT_HALF_ON_CPU, "targets": CTC_IDS, "input_lengths": LENGTHS, "target_lengths": LENGTHS}, out=""),
        ),
        options=(Option("blank", 0, "int", "index of the blank label"), Option("zero_infinity", False, "bool", "zero infinite losses"), _reduction()),
        mistakes=("Batch-first log_probs `(N, T, C)`: CTCLoss is time-first; `log_probs.transpose(0, 1)`.",
                  "Raw logits or softmax instead of `log_softmax(2)`: no error, wrong loss.",
                  "Float lengths: input_lengths/target_lengths must be integers.",
                  "Using the blank index (default 0) as a real label in targets."),
        values={"log_probs": "logprob", "targets": "ctc_ids", "input_lengths": "ctc_lengths"},
        probe=({"specs": {"log_probs": "float32[12,4,5]", "targets": "int64[4,3]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}},
               {"specs": {"log_probs": "float32[12,4,5]", "targets": "int64[12]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}},
               {"specs": {"log_probs": "float32[12,5]", "targets": "int64[3]", "input_lengths": "int64[]", "target_lengths": "int64[]"}}),
        traps=({"specs": {"log_probs": "float32[4,12,5]", "targets": "int64[4,3]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}},
               {"specs": {"log_probs": "float32[12,4,5]", "targets": "int64[3,3]", "input_lengths": "int64[4]", "target_lengths": "int64[4]"}}),
    ),
]

# torch still takes the pre-1.0 size_average / reduce arguments for these (losses.contracts.complete checks the list)
LEGACY_REDUCTION = ("BCELoss", "BCEWithLogitsLoss", "CosineEmbeddingLoss", "CrossEntropyLoss", "HingeEmbeddingLoss", "KLDivLoss", "L1Loss",
                    "MSELoss", "MarginRankingLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss", "NLLLoss", "NLLLoss2d",
                    "PoissonNLLLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss")
LEGACY = (Option("size_average", None, "legacy", "deprecated: with reduce, stands for reduction (True/None and reduce True/None: 'mean')"),
          Option("reduce", None, "legacy", "deprecated: False means reduction='none'"))
_LIST = [replace(c, options=(*c.options, *LEGACY)) if c.name in LEGACY_REDUCTION else c for c in _LIST]
CONTRACTS: dict[str, Contract] = {c.name: c for c in sorted(_LIST, key=lambda c: c.name)}


INDEX = build_index(CONTRACTS.values())


class UnknownLoss(LookupError):
    """No contract of that name; ``suggestions`` holds close matches."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, suggestions
        super().__init__(unknown_loss_text(name, suggestions))


def unknown_loss_text(name: str, suggestions: list[str]) -> str:
    hint = f"did you mean {', '.join(suggestions)}?" if suggestions else "'refcheck loss' lists them"
    return f"unknown loss {name!r}; {hint}"


def resolve(name: str) -> Contract:
    """Find a contract by class name, functional name or alias, ignoring case, '_' and '-'."""
    k = key(name or "")
    if k in INDEX:
        return CONTRACTS[INDEX[k]]
    raise UnknownLoss(name, suggest(name or "", INDEX, list(CONTRACTS)))
