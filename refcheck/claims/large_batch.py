"""Claims of the page training/large-batches.md: memory vs batch size, finding the largest batch that
fits, and what a larger batch does to training at a fixed epoch budget.

Activation memory is measured on CPU by counting the bytes autograd saves for backward
(``torch.autograd.graph.saved_tensors_hooks``); on CUDA additionally by
``torch.cuda.max_memory_allocated``. The batch-finding helper is the page's snippet, copied verbatim
(``tests/test_topics_b.py`` checks the copy has not drifted), and is exercised against a simulated
memory budget that raises ``torch.OutOfMemoryError`` like the CUDA allocator does.
"""

from __future__ import annotations

from refcheck import claim

PAGE = "training/large-batches.md"


# -- the page's helper (kept identical to the snippet on the page) --------------------------------
def find_max_batch(try_step, start=1024, min_batch=1):
    """Largest batch size <= start for which try_step(batch_size) runs without running out of memory.

    Halves on torch.OutOfMemoryError until a size fits, then bisects between that size and the
    last one that failed. Assumes that if a batch size fits, every smaller one fits too.
    """
    import torch

    def fits(batch_size):
        try:
            try_step(batch_size)
            return True
        except torch.OutOfMemoryError:
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
            return False

    good, bad = start, None
    while not fits(good):
        if good // 2 < min_batch:
            raise RuntimeError(f"even batch size {good} does not fit")
        good, bad = good // 2, good
    while bad is not None and bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return good


# -- measurement helpers ---------------------------------------------------------------------------


def small_cnn():
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, stride=2), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )  # fmt: skip


def saved_bytes(model, batch_size: int, device: str = "cpu", budget: int | None = None) -> int:
    """Bytes autograd saves for backward in one forward pass (each storage counted once).

    With ``budget``, raise torch.OutOfMemoryError as soon as the saved bytes exceed it.
    """
    import torch

    seen: dict[tuple[int, int], int] = {}

    def pack(t):
        key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
        seen[key] = key[1]
        if budget is not None and sum(seen.values()) > budget:
            raise torch.OutOfMemoryError(f"simulated: saved tensors exceed {budget} bytes")
        return t

    x = torch.randn(batch_size, 3, 32, 32, device=device)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = model(x).sum()
    loss.backward()
    return sum(seen.values())


BATCHES = [1, 2, 4, 8, 16, 32, 64]


def _snippet_model_split(ctx) -> dict:
    """The page snippet's model: the fixed and per-sample parts of what autograd saves, each compared with a count."""
    from torch import nn

    model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 32 * 32, 10))
    model = model.to(ctx.device)
    small, large = saved_bytes(model, 8, ctx.device), saved_bytes(model, 32, ctx.device)
    per_sample = (large - small) / 24
    fixed = small - 8 * per_sample
    weight_values = model[3].weight.numel()
    both = weight_values + model[0].weight.numel()
    ctx.expect_equal(fixed, 4 * both, "snippet model: fixed saved bytes vs float32 size of the conv and Linear weights")
    # per sample autograd keeps the conv input (3x32x32) and the ReLU output (16x32x32), in float32
    ctx.expect_equal(per_sample, 4 * (3 + 16) * 32 * 32, "snippet model: saved bytes per sample vs conv input + ReLU output")
    return {
        "snippet_fixed_mib": fixed / 2**20,
        "snippet_linear_weight_values": weight_values,
        "snippet_kib_per_sample": per_sample / 2**10,
    }


def _memory_figure(ev):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.plot(ev["batch_sizes"], [b / 2**20 for b in ev["saved_bytes"]], "o-", label="saved for backward (CPU count)")
    if "cuda_peak_bytes" in ev:
        ax.plot(ev["batch_sizes"], [b / 2**20 for b in ev["cuda_peak_bytes"]], "s-", label="cuda max_memory_allocated")
    ax.set_xlabel("batch size")
    ax.set_ylabel("MiB")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig


