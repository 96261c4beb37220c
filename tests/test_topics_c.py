"""The corrections of issue 11 and the notes' once-unchecked sentences: each claim's check can fail.

Every test feeds a claim the situation the notes describe (or a broken library call) and expects
``ClaimFailed``; one more test resolves every value marker of these claims against their evidence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from refcheck.claims import batchnorm, bn_finetune, residual, scaling, timm_features, transfer  # noqa: E402
from refcheck.context import ClaimFailed, Context, Skipped  # noqa: E402
from refcheck.site.values import resolve  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_alexnet_with_the_notes_512_channels_fails(monkeypatch):
    import torchvision.models
    from torch import nn

    real = torchvision.models.alexnet

    def notes_alexnet(weights=None):  # the notes' network: a 6x6x512 volume into the first FC layer
        model = real(weights=weights)
        model.features[10] = nn.Conv2d(256, 512, 3, padding=1)
        model.classifier[1] = nn.Linear(512 * 6 * 6, 4096)
        return model

    monkeypatch.setattr(torchvision.models, "alexnet", notes_alexnet)
    with pytest.raises(ClaimFailed, match="features \\+ avgpool output"):
        transfer.alexnet_last_pool(Context("cpu"))


def test_transpose_gain_fails_for_another_init(monkeypatch):
    from torch import nn

    # Xavier init (variance 2 / (fan_in + fan_out)) instead of PyTorch's default: the 1/sqrt(3) gains vanish
    monkeypatch.setattr(nn.Linear, "reset_parameters", lambda self: nn.init.xavier_uniform_(self.weight))
    with pytest.raises(ClaimFailed, match="norm gain of W\\^T"):
        residual.transpose_gain_by_shape(Context("cpu"))


def test_keras_momentum_copied_as_the_notes_say_fails(monkeypatch):
    ctx = Context("cpu")
    try:
        ctx.keras()
    except Skipped as exc:
        pytest.skip(str(exc))
    monkeypatch.setattr(batchnorm, "torch_momentum", lambda m: 0.1)  # "0.99 in Keras means 0.1 in PyTorch"
    with pytest.raises(ClaimFailed, match="running mean == PyTorch 0.1"):
        batchnorm.keras_momentum(ctx)


def test_freeze_to_plain_frozen_bn_fails_the_bnact_claim(monkeypatch):
    import timm.layers
    from torch import nn
    from torchvision.ops.misc import FrozenBatchNorm2d

    def everything_to_frozen_bn(module):  # what the page said: BatchNormAct2d becomes FrozenBatchNorm2d
        for name, child in module.named_children():
            if isinstance(child, nn.BatchNorm2d):
                setattr(module, name, FrozenBatchNorm2d(child.num_features))
            else:
                everything_to_frozen_bn(child)
        return module

    monkeypatch.setattr(timm.layers, "freeze_batch_norm_2d", everything_to_frozen_bn)
    with pytest.raises(ClaimFailed, match="after freezing"):
        bn_finetune.timm_freeze_bnact(Context("cpu"))


def test_stats_update_is_small_without_a_domain_shift(monkeypatch):
    monkeypatch.setattr(bn_finetune, "STAT_SHIFT", (0.0, 1.0))  # target drawn like the source
    with pytest.raises(ClaimFailed, match="output change from one stats update"):
        bn_finetune.stats_update_outweighs_step(Context("cpu"))


def test_gnb_sweep_within_one_decade_does_not_break(monkeypatch):
    """Factors 0.1 to 10 only: no feature changes 10% of the predictions, so the 'breaks at 1e3' check fails."""
    monkeypatch.setattr(scaling, "GNB_FACTORS", [-1, 0, 1])
    with pytest.raises(ClaimFailed, match="worst feature at 1e3"):
        scaling.gnb_by_factor(Context("cpu"))


def test_gnb_agreement_is_exact_without_smoothing():
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    x, y, _ = scaling._wine()
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(x, y))
    agreement = scaling.gnb_agreement(x, y, folds, 0.0)
    assert agreement.shape == (len(scaling.GNB_FACTORS), 13) and np.all(agreement == 1.0)


def _swap_model(monkeypatch, old: str, new: str) -> None:
    real = timm_features._model
    monkeypatch.setattr(timm_features, "_model", lambda ctx, name, **kw: real(ctx, new if name == old else name, **kw))


def test_convnext_claim_fails_on_a_stride_2_model(monkeypatch):
    _swap_model(monkeypatch, "convnext_atto", "resnet18")
    with pytest.raises(ClaimFailed, match="convnext_atto: stride of the first map"):
        timm_features.convnext_stride_4(Context("cpu"))


def test_output_stride_support_fails_on_a_dilatable_model(monkeypatch):
    _swap_model(monkeypatch, "ese_vovnet19b_dw", "resnet50")
    with pytest.raises(ClaimFailed, match="ese_vovnet19b_dw, output_stride=16"):
        timm_features.output_stride_support(Context("cpu"))


def test_output_stride_classification_fails_when_ignored(monkeypatch):
    real = timm_features._model
    monkeypatch.setattr(timm_features, "_model", lambda ctx, name, output_stride=32, **kw: real(ctx, name, **kw))
    with pytest.raises(ClaimFailed, match="output_stride=16: feature map"):
        timm_features.output_stride_classification(Context("cpu"))


def test_classifier_removal_fails_if_reset_only_bypasses(monkeypatch):
    from timm.models.resnet import ResNet

    def bypass(self, num_classes, global_pool="avg"):  # a head that is skipped but kept
        self.forward_head = lambda x, pre_logits=False: self.global_pool(x)

    monkeypatch.setattr(ResNet, "reset_classifier", bypass)
    with pytest.raises(ClaimFailed, match="reset_classifier\\(0\\): parameters removed"):
        timm_features.classifier_removal(Context("cpu"))


VALUE = re.compile(r"<!--\s*value:\s*(\S+)\s+(\S+)(?:\s+(\S+))?\s*-->")


@pytest.mark.parametrize(
    "claim_id, check",
    [
        ("timm.convnext.starts-at-stride-4", timm_features.convnext_stride_4),
        ("timm.output-stride-classification", timm_features.output_stride_classification),
        ("timm.classifier-removal-drops-parameters", timm_features.classifier_removal),
        ("transfer.alexnet-last-pool-256-channels", transfer.alexnet_last_pool),
        ("residual.transpose-gain-by-shape", residual.transpose_gain_by_shape),
        ("bn-finetune.stats-update-outweighs-small-step", bn_finetune.stats_update_outweighs_step),
        ("scaling.gaussian-nb-agreement-by-factor", scaling.gnb_by_factor),
    ],
)
def test_value_markers_name_real_evidence_keys(claim_id, check):
    """Each value marker of these claims resolves in the evidence its check returns and formats cleanly."""
    markers = [m for page in DOCS.rglob("*.md") for m in VALUE.findall(page.read_text()) if m[0] == claim_id]
    assert markers, f"no value marker of {claim_id}"
    evidence = check(Context("cpu"))
    for _, key, fmt in markers:
        format(resolve(evidence, key), fmt or "")
