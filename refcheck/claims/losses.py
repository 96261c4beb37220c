"""Claims of the loss pages: the contracts (refcheck/losses/contracts.py) hold on the installed torch.

- ``losses.contracts.complete``: every ``_Loss`` subclass of ``torch.nn`` has a contract.
- ``losses.<name>.probe``: torch's behaviour over a grid of dtypes and shapes (forward and backward,
  on ``ctx.device``) equals what the diagnosis predicts from the contract data.
- silent misuse: wrong inputs that raise nothing, measured against a reference computed by hand.
"""

from __future__ import annotations

import warnings
from collections import Counter

from refcheck import claim
from refcheck.losses.contracts import CONTRACTS, LEGACY_REDUCTION
from refcheck.losses.probe import probe

PAGE = "losses/index.md"


def _loss_classes():
    import torch.nn as nn
    from torch.nn.modules.loss import _Loss

    found, stack = set(), [_Loss]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("torch.nn") and not sub.__name__.startswith("_") and getattr(nn, sub.__name__, None) is sub:
                found.add(sub.__name__)
    return sorted(found)


@claim(
    "losses.contracts.complete",
    page=PAGE,
    says="Every public _Loss subclass in the installed torch.nn has a contract on this page, and every contract names a "
    "torch.nn class and a torch.nn.functional function that exist.",
)
def contracts_complete(ctx):
    import torch.nn.functional as F

    classes = _loss_classes()
    newer = sorted(c.name for c in CONTRACTS.values() if _newer_than_installed(c))
    ctx.expect_equal(sorted(set(classes) - set(CONTRACTS)), [], "torch.nn losses without a contract")
    ctx.expect_equal(sorted(set(CONTRACTS) - set(classes) - set(newer)), [], "contracts naming no torch.nn loss")
    missing_functional = sorted(
        c.functional for c in CONTRACTS.values() if c.name not in newer and not callable(getattr(F, c.functional, None))
    )
    ctx.expect_equal(missing_functional, [], "functional names that torch.nn.functional lacks")
    import inspect

    import torch.nn as nn

    legacy = sorted(n for n in classes if n in CONTRACTS and "size_average" in inspect.signature(getattr(nn, n).__init__).parameters)
    ctx.expect_equal(sorted(LEGACY_REDUCTION), legacy, "losses whose constructor still takes size_average/reduce")
    return {"losses_in_torch": len(classes), "contracts": len(CONTRACTS), "classes": classes, "newer_than_installed_torch": newer}


def _torch_version() -> tuple[int, ...]:
    import torch

    return tuple(int(p) for p in torch.__version__.split("+")[0].split(".")[:2])


def _newer_than_installed(contract) -> bool:
    """A loss the installed torch is too old to have (its class is missing and torch predates present_since)."""
    import torch.nn as nn

    if not contract.present_since or hasattr(nn, contract.name):
        return False
    return _torch_version() < tuple(int(p) for p in contract.present_since.split("."))


def _summary(rows, arg):
    """Measured accept/reject per dtype of one argument, over the grid cases that vary it."""
    out: dict[str, set] = {}
    for r in rows:
        dt = r["specs"][arg].split("[")[0]
        out.setdefault(dt, set()).add(r["measured"])
    return {dt: "/".join(sorted(v)) for dt, v in out.items()}


def _register_probe(name: str) -> None:
    contract = CONTRACTS[name]
    target = contract.target_arg.name if contract.target_arg else contract.module_args[-1].name

    @claim(
        f"losses.{name.lower()}.probe",
        page=PAGE,
        says=f"On the current device, {name} accepts and rejects exactly the dtypes and shapes its contract states "
        "(forward and backward): for every probed case the outcome (ok, warning, error in forward, error in backward) "
        "and the output shape equal what the lookup predicts.",
        tags=("losses", "probe"),
        version_note=contract.version_note,
    )
    def check(ctx):
        if _newer_than_installed(contract):
            import torch

            ctx.skip(f"torch {torch.__version__} has no nn.{name}; it is present in torch {contract.present_since} and later")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the probe records torch's warnings itself
            rows = probe(contract, ctx.device)
        wrong = [
            f"{r['specs']} {r['options'] or ''}: predicted {r['predicted']} {r['predicted_shape']}, measured {r['measured']} {r['measured_shape']} {r['message']}"
            for r in rows if not r["agree"]
        ]
        ctx.expect_equal(wrong, [], f"cases where torch disagrees with the contract ({len(rows)} probed)")
        counts = Counter(r["measured"] for r in rows)
        return {"cases": len(rows), **{f"measured_{k}": v for k, v in sorted(counts.items())},
                f"{target}_dtype_outcomes": _summary(rows, target)}

    check.__qualname__ = f"probe_{name}"


