"""Claims of the page training/residual-connections.md: vanishing gradients and identity skips.

One deep MLP (32 layers of width 64, PyTorch's default init) is built twice from the same
weights: plain, ``h = act(W h + b)``, and residual, ``h = h + act(W h + b)``. The checks measure
the per-layer weight-gradient norms of one backward pass and the mechanism behind them: the
gradient reaching a layer is the output gradient multiplied by every later layer's Jacobian.
"""

from __future__ import annotations

import math

from refcheck import claim

PAGE = "training/residual-connections.md"
DEPTH, WIDTH, BATCH = 32, 64, 128


def _layers(ctx, seed: int, dtype):
    import torch
    from torch import nn

    torch.manual_seed(seed)
    layers = [nn.Linear(WIDTH, WIDTH) for _ in range(DEPTH)]  # default init: U(+-1/sqrt(fan_in))
    return [layer.to(device=ctx.device, dtype=dtype) for layer in layers]


def gradient_norms(ctx, *, residual: bool, act: str = "tanh", seed: int = 0, dtype=None) -> list[float]:
    """Weight-gradient norm of every layer (first to last) after one MSE backward pass."""
    import torch

    dtype = dtype or torch.float32
    layers = _layers(ctx, seed, dtype)
    f = getattr(torch, act)
    g = torch.Generator(device="cpu").manual_seed(1000 + seed)
    x = torch.randn(BATCH, WIDTH, generator=g, dtype=dtype).to(ctx.device)
    y = torch.randn(BATCH, WIDTH, generator=g, dtype=dtype).to(ctx.device)
    h = x
    for layer in layers:
        h = h + f(layer(h)) if residual else f(layer(h))
    torch.nn.functional.mse_loss(h, y).backward()
    return [float(layer.weight.grad.norm()) for layer in layers]


def _profiles(ctx) -> dict:
    import torch

    seed = ctx.seed_for(0)
    return {
        "plain_tanh": gradient_norms(ctx, residual=False, seed=seed),
        "residual_tanh": gradient_norms(ctx, residual=True, seed=seed),
        # float64: in float32 the sigmoid net's first-layer gradient can underflow to exactly 0
        "plain_sigmoid_float64": gradient_norms(ctx, residual=False, act="sigmoid", seed=seed, dtype=torch.float64),
    }