@claim(
    "large-batch.memory-linear-in-batch",
    page=PAGE,
    says="Activation memory grows linearly with the batch size: the bytes autograd saves for backward in a small CNN "
    "are exactly a + b·B (a fixed part for the weights plus the same amount per sample), so doubling B nearly "
    "doubles it (saved(64)/saved(32) within 0.1 of 2); on CUDA the peak allocated memory follows the same straight "
    "line (R² above 0.99).",
    figure=_memory_figure,
)
def memory_linear(ctx):
    import numpy as np
    import torch
    from torch import nn

    ctx.seed(0)
    model = small_cnn().to(ctx.device)
    measured = [saved_bytes(model, b, ctx.device) for b in BATCHES]
    per_sample = (measured[-1] - measured[0]) / (BATCHES[-1] - BATCHES[0])
    fixed = measured[0] - per_sample * BATCHES[0]
    predicted = [fixed + per_sample * b for b in BATCHES]
    # exact affinity: every storage is either a weight (constant) or an activation (proportional to B)
    ctx.expect_close(measured, predicted, "saved bytes vs straight line a + b*B", atol=0.5)
    acts = []
    hooks = [m.register_forward_hook(lambda m, i, o: acts.append(o.shape[1:].numel())) for m in model]
    with torch.no_grad():
        model(torch.randn(1, 3, 32, 32, device=ctx.device))
    for h in hooks:
        h.remove()
    # autograd keeps, per sample: the input, each conv output (for BN), each ReLU output, the pooled vector
    kept = {nn.Conv2d, nn.ReLU, nn.AdaptiveAvgPool2d}
    expected_per_sample = 4 * (3 * 32 * 32 + sum(n for m, n in zip(model, acts) if type(m) in kept))
    ctx.expect_equal(per_sample, expected_per_sample, "bytes per sample vs float32 count of kept activations")
    ev = {
        "batch_sizes": BATCHES,
        "saved_bytes": measured,
        "bytes_per_sample": per_sample,
        "fixed_bytes": fixed,
        "ratio_64_to_32": measured[-1] / measured[-2],
        "layer_output_values_per_sample": acts,
        **_snippet_model_split(ctx),
    }
    # the fixed part (weights) is small next to 32 samples' activations: the ratio is just below 2
    ctx.expect_less(2 - measured[-1] / measured[-2], 0.1, "2 - saved(64) / saved(32)")
    if ctx.device.startswith("cuda"):
        peaks = []
        for b in BATCHES:
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
            x = torch.randn(b, 3, 32, 32, device=ctx.device)
            model(x).sum().backward()
            torch.cuda.synchronize()
            peaks.append(torch.cuda.max_memory_allocated() - base)
            model.zero_grad(set_to_none=True)
            del x
        fit = np.polyfit(BATCHES, peaks, 1)
        resid = np.array(peaks) - np.polyval(fit, BATCHES)
        r2 = 1 - float((resid**2).sum() / ((np.array(peaks) - np.mean(peaks)) ** 2).sum())
        # allocator rounding (512-byte blocks, workspace) bends the line a little at tiny B
        ctx.expect_less(1 - r2, 0.01, "CUDA peak memory vs B: 1 - R² of a straight-line fit")
        ev.update(cuda_peak_bytes=peaks, cuda_bytes_per_sample=float(fit[0]), cuda_r2=r2)
    return ev


@claim(
    "large-batch.find-max-batch",
    page=PAGE,
    says="The page's find_max_batch helper, run against a simulated memory budget that raises torch.OutOfMemoryError, "
    "returns exactly the largest batch size whose memory fits the budget (solved independently from the "
    "measured bytes per sample), trying only about 2·log2(start) sizes (fewer than 17 for start=128).",
)
def find_max(ctx):
    import torch

    ctx.seed(0)
    model = small_cnn()
    per_b = {b: saved_bytes(model, b) for b in (1, 2)}
    per_sample = per_b[2] - per_b[1]
    results = []
    for budget_samples in (5.5, 37.2, 100.0):
        budget = int(per_b[1] + per_sample * (budget_samples - 1))
        tried = []

        def step(b, budget=budget, tried=tried):
            tried.append(b)
            saved_bytes(model, b, budget=budget)

        found = find_max_batch(step, start=128)
        # independent answer: saved bytes are affine in B (previous claim), so solve fixed + per_sample*B <= budget
        solved = (budget - (per_b[1] - per_sample)) // per_sample
        ctx.expect_equal(found, solved, f"helper result vs solved budget (budget ≈ {budget_samples} samples)")
        ctx.expect_raises(
            torch.OutOfMemoryError,
            lambda b=found + 1, budget=budget: saved_bytes(model, b, budget=budget),
            f"batch {found + 1} does not fit",
        )
        ctx.expect_less(len(tried), 2 * 8 + 1, f"sizes tried (budget ≈ {budget_samples} samples)")
        results.append({"budget_bytes": budget, "found": found, "solved": solved, "tried": tried})
    ctx.expect_raises(
        RuntimeError,
        lambda: find_max_batch(lambda b: saved_bytes(model, b, budget=10), start=8),
        "a budget too small for batch 1",
        match="does not fit",
    )
    return {"bytes_per_sample": per_sample, "runs": results}


