"""Claims of the page features/timm-feature-extraction.md: output shapes of timm's feature APIs.

Shapes do not depend on weight values, so on CPU the models are built and run on the ``meta``
device (no arithmetic); on CUDA they run for real. Each claim also cross-checks timm's own
metadata (``feature_info``, ``num_features``) against the shapes actually produced. Claims about
values (pooling equals a mean, reloaded weights, offline loading) run on real tensors with small inputs.
"""

from __future__ import annotations

from refcheck import claim

PAGE = "features/timm-feature-extraction.md"


def _where(ctx) -> str:
    """Shape-only work runs on meta when the run is on CPU, on the real device otherwise."""
    return getattr(ctx, "shape_device", "meta" if ctx.device == "cpu" else ctx.device)


def _model(ctx, name: str, **kwargs):
    """Build a timm model for a shape check; falls back to real CPU tensors where an op has no meta kernel
    (seen with torch 2.9 building regnety on meta: aten::_unique2)."""
    import timm
    import torch

    try:
        with torch.device(_where(ctx)):
            model = timm.create_model(name, pretrained=False, **kwargs)
    except NotImplementedError:
        if _where(ctx) != "meta":
            raise
        ctx.shape_device = "cpu"
        model = timm.create_model(name, pretrained=False, **kwargs)
    return model.eval()


def _run(ctx, model, size: int, batch: int = 2):
    import torch

    with torch.no_grad():
        return model(torch.randn(batch, 3, size, size, device=_where(ctx)))


def _shape(t) -> list[int]:
    return list(t.shape)


@claim(
    "timm.xception41.forward-features",
    page=PAGE,
    says="xception41 maps a (2, 3, 299, 299) batch to logits of shape (2, 1000), and forward_features() to "
    "unpooled features of shape (2, 2048, 10, 10): 2048 = model.num_features channels at stride 32 (299 / 32 rounds up to 10).",
)
def xception41_forward_features(ctx):
    import torch

    m = _model(ctx, "xception41")
    x = torch.randn(2, 3, 299, 299, device=_where(ctx))
    with torch.no_grad():
        logits, feats = m(x), m.forward_features(x)
    ctx.expect_equal(_shape(logits), [2, 1000], "model(x).shape")
    ctx.expect_equal(_shape(feats), [2, 2048, 10, 10], "model.forward_features(x).shape")
    ctx.expect_equal(feats.shape[1], m.num_features, "unpooled channels == model.num_features")
    return {"logits": _shape(logits), "forward_features": _shape(feats), "num_features": m.num_features, "computed_on": _where(ctx)}


@claim(
    "timm.resnet50.unpooled-at-creation",
    page=PAGE,
    says="timm.create_model('resnet50', num_classes=0, global_pool='') returns unpooled features "
    "(2, 2048, 7, 7) for a 224x224 batch of 2, and the model has no classifier parameters left.",
)
def resnet50_unpooled(ctx):
    full = _model(ctx, "resnet50")
    m = _model(ctx, "resnet50", num_classes=0, global_pool="")
    out = _run(ctx, m, 224)
    ctx.expect_equal(_shape(out), [2, 2048, 7, 7], "output shape")
    removed = sum(p.numel() for p in full.parameters()) - sum(p.numel() for p in m.parameters())
    ctx.expect_equal(removed, 2048 * 1000 + 1000, "parameters removed (the 2048->1000 fc layer)")
    return {"output": _shape(out), "parameters_removed": removed, "computed_on": _where(ctx)}


@claim(
    "timm.densenet121.reset-classifier-unpooled",
    page=PAGE,
    says="densenet121 gives logits (2, 1000); after reset_classifier(0, '') the same model returns unpooled "
    "features (2, 1024, 7, 7).",
)
def densenet121_reset(ctx):
    m = _model(ctx, "densenet121")
    before = _run(ctx, m, 224)
    m.reset_classifier(0, "")
    after = _run(ctx, m, 224)
    ctx.expect_equal(_shape(before), [2, 1000], "shape before reset_classifier")
    ctx.expect_equal(_shape(after), [2, 1024, 7, 7], "shape after reset_classifier(0, '')")
    return {"before": _shape(before), "after": _shape(after), "computed_on": _where(ctx)}


