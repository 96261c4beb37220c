"""Two sentences of the notes measured on small synthetic tasks: "early layers are generic" (linear
probes on early and late features of a CNN pretrained on digits 0-4) and "global pooling helps avoid
overfitting" (a GAP head against a Flatten head on the same trunk, with few training images).

Everything is 8x8 or 12x12, float32 and one thread, so that each claim runs in seconds on a CPU.
"""

from __future__ import annotations

import math

from refcheck import claim

TRANSFER = "transfer/transfer-learning.md"
POOLING = "features/global-pooling.md"


def small_digits(ctx):
    """scikit-learn's 8x8 digits as (N, 1, 8, 8) float32 in [0, 1], with their labels."""
    import torch
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return torch.tensor(x, dtype=torch.float32).view(-1, 1, 8, 8) / 16, torch.tensor(y)


def gratings(n: int, gen, classes: int = 5, size: int = 8):
    """Noisy sinusoidal gratings whose class is their orientation (k * 180/classes degrees); random phase and
    frequency, so no single pixel pattern identifies a class: a domain unlike handwritten digits."""
    import torch

    label = torch.randint(0, classes, (n,), generator=gen)
    theta = label.float() * math.pi / classes
    freq = 1.0 + 0.5 * torch.rand(n, generator=gen)
    phase = 2 * math.pi * torch.rand(n, generator=gen)
    i, j = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    arg = freq[:, None, None] * (i * theta.cos()[:, None, None] + j * theta.sin()[:, None, None]) + phase[:, None, None]
    img = 0.5 + 0.5 * torch.sin(arg) + 0.3 * torch.randn(n, size, size, generator=gen)
    return img[:, None], label