def _train_epochs(ctx, batch: int, lr: float, epochs: int = 4) -> tuple[float, float, int]:
    """Train a small MLP classifier for a fixed number of epochs.

    Returns (training loss before training, final training loss, updates made); every call starts from the
    same data and the same initial weights.
    """
    import torch
    from torch import nn

    ctx.seed(0)
    n, d = 2048, 20
    x = torch.randn(n, d, device=ctx.device)
    y = (x[:, :10].sum(1) * x[:, 10:].sum(1) > 0).long()  # not linearly separable
    torch.manual_seed(ctx.seed_for(1))
    model = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 2)).to(ctx.device)
    with torch.no_grad():
        initial = nn.functional.cross_entropy(model(x), y).item()
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    gen = ctx.generator(2)
    updates = 0
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen).to(ctx.device)
        for i in range(0, n, batch):
            idx = perm[i : i + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
            updates += 1
    with torch.no_grad():
        return initial, nn.functional.cross_entropy(model(x), y).item(), updates


@claim(
    "large-batch.fixed-epochs-fewer-updates",
    page=PAGE,
    says="At a fixed number of epochs (4) and the same learning rate, 16x the batch size makes 16x fewer updates and "
    "lowers the training loss by less than a quarter as much; scaling the learning rate with the batch (linear "
    "scaling rule) recovers more than half of the gap.",
    tags=("statistical",),
)
def fixed_epochs(ctx):
    initial, small, n_small = _train_epochs(ctx, 16, 0.05)
    _, large, n_large = _train_epochs(ctx, 256, 0.05)
    _, scaled, _ = _train_epochs(ctx, 256, 0.05 * 16)
    ctx.expect_equal(n_small, 16 * n_large, "updates with B=16 == 16 x updates with B=256")
    progress = (initial - large) / (initial - small)
    ctx.expect_less(progress, 0.25, "loss decrease with B=256 / loss decrease with B=16, same lr")
    gap, recovered = large - small, large - scaled
    ctx.expect_greater(recovered / gap, 0.5, "fraction of the loss gap recovered by B=256 with lr x16")
    return {
        "loss_before_training": initial,
        "loss_B16_lr0.05": small,
        "loss_B256_lr0.05": large,
        "loss_B256_lr0.8": scaled,
        "updates_B16": n_small,
        "updates_B256": n_large,
        "loss_decrease_B256_over_B16": progress,
        "fraction_of_gap_recovered": recovered / gap,
    }


@claim(
    "large-batch.gradient-accumulation",
    page=PAGE,
    says="Accumulating gradients over 4 micro-batches of 16 (each loss divided by 4) gives the same gradient as one batch "
    "of 64, to float32 rounding (max difference below 1e-5), for a model without BatchNorm; with BatchNorm in training "
    "mode it does not (max difference above 1e-3), because each micro-batch is normalized with its own statistics.",
    tags=("statistical",),
)
def gradient_accumulation(ctx):
    import torch
    from torch import nn

    ctx.seed(0)
    x = torch.randn(64, 3, 8, 8, device=ctx.device)
    y = torch.randint(0, 10, (64,), device=ctx.device)
    out = {}
    for name, norm in (("no_norm", nn.Identity), ("batchnorm", nn.BatchNorm2d)):
        torch.manual_seed(ctx.seed_for(1))
        model = nn.Sequential(nn.Conv2d(3, 8, 3), norm(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10)).to(
            ctx.device
        )
        nn.functional.cross_entropy(model(x), y).backward()
        full = [p.grad.clone() for p in model.parameters()]
        model.zero_grad()
        for chunk_x, chunk_y in zip(x.chunk(4), y.chunk(4)):
            (nn.functional.cross_entropy(model(chunk_x), chunk_y) / 4).backward()
        acc = [p.grad for p in model.parameters()]
        out[name] = max(float((a - f).abs().max()) for a, f in zip(acc, full))
    # float32 sums in a different order: differences of order 1e-7 relative to gradients of order 1e-2
    ctx.expect_less(out["no_norm"], 1e-5, "max |accumulated - full-batch grad| without BatchNorm")
    ctx.expect_less(1e-3, out["batchnorm"], "max |accumulated - full-batch grad| with BatchNorm (must differ)")
    return {"max_abs_diff_no_norm": out["no_norm"], "max_abs_diff_batchnorm": out["batchnorm"]}
