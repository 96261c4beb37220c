"""Claims of the page features/global-pooling.md: what global pooling computes and costs.

Parameter counts are computed on the ``meta`` device (no memory, no arithmetic); value claims
compare the pooling layers against reductions written by hand.
"""

from __future__ import annotations

from refcheck import claim
from refcheck.context import Skipped

PAGE = "features/global-pooling.md"


@claim(
    "pooling.gap-shape-and-no-parameters",
    page=PAGE,
    says="Global average pooling maps (N, C, H, W) to (N, C): nn.AdaptiveAvgPool2d(1) + flatten equals x.mean over H "
    "and W, and the layer has no parameters (nor do global max pooling and Keras' GlobalAveragePooling2D).",
)
def gap_shape_and_no_parameters(ctx):
    import torch
    from torch import nn

    x = torch.randn(4, 16, 7, 5, generator=ctx.generator(0)).to(ctx.device)
    gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
    gmp = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten())
    y, m = gap(x), gmp(x)
    ctx.expect_equal(list(y.shape), [4, 16], "GAP output shape for (4, 16, 7, 5)")
    # summation order differs from mean(): float32 rounding only
    ctx.expect_close(y, x.mean(dim=(2, 3)), "GAP == mean over H, W", atol=1e-6)
    ctx.expect_equal(torch.equal(m, x.amax(dim=(2, 3))), True, "global max pooling == amax over H, W (exact)")
    counts = {
        "AdaptiveAvgPool2d": sum(p.numel() for p in gap.parameters()),
        "AdaptiveMaxPool2d": sum(p.numel() for p in gmp.parameters()),
    }
    ctx.expect_equal(list(counts.values()), [0, 0], "parameters of GAP, GMP")
    what = "Keras GlobalAveragePooling2D [shape, params]"
    try:
        keras = ctx.keras()
    except Skipped as exc:  # Keras is optional: the torch part stands alone, the skipped part is shown
        ctx.skip_part(what, str(exc))
        return {"output_shape": list(y.shape), "parameters": counts}
    layer = keras.layers.GlobalAveragePooling2D()
    out = layer(keras.ops.zeros((2, 7, 7, 32)))  # Keras is channels-last
    ctx.expect_equal([list(out.shape), layer.count_params()], [[2, 32], 0], what)
    counts["keras.GlobalAveragePooling2D"] = layer.count_params()
    return {"output_shape": list(y.shape), "parameters": counts}