for _name in CONTRACTS:
    _register_probe(_name)


@claim(
    "losses.crossentropyloss.softmax-before",
    page=PAGE,
    says="Applying softmax before CrossEntropyLoss raises nothing but gives a different loss from the correct one "
    "(which equals -log_softmax(logits)[target] computed by hand) and a smaller gradient.",
    tags=("losses", "silent-misuse"),
)
def softmax_before_ce(ctx):
    import torch

    ctx.seed()
    logits = (torch.randn(64, 10, device=ctx.device, dtype=torch.float64) * 3).requires_grad_()
    target = torch.randint(0, 10, (64,), device=ctx.device)
    loss_fn = torch.nn.CrossEntropyLoss()
    right = loss_fn(logits, target)
    (g_right,) = torch.autograd.grad(right, logits)
    wrong = loss_fn(logits.softmax(1), target)
    (g_wrong,) = torch.autograd.grad(wrong, logits)
    by_hand = -logits.log_softmax(1).gather(1, target[:, None]).mean()
    ctx.expect_close(right.item(), by_hand.item(), "CrossEntropyLoss(logits) vs -log_softmax by hand", atol=1e-12)  # same float64 ops
    ctx.expect_greater(abs(wrong.item() - right.item()), 0.1, "|softmax-first loss - correct loss|")
    ctx.expect_less(g_wrong.norm().item(), g_right.norm().item(), "gradient norm with softmax first < correct gradient norm")
    return {"correct_loss": right.item(), "softmax_first_loss": wrong.item(), "grad_norm_correct": g_right.norm().item(),
            "grad_norm_softmax_first": g_wrong.norm().item()}


@claim(
    "losses.kldivloss.probabilities-as-input",
    page=PAGE,
    says="KLDivLoss fed probabilities instead of log-probabilities returns a wrong value (not the KL divergence computed by "
    "hand) with no error and no warning; fed log-probabilities with reduction='batchmean' it matches the hand-computed KL.",
    tags=("losses", "silent-misuse"),
)
def kl_probabilities(ctx):
    import torch

    ctx.seed()
    p_model = torch.randn(16, 5, device=ctx.device, dtype=torch.float64).softmax(1)
    q_true = torch.randn(16, 5, device=ctx.device, dtype=torch.float64).softmax(1)
    kl_by_hand = (q_true * (q_true.log() - p_model.log())).sum(1).mean()
    loss = torch.nn.KLDivLoss(reduction="batchmean")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wrong = loss(p_model, q_true)
        right = loss(p_model.log(), q_true)
    ctx.expect_equal([str(w.message) for w in caught], [], "warnings raised by either call")
    ctx.expect_close(right.item(), kl_by_hand.item(), "KLDivLoss(log p, q) vs KL by hand", atol=1e-12)  # float64
    ctx.expect_greater(abs(wrong.item() - kl_by_hand.item()), 0.1, "|KLDivLoss(p, q) - true KL|")
    return {"kl_by_hand": kl_by_hand.item(), "with_log_probs": right.item(), "with_probs": wrong.item()}


@claim(
    "losses.bce.saturation",
    page=PAGE,
    says="BCELoss on sigmoid outputs and BCEWithLogitsLoss on the logits agree for moderate logits, but for extreme logits "
    "(|x| = 200) BCELoss caps each term at 100 and its gradient vanishes, while BCEWithLogitsLoss matches softplus computed "
    "by hand and keeps gradient sigmoid(x) - y.",
    tags=("losses", "silent-misuse"),
)
def bce_saturation(ctx):
    import torch
    import torch.nn.functional as F

    ctx.seed()
    x = (torch.randn(32, device=ctx.device) * 2).requires_grad_()
    y = torch.randint(0, 2, (32,), device=ctx.device).float()
    a = F.binary_cross_entropy(torch.sigmoid(x), y)
    b = F.binary_cross_entropy_with_logits(x, y)
    ctx.expect_close(a.item(), b.item(), "moderate logits: BCE(sigmoid(x)) vs BCEWithLogits(x)", atol=1e-5)  # float32 rounding
    big = torch.tensor([200.0, -200.0], device=ctx.device, requires_grad=True)
    wrong_label = torch.tensor([0.0, 1.0], device=ctx.device)  # confidently wrong: true loss is softplus(200) = 200 each
    by_hand = F.softplus(torch.tensor([200.0, 200.0], dtype=torch.float64)).mean().item()
    bce = F.binary_cross_entropy(torch.sigmoid(big), wrong_label, reduction="none")
    (g_bce,) = torch.autograd.grad(bce.sum(), big)
    logits_loss = F.binary_cross_entropy_with_logits(big, wrong_label, reduction="none")
    (g_logits,) = torch.autograd.grad(logits_loss.sum(), big)
    ctx.expect_close(logits_loss.mean().item(), by_hand, "extreme logits: BCEWithLogits vs softplus by hand", atol=1e-3)
    ctx.expect_close(bce.max().item(), 100.0, "extreme logits: BCELoss term (log clamped at -100)", atol=1e-3)
    ctx.expect_close(g_bce.abs().max().item(), 0.0, "extreme logits: BCELoss gradient w.r.t. the logits", atol=1e-6)
    ctx.expect_close(g_logits.tolist(), [1.0, -1.0], "extreme logits: BCEWithLogits gradient = sigmoid(x) - y", atol=1e-6)
    return {"moderate_bce": a.item(), "moderate_bce_with_logits": b.item(), "extreme_bce": bce.tolist(),
            "extreme_bce_with_logits": logits_loss.tolist(), "grad_bce": g_bce.tolist(), "grad_with_logits": g_logits.tolist()}