@claim(
    "timm.resnet50.pooled-at-creation",
    page=PAGE,
    says="timm.create_model('resnet50', num_classes=0) keeps global average pooling: a 224x224 batch of 2 "
    "gives pooled features (2, 2048), equal to forward_features() averaged over H and W.",
)
def resnet50_pooled(ctx):
    import timm
    import torch

    m = _model(ctx, "resnet50", num_classes=0)
    out = _run(ctx, m, 224)
    ctx.expect_equal(_shape(out), [2, 2048], "output shape")
    # values need real tensors: a real model on ctx.device, with a small input to keep it fast
    ctx.seed(0)
    real = timm.create_model("resnet50", pretrained=False, num_classes=0).to(ctx.device).eval()
    x = torch.randn(2, 3, 64, 64, generator=ctx.generator(1)).to(ctx.device)
    with torch.no_grad():
        pooled, unpooled = real(x), real.forward_features(x)
    # timm's adaptive pooling kernel vs torch.mean over the 2x2 map: float32 rounding only
    what = "pooled == forward_features averaged over H, W (64x64 input)"
    diff = ctx.expect_close(pooled, unpooled.mean(dim=(2, 3)), what, atol=1e-5, rtol=1e-5)
    return {
        "output": _shape(out),
        "shape_computed_on": _where(ctx),
        "values_computed_on": ctx.device,
        "unpooled_64x64": _shape(unpooled),
        "max_abs_diff": diff,
    }


@claim(
    "timm.ese-vovnet19b-dw.reset-classifier-pooled",
    page=PAGE,
    says="ese_vovnet19b_dw gives logits (2, 1000); after reset_classifier(0) it returns pooled features (2, 1024).",
)
def vovnet_reset(ctx):
    m = _model(ctx, "ese_vovnet19b_dw")
    before = _run(ctx, m, 224)
    m.reset_classifier(0)
    after = _run(ctx, m, 224)
    ctx.expect_equal(_shape(before), [2, 1000], "shape before reset_classifier")
    ctx.expect_equal(_shape(after), [2, 1024], "shape after reset_classifier(0)")
    ctx.expect_equal(after.shape[1], m.num_features, "pooled width == model.num_features")
    return {"before": _shape(before), "after": _shape(after), "computed_on": _where(ctx)}


