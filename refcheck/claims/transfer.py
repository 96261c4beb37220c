"""Claims of the page transfer/transfer-learning.md: feature extraction, fine-tuning with parameter
groups, freezing stages, the FC-to-conv equivalence and input-size flexibility.

No download is possible here, so "pretrained" is made honest on a small scale: timm's tiny
``test_resnet`` is pretrained on scikit-learn's digits 0-4 and transferred to digits 5-9. Shape-only
facts run on the ``meta`` device; parameter counts are compared with counts from the architecture's
formulas, not read back from the same module.
"""

from __future__ import annotations

from refcheck import claim

PAGE = "transfer/transfer-learning.md"


def digits(ctx, size: int = 32):
    """scikit-learn's 8x8 digits, upsampled to size x size and repeated to 3 channels, in [0, 1]."""
    import torch
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = torch.tensor(x, dtype=torch.float32).view(-1, 1, 8, 8) / 16
    x = torch.nn.functional.interpolate(x, size=size, mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    return x.to(ctx.device), torch.tensor(y).to(ctx.device)


def codes(model, x, batch: int = 256):
    """Pooled penultimate features ("CNN codes") of a timm model in eval mode."""
    import torch

    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i : i + batch]) for i in range(0, len(x), batch)])


def _pretrain_on_0_to_4(ctx, epochs: int = 3, size: int = 16):
    import timm
    import torch
    from torch import nn

    x, y = digits(ctx, size)
    src = y < 5
    xs, ys = x[src], y[src]
    ctx.seed(0)
    model = timm.create_model("test_resnet", pretrained=False, num_classes=5).to(ctx.device)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    gen = ctx.generator(0)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xs), generator=gen).to(ctx.device)
        for i in range(0, len(xs), 64):
            idx = perm[i : i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xs[idx]), ys[idx]).backward()
            opt.step()
    return model


@claim(
    "transfer.pretrained-features-transfer",
    page=PAGE,
    says="Features learned on one task transfer to a related one: a linear classifier on the CNN codes of a tiny "
    "timm ResNet pretrained on digits 0-4 classifies digits 5-9 from 100 labelled images far better than the "
    "same classifier on the codes of a randomly initialized copy: about 0.8 against about 0.3 (checked: over 0.6, "
    "and over 0.25 above the random copy; chance is 0.2).",
    tags=("statistical",),
)
def pretrained_features_transfer(ctx):
    import timm
    import torch
    from sklearn.linear_model import LogisticRegression

    pretrained = _pretrain_on_0_to_4(ctx)
    pretrained.reset_classifier(0)
    ctx.seed(0)  # the same initial weights the pretrained model started from
    random_init = timm.create_model("test_resnet", pretrained=False, num_classes=0).to(ctx.device)
    x, y = digits(ctx, 16)  # 16x16 keeps the 3 pretraining epochs fast on CPU
    tgt = y >= 5
    xt, yt = x[tgt], (y[tgt] - 5).cpu().numpy()
    perm = torch.randperm(len(xt), generator=ctx.generator(1))
    train, test = perm[:100].numpy(), perm[100:].numpy()
    acc = {}
    for name, model in (("pretrained on 0-4", pretrained), ("random init", random_init)):
        f = codes(model, xt).cpu().numpy()
        clf = LogisticRegression(max_iter=2000).fit(f[train], yt[train])
        acc[name] = float(clf.score(f[test], yt[test]))
    ctx.expect_greater(acc["pretrained on 0-4"], 0.6, "accuracy with pretrained codes (5 classes, chance 0.2)")
    ctx.expect_greater(
        acc["pretrained on 0-4"] - acc["random init"], 0.25, "accuracy with pretrained codes - with random-init codes"
    )
    return {"test_accuracy": acc, "train_labels": 100, "test_images": len(test), "feature_width": int(f.shape[1])}


