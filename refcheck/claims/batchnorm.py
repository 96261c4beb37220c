"""Claims of the page training/batch-norm.md: what BatchNorm computes and what it buys.

Each check compares PyTorch's (or Keras') BatchNorm against the normalization formula computed by
hand, or compares two networks that differ only in the property claimed.
"""

from __future__ import annotations

from refcheck import claim

PAGE = "training/batch-norm.md"






@claim(
    "batchnorm.notes-snippet-invalid",
    page=PAGE,
    says="The notes' line layers.Conv2D(32, 3, use_bias) is not valid: it raises NameError, and even with a variable "
    "named use_bias the third positional argument of Conv2D is strides (Conv2D(32, 3, False) raises ValueError). "
    "Written use_bias=False, the layer holds only its 3x3 kernel and no bias vector.",
    needs=("keras",),
)
def notes_snippet_invalid(ctx):
    import inspect

    keras = ctx.keras()
    layers = keras.layers
    ctx.expect_raises(
        NameError,
        lambda: eval("layers.Conv2D(32, 3, use_bias)", {"layers": layers}),
        "the notes' line",
        match="use_bias",
    )
    third = list(inspect.signature(layers.Conv2D.__init__).parameters)[3]
    ctx.expect_equal(third, "strides", "third positional parameter of Conv2D (after self, filters, kernel_size)")
    msg = ctx.expect_raises(ValueError, lambda: layers.Conv2D(32, 3, False), "Conv2D(32, 3, False)", match="strides")

    conv = layers.Conv2D(32, 3, use_bias=False)
    conv.build((None, 8, 8, 3))
    shapes = [list(w.shape) for w in conv.weights]
    ctx.expect_equal(shapes, [[3, 3, 3, 32]], "weights of Conv2D(32, 3, use_bias=False) on 3 input channels")
    with_bias = layers.Conv2D(32, 3)
    with_bias.build((None, 8, 8, 3))
    ctx.expect_equal(with_bias.count_params() - conv.count_params(), 32, "parameters saved (one bias per filter)")
    return {
        "third_positional": third,
        "positional_false_error": msg,
        "weights_use_bias_false": shapes,
        "keras": keras.__version__,
    }


@claim(
    "batchnorm.conv-bias-no-effect",
    page=PAGE,
    says="In training mode a conv bias placed before BatchNorm has no effect: Conv2d(bias=True) + BN and the same "
    "conv without bias + BN give the same output, and the bias receives a zero gradient.",
)
def conv_bias_no_effect(ctx):
    import torch
    from torch import nn

    f64 = dict(device=ctx.device, dtype=torch.float64)  # float64, so "no effect" is visible to ~1e-12
    conv_b = nn.Conv2d(3, 8, 3, bias=True).to(**f64)
    with torch.no_grad():
        conv_b.bias.uniform_(-5, 5)  # a large bias, so an effect could not hide in rounding
    conv_n = nn.Conv2d(3, 8, 3, bias=False).to(**f64)
    conv_n.weight.data.copy_(conv_b.weight.data)
    bn_b, bn_n = nn.BatchNorm2d(8).to(**f64), nn.BatchNorm2d(8).to(**f64)
    x = torch.randn(16, 3, 12, 12, **f64)
    out_b, out_n = bn_b(conv_b(x)), bn_n(conv_n(x))
    # the bias is subtracted again with the batch mean; what is left is float64 rounding
    diff = ctx.expect_close(out_b.detach(), out_n.detach(), "BN(conv with bias) == BN(conv without bias)", atol=1e-10)
    out_b.pow(2).sum().backward()
    bias_grad = float(conv_b.bias.grad.abs().max())
    weight_grad = float(conv_b.weight.grad.abs().max())
    ctx.expect_less(bias_grad, 1e-7 * weight_grad, "max |grad of conv bias| vs max |grad of conv weight|")
    conv_b.eval(), bn_b.eval(), bn_n.eval()
    with torch.no_grad():
        eval_diff = float((bn_b(conv_b(x)) - bn_n(conv_n(x))).abs().max())
    ctx.expect(
        eval_diff > 0.1,
        "in eval mode the bias is NOT cancelled (running stats, not this batch's mean)",
        measured=eval_diff,
    )
    return {
        "train_mode_max_abs_diff": diff,
        "conv_bias_grad_max": bias_grad,
        "conv_weight_grad_max": weight_grad,
        "eval_mode_max_abs_diff_after_one_step": eval_diff,
    }