def _pyramid(ctx, m, size: int) -> dict:
    """Check a features_only model's outputs against its own feature_info."""
    outs = _run(ctx, m, size)
    shapes = [_shape(o) for o in outs]
    channels, reduction = m.feature_info.channels(), m.feature_info.reduction()
    ctx.expect_equal([s[1] for s in shapes], channels, "output channels == feature_info.channels()")
    measured_reduction = [size // s[2] for s in shapes]
    ctx.expect_equal(measured_reduction, reduction, "input size / output size == feature_info.reduction()")
    return {"shapes": shapes, "channels": channels, "reduction": reduction, "computed_on": _where(ctx)}


@claim(
    "timm.resnest26d.features-only",
    page=PAGE,
    says="timm.create_model('resnest26d', features_only=True) returns 5 feature maps for a 224x224 batch of 2: "
    "(2, 64, 112, 112), (2, 256, 56, 56), (2, 512, 28, 28), (2, 1024, 14, 14), (2, 2048, 7, 7), at strides 2 to 32.",
)
def resnest26d_features(ctx):
    ev = _pyramid(ctx, _model(ctx, "resnest26d", features_only=True), 224)
    expected = [[2, 64, 112, 112], [2, 256, 56, 56], [2, 512, 28, 28], [2, 1024, 14, 14], [2, 2048, 7, 7]]
    ctx.expect_equal(ev["shapes"], expected, "feature map shapes")
    ctx.expect_equal(ev["reduction"], [2, 4, 8, 16, 32], "strides")
    return ev


@claim(
    "timm.regnety-032.feature-info",
    page=PAGE,
    says="For regnety_032 with features_only=True, feature_info.channels() is [32, 72, 216, 576, 1512], and the "
    "5 maps of a 224x224 batch of 2 have exactly those channels at 112, 56, 28, 14 and 7 pixels.",
)
def regnety_feature_info(ctx):
    ev = _pyramid(ctx, _model(ctx, "regnety_032", features_only=True), 224)
    ctx.expect_equal(ev["channels"], [32, 72, 216, 576, 1512], "feature_info.channels()")
    ctx.expect_equal([s[2] for s in ev["shapes"]], [112, 56, 28, 14, 7], "spatial sizes")
    return ev


@claim(
    "timm.ecaresnet101d.output-stride-8",
    page=PAGE,
    says="ecaresnet101d with features_only=True, output_stride=8, out_indices=(2, 4) reports channels [512, 2048] "
    "and reduction [8, 8]; a 320x320 batch of 2 gives (2, 512, 40, 40) and (2, 2048, 40, 40), because dilation "
    "replaces the last two stride-2 steps.",
)
def ecaresnet_output_stride(ctx):
    m = _model(ctx, "ecaresnet101d", features_only=True, output_stride=8, out_indices=(2, 4))
    ev = _pyramid(ctx, m, 320)
    ctx.expect_equal(ev["channels"], [512, 2048], "feature_info.channels()")
    ctx.expect_equal(ev["reduction"], [8, 8], "feature_info.reduction()")
    ctx.expect_equal(ev["shapes"], [[2, 512, 40, 40], [2, 2048, 40, 40]], "feature map shapes")
    plain = _model(ctx, "ecaresnet101d", features_only=True, out_indices=(2, 4))
    ctx.expect_equal(plain.feature_info.reduction(), [8, 32], "reduction without output_stride (for contrast)")
    dilated = sorted({m.dilation[0] for m in m.modules() if hasattr(m, "dilation") and isinstance(m.dilation, tuple)})
    ctx.expect(max(dilated) > 1, "some convolutions are dilated", measured=dilated)
    ev["conv_dilations"] = dilated
    return ev


def _output_shapes(model, x) -> tuple:
    """The output shape of every submodule in one forward pass (call order, then the output), and the output."""
    import torch

    shapes, hooks = [], []
    for name, module in model.named_modules():
        if name:
            hooks.append(module.register_forward_hook(lambda m, args, out, name=name: shapes.append([name, _shape(out)])))
    try:
        with torch.no_grad():
            y = model(x)
    finally:
        for h in hooks:
            h.remove()
    return [*shapes, ["output", _shape(y)]], y


@claim(
    "timm.shapes-independent-of-weights",
    page=PAGE,
    says="Output shapes do not depend on weight values: a resnet50 given a different set of weights "
    "(a saved and reloaded state dict from another seed) produces different numbers (relative difference over 0.1) "
    "of identical shape, at its output and at every submodule.",
)
def shapes_independent_of_weights(ctx):
    import os
    import tempfile

    import timm
    import torch

    ctx.seed(0)
    model = timm.create_model("resnet50", pretrained=False).eval().to(ctx.device)
    ctx.seed(1)
    other = timm.create_model("resnet50", pretrained=False).eval().to(ctx.device)
    x = torch.randn(1, 3, 64, 64, generator=ctx.generator(2)).to(ctx.device)  # small input: shapes are the point
    shapes_a, ya = _output_shapes(model, x)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "resnet50-seed1.pth")
        torch.save(other.state_dict(), path)
        missing = model.load_state_dict(torch.load(path, map_location=ctx.device, weights_only=True))
    ctx.expect_equal([missing.missing_keys, missing.unexpected_keys], [[], []], "[missing, unexpected] keys on reload")
    shapes_b, yb = _output_shapes(model, x)
    with torch.no_grad():
        ctx.expect_equal(torch.equal(yb, other(x)), True, "reloaded model == the seed-1 model it was saved from")
    ctx.expect_equal(shapes_b, shapes_a, "output shape of every submodule, weights A vs reloaded weights B")
    rel = float((ya - yb).norm() / ya.norm())
    ctx.expect_greater(rel, 0.1, "|logits A - logits B| / |logits A| (the numbers differ)")
    return {
        "model": "resnet50",
        "input": _shape(x),
        "submodules_compared": len(shapes_a) - 1,
        "output_shape": shapes_a[-1][1],
        "relative_difference": rel,
    }


def _pretrained_without_file(name: str) -> dict:
    """``create_model(name, pretrained=True)`` with an empty cache and the network blocked: the chain of errors raised."""
    import tempfile
    import time

    import huggingface_hub.constants
    import timm

    from refcheck.offline import block_network

    chain, start = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as cache, block_network():
        try:
            timm.create_model(name, pretrained=True, cache_dir=cache)
        except Exception as exc:  # the chain is the evidence: which error, and what caused it
            e = exc
            while e is not None:
                chain.append([type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ""])
                e = e.__cause__ or e.__context__
    offline = bool(huggingface_hub.constants.HF_HUB_OFFLINE)
    return {"offline": offline, "chain": chain, "seconds": time.perf_counter() - start}


def _offline_failure(name: str = "resnet18") -> dict:
    """``_pretrained_without_file`` where HF_HUB_OFFLINE=1 is in effect.

    huggingface_hub reads HF_HUB_OFFLINE once, at import: setting it later changes nothing. So this runs in this
    process when the variable was set before that import, and otherwise in a fresh interpreter started with it.
    """
    import json
    import os
    import subprocess
    import sys
    import tempfile

    import huggingface_hub.constants

    if huggingface_hub.constants.HF_HUB_OFFLINE and os.environ.get("HF_HUB_OFFLINE"):
        where = "this process (HF_HUB_OFFLINE=1 set before huggingface_hub was imported)"
        return {**_pretrained_without_file(name), "verified_in": where}
    code = (
        "import json; from refcheck.claims.timm_features import _pretrained_without_file as f; "
        f"print(json.dumps(f({name!r})))"
    )
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": home}
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"the offline check's interpreter failed: {proc.stderr.strip()[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    where = "a fresh interpreter started with HF_HUB_OFFLINE=1 (this process imported huggingface_hub without it)"
    return {**result, "verified_in": where}