def _plot(evidence: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    labels = {
        "plain_tanh": "plain, tanh",
        "plain_sigmoid_float64": "plain, sigmoid",
        "residual_tanh": "residual (identity skip), tanh",
    }
    for key, label in labels.items():
        norms = evidence["per_layer_gradient_norm"][key]
        ax.semilogy(range(1, len(norms) + 1), norms, marker="o", markersize=3, label=label)
    ax.set_xlabel("layer (1 = closest to the input)")
    ax.set_ylabel("weight-gradient norm (log scale)")
    ax.set_title(f"One backward pass through a {DEPTH}-layer MLP, width {WIDTH}, default init")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return fig


@claim(
    "residual.plain-first-layer-gradient-vanishes",
    page=PAGE,
    says=f"In a plain {DEPTH}-layer tanh MLP (width {WIDTH}, PyTorch default init) the first layer's weight gradient "
    "is more than four orders of magnitude smaller than the last layer's; with sigmoid it is smaller still.",
    tags=("statistical",),
)
def plain_gradient_vanishes(ctx):
    runs = {k: gradient_norms(ctx, residual=False, seed=ctx.seed_for(k)) for k in range(3)}
    ratios = {seed: norms[0] / norms[-1] for seed, norms in runs.items()}
    for k, ratio in ratios.items():
        ctx.expect_less(ratio, 1e-4, f"tanh, net {k}: |grad W1| / |grad W{DEPTH}|")
    import torch

    sig = gradient_norms(ctx, residual=False, act="sigmoid", seed=ctx.seed_for(0), dtype=torch.float64)
    sig_ratio = sig[0] / sig[-1]
    ctx.expect_less(sig_ratio, min(ratios.values()), "sigmoid ratio below every tanh ratio (float64)")
    return {
        "seeds": [ctx.seed_for(k) for k in range(3)],
        "first_over_last_tanh_by_seed": {str(ctx.seed_for(k)): f"{r:.3g}" for k, r in ratios.items()},
        "first_over_last_sigmoid_float64": f"{sig_ratio:.3g}",
        "first_layer_norm_tanh_seed0": runs[0][0],
        "last_layer_norm_tanh_seed0": runs[0][-1],
        "first_over_last_tanh_median": sorted(ratios.values())[len(ratios) // 2],
        "first_over_last_sigmoid": sig_ratio,
    }


@claim(
    "residual.identity-skip-keeps-gradient",
    page=PAGE,
    says=f"The same {DEPTH} layers with identity skip connections (h = h + tanh(W h + b)) keep the first layer's "
    "gradient norm within a factor of 10 of the last layer's, for every seed tried.",
    figure=_plot,
    tags=("statistical",),
)
def identity_skip_keeps_gradient(ctx):
    ratios = {}
    for k in range(3):
        seed = ctx.seed_for(k)
        norms = gradient_norms(ctx, residual=True, seed=seed)
        ratios[str(seed)] = norms[0] / norms[-1]
        # "a small factor": within one order of magnitude either way
        ctx.expect_between(ratios[str(seed)], 0.1, 10.0, f"residual, net {k}: |grad W1| / |grad W{DEPTH}|")
    profiles = _profiles(ctx)
    return {
        "first_over_last_residual_by_seed": {k: f"{v:.3g}" for k, v in ratios.items()},
        "per_layer_gradient_norm": profiles,
    }


@claim(
    "residual.gradient-is-product-of-jacobians",
    page=PAGE,
    says="The gradient reaching the input of a plain tanh net equals the output gradient multiplied by every "
    "layer's Jacobian diag(tanh'(z)) W; each multiplication shrinks it by about 1/sqrt(3) = 0.58 (the geometric "
    "mean over the layers is within 10% of it), the gain that PyTorch's default init gives W, so 32 layers shrink it "
    "by about 0.58^32, roughly 1e-8 (below 1e-4).",
    tags=("statistical",),
)
def gradient_is_jacobian_product(ctx):
    import torch

    layers = _layers(ctx, ctx.seed_for(0), torch.float64)
    x = torch.randn(1, WIDTH, dtype=torch.float64, device=ctx.device, requires_grad=True)
    h, jacobians = x, []
    for layer in layers:
        z = layer(h)
        jacobians.append((torch.diag(1 - torch.tanh(z[0]) ** 2) @ layer.weight).detach())  # d tanh(Wh+b) / dh
        h = torch.tanh(z)
    g_out = torch.randn(1, WIDTH, dtype=torch.float64, device=ctx.device)
    (h * g_out).sum().backward()  # autograd: dL/dx for L = <h_L, g_out>

    g = g_out[0]
    norms = [float(g.norm())]
    for jac in reversed(jacobians):  # chain rule by hand: g <- J^T g, last layer first
        g = jac.T @ g
        norms.append(float(g.norm()))
    # float64 matrix products of 32 64x64 matrices: agreement to ~1e-12 relative is expected
    ctx.expect_close(g.detach(), x.grad[0], "product of Jacobians == autograd gradient", atol=1e-12, rtol=1e-9)
    factors = [b / a for a, b in zip(norms, norms[1:])]
    geo = math.exp(sum(math.log(f) for f in factors) / len(factors))
    predicted = 1 / math.sqrt(3)  # std(W) * sqrt(fan_in) for U(+-1/sqrt(fan_in)); tanh' <= 1 only lowers it
    # random-matrix gain fluctuates per layer; the geometric mean over 32 layers sits within a few % of the
    # prediction (tanh' < 1 pulls it slightly below)
    ctx.expect_less(abs(geo / predicted - 1), 0.1, "|geometric-mean shrink factor per layer / (1/sqrt(3)) - 1|")
    ctx.expect_less(norms[-1] / norms[0], 1e-4, "|dL/dx| / |dL/dh_32|")
    return {
        "shrink_factor_geometric_mean": round(geo, 4),
        "predicted_from_init": round(predicted, 4),
        "input_over_output_gradient": f"{norms[-1] / norms[0]:.3g}",
        "per_layer_factor_min_max": [round(min(factors), 3), round(max(factors), 3)],
    }


@claim(
    "residual.activation-derivative-bounds",
    page=PAGE,
    says="The sigmoid's derivative s(1 - s) never exceeds 0.25 (reached at 0) and tanh's derivative 1 - tanh^2 "
    "never exceeds 1, so a sigmoid layer multiplies the backward signal by at most 0.25 times |W|.",
)
def activation_derivative_bounds(ctx):
    import torch

    z = torch.linspace(-12, 12, 24001, dtype=torch.float64, device=ctx.device, requires_grad=True)
    (ds,) = torch.autograd.grad(torch.sigmoid(z).sum(), z)
    (dt,) = torch.autograd.grad(torch.tanh(z).sum(), z)
    s = torch.sigmoid(z.detach())
    # autograd vs closed form in float64: equal to rounding
    ctx.expect_close(ds, s * (1 - s), "autograd sigmoid' == s(1-s)", atol=1e-15)
    ctx.expect_close(dt, 1 - torch.tanh(z.detach()) ** 2, "autograd tanh' == 1 - tanh^2", atol=1e-15)
    ctx.expect_close(float(ds.max()), 0.25, "max sigmoid'", atol=1e-12)
    ctx.expect_close(float(z.detach()[ds.argmax()]), 0.0, "argmax of sigmoid'", atol=1e-9)
    ctx.expect_close(float(dt.max()), 1.0, "max tanh'", atol=1e-12)
    return {
        "max_sigmoid_derivative": float(ds.max()),
        "max_tanh_derivative": float(dt.max()),
        "sigmoid_derivative_at_4": float(ds[z.detach() == 4.0][0]) if bool((z.detach() == 4.0).any()) else None,
        "grid": "24001 points on [-12, 12], float64",
    }


SHAPES = ((64, 64), (64, 256), (256, 64))  # (fan_in, fan_out) of nn.Linear(fan_in, fan_out)


@claim(
    "residual.transpose-gain-by-shape",
    page=PAGE,
    says="With PyTorch's default init (std 1/sqrt(3 fan_in)), multiplying a random vector by W^T shrinks its norm "
    "by 1/sqrt(3) = 0.58 whatever the layer's shape, but the typical size of each entry changes by "
    "sqrt(fan_out / (3 fan_in)): 0.58 only for square layers, 1.15 for Linear(64, 256) and 0.29 for Linear(256, 64) "
    "(each measured within 10% of its prediction, over 256 random vectors).",
    tags=("statistical",),
)
def transpose_gain_by_shape(ctx):
    import torch
    from torch import nn

    out = {}
    for k, (fan_in, fan_out) in enumerate(SHAPES):
        torch.manual_seed(ctx.seed_for(k))
        w = nn.Linear(fan_in, fan_out).weight.detach().double()  # the default init, (fan_out, fan_in)
        g = torch.randn(256, fan_out, dtype=torch.float64, generator=ctx.generator(10 + k))
        back = g @ w  # each row is W^T g
        norm_gain = float((back.norm(dim=1) ** 2).mean().sqrt() / (g.norm(dim=1) ** 2).mean().sqrt())
        entry_gain = float(back.std() / g.std())
        predicted_entry = math.sqrt(fan_out / (3 * fan_in))
        name = f"Linear({fan_in}, {fan_out})"
        what = f"{name}: |norm gain of W^T / (1/sqrt(3)) - 1|"
        ctx.expect_less(abs(norm_gain * math.sqrt(3) - 1), 0.1, what)
        what = f"{name}: |entry-size gain of W^T / sqrt(fan_out / (3 fan_in)) - 1|"
        ctx.expect_less(abs(entry_gain / predicted_entry - 1), 0.1, what)
        out[f"linear_{fan_in}_{fan_out}"] = {
            "norm_gain": round(norm_gain, 4),
            "entry_gain": round(entry_gain, 4),
            "predicted_entry_gain": round(predicted_entry, 4),
        }
    out["predicted_norm_gain"] = round(1 / math.sqrt(3), 4)
    return out