@claim(
    "losses.mseloss.broadcast-warning",
    page=PAGE,
    says="MSELoss with a (N, 1) prediction and a (N,) target only warns, and returns the mean over all N x N pairs, "
    "not the per-sample loss computed by hand.",
    tags=("losses", "silent-misuse"),
)
def mse_broadcast(ctx):
    import torch

    ctx.seed()
    pred = torch.randn(8, 1, device=ctx.device, dtype=torch.float64)
    target = torch.randn(8, device=ctx.device, dtype=torch.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = torch.nn.MSELoss()(pred, target)
    per_sample = ((pred[:, 0] - target) ** 2).mean()
    all_pairs = ((pred - target[None, :]) ** 2).mean()
    ctx.expect_equal([w.category.__name__ for w in caught], ["UserWarning"], "warnings raised")
    ctx.expect_close(loss.item(), all_pairs.item(), "MSELoss value vs mean over all N x N pairs", atol=1e-12)  # float64
    ctx.expect_greater(abs(loss.item() - per_sample.item()), 1e-3, "|MSELoss value - per-sample MSE|")
    return {"mse_loss": loss.item(), "per_sample_by_hand": per_sample.item(), "warning": str(caught[0].message) if caught else ""}


@claim(
    "losses.huberloss.fails-in-backward",
    page=PAGE,
    says="HuberLoss with an int64 target returns a loss from the forward call and raises only in backward() "
    "('Found dtype Long but expected Float'), while SmoothL1Loss promotes the same target and backpropagates.",
    tags=("losses",),
)
def huber_backward(ctx):
    import torch

    x = torch.randn(8, device=ctx.device, requires_grad=True)
    t = torch.randint(0, 3, (8,), device=ctx.device)
    loss = torch.nn.HuberLoss()(x, t)
    ctx.expect(bool(torch.isfinite(loss)), "forward returns a finite loss", measured=loss.item())
    msg = ctx.expect_raises(RuntimeError, loss.backward, "HuberLoss backward()", match="Found dtype Long")
    sl1 = torch.nn.SmoothL1Loss()(x, t)
    sl1.backward()
    ctx.expect(x.grad is not None and bool(torch.isfinite(x.grad).all()), "SmoothL1Loss backward gives a finite gradient")
    return {"forward_loss": loss.item(), "backward_error": msg}


@claim(
    "losses.silent-misuses",
    page=PAGE,
    says="Every entry of the silent-misuse catalogue is a real call that torch runs without raising; check_loss_inputs "
    "names the misuse in a LossInputWarning for every entry not marked as a known gap, which is at least 85% of the catalogue.",
    tags=("losses", "silent-misuse", "statistical"),
)
def silent_misuses(ctx):
    from refcheck.losses.misuse import MISUSES, run

    rows = [run(m, ctx.generator(i)) for i, m in enumerate(MISUSES)]
    for m, r in zip(MISUSES, rows):
        ctx.expect_equal(r["torch_raised"], None, f"{m.id}: torch's exception")
        ctx.expect_equal(r["flagged"], m.flagged, f"{m.id}: refcheck warns naming the misuse ('{m.expect}')" if m.flagged else f"{m.id}: known gap, not flagged")
    rate = sum(r["flagged"] for r in rows) / len(rows)
    ctx.expect_greater(rate, 0.85, "fraction of the catalogue flagged")
    return {"misuses": len(rows), "flagged": sum(r["flagged"] for r in rows), "flagged_fraction": rate,
            "catalogue": [{"misuse": r["what"], "loss": r["loss"], "torch": "raises nothing" if r["torch_raised"] is None else r["torch_raised"],
                           "refcheck": r["refcheck_warning"] or "(not flagged: known gap)"} for r in rows]}