@claim(
    "batchnorm.train-output-standardized",
    page=PAGE,
    says="In training mode BatchNorm2d normalizes each channel with the current batch's statistics: per channel the "
    "output has mean 0 and (biased) variance var/(var + eps): 1 for any channel whose variance is well above eps "
    "(scales 1 to 1000 here), but about 0.91 for a channel of std 0.01, where eps=1e-5 is a tenth of the variance.",
)
def train_output_standardized(ctx):
    import torch
    from torch import nn

    scale = torch.tensor([0.01, 1.0, 30.0, 1000.0], device=ctx.device).view(1, 4, 1, 1)
    shift = torch.tensor([-50.0, 0.0, 3.0, 7.0], device=ctx.device).view(1, 4, 1, 1)
    x = torch.randn(32, 4, 6, 6, device=ctx.device, dtype=torch.float64) * scale + shift
    bn = nn.BatchNorm2d(4).to(ctx.device, torch.float64)
    y = bn(x).detach()
    mean, var = y.mean(dim=(0, 2, 3)), y.var(dim=(0, 2, 3), unbiased=False)
    ctx.expect_close(mean, torch.zeros(4), "per-channel mean of the output", atol=1e-9)
    xv = x.var(dim=(0, 2, 3), unbiased=False)
    expected_var = xv / (xv + bn.eps)  # eps makes it slightly below 1, visibly so only for the 0.01-scale channel
    ctx.expect_close(var, expected_var, "per-channel variance == var/(var + eps)", atol=1e-9)
    ctx.expect_close(var[1:], torch.ones(3), "variance ~ 1 for the channels with var >> eps", atol=1e-3)
    ctx.expect_less(float(var[0]), 0.95, "the std-0.01 channel (var 1e-4, eps 1e-5) comes out visibly below 1")
    by_hand = (x - x.mean(dim=(0, 2, 3), keepdim=True)) / torch.sqrt(xv.view(1, 4, 1, 1) + bn.eps)
    ctx.expect_close(y, by_hand, "output == (x - batch mean) / sqrt(batch var + eps)", atol=1e-9)
    return {
        "input_channel_std": x.std(dim=(0, 2, 3)).tolist(),
        "output_mean": mean.tolist(),
        "output_var": var.tolist(),
    }


@claim(
    "batchnorm.eval-uses-running-stats",
    page=PAGE,
    says="In eval mode BatchNorm uses its running statistics instead of the batch's: after one training step "
    "running_mean = 0.9*0 + 0.1*batch mean and running_var = 0.9*1 + 0.1*unbiased batch variance (momentum=0.1), "
    "and eval outputs are (x - running_mean)/sqrt(running_var + eps)*weight + bias.",
)
def eval_uses_running_stats(ctx):
    import torch
    from torch import nn

    bn = nn.BatchNorm1d(5).to(ctx.device, torch.float64)
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2), bn.bias.uniform_(-1, 1)
    x = torch.randn(20, 5, device=ctx.device, dtype=torch.float64) * 3 + 2
    bn(x)
    ctx.expect_close(bn.running_mean, 0.1 * x.mean(0), "running_mean after one step", atol=1e-12)
    ctx.expect_close(
        bn.running_var, 0.9 + 0.1 * x.var(0, unbiased=True), "running_var after one step (unbiased)", atol=1e-12
    )
    bn.eval()
    x2 = torch.randn(4, 5, device=ctx.device, dtype=torch.float64)
    with torch.no_grad():
        y = bn(x2)
    by_hand = ((x2 - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias).detach()
    ctx.expect_close(y, by_hand, "eval output == running-stats formula", atol=1e-12)
    batch_stats = ((x2 - x2.mean(0)) / torch.sqrt(x2.var(0, unbiased=False) + bn.eps) * bn.weight + bn.bias).detach()
    gap = float((y - batch_stats).abs().max())
    ctx.expect(gap > 0.1, "eval output differs from batch-statistics output", measured=gap)
    return {
        "running_mean": bn.running_mean.tolist(),
        "running_var": bn.running_var.tolist(),
        "eval_vs_batch_stats_max_diff": gap,
    }


@claim(
    "batchnorm.keras-vs-pytorch-defaults",
    page=PAGE,
    says="Keras and PyTorch BatchNorm compute the same normalization with different defaults: Keras epsilon=1e-3 and "
    "momentum=0.99 (moving = 0.99*moving + 0.01*batch, biased variance); PyTorch eps=1e-5 and momentum=0.1 "
    "(running = 0.9*running + 0.1*batch, unbiased variance). With equal eps their training outputs agree.",
    needs=("keras",),
)
def keras_vs_pytorch_defaults(ctx):
    import numpy as np
    import torch
    from torch import nn

    keras = ctx.keras()
    x = np.random.RandomState(0).randn(8, 4).astype("float32") * 3 + 5
    kbn = keras.layers.BatchNormalization()
    ky = ctx.numpy(kbn(x, training=True))
    tbn = nn.BatchNorm1d(4)
    ty = tbn(torch.from_numpy(x)).detach().numpy()
    ctx.expect_equal([kbn.epsilon, kbn.momentum], [1e-3, 0.99], "Keras [epsilon, momentum]")
    ctx.expect_equal([tbn.eps, tbn.momentum], [1e-5, 0.1], "PyTorch [eps, momentum]")
    ctx.expect_close(ctx.numpy(kbn.moving_mean), 0.01 * x.mean(0), "Keras moving_mean after one step", atol=1e-5)
    ctx.expect_close(ctx.numpy(kbn.moving_variance), 0.99 + 0.01 * x.var(0), "Keras moving_variance (biased var)", atol=1e-5)
    ctx.expect_close(tbn.running_var, 0.9 + 0.1 * x.var(0, ddof=1), "PyTorch running_var (unbiased var)", atol=1e-5)
    tbn3 = nn.BatchNorm1d(4, eps=1e-3)
    ty3 = tbn3(torch.from_numpy(x)).detach().numpy()
    # same formula, float32: agreement to ~1e-6
    ctx.expect_close(ky, ty3, "Keras output == PyTorch output with eps=1e-3", atol=1e-5)
    default_gap = float(np.abs(ky - ty).max())
    return {"keras_vs_torch_default_eps_max_diff": default_gap, "keras": keras.__version__}


def _loss_plot(evidence: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.4))
    ax = fig.subplots()
    for label, color in (("without BN", "tab:red"), ("with BN", "tab:blue")):
        for i, curve in enumerate(evidence["train_loss_curves"][label]):
            ax.plot(range(1, len(curve) + 1), curve, color=color, alpha=0.8, label=label if i == 0 else None)
    ax.axhline(evidence["chance_loss"], color="grey", linestyle="--", linewidth=1, label="chance (ln 4)")
    ax.set_xlabel("SGD step")
    ax.set_ylabel("training loss (moving average of 10)")
    ax.set_title("20-layer tanh MLP, same data, seeds and steps")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return fig