def _flops(fn, x) -> int:
    """FLOPs torch's flop counter attributes to ``fn(x)`` (shapes only: works on the meta device)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn(x)
    return counter.get_total_flops()


@claim(
    "pooling.2x2-pool-keeps-a-quarter",
    page=PAGE,
    says='The notes\' "reduces computation by 75%" describes a 2x2 pooling with stride 2: it keeps 1/4 of the '
    "activations (56x56 -> 28x28), so a 3x3 convolution after it does exactly 1/4 of the FLOPs (torch's flop "
    "counter). Global pooling keeps 1/(H*W) of them: on a 7x7 map, 1/49 (98% fewer), and a Linear layer after it "
    "does 1/49 of the FLOPs of one on the flattened map.",
)
def pool_2x2_keeps_quarter(ctx):
    import torch
    from torch import nn

    with torch.device("meta"):  # FLOPs and shapes only: nothing is computed
        x = torch.randn(2, 64, 56, 56)
        y = nn.MaxPool2d(2)(x)
        conv = nn.Conv2d(64, 64, 3, padding=1)
        f = torch.randn(2, 2048, 7, 7)
        g = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())(f)
        flops_conv = [_flops(conv, x), _flops(conv, y)]
        flops_head = [_flops(nn.Linear(2048 * 7 * 7, 1000), f.flatten(1)), _flops(nn.Linear(2048, 1000), g)]
    ctx.expect_equal(list(y.shape), [2, 64, 28, 28], "MaxPool2d(2) output shape")
    kept_2x2 = y.numel() / x.numel()
    ctx.expect_equal(kept_2x2, 0.25, "fraction of activations kept by 2x2 pooling")
    ctx.expect_equal(flops_conv[1] / flops_conv[0], 0.25, "FLOPs of a 3x3 conv after the pooling / without it")
    kept_gap = g.numel() / f.numel()
    ctx.expect_equal(kept_gap, 1 / 49, "fraction kept by global pooling on 7x7")
    ctx.expect_equal(flops_head[1] / flops_head[0], 1 / 49, "FLOPs of the Linear head after GAP / after Flatten")
    return {
        "kept_by_2x2_pool": kept_2x2,
        "conv3x3_flops_without_with_pool": flops_conv,
        "kept_by_global_pool_7x7": round(kept_gap, 5),
        "removed_by_global_pool_7x7": round(1 - kept_gap, 4),
        "linear_head_flops_flatten_gap": flops_head,
        "removed_by_2x2_pool": 1 - kept_2x2,
        "pooled_map_side": y.shape[-1],
        "conv3x3_flops_ratio": flops_conv[1] / flops_conv[0],
        "global_pool_7x7_reduction": f.numel() / g.numel(),
        "linear_head_flops_reduction": flops_head[0] / flops_head[1],
    }


@claim(
    "pooling.gap-head-has-hw-times-fewer-weights",
    page=PAGE,
    says="A classifier head on a 7x7x2048 feature map (ResNet-50) with 1000 classes: Flatten + Linear has "
    "100,352,000 weights, GAP + Linear 2,048,000, exactly H*W = 49 times fewer (biases: 1000 in both); the "
    "flattened head alone would be 3.9 times the size of the whole ResNet-50 (25.6 M parameters).",
)
def gap_head_weights(ctx):
    import torch
    from torch import nn

    with torch.device("meta"):
        flat = nn.Sequential(nn.Flatten(), nn.Linear(7 * 7 * 2048, 1000))
        gap = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))
        x = torch.randn(2, 2048, 7, 7)
        shapes = [list(flat(x).shape), list(gap(x).shape)]
    ctx.expect_equal(shapes, [[2, 1000], [2, 1000]], "both heads give (2, 1000)")
    w_flat, w_gap = flat[1].weight.numel(), gap[2].weight.numel()
    ctx.expect_equal([w_flat, w_gap], [100_352_000, 2_048_000], "weights [Flatten+Linear, GAP+Linear]")
    ctx.expect_equal(w_flat / w_gap, 7 * 7, "ratio == H*W")
    # cross-check against the real model: timm's resnet50 head is GAP + Linear(2048, 1000)
    import timm

    with torch.device("meta"):
        m = timm.create_model("resnet50", pretrained=False)
    ctx.expect_equal(m.fc.weight.numel(), w_gap, "timm resnet50 fc weights")
    total = sum(p.numel() for p in m.parameters())
    ctx.expect_equal(round(total / 1e6, 1), 25.6, "resnet50 parameters, millions (1 decimal)")
    ctx.expect_equal(round(w_flat / total, 1), 3.9, "Flatten+Linear head weights / all resnet50 parameters (1 decimal)")
    with torch.device("meta"):  # the 7x7x2048 map of the heads above is resnet50's at 224 px
        feature_map = list(m.forward_features(torch.randn(1, 3, 224, 224)).shape[1:])
    ctx.expect_equal(feature_map, [2048, 7, 7], "timm resnet50 final feature map at 224 px (C, H, W)")
    return {
        "flatten_linear_weights": w_flat,
        "gap_linear_weights": w_gap,
        "ratio": w_flat / w_gap,
        "resnet50_fc": list(m.fc.weight.shape),
        "resnet50_parameters": total,
        "resnet50_parameters_millions": total / 1e6,
        "flatten_head_over_resnet50": w_flat / total,
        "resnet50_feature_map_224": feature_map,
    }


@claim(
    "pooling.gap-circular-shift-invariant",
    page=PAGE,
    says="Global average and max pooling are invariant to any circular shift of the feature map (torch.roll over H "
    "and W): max pooling exactly, average pooling up to float rounding of the reordered sum.",
)
def gap_circular_shift(ctx):
    import torch

    x = torch.randn(8, 32, 9, 11, generator=ctx.generator(0)).to(ctx.device)
    worst_avg, exact_max = 0.0, True
    for dh, dw in [(1, 0), (0, 3), (4, 7), (8, 10)]:
        r = torch.roll(x, shifts=(dh, dw), dims=(2, 3))
        worst_avg = max(worst_avg, float((r.mean(dim=(2, 3)) - x.mean(dim=(2, 3))).abs().max()))
        exact_max &= torch.equal(r.amax(dim=(2, 3)), x.amax(dim=(2, 3)))
        ctx.expect(not torch.equal(r, x), f"roll {dh, dw} really moves the map")
    ctx.expect_less(worst_avg, 1e-6, "max |GAP(roll(x)) - GAP(x)| (float32 rounding only)")
    ctx.expect_equal(exact_max, True, "GMP(roll(x)) == GMP(x) exactly")
    return {"max_abs_diff_avg": worst_avg, "max_exact": exact_max}


@claim(
    "pooling.gap-translation-robust",
    page=PAGE,
    says="Shifting an object by 1 to 4 pixels (ordinary translation, not circular) in front of a small random CNN with "
    "one stride-2 layer changes its GAP features by under 10% (by rounding only when the shift is a multiple of the "
    "stride), and its flattened features by over 20%: at least 5 times more.",
    tags=("statistical",),
)
def gap_translation_robust(ctx):
    import torch
    from torch import nn

    ctx.seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1),
        nn.ReLU(),
    ).to(ctx.device)
    obj = torch.randn(3, 10, 10, generator=ctx.generator(1)).to(ctx.device)

    def scene(top: int, left: int):
        img = torch.zeros(1, 3, 40, 40, device=ctx.device)
        img[0, :, top : top + 10, left : left + 10] = obj
        return img

    rows, aligned = [], []
    with torch.no_grad():
        base = net(scene(12, 12))
        for shift in [(0, 1), (1, 1), (3, 0), (0, 4), (4, 4)]:
            f = net(scene(12 + shift[0], 12 + shift[1]))
            rel_gap = float((f.mean(dim=(2, 3)) - base.mean(dim=(2, 3))).norm() / base.mean(dim=(2, 3)).norm())
            rel_flat = float((f.flatten() - base.flatten()).norm() / base.flatten().norm())
            rows.append(
                {"shift": list(shift), "gap_rel_change": round(rel_gap, 6), "flatten_rel_change": round(rel_flat, 4)}
            )
            # over 200 random networks: GAP changes by 0.054 at most, flattened features by 0.32 at least
            ctx.expect_less(rel_gap, 0.1, f"shift {shift}: GAP relative change")
            ctx.expect_greater(rel_flat, 0.2, f"shift {shift}: flattened features relative change")
            ctx.expect_less(5 * rel_gap, rel_flat, f"shift {shift}: 5 x GAP change vs flatten change")
            if shift[0] % 2 == 0 and shift[1] % 2 == 0:
                aligned.append(rel_gap)
        what = "shifts (0, 4), (4, 4), multiples of the stride 2: GAP change is rounding only"
        ctx.expect_less(max(aligned), 1e-5, what)
    return {"shifts": rows, "note": "object on a zero background away from the borders; padding 1, one stride-2 conv"}


@claim(
    "pooling.timm-global-pool-options",
    page=PAGE,
    says="timm's global_pool option: 'avg' and 'max' give num_features-wide vectors (512 for resnet18), 'avgmax' "
    "their average (same width), 'catavgmax' their concatenation (twice the width, 1024); each equals the "
    "reduction computed by hand from forward_features().",
)
def timm_global_pool(ctx):
    import timm
    import torch

    ctx.seed(0)
    x = torch.randn(2, 3, 64, 64, generator=ctx.generator(1)).to(ctx.device)
    base = timm.create_model("resnet18", pretrained=False, num_classes=0).to(ctx.device).eval()
    with torch.no_grad():
        feats = base.forward_features(x)
    avg, mx = feats.mean(dim=(2, 3)), feats.amax(dim=(2, 3))
    expected = {"avg": avg, "max": mx, "avgmax": 0.5 * (avg + mx), "catavgmax": torch.cat([avg, mx], dim=1)}
    widths = {}
    for pool, ref in expected.items():
        base.reset_classifier(0, global_pool=pool)
        with torch.no_grad():
            out = base(x)
        widths[pool] = out.shape[1]
        # float32 mean of 4 values vs timm's pooling kernel: rounding only
        ctx.expect_close(out, ref, f"global_pool={pool!r} == hand-computed pooling", atol=1e-5, rtol=1e-5)
    ctx.expect_equal(widths, {"avg": 512, "max": 512, "avgmax": 512, "catavgmax": 1024}, "output widths")
    with torch.device("meta"):
        head = timm.create_model("resnet18", pretrained=False, num_classes=10, global_pool="catavgmax")
    ctx.expect_equal(head.fc.in_features, 1024, "classifier in_features with catavgmax")
    return {"widths": widths, "num_features": base.num_features, "fc_in_features_catavgmax": head.fc.in_features}


@claim(
    "pooling.gap-then-linear-equals-class-maps",
    page=PAGE,
    says="Linear(GAP(x)) equals GAP of the per-position class scores (a 1x1 conv with the same weights): a GAP head "
    "is a per-location classifier averaged over the map, so its class score maps (CAM) come for free.",
)
def gap_linear_commutes(ctx):
    import torch
    from torch import nn

    ctx.seed(0)
    x = torch.randn(2, 64, 7, 7, generator=ctx.generator(1), dtype=torch.float64).to(ctx.device)
    fc = nn.Linear(64, 10).to(ctx.device, torch.float64)
    conv = nn.Conv2d(64, 10, 1).to(ctx.device, torch.float64)
    conv.weight.data.copy_(fc.weight.data.view(10, 64, 1, 1))
    conv.bias.data.copy_(fc.bias.data)
    scores = fc(x.mean(dim=(2, 3)))
    maps = conv(x)  # (N, classes, H, W): one score per class per position
    diff = ctx.expect_close(
        scores.detach(), maps.detach().mean(dim=(2, 3)), "fc(GAP(x)) == GAP(conv1x1(x))", atol=1e-12
    )
    return {"class_maps_shape": list(maps.shape), "max_abs_diff": diff}
