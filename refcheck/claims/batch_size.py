"""Claims of the page training/batch-size.md: steps per epoch, gradient noise vs batch size, LR schedules.

Every number is measured on the installed torch and compared with an independent formula: the
DataLoader's length with ``math.ceil``/``//``, the minibatch gradient variance with the sampling
formula sigma^2/B * (N-B)/(N-1), each scheduler's learning rate with its closed form.
"""

from __future__ import annotations

import math

from refcheck import claim

PAGE = "training/batch-size.md"


# -- steps per epoch -----------------------------------------------------------------------------


def _batches(loader) -> list[int]:
    """Sizes of the batches a DataLoader would produce, read from its batch sampler (no collation)."""
    return [len(b) for b in loader.batch_sampler]


CASES = [(1000, 32), (1000, 100), (1001, 100), (999, 1000), (7, 3), (60000, 64), (50, 64)]


@claim(
    "batch-size.len-dataloader-ceil",
    page=PAGE,
    says="By default len(DataLoader) is ceil(N / B): the last, smaller batch is kept, so every sample is "
    "seen once per epoch.",
)
def len_dataloader_ceil(ctx):
    from torch.utils.data import DataLoader

    rows = []
    for n, b in CASES:
        loader = DataLoader(range(n), batch_size=b)
        sizes = _batches(loader)
        ctx.expect_equal(len(loader), math.ceil(n / b), f"len(DataLoader) for N={n}, B={b}")
        ctx.expect_equal(len(sizes), len(loader), f"batches actually produced for N={n}, B={b}")
        ctx.expect_equal(sum(sizes), n, f"samples seen per epoch for N={n}, B={b}")
        rows.append({"N": n, "B": b, "len": len(loader), "last_batch": sizes[-1]})
    return {"cases": rows}