@claim(
    "timm.offline-weights-from-local-file",
    page=PAGE,
    says="With no model hub, timm.create_model(name, pretrained=True, pretrained_cfg_overlay=dict(file=PATH)) "
    "loads a local .pth or .safetensors file exactly: every tensor of the loaded state dict equals the saved one. "
    "With HF_HUB_OFFLINE=1 set (before huggingface_hub is imported) and no local file, pretrained=True fails with an "
    "error caused by OfflineModeIsEnabled, without trying the network.",
)
def offline_weights(ctx):
    import os
    import tempfile

    import timm
    import torch

    ctx.seed(0)
    src = timm.create_model("resnet18", pretrained=False)
    saved = src.state_dict()
    formats = {}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {".pth": os.path.join(tmp, "resnet18-local.pth")}
        torch.save(saved, paths[".pth"])
        try:
            from safetensors.torch import save_file
        except ImportError as exc:
            ctx.skip_part(".safetensors file loads exactly", f"safetensors is not installed ({exc})")
        else:
            paths[".safetensors"] = os.path.join(tmp, "resnet18-local.safetensors")
            save_file(saved, paths[".safetensors"])
        for ext, path in paths.items():
            model = timm.create_model("resnet18", pretrained=True, pretrained_cfg_overlay=dict(file=path))
            loaded = model.state_dict()
            ctx.expect_equal(sorted(loaded), sorted(saved), f"{ext}: same state-dict keys")
            mismatched = [k for k in saved if not torch.equal(saved[k], loaded[k])]
            ctx.expect_equal(mismatched, [], f"{ext}: tensors that differ after loading")
            formats[ext] = len(saved)
    failure = _offline_failure("resnet18")
    ctx.expect_equal(failure["offline"], True, "huggingface_hub.constants.HF_HUB_OFFLINE where the check ran")
    names = [name for name, _ in failure["chain"]]
    ctx.expect(len(names) > 0, "pretrained=True with no local file raises", measured=names)
    ctx.expect("OfflineModeIsEnabled" in names, "the error chain names offline mode", measured=names)
    ctx.expect("NetworkBlocked" not in names, "no network connection was attempted", measured=names)
    return {
        "tensors_compared": formats,
        "parameters": sum(p.numel() for p in src.parameters()),
        "offline_error": failure["chain"][:2],
        "offline_check_ran_in": failure["verified_in"],
    }


@claim(
    "timm.convnext.starts-at-stride-4",
    page=PAGE,
    says="Not every pyramid starts at stride 2: convnext_atto with features_only=True returns 4 maps at strides 4, 8, "
    "16 and 32 (its stem is a 4x4 convolution with stride 4), while resnet18 returns 5, starting at stride 2, and "
    "vgg11 returns 6, starting at stride 1.",
)
def convnext_stride_4(ctx):
    out = {}
    for name in ("convnext_atto", "resnet18", "vgg11"):
        out[name] = _pyramid(ctx, _model(ctx, name, features_only=True), 224)
    ctx.expect_equal(out["convnext_atto"]["reduction"][0], 4, "convnext_atto: stride of the first map")
    stem = _model(ctx, "convnext_atto").stem[0]
    ctx.expect_equal([list(stem.kernel_size), list(stem.stride)], [[4, 4], [4, 4]], "convnext_atto stem: kernel, stride")
    ctx.expect_equal(out["resnet18"]["reduction"][0], 2, "resnet18: stride of the first map")
    ctx.expect_equal(out["vgg11"]["reduction"][0], 1, "vgg11: stride of the first map")
    return {name: {"reduction": ev["reduction"], "shapes": ev["shapes"]} for name, ev in out.items()} | {
        "first_reduction": {name: ev["reduction"][0] for name, ev in out.items()},
        "levels": {name: len(ev["reduction"]) for name, ev in out.items()},
        "convnext_stem_kernel_stride": stem.stride[0] if list(stem.kernel_size) == list(stem.stride) else None,
        "computed_on": _where(ctx),
    }


