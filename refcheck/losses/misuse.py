"""The silent-misuse catalogue: wrong inputs torch takes without an exception, and what refcheck says.

Each entry builds a real call (seeded), runs it through torch (which must raise nothing) and through
``check_loss_inputs`` (which should give a ``LossInputWarning`` naming the misuse: ``expect`` words
in its message). An entry with ``flagged=False`` is a known gap, listed so that the page says so.
The claim ``losses.silent-misuses`` runs them all. Imports torch (an adapter).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Misuse:
    id: str
    loss: str
    what: str  # the misuse, in words
    build: Callable[[Any, Any], tuple[tuple, dict]]  # (torch, generator) -> (args, options)
    expect: str  # words of the warning that names it
    flagged: bool = True


def _logits(torch, g, *shape):
    return torch.randn(*shape, generator=g) * 2


def _ids(torch, g, high, *shape):
    return torch.randint(0, high, shape, generator=g)


MISUSES = (
    Misuse("softmax-into-ce", "CrossEntropyLoss", "softmax probabilities passed as CrossEntropyLoss logits",
           lambda t, g: ((_logits(t, g, 8, 5).softmax(1), _ids(t, g, 5, 8)), {}), "softmax probabilities"),
    Misuse("probabilities-into-nll", "NLLLoss", "softmax probabilities passed to NLLLoss (it wants log_softmax)",
           lambda t, g: ((_logits(t, g, 8, 5).softmax(1), _ids(t, g, 5, 8)), {}), "look like probabilities"),
    Misuse("logits-into-nll", "NLLLoss", "raw logits passed to NLLLoss",
           lambda t, g: ((_logits(t, g, 8, 5).abs() + 0.1, _ids(t, g, 5, 8)), {}), "look like logits"),
    Misuse("log-softmax-wrong-dim", "NLLLoss", "log_softmax taken over the batch dim (0) instead of the class dim (1)",
           lambda t, g: ((_logits(t, g, 8, 5).log_softmax(0), _ids(t, g, 5, 8)), {}), "normalized over dim 0"),
    Misuse("unnormalized-probability-targets", "CrossEntropyLoss", "class-probability targets whose rows do not sum to 1",
           lambda t, g: ((_logits(t, g, 8, 5), t.rand(8, 5, generator=g)), {}), "summing to 1"),
    Misuse("all-targets-ignored", "CrossEntropyLoss", "every target equal to ignore_index (the mean is NaN)",
           lambda t, g: ((_logits(t, g, 8, 5), t.full((8,), -100)), {}), "every target equals ignore_index"),
    Misuse("empty-batch", "CrossEntropyLoss", "an empty batch with reduction='mean' (the mean is NaN)",
           lambda t, g: ((_logits(t, g, 0, 5), _ids(t, g, 5, 0)), {}), "empty batch"),
    Misuse("sequence-logits-nlc", "CrossEntropyLoss", "(N, L, C) sequence logits passed where (N, C, L) is meant, with L == C",
           lambda t, g: ((_logits(t, g, 4, 6, 6), _ids(t, g, 6, 4, 6)), {}), "", flagged=False),
    Misuse("probabilities-into-kl", "KLDivLoss", "probabilities passed as KLDivLoss input (it wants log-probabilities)",
           lambda t, g: ((_logits(t, g, 8, 5).softmax(1), _logits(t, g, 8, 5).softmax(1)), {"reduction": "batchmean"}), "look like probabilities"),
    Misuse("rates-with-log-input", "PoissonNLLLoss", "rates passed to PoissonNLLLoss while log_input=True",
           lambda t, g: ((t.rand(8, 3, generator=g) * 4 + 1, t.poisson(t.full((8, 3), 3.0), generator=g)), {}), "look like rates"),
    Misuse("multi-hot-into-multilabel-margin", "MultiLabelMarginLoss", "a 0/1 multi-hot target passed to MultiLabelMarginLoss (it wants ids padded with -1)",
           lambda t, g: ((_logits(t, g, 8, 5), (t.rand(8, 5, generator=g) > 0.5).long()), {}), "multi-hot"),
    Misuse("blank-in-ctc-targets", "CTCLoss", "the blank id (0) used as a label in CTC targets",
           lambda t, g: ((_logits(t, g, 12, 2, 5).log_softmax(2), t.tensor([[1, 0, 2], [0, 3, 4]]), t.full((2,), 12), t.full((2,), 3)), {}), "blank id"),
    Misuse("silently-broadcast-target", "KLDivLoss", "an (N, 1) input against an (N,) target: broadcasts to (N, N) with no warning",
           lambda t, g: ((_logits(t, g, 8, 1).clamp(max=0), t.rand(8, generator=g)), {"reduction": "batchmean"}), "broadcast silently"),
    Misuse("target-narrows-output-dtype", "BCEWithLogitsLoss", "a float32 target with float64 logits: the loss is computed in float32",
           lambda t, g: ((_logits(t, g, 8, 3).double(), t.rand(8, 3, generator=g).round()), {}), "precision lost"),
    Misuse("zero-one-labels-for-hinge", "HingeEmbeddingLoss", "0/1 labels where HingeEmbeddingLoss wants -1/1",
           lambda t, g: ((t.rand(8, generator=g), (t.rand(8, generator=g) > 0.5).float()), {}), "0/1"),
    Misuse("zero-one-labels-for-ranking", "MarginRankingLoss", "0/1 labels where MarginRankingLoss wants -1/1",
           lambda t, g: ((_logits(t, g, 8), _logits(t, g, 8), (t.rand(8, generator=g) > 0.5).float()), {}), "0/1"),
    Misuse("nan-in-input", "MSELoss", "a NaN in the predictions (the loss and every gradient become NaN)",
           lambda t, g: ((t.tensor([0.5, float("nan"), 1.0]), t.zeros(3)), {}), "NaN"),
)


def run(misuse: Misuse, generator) -> dict[str, Any]:
    """torch's exception (None when it raises nothing) and the LossInputWarnings refcheck gives."""
    import torch

    from refcheck.losses.api import LossInputError, LossInputWarning, check_loss_inputs

    args, options = misuse.build(torch, generator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            getattr(torch.nn, misuse.loss)(**options)(*args)
            raised = None
        except Exception as exc:  # recorded: the catalogue requires that torch raises nothing
            raised = f"{type(exc).__name__}: {exc}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_loss_inputs(misuse.loss, *args, **options)
            error = None
        except LossInputError as exc:
            error = str(exc)
    said = [str(w.message) for w in caught if issubclass(w.category, LossInputWarning)]
    named = bool(misuse.expect) and any(misuse.expect in s for s in said)
    return {"id": misuse.id, "loss": misuse.loss, "what": misuse.what, "torch_raised": raised, "refcheck_error": error,
            "refcheck_warning": said[0].split(": ", 1)[-1] if said else "", "flagged": named}