@claim(
    "batch-size.len-dataloader-drop-last",
    page=PAGE,
    says="With drop_last=True, len(DataLoader) is N // B (the notes' train_length // batch_size): the "
    "N % B leftover samples are skipped that epoch, and a dataset smaller than B gives zero steps.",
)
def len_dataloader_drop_last(ctx):
    from torch.utils.data import DataLoader

    rows = []
    for n, b in CASES:
        loader = DataLoader(range(n), batch_size=b, drop_last=True)
        sizes = _batches(loader)
        ctx.expect_equal(len(loader), n // b, f"len(DataLoader, drop_last=True) for N={n}, B={b}")
        ctx.expect_equal(len(sizes), n // b, f"batches actually produced for N={n}, B={b}")
        ctx.expect_equal(n - sum(sizes), n % b, f"samples skipped for N={n}, B={b}")
        rows.append({"N": n, "B": b, "len": len(loader), "skipped": n - sum(sizes)})
    return {"cases": rows}


@claim(
    "batch-size.sampler-more-steps",
    page=PAGE,
    says="RandomSampler(ds, replacement=True, num_samples=3*N) gives ceil(3N / B) steps per epoch but draws "
    "with replacement: the fraction of samples never drawn in such an epoch is (1 - 1/N)^(3N), about 5% (within "
    "0.015 at N = 5000); with replacement=False and num_samples=3*N every sample is drawn exactly 3 times.",
    tags=("statistical",),
)
def sampler_more_steps(ctx):
    import torch
    from torch.utils.data import DataLoader, RandomSampler

    n, b, k = 5000, 64, 3
    ds = range(n)
    g = ctx.generator(0)
    with_repl = RandomSampler(ds, replacement=True, num_samples=k * n, generator=g)
    loader = DataLoader(ds, batch_size=b, sampler=with_repl)
    ctx.expect_equal(len(loader), math.ceil(k * n / b), "len(DataLoader) with num_samples=3N")
    drawn = torch.tensor(list(with_repl))
    ctx.expect_equal(len(drawn), k * n, "indices drawn per epoch")
    counts = torch.bincount(drawn, minlength=n)
    never = float((counts == 0).float().mean())
    # P(never drawn in kN draws) = (1 - 1/N)^(kN) ~ e^-k = 0.0498; the fraction's std dev at N=5000 is
    # sqrt((e^-3 - 4e^-6)/N) = 0.0028, so 0.015 is more than 5 of them
    expected_never = (1 - 1 / n) ** (k * n)
    ctx.expect_close(never, expected_never, "fraction never drawn vs (1 - 1/N)^(3N)", atol=0.015)

    one = RandomSampler(ds, replacement=True, num_samples=n, generator=g)
    unique_one = len(set(one)) / n
    # std dev of the distinct fraction: sqrt((e^-1 - 2e^-2)/N) = 0.0044; 0.02 is 4.5 of them
    ctx.expect_close(
        unique_one, 1 - (1 - 1 / n) ** n, "num_samples=N: fraction of distinct samples vs 1 - 1/e", atol=0.02
    )

    without = RandomSampler(ds, replacement=False, num_samples=k * n, generator=g)
    counts_wo = torch.bincount(torch.tensor(list(without)), minlength=n)
    ctx.expect_equal(sorted(set(counts_wo.tolist())), [k], "replacement=False, num_samples=3N: draws per sample")
    return {
        "N": n,
        "B": b,
        "steps_per_epoch": len(loader),
        "with_replacement_fraction_never_drawn": never,
        "expected_fraction_never_drawn": expected_never,
        "num_samples_N_fraction_distinct": unique_one,
        "num_samples_N_fraction_never_drawn": 1 - unique_one,
        "without_replacement_draws_per_sample": sorted(set(counts_wo.tolist())),
    }


# -- gradient noise ------------------------------------------------------------------------------

BATCHES = [4, 8, 16, 32, 64, 128, 256]


def _per_sample_grads(ctx, n: int = 2048, d: int = 20):
    """Per-sample gradients (N, P) of a small classifier at its initial weights, on fixed synthetic data."""
    import torch
    from torch import nn
    from torch.func import functional_call, grad, vmap

    ctx.seed(0)
    x = torch.randn(n, d, device=ctx.device)
    w = torch.randn(d, device=ctx.device)
    y = (x @ w + 0.5 * torch.randn(n, device=ctx.device) > 0).long()
    model = nn.Sequential(nn.Linear(d, 32), nn.Tanh(), nn.Linear(32, 2)).to(ctx.device)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, xi, yi):
        return nn.functional.cross_entropy(functional_call(model, p, (xi[None],)), yi[None])

    g = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)
    return torch.cat([v.reshape(n, -1) for v in g.values()], dim=1).double()


def _variance_figure(ev):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    ax.loglog(ev["batch_sizes"], ev["measured_variance"], "o-", label="measured E||g_B - g||²")
    ax.loglog(ev["batch_sizes"], ev["predicted_variance"], "--", label="σ²/B · (N-B)/(N-1)")
    ax.set_xlabel("batch size B")
    ax.set_ylabel("minibatch gradient variance")
    ax.set_title(f"log-log slope {ev['loglog_slope']:.3f}")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return fig