def _train(ctx, seed: int, bn: bool, steps: int = 120):
    import torch
    from torch import nn
    from torch.nn import functional as F

    g = torch.Generator().manual_seed(seed)
    X = torch.randn(1024, 16, generator=g)
    y = (X @ torch.randn(16, 4, generator=g)).argmax(1)  # 4 classes from a random linear teacher
    X, y = X.to(ctx.device), y.to(ctx.device)
    torch.manual_seed(seed)
    layers, width = [], 16
    for _ in range(20):
        layers.append(nn.Linear(width, 32, bias=not bn))
        if bn:
            layers.append(nn.BatchNorm1d(32))
        layers.append(nn.Tanh())
        width = 32
    net = nn.Sequential(*layers, nn.Linear(32, 4)).to(ctx.device)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    curve = []
    for _ in range(steps):
        idx = torch.randint(0, 1024, (128,), generator=g).to(ctx.device)
        loss = F.cross_entropy(net(X[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        curve.append(float(loss.detach()))
    net.eval()
    with torch.no_grad():
        final = float(F.cross_entropy(net(X), y))
    smooth = [sum(curve[max(0, i - 9) : i + 1]) / len(curve[max(0, i - 9) : i + 1]) for i in range(len(curve))]
    return final, [round(v, 4) for v in smooth]


@claim(
    "batchnorm.deep-net-trains-better",
    page=PAGE,
    says="With the same data, seeds, optimizer (SGD, lr 0.1, momentum 0.9) and 120 steps, a 20-layer tanh MLP with "
    "BatchNorm after every linear layer ends at less than half the training loss of the same net without it, for "
    "each of 3 seeds; without BN the loss stays near chance.",
    figure=_loss_plot,
)
def deep_net_trains_better(ctx):
    import math

    finals, curves = {"without BN": [], "with BN": []}, {"without BN": [], "with BN": []}
    for seed in range(3):
        for label, bn in (("without BN", False), ("with BN", True)):
            final, curve = _train(ctx, seed, bn)
            finals[label].append(round(final, 4))
            curves[label].append(curve)
        ctx.expect_less(
            finals["with BN"][-1], 0.5 * finals["without BN"][-1], f"seed {seed}: final loss with BN vs half of without"
        )
    return {"final_loss_full_data_eval_mode": finals, "chance_loss": round(math.log(4), 4), "train_loss_curves": curves}