@claim(
    "transfer.fixed-extractor-only-head-changes",
    page=PAGE,
    says="Training a new linear head on a frozen timm backbone (requires_grad_(False) and eval()) changes only the "
    "head: every backbone parameter and BatchNorm buffer is bitwise unchanged; leaving the frozen backbone in train() "
    "mode would still change its BatchNorm running statistics.",
)
def fixed_extractor(ctx):
    import copy

    import timm
    import torch
    from torch import nn

    x, y = digits(ctx)
    x, y = x[:256], y[:256]
    ctx.seed(0)
    backbone = timm.create_model("test_resnet", pretrained=False, num_classes=0).to(ctx.device)
    backbone.requires_grad_(False).eval()
    head = nn.Linear(backbone.num_features, 10).to(ctx.device)
    before_bb = copy.deepcopy(backbone.state_dict())
    before_head = copy.deepcopy(head.state_dict())
    opt = torch.optim.SGD(head.parameters(), lr=0.1)
    for i in range(0, 256, 32):
        opt.zero_grad()
        nn.functional.cross_entropy(head(backbone(x[i : i + 32])), y[i : i + 32]).backward()
        opt.step()
    changed_bb = [k for k, v in backbone.state_dict().items() if not torch.equal(v, before_bb[k])]
    changed_head = [k for k, v in head.state_dict().items() if not torch.equal(v, before_head[k])]
    ctx.expect_equal(changed_bb, [], "backbone tensors changed (parameters and buffers)")
    ctx.expect_equal(sorted(changed_head), ["bias", "weight"], "head tensors changed")
    grads = [p.grad for p in backbone.parameters() if p.grad is not None]
    ctx.expect_equal(len(grads), 0, "backbone parameters that received a gradient")

    backbone.train()  # the mistake: frozen parameters, but BatchNorm still in training mode
    with torch.no_grad():
        backbone(x[:32])
    drifted = sorted(
        {k.rsplit(".", 1)[0] for k, v in backbone.state_dict().items() if not torch.equal(v, before_bb[k])}
    )
    bn_modules = sorted(n for n, m in backbone.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm))
    ctx.expect_equal(drifted, bn_modules, "in train() mode, modules whose buffers change == every BatchNorm module")
    return {
        "backbone_tensors": len(before_bb),
        "bn_modules": len(bn_modules),
        "head_tensors_changed": changed_head,
        "bn_modules_drifting_in_train_mode": len(drifted),
        "example": drifted[:3],
    }


@claim(
    "transfer.cnn-codes-are-relu",
    page=PAGE,
    says="The pooled features (CNN codes) of a timm ResNet are averages of ReLU outputs, so they are never negative "
    "and already 'ReLU'd' as the notes require; taking them from forward_features() and pooling yourself gives the same values.",
)
def codes_relu(ctx):
    import timm
    import torch

    x, _ = digits(ctx)
    ctx.seed(0)
    model = timm.create_model("resnet18", pretrained=False, num_classes=0).to(ctx.device).eval()
    with torch.no_grad():
        pooled = model(x[:64])
        manual = model.forward_features(x[:64]).mean(dim=(2, 3))
    ctx.expect_equal(int((pooled < 0).sum()), 0, "negative entries among the CNN codes")
    # the same mean computed by two kernels: float32 rounding only
    diff = ctx.expect_close(pooled, manual, "codes == mean of forward_features over H, W", atol=1e-5, rtol=1e-5)
    last = type(list(model.layer4[-1].children())[-1]).__name__
    return {
        "shape": list(pooled.shape),
        "min": float(pooled.min()),
        "fraction_zero": float((pooled == 0).float().mean()),
        "max_abs_diff": diff,
        "last_module_of_last_block": last,
    }


@claim(
    "transfer.param-groups-learning-rates",
    page=PAGE,
    says="An optimizer built with two parameter groups (backbone lr 1e-4, new head lr 1e-3) holds every parameter "
    "exactly once, and one SGD step moves each parameter by exactly its group's lr times its gradient (float64: "
    "to 1e-12 of the parameter).",
)
def param_groups(ctx):
    import timm
    import torch
    from torch import nn

    ctx.seed(0)
    # float64, so that "exactly" can be checked per element: rounding of p - lr*g is ~1e-16 of p
    model = timm.create_model("test_resnet", pretrained=False, num_classes=10).to(ctx.device, torch.float64)
    head = model.get_classifier()
    head_ids = {id(p) for p in head.parameters()}
    backbone = [p for p in model.parameters() if id(p) not in head_ids]
    opt = torch.optim.SGD([{"params": backbone, "lr": 1e-4}, {"params": head.parameters(), "lr": 1e-3}])
    ctx.expect_equal([g["lr"] for g in opt.param_groups], [1e-4, 1e-3], "group learning rates")
    in_groups = [id(p) for g in opt.param_groups for p in g["params"]]
    ctx.expect_equal(len(in_groups), len(set(in_groups)), "no parameter in two groups")
    ctx.expect_equal(sorted(in_groups), sorted(id(p) for p in model.parameters()), "every parameter in a group")
    x, _ = digits(ctx)
    model.train()
    loss = nn.functional.cross_entropy(model(x[:16].double()), torch.arange(16, device=ctx.device) % 10)
    loss.backward()
    before = [p.detach().clone() for p in model.parameters()]
    opt.step()
    ratios = {}
    index = {id(p): j for j, p in enumerate(model.parameters())}
    for group, name in zip(opt.param_groups, ("backbone", "head")):
        num = den = 0.0
        after, predicted = [], []
        for p in group["params"]:
            old = before[index[id(p)]]
            after.append(p.detach().flatten())
            predicted.append((old - group["lr"] * p.grad).flatten())
            num += float((old - p.detach()).abs().sum())
            den += float(p.grad.abs().sum())
        what = f"{name}: every parameter == before - lr * grad"
        ctx.expect_close(torch.cat(after), torch.cat(predicted), what, atol=1e-15, rtol=1e-12)
        ratios[name] = num / den  # |delta p| / |grad| summed over the group == lr for plain SGD
        ctx.expect_close(ratios[name], group["lr"], f"{name}: sum |update| / sum |gradient|", atol=0, rtol=1e-6)
    return {
        "groups": [{"lr": g["lr"], "tensors": len(g["params"])} for g in opt.param_groups],
        "update_over_grad": ratios,
    }