@claim(
    "batch-size.gradient-variance-inverse-b",
    page=PAGE,
    says="The variance of the minibatch gradient falls as 1/B: on a fixed model and dataset the log-log "
    "slope of E||g_B - g||² against B is -1 (within ±0.1), and each value matches σ²/B · (N-B)/(N-1) within 15%.",
    figure=_variance_figure,
    tags=("statistical",),
)
def gradient_variance(ctx):
    import numpy as np
    import torch

    grads = _per_sample_grads(ctx)
    n = grads.shape[0]
    full = grads.mean(0)
    sigma2 = float(((grads - full) ** 2).sum(1).mean())  # per-sample variance (trace of the covariance)
    gen = ctx.generator(1)
    repeats = 400
    measured, predicted = [], []
    for b in BATCHES:
        idx = torch.stack([torch.randperm(n, generator=gen)[:b] for _ in range(repeats)]).to(grads.device)
        minibatch = grads[idx].mean(1)  # the gradient a shuffled DataLoader batch of size b would give
        measured.append(float(((minibatch - full) ** 2).sum(1).mean()))
        predicted.append(sigma2 / b * (n - b) / (n - 1))  # sampling without replacement from N
    slope = float(np.polyfit(np.log(BATCHES), np.log(measured), 1)[0])
    # 400 draws per B: relative standard error of a variance estimate ~ few %, so ±0.1 on the slope is generous
    ctx.expect_less(abs(slope + 1), 0.1, "|log-log slope of variance vs B - (-1)|")
    # independent formula from sampling theory; 15% covers Monte-Carlo error with 400 draws
    ctx.expect_close(
        np.array(measured) / np.array(predicted), np.ones(len(BATCHES)), "measured / formula, per B", atol=0.15
    )
    return {
        "N": n,
        "parameters": grads.shape[1],
        "batch_sizes": BATCHES,
        "measured_variance": measured,
        "predicted_variance": predicted,
        "loglog_slope": slope,
    }


JUMP_BATCHES = [4, 8, 16, 32, 64]
JUMP_LRS = [0.05, 0.025, 0.0125, 0.00625]
JUMP_SHOWN = {"B=8, lr=0.05": (8, 0.05), "B=64, lr=0.05": (64, 0.05), "B=8, lr=0.00625": (8, 0.00625)}


def sgd_excess_loss(ctx, steps: int = 2000, tail: int = 1000, chains: int = 2) -> tuple[dict, dict]:
    """Minibatch SGD on least squares for every (B, lr) of JUMP_BATCHES x JUMP_LRS, ``chains`` independent runs each.

    Returns {(B, lr): mean excess loss (over the optimum) in the last ``tail`` steps, averaged over the
    chains} and, for the JUMP_SHOWN settings, the excess loss of the first chain every 10 steps (for the
    plot). All runs start from w = 0 and step side by side as one batched computation: each run draws
    max(B) fresh indices per step (with replacement) and uses the first B of them.
    """
    import torch

    ctx.seed(0)
    f64 = dict(device=ctx.device, dtype=torch.float64)
    n, d = 1024, 10
    x = torch.randn(n, d, **f64)
    y = x @ torch.randn(d, **f64) + torch.randn(n, **f64)
    w_star = torch.linalg.lstsq(x, y[:, None]).solution[:, 0]
    best = float(((x @ w_star - y) ** 2).mean() / 2)
    h = x.T @ x / n  # excess loss of w is (w - w*)^T H (w - w*) / 2 exactly, for least squares
    runs = [(b, lr) for b in JUMP_BATCHES for lr in JUMP_LRS for _ in range(chains)]
    size = torch.tensor([b for b, _ in runs], **f64)
    lr = torch.tensor([lr for _, lr in runs], **f64)[:, None]
    width = max(JUMP_BATCHES)
    weight = (torch.arange(width, device=ctx.device)[None, :] < size[:, None]).double() / size[:, None]  # 1/B or 0
    w = torch.zeros(len(runs), d, **f64)
    gen = ctx.generator(1, device=ctx.device)
    shown = {name: runs.index(setting) for name, setting in JUMP_SHOWN.items()}
    iterates = []

    def excess(w):
        e = w - w_star
        return ((e @ h) * e).sum(-1) / 2

    for _ in range(steps):
        idx = torch.randint(0, n, (len(runs), width), device=ctx.device, generator=gen)
        xb = x[idx]
        residual = (torch.einsum("rbd,rd->rb", xb, w) - y[idx]) * weight  # mean over the first B samples
        w = w - lr * torch.einsum("rbd,rb->rd", xb, residual)
        iterates.append(w)
    iterates = torch.stack(iterates)  # (steps, runs, d)
    tail_mean = excess(iterates[-tail:]).mean(0)
    every_10 = excess(iterates[::10, list(shown.values())])
    one = w[shown["B=8, lr=0.05"]]
    full_loss = float(((x @ one - y) ** 2).mean() / 2)  # cross-check the identity on one last iterate
    ctx.expect_close(full_loss - best, float(excess(one)), "excess-loss identity (B=8, lr=0.05)", atol=1e-9)
    means = tail_mean.view(len(JUMP_BATCHES), len(JUMP_LRS), chains).mean(2).tolist()
    result = {(b, lr): means[i][j] for i, b in enumerate(JUMP_BATCHES) for j, lr in enumerate(JUMP_LRS)}
    curves = every_10.T.tolist()
    return result, {name: curves[k] for k, name in enumerate(shown)}