def _fit(model, x, y, gen, *, epochs: int, lr: float, batch: int) -> None:
    import torch
    from torch import nn

    opt = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = perm[i : i + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()


def _probe(features, labels, seed: int) -> float:
    """Mean 5-fold cross-validated accuracy of a logistic regression on standardized features (shuffled folds)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    return float(cross_val_score(probe, features.numpy(), labels.numpy(), cv=folds).mean())


@claim(
    "transfer.early-generic-late-specific",
    page=TRANSFER,
    says="In a small CNN pretrained on digits 0-4, the early (first-layer) features are generic: a linear probe on "
    "them loses under 0.05 accuracy from held-out images of digits 0-4 to the new classes 5-9 and scores over 0.8 on "
    "another domain (oriented gratings). The late (penultimate) features are more specific: from digits 0-4 to 5-9 "
    "they lose over 0.015 more than the early ones, and on 5-9 the early features beat them by over 0.02. At this "
    "scale the late features are not the best on the pretraining domain either: they beat the early ones there by "
    "less than 0.01, if at all.",
    tags=("statistical",),
)
def early_generic_late_specific(ctx):
    import torch
    from torch import nn

    torch.set_num_threads(1)
    x, y = small_digits(ctx)
    order = torch.randperm(len(x), generator=ctx.generator(0))
    x, y = x[order], y[order]
    source = (y < 5).nonzero().flatten()
    pretrain, held_out = source[:500], source[500:]
    ctx.seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),  # early: the first layer
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # late: 32 values
        nn.Linear(32, 5),
    )  # fmt: skip
    _fit(net, x[pretrain], y[pretrain], ctx.generator(2), epochs=10, lr=3e-3, batch=64)

    def features(z):
        with torch.no_grad():  # early: 16 channels average-pooled to 2x2 (64 values); late: before the classifier
            return {"early": nn.functional.adaptive_avg_pool2d(net[1](net[0](z)), 2).flatten(1), "late": net[:9](z)}

    new = y >= 5
    domains = {
        "source_classes": (x[held_out], y[held_out]),  # held-out images of digits 0-4
        "new_classes": (x[new], y[new] - 5),  # digits 5-9
        "other_domain": gratings(600, ctx.generator(3)),
    }
    acc = {}
    for k, (name, (images, labels)) in enumerate(domains.items()):
        feats = features(images)
        acc[name] = {layer: _probe(f, labels, ctx.seed_for(4 + k)) for layer, f in feats.items()}
    lead = {name: a["late"] - a["early"] for name, a in acc.items()}
    src, tgt, other = domains
    drop = {layer: acc[src][layer] - acc[tgt][layer] for layer in ("early", "late")}
    ctx.expect_less(drop["early"], 0.05, "early features: accuracy on digits 0-4 - on digits 5-9")
    ctx.expect_greater(acc[other]["early"], 0.8, "early features: accuracy on gratings (5 classes, chance 0.2)")
    ctx.expect_greater(drop["late"] - drop["early"], 0.015, "accuracy lost from digits 0-4 to 5-9: late - early")
    ctx.expect_greater(-lead[tgt], 0.02, "digits 5-9: early - late accuracy")
    ctx.expect_less(lead[src], 0.01, "digits 0-4 (held out): late - early accuracy")
    sizes = {name: len(labels) for name, (_, labels) in domains.items()}
    return {
        "probe_accuracy": acc,
        "late_lead": lead,
        "drop_to_new_classes": drop,
        "probe_images": sizes,
        "pretrain_images": len(pretrain),
    }


def shifted_digits(ctx, k: int, canvas: int = 12):
    """Each 8x8 digit pasted at a random position of a ``canvas`` x ``canvas`` black image (seed ``k``)."""
    import torch

    x, y = small_digits(ctx)
    room = canvas - 8 + 1
    offsets = torch.randint(0, room, (len(x), 2), generator=ctx.generator(k))
    out = torch.zeros(len(x), 1, canvas, canvas)
    for i, (r, c) in enumerate(offsets.tolist()):
        out[i, :, r : r + 8, c : c + 8] = x[i]
    return out, y


def _pooling_heads(width: int, side: int):
    """The GAP head and the Flatten head for a (width, side, side) feature map, 10 classes."""
    from torch import nn

    return {
        "gap": nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10)),
        "flatten": nn.Sequential(nn.Flatten(), nn.Linear(width * side * side, 10)),
    }


@claim(
    "pooling.gap-head-overfits-less",
    page=POOLING,
    says="With 200 training images of digits at random positions on a 12x12 canvas, the same small conv trunk "
    "trained with a global-average-pooling head (330 head parameters) generalizes far better than with a "
    "Flatten + Linear head (11,530): both fit the training set, and the train-test accuracy gap of the Flatten head "
    "exceeds the GAP head's by over 0.1.",
    tags=("statistical",),
)
def gap_head_overfits_less(ctx):
    import torch
    from torch import nn

    torch.set_num_threads(1)
    x, y = shifted_digits(ctx, 0)
    perm = torch.randperm(len(x), generator=ctx.generator(1))
    train, test = perm[:200], perm[200:700]
    width, side = 32, 6
    result = {}
    for name in ("gap", "flatten"):
        ctx.seed(2)  # the same trunk initialization for both heads
        trunk = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
        )  # fmt: skip
        head = _pooling_heads(width, side)[name]
        model = nn.Sequential(trunk, head)
        _fit(model, x[train], y[train], ctx.generator(3), epochs=150, lr=1e-2, batch=200)
        with torch.no_grad():
            acc = {
                s: float((model(x[i]).argmax(1) == y[i]).float().mean()) for s, i in (("train", train), ("test", test))
            }
        result[name] = {
            **acc,
            "gap": acc["train"] - acc["test"],
            "head_parameters": sum(p.numel() for p in head.parameters()),
        }
    ctx.expect_equal(
        [result["gap"]["head_parameters"], result["flatten"]["head_parameters"]],
        [width * 10 + 10, width * side * side * 10 + 10],
        "head parameters [GAP, Flatten] == [C*10 + 10, C*H*W*10 + 10]",
    )
    for name in result:
        ctx.expect_greater(result[name]["train"], 0.8, f"{name} head: training accuracy (it fits)")
    ctx.expect_greater(result["flatten"]["gap"] - result["gap"]["gap"], 0.1, "train-test gap: Flatten head - GAP head")
    return {"heads": result, "train_images": len(train), "test_images": len(test), "feature_map": [width, side, side]}