def _resnet18_counts(num_classes: int) -> dict[str, int]:
    """Parameter counts of torchvision/timm resnet18 from the architecture's formulas (paper, Table 1)."""

    def conv(cin, cout, k):
        return cin * cout * k * k

    def bn(c):
        return 2 * c

    def block(cin, cout):
        down = conv(cin, cout, 1) + bn(cout) if cin != cout else 0
        return conv(cin, cout, 3) + bn(cout) + conv(cout, cout, 3) + bn(cout) + down

    counts = {
        "stem": conv(3, 64, 7) + bn(64),
        "layer1": 2 * block(64, 64),
        "layer2": block(64, 128) + block(128, 128),
        "layer3": block(128, 256) + block(256, 256),
        "layer4": block(256, 512) + block(512, 512),
        "fc": 512 * num_classes + num_classes,
    }
    counts["total"] = sum(counts.values())
    return counts


@claim(
    "transfer.freeze-early-stages",
    page=PAGE,
    says="Freezing the stem, layer1 and layer2 of a resnet18 with a new 10-class head leaves 10,498,570 of 11,181,642 "
    "parameters trainable, matching counts from the architecture's formulas; frozen parameters get no gradient; "
    "timm.utils.freeze on the same stages gives the same count and swaps their BatchNorm for FrozenBatchNorm2d.",
)
def freeze_early(ctx):
    import timm
    import torch

    with torch.device("meta"):
        model = timm.create_model("resnet18", pretrained=False, num_classes=10)
    for module in (model.conv1, model.bn1, model.layer1, model.layer2):
        module.requires_grad_(False)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    formula = _resnet18_counts(10)
    ctx.expect_equal(total, formula["total"], "total parameters vs formula")
    ctx.expect_equal(
        trainable, formula["layer3"] + formula["layer4"] + formula["fc"], "trainable parameters vs formula"
    )
    ctx.expect_equal(
        _resnet18_counts(1000)["total"], 11_689_512, "formula gives the known resnet18 size at 1000 classes"
    )

    ctx.seed(0)
    real = timm.create_model("resnet18", pretrained=False, num_classes=10).to(ctx.device)
    for module in (real.conv1, real.bn1, real.layer1, real.layer2):
        module.requires_grad_(False)
    real(torch.randn(2, 3, 32, 32, device=ctx.device)).sum().backward()
    frozen_with_grad = [n for n, p in real.named_parameters() if not p.requires_grad and p.grad is not None]
    trainable_without = [n for n, p in real.named_parameters() if p.requires_grad and p.grad is None]
    ctx.expect_equal(frozen_with_grad, [], "frozen parameters that received a gradient")
    ctx.expect_equal(trainable_without, [], "trainable parameters without a gradient")
    from timm.utils import freeze
    from torchvision.ops.misc import FrozenBatchNorm2d  # what timm.utils.freeze swaps in

    by_name = timm.create_model("resnet18", pretrained=False, num_classes=10)  # freeze() does not work on meta
    freeze(by_name, ["conv1", "bn1", "layer1", "layer2"])
    ctx.expect_equal(
        sum(p.numel() for p in by_name.parameters() if p.requires_grad), trainable, "timm.utils.freeze: trainable"
    )
    kinds = sorted(
        {
            type(m).__name__
            for n, m in by_name.named_modules()
            if n.startswith(("bn1", "layer1", "layer2")) and "norm" in type(m).__name__.lower()
        }
    )
    ctx.expect_equal(kinds, [FrozenBatchNorm2d.__name__], "timm.utils.freeze: norm layer types in frozen stages")
    return {"trainable": trainable, "total": total, "formula": formula, "timm_freeze_norm_types": kinds}


