"""The message tables of the diagnosis: stage words, verdicts, dtype words and fixes, provenance rules.

Data only. The Python diagnosis and the widget's engine both read these tables (the payload
carries them), so a wording is changed in one place.
"""

from __future__ import annotations

STAGE_ORDER = {"forward": 0, "error": 1, "backward": 2, "warning": 3, "silent": 4}
OUTCOME = {"forward": "forward-error", "error": "error", "backward": "backward-error", "warning": "warning"}
# the verdict line of an invalid answer (CLI and widget)
VERDICT = {
    "ok": "runs without an error, but",
    "warning": "runs with only a warning, but",
    "forward-error": "torch raises in the forward call:",
    "error": "torch raises:",
    "backward-error": "the forward call succeeds and backward() raises:",
}
ACCEPT_WORDS = {"float": "floating point", "int": "an integer dtype", "bool": "bool", "same": "exactly the input's dtype ({first})"}
# the fix of a wrong dtype, by the first accepted dtype or group, when the contract names none
DTYPE_FIX = {"float": "{arg}.float()", "same": "{arg}.to({first}.dtype)", "int64": "{arg}.long()", "int": "{arg}.long()"}

# bits of precision of the floating dtypes: a target that decides the output dtype must not narrow it
FLOAT_BITS = {"float64": 64, "float32": 32, "float16": 16, "bfloat16": 16}

# How the first tensor was made, as the widget asks it ("made"), against what the loss takes (the
# contract's value rule of that tensor). Each entry: the rule broken, the fix, and the stage.
MADE = ("logits", "probabilities", "log-probabilities")
MADE_EXPECTED = {"logits": "logits", "logprob": "log-probabilities", "prob01": "probabilities"}
MADE_FINE = {"CrossEntropyLoss": ["log-probabilities"]}  # log_softmax is idempotent: CE of log-probabilities is CE of the logits
LOG_SOFTMAX_DIM = {"NLLLoss": "1", "NLLLoss2d": "1", "CTCLoss": "2", "KLDivLoss": "-1"}
MADE_RULES = {
    "logits/probabilities": (
        "{loss} takes raw logits and applies its own softmax/sigmoid; probabilities give a wrong loss and smaller gradients",
        "pass the model output before softmax/sigmoid", "silent"),
    "logits/log-probabilities": (
        "{loss} takes raw logits; log-probabilities (<= 0) give a wrong loss", "pass the model output before log_softmax/logsigmoid", "silent"),
    "log-probabilities/logits": (
        "{loss} takes log-probabilities and applies no log_softmax itself; logits give a wrong loss (it can even be negative)",
        "{arg}.log_softmax(dim={dim}) of the logits", "silent"),
    "log-probabilities/probabilities": (
        "{loss} takes log-probabilities; softmax probabilities give a wrong, negative loss",
        "{arg}.log_softmax(dim={dim}) of the logits (not softmax)", "silent"),
    "probabilities/logits": (
        "{loss} takes probabilities in [0, 1]; torch raises 'all elements of input should be between 0 and 1' for logits outside that range",
        "use BCEWithLogitsLoss on the logits, or torch.sigmoid({arg}) first", "forward"),
    "probabilities/log-probabilities": (
        "{loss} takes probabilities in [0, 1]; log-probabilities are <= 0, and torch raises for any value outside [0, 1]",
        "{arg}.exp(), or BCEWithLogitsLoss on the logits", "forward"),
}