def _jumping_figure(ev):
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, series in ev["excess_loss_every_10_steps"].items():
        ax.semilogy([10 * i for i in range(len(series))], series, label=name, lw=1)
    ax.set_xlabel("SGD step")
    ax.set_ylabel("loss − minimum loss")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    for b in ev["batch_sizes"]:
        rows = [r for r in ev["mean_excess_loss"] if r["B"] == b]
        ax2.loglog([r["lr"] / b for r in rows], [r["excess"] for r in rows], "o", label=f"B={b}")
    ax2.set_xlabel("lr / B")
    ax2.set_ylabel("mean excess loss, last 1000 steps")
    ax2.set_title(f"fit: lr^{ev['lr_exponent']:.2f} · B^{ev['batch_exponent']:.2f}")
    ax2.legend(fontsize=8)
    ax2.grid(True, which="both", alpha=0.3)
    return fig


@claim(
    "batch-size.jumping-around",
    page=PAGE,
    says="Late in SGD training the loss hovers above its minimum by an amount proportional to lr / B: on least "
    "squares, over B = 4..64 and lr = 0.00625..0.05 (2000 steps from the same start, mean excess loss of the last "
    "1000), a log-log fit excess ∝ lr^a · B^b gives a = 1 ± 0.2 and b = −1 ± 0.2.",
    figure=_jumping_figure,
    tags=("statistical",),
)
def jumping_around(ctx):
    import numpy as np

    means, curves = sgd_excess_loss(ctx)
    keys = list(means)
    design = np.array([[1.0, np.log(lr), np.log(b)] for b, lr in keys])
    coef = np.linalg.lstsq(design, np.log([means[k] for k in keys]), rcond=None)[0]
    a, b = float(coef[1]), float(coef[2])
    # theory (small-lr regime): a = 1, b = -1; Monte-Carlo error of the fit is a few hundredths
    ctx.expect_less(abs(a - 1), 0.2, "|a - 1|, a = exponent of lr")
    ctx.expect_less(abs(b + 1), 0.2, "|b + 1|, b = exponent of B")
    base = means[(8, 0.05)]
    return {
        "lr_exponent": a,
        "batch_exponent": b,
        "batch_sizes": JUMP_BATCHES,
        "learning_rates": JUMP_LRS,
        "mean_excess_loss": [{"B": b_, "lr": lr, "excess": v} for (b_, lr), v in means.items()],
        "ratio_B8_over_B64_at_lr0.05": base / means[(64, 0.05)],
        "ratio_lr0.05_over_lr0.00625_at_B8": base / means[(8, 0.00625)],
        "excess_loss_every_10_steps": curves,
    }


# -- learning-rate schedules ---------------------------------------------------------------------


def _lrs(make_scheduler, steps: int, base_lr: float = 0.1, metrics=None) -> list[float]:
    """Learning rate used at each step 0..steps-1 (one optimizer.step() then scheduler.step() per step)."""
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    out = []
    for t in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
    return out


def _schedule_figure(ev):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, series in ev["schedules"].items():
        ax.plot(range(len(series)), series, label=name)
    ax.set_xlabel("epoch (scheduler.step() calls)")
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=8)
    ax.grid(True, alpha=0.3)
    return fig