@claim(
    "transfer.alexnet-last-pool-256-channels",
    page=PAGE,
    says="In AlexNet (torchvision's alexnet) the last pooling layer outputs a 6x6x256 volume for a 224x224 image, "
    "so the first fully connected layer has 6 * 6 * 256 = 9216 inputs, not the 6x6x512 of the notes.",
)
def alexnet_last_pool(ctx):
    import torch
    from torch import nn
    from torchvision.models import alexnet

    with torch.device("meta"):  # shapes only; weights=None builds it offline
        model = alexnet(weights=None)
        x = torch.empty(2, 3, 224, 224)
        pooled = model.avgpool(model.features(x))
        logits = model(x)
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    fc1 = next(m for m in model.classifier if isinstance(m, nn.Linear))
    ctx.expect_equal(list(pooled.shape), [2, 256, 6, 6], "features + avgpool output at 224x224")
    ctx.expect_equal(convs[-1].out_channels, pooled.shape[1], "last conv's out_channels == pooled channels")
    ctx.expect_equal(fc1.in_features, pooled[0].numel(), "first Linear's in_features == C x H x W of the pool")
    ctx.expect_equal(list(logits.shape), [2, 1000], "the whole model runs on that volume")
    return {
        "pool_output": list(pooled.shape),
        "last_conv_out_channels": convs[-1].out_channels,
        "fc1_in_features": fc1.in_features,
        "notes_figure": 6 * 6 * 512,
    }


@claim(
    "transfer.fc-equals-conv",
    page=PAGE,
    says="A Linear layer on a flattened 256x6x6 volume equals a Conv2d(256, out, kernel_size=6) carrying the same "
    "weights (max abs difference < 5e-5, float32 rounding); on an 8x8 input the conv version returns a 3x3 map whose every position is "
    "the Linear layer applied to the corresponding 6x6 window.",
)
def fc_equals_conv(ctx):
    import torch
    from torch import nn

    ctx.seed(0)
    out = 64
    fc = nn.Linear(256 * 6 * 6, out).to(ctx.device)
    conv = nn.Conv2d(256, out, kernel_size=6).to(ctx.device)
    with torch.no_grad():
        conv.weight.copy_(fc.weight.view(out, 256, 6, 6))  # flatten order of (C, H, W) is C-major
        conv.bias.copy_(fc.bias)
        x = torch.randn(2, 256, 6, 6, device=ctx.device)
        # 9216-term float32 dot products summed in different orders: rounding differences reach ~1e-5
        diff6 = ctx.expect_close(conv(x).flatten(1), fc(x.flatten(1)), "conv(x) vs fc(flatten(x)) on 6x6", atol=5e-5)
        big = torch.randn(2, 256, 8, 8, device=ctx.device)
        amap = conv(big)
        ctx.expect_equal(list(amap.shape), [2, out, 3, 3], "conv output on an 8x8 input")
        windows = torch.stack(
            [torch.stack([fc(big[:, :, i : i + 6, j : j + 6].flatten(1)) for j in range(3)], -1) for i in range(3)], -2
        )
        diff8 = ctx.expect_close(amap, windows, "each map position vs fc on its 6x6 window", atol=5e-5)
    return {"max_abs_diff_6x6": diff6, "map_shape_8x8": list(amap.shape), "max_abs_diff_windows": diff8}


@claim(
    "transfer.global-pool-any-input-size",
    page=PAGE,
    says="A timm resnet50 (global average pooling before its classifier) returns (2, 1000) for inputs of 224, 256 and "
    "320 pixels, its feature map growing from 7x7 to 8x8 to 10x10; the same backbone with a Flatten+Linear head "
    "accepts only the size it was built for.",
)
def any_input_size(ctx):
    import timm
    import torch
    from torch import nn

    where = "meta" if ctx.device == "cpu" else ctx.device  # shapes only
    with torch.device(where):
        model = timm.create_model("resnet50", pretrained=False).eval()
        flat = nn.Sequential(
            timm.create_model("resnet50", pretrained=False, num_classes=0, global_pool=""),
            nn.Flatten(),
            nn.Linear(2048 * 7 * 7, 1000),
        ).eval()
    shapes = {}
    with torch.no_grad():
        for size in (224, 256, 320):
            x = torch.randn(2, 3, size, size, device=where)
            shapes[size] = {"logits": list(model(x).shape), "features": list(model.forward_features(x).shape)}
            ctx.expect_equal(shapes[size]["logits"], [2, 1000], f"logits at {size}x{size}")
            ctx.expect_equal(
                shapes[size]["features"][2:], [-(-size // 32)] * 2, f"feature map at {size}x{size} (size/32)"
            )
        ctx.expect_equal(list(flat(torch.randn(2, 3, 224, 224, device=where)).shape), [2, 1000], "Flatten head at 224")
        ctx.expect_raises(RuntimeError, lambda: flat(torch.randn(2, 3, 256, 256, device=where)), "Flatten head at 256")
    return {"shapes": shapes, "computed_on": where}