@claim(
    "timm.output-stride-support-varies",
    page=PAGE,
    says="output_stride is not supported everywhere: ese_vovnet19b_dw builds with output_stride=32 but raises an "
    "AssertionError for 16 (it has no dilated variant), and densenet121 does not accept the argument at all "
    "(TypeError); resnet50 accepts 8, 16 and 32.",
)
def output_stride_support(ctx):
    accepted = {}
    for name, strides in (("ese_vovnet19b_dw", (32, 16)), ("densenet121", (16,)), ("resnet50", (8, 16, 32))):
        for stride in strides:
            try:
                _model(ctx, name, output_stride=stride)
                accepted[f"{name} output_stride={stride}"] = "builds"
            except (AssertionError, TypeError) as exc:
                accepted[f"{name} output_stride={stride}"] = type(exc).__name__
    ctx.expect_equal(accepted["ese_vovnet19b_dw output_stride=32"], "builds", "ese_vovnet19b_dw, output_stride=32")
    ctx.expect_equal(
        accepted["ese_vovnet19b_dw output_stride=16"], "AssertionError", "ese_vovnet19b_dw, output_stride=16"
    )
    ctx.expect_equal(accepted["densenet121 output_stride=16"], "TypeError", "densenet121, output_stride=16")
    ctx.expect_equal(
        [accepted[f"resnet50 output_stride={s}"] for s in (8, 16, 32)], ["builds"] * 3, "resnet50, 8 / 16 / 32"
    )
    return {"result": accepted, "computed_on": _where(ctx)}


@claim(
    "timm.output-stride-classification",
    page=PAGE,
    says="output_stride also works without features_only: a resnet50 classifier built with output_stride=16 still "
    "returns logits (2, 1000) for a 224x224 batch, but its forward_features() map is 14x14 instead of 7x7 "
    "(8: 28x28), because the last stride-2 steps became dilated convolutions.",
)
def output_stride_classification(ctx):
    import torch

    out, models = {}, {}
    for stride in (32, 16, 8):
        m = models[stride] = _model(ctx, "resnet50", output_stride=stride)
        with torch.no_grad():
            feats = m.forward_features(torch.randn(2, 3, 224, 224, device=_where(ctx)))
            logits = m.forward_head(feats)
        out[stride] = {"logits": _shape(logits), "features": _shape(feats)}
        ctx.expect_equal(out[stride]["logits"], [2, 1000], f"output_stride={stride}: logits")
        what = f"output_stride={stride}: feature map = 224 / stride"
        ctx.expect_equal(out[stride]["features"][2:], [224 // stride] * 2, what)
    convs = [m for m in models[16].modules() if isinstance(m, torch.nn.Conv2d)]
    dilated = sum(1 for conv in convs if conv.dilation[0] > 1)
    ctx.expect_greater(dilated, 0, "output_stride=16: convolutions with dilation > 1")
    return {
        "shapes": {f"output_stride_{k}": v for k, v in out.items()},
        "map_side": {f"output_stride_{k}": v["features"][2] for k, v in out.items()},
        "dilated_convs_at_16": dilated,
        "computed_on": _where(ctx),
    }


@claim(
    "timm.classifier-removal-drops-parameters",
    page=PAGE,
    says="Both ways of removing the classifier drop its parameters: resnet50 created with num_classes=0, and a "
    "1000-class resnet50 after reset_classifier(0), each have 2048 x 1000 + 1000 = 2,049,000 parameters fewer than "
    "the classifier model, no 'fc' tensors in their state_dict, and an Identity in place of the head.",
)
def classifier_removal(ctx):
    from torch import nn

    full = _model(ctx, "resnet50")
    n_full = sum(p.numel() for p in full.parameters())
    head = full.get_classifier()
    head_params = head.in_features * head.out_features + head.out_features  # from the layer's shape, not a count
    at_creation = _model(ctx, "resnet50", num_classes=0)
    reset = _model(ctx, "resnet50")
    reset.reset_classifier(0)
    out = {"full": n_full, "head_from_shape": head_params, "head_in_out": [head.in_features, head.out_features]}
    for name, m in (("num_classes=0", at_creation), ("reset_classifier(0)", reset)):
        n = sum(p.numel() for p in m.parameters())
        out[name] = n
        ctx.expect_equal(n_full - n, head_params, f"{name}: parameters removed == head in x out + bias")
        ctx.expect_equal([k for k in m.state_dict() if k.startswith("fc.")], [], f"{name}: fc tensors in state_dict")
        ctx.expect_equal(type(m.get_classifier()).__name__, nn.Identity.__name__, f"{name}: classifier type")
    out["removed"] = n_full - out["num_classes=0"]
    return out