@claim(
    "batch-size.steplr-closed-form",
    page=PAGE,
    says="StepLR(step_size=30, gamma=0.1) uses lr = base · 0.1^floor(t / 30) at epoch t.",
)
def steplr(ctx):
    from torch.optim.lr_scheduler import StepLR

    got = _lrs(lambda o: StepLR(o, step_size=30, gamma=0.1), 100)
    want = [0.1 * 0.1 ** (t // 30) for t in range(100)]
    # float products vs float power differ in the last bits only
    ctx.expect_close(got, want, "lr per epoch vs closed form", atol=1e-12, rtol=1e-9)
    return {"lr_at": {t: got[t] for t in (0, 29, 30, 59, 60, 90)}}


@claim(
    "batch-size.cosine-closed-form",
    page=PAGE,
    says="CosineAnnealingLR(T_max=50, eta_min=0.001) follows eta_min + (base - eta_min)(1 + cos(π t / T_max)) / 2 "
    "for t = 0..T_max, though torch computes it recursively.",
)
def cosine(ctx):
    from torch.optim.lr_scheduler import CosineAnnealingLR

    t_max, eta_min, base = 50, 0.001, 0.1
    got = _lrs(lambda o: CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min), t_max + 1, base)
    want = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2 for t in range(t_max + 1)]
    # the recursive update accumulates rounding error; 1e-9 is far below any meaningful lr difference
    ctx.expect_close(got, want, "lr per epoch vs closed form", atol=1e-9)
    return {"lr_at": {t: got[t] for t in (0, 10, 25, 40, 50)}}


@claim(
    "batch-size.plateau-reduces",
    page=PAGE,
    says="ReduceLROnPlateau(mode='min', factor=0.5, patience=2) halves the lr after the validation loss has "
    "failed to improve for 3 consecutive epochs, and never otherwise.",
)
def plateau(ctx):
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    losses = [1.0, 0.8, 0.7, 0.7, 0.71, 0.72, 0.69, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.5, 0.5, 0.5, 0.5]
    got = _lrs(
        lambda o: ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0), len(losses), metrics=losses
    )

    # independent re-implementation of the documented rule: count epochs without a new best; at > patience, halve
    lr, best, bad, want = 0.1, math.inf, 0, []
    for loss in losses:
        want.append(lr)
        if loss < best:
            best, bad = loss, 0
        else:
            bad += 1
        if bad > 2:
            lr, bad = lr * 0.5, 0
    ctx.expect_close(got, want, "lr per epoch vs documented rule", atol=1e-12)
    reductions = [t for t in range(1, len(got)) if got[t] < got[t - 1]]
    ctx.expect(len(reductions) >= 2, "the sequence triggers at least two reductions", measured=reductions)
    return {"val_loss": losses, "lr": got, "reduced_before_epoch": reductions}


@claim(
    "batch-size.warmup-then-cosine",
    page=PAGE,
    says="SequentialLR(LinearLR(start_factor=0.1, total_iters=5), CosineAnnealingLR(T_max=45), milestones=[5]) "
    "warms up linearly from 0.1·base to base over 5 epochs, then anneals by the cosine closed form; "
    "LambdaLR with the same formula gives the same values.",
    figure=_schedule_figure,
)
def warmup(ctx):
    from torch.optim.lr_scheduler import (
        CosineAnnealingLR,
        LambdaLR,
        LinearLR,
        SequentialLR,
        StepLR,
    )

    base, warm, total = 0.1, 5, 50

    def closed_form(t: int) -> float:
        if t < warm:
            return base * (0.1 + 0.9 * t / warm)
        return base * (1 + math.cos(math.pi * (t - warm) / (total - warm))) / 2

    def sequential(o):
        return SequentialLR(
            o,
            [LinearLR(o, start_factor=0.1, total_iters=warm), CosineAnnealingLR(o, T_max=total - warm)],
            milestones=[warm],
        )

    got = _lrs(sequential, total + 1, base)
    want = [closed_form(t) for t in range(total + 1)]
    ctx.expect_close(got, want, "SequentialLR lr per epoch vs closed form", atol=1e-9)
    lam = _lrs(lambda o: LambdaLR(o, lambda t: closed_form(t) / base), total + 1, base)
    ctx.expect_close(lam, want, "LambdaLR lr per epoch vs closed form", atol=1e-12)
    step = _lrs(lambda o: StepLR(o, step_size=20, gamma=0.1), total + 1, base)
    plain_cos = _lrs(lambda o: CosineAnnealingLR(o, T_max=total), total + 1, base)
    return {
        "lr_at": {t: got[t] for t in (0, 1, 4, 5, 6, 27, 50)},
        "schedules": {
            "StepLR(20, 0.1)": step,
            "CosineAnnealingLR(T_max=50)": plain_cos,
            "LinearLR warmup 5 + cosine": got,
        },
    }


# -- Keras ---------------------------------------------------------------------------------------


@claim(
    "batch-size.keras-steps-per-epoch",
    page=PAGE,
    says="Keras 3 model.fit on NumPy arrays runs ceil(N / B) steps per epoch; asking for steps_per_epoch = 2 × that "
    "does not train twice as long: Keras stops when the arrays run out and warns 'Your input ran out of data'.",
    needs=("keras",),
    version_note="measured with Keras 3 on the torch backend; the warning text is Keras's own.",
)
def keras_steps(ctx):
    import warnings

    keras = ctx.keras()
    import numpy as np

    class Count(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.steps = 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1

    n, b = 10, 4
    x, y = np.zeros((n, 3), dtype="float32"), np.zeros((n, 1), dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    default, doubled = Count(), Count()
    model.fit(x, y, batch_size=b, epochs=1, verbose=0, callbacks=[default])
    ctx.expect_equal(default.steps, math.ceil(n / b), "steps run by fit() with default steps_per_epoch")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, batch_size=b, epochs=1, steps_per_epoch=2 * math.ceil(n / b), verbose=0, callbacks=[doubled])
    ran_out = [str(w.message).splitlines()[0] for w in caught if "ran out of data" in str(w.message)]
    ctx.expect_equal(doubled.steps, math.ceil(n / b), "steps actually run with steps_per_epoch = 2 * ceil(N/B)")
    ctx.expect(len(ran_out) == 1, "Keras warns that the input ran out of data", measured=ran_out)
    return {
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "N": n,
        "B": b,
        "default_steps": default.steps,
        "requested_steps": 2 * math.ceil(n / b),
        "steps_run": doubled.steps,
        "warning": ran_out[0],
    }


@claim(
    "batch-size.batchnorm-batch-of-one",
    page=PAGE,
    says="A last batch of one sample breaks BatchNorm1d in training mode (it raises 'Expected more than 1 value per "
    "channel when training'); drop_last=True avoids that batch.",
)
def batchnorm_batch_of_one(ctx):
    import torch
    from torch.utils.data import DataLoader

    bn = torch.nn.BatchNorm1d(4).to(ctx.device).train()
    msg = ctx.expect_raises(
        ValueError, lambda: bn(torch.randn(1, 4, device=ctx.device)), "BatchNorm1d on a batch of 1", match="more than 1"
    )
    ok = bn(torch.randn(2, 4, device=ctx.device))
    ctx.expect_equal(list(ok.shape), [2, 4], "BatchNorm1d on a batch of 2")
    sizes = [len(b) for b in DataLoader(range(65), batch_size=32).batch_sampler]
    dropped = [len(b) for b in DataLoader(range(65), batch_size=32, drop_last=True).batch_sampler]
    ctx.expect_equal(sizes[-1], 1, "N=65, B=32: size of the last batch")
    ctx.expect_equal(min(dropped), 32, "with drop_last=True: smallest batch")
    return {"error": msg, "batch_sizes": sizes, "batch_sizes_drop_last": dropped}
