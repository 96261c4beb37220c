"""The claims measuring "early layers are generic" and "global pooling helps avoid overfitting": each
check fails on a mutated input, and every value marker of them resolves in the evidence they return.

Each test trains a small CNN on 8x8 or 12x12 images (a few CPU seconds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from refcheck.claims import transfer_probe  # noqa: E402
from refcheck.context import ClaimFailed, Context  # noqa: E402
from refcheck.site.values import resolve  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs"
VALUE = re.compile(r"<!--\s*value:\s*(\S+)\s+(\S+)(?:\s+(\S+))?\s*-->")


def test_gratings_with_shuffled_labels_fail_the_generic_check(monkeypatch):
    real = transfer_probe.gratings

    def shuffled(n, gen, classes=5, size=8):  # orientation no longer decides the class: nothing to transfer
        images, labels = real(n, gen, classes, size)
        return images, labels[torch.randperm(n, generator=torch.Generator().manual_seed(0))]

    monkeypatch.setattr(transfer_probe, "gratings", shuffled)
    with pytest.raises(ClaimFailed, match="early features: accuracy on gratings"):
        transfer_probe.early_generic_late_specific(Context("cpu"))


def test_centred_digits_fail_the_overfitting_check(monkeypatch):
    real = transfer_probe.shifted_digits

    def centred(ctx, k, canvas=12):  # every digit at the same place: the Flatten head loses its handicap
        x, y = real(ctx, k, canvas)
        digits, _ = transfer_probe.small_digits(ctx)
        x.zero_()
        x[:, :, 2:10, 2:10] = digits
        return x, y

    monkeypatch.setattr(transfer_probe, "shifted_digits", centred)
    with pytest.raises(ClaimFailed, match="train-test gap: Flatten head - GAP head"):
        transfer_probe.gap_head_overfits_less(Context("cpu"))


@pytest.mark.parametrize(
    "claim_id, check",
    [
        ("transfer.early-generic-late-specific", transfer_probe.early_generic_late_specific),
        ("pooling.gap-head-overfits-less", transfer_probe.gap_head_overfits_less),
    ],
)
def test_value_markers_name_real_evidence_keys(claim_id, check):
    """Each value marker of these claims resolves in the evidence its check returns and formats cleanly."""
    markers = [m for page in DOCS.rglob("*.md") for m in VALUE.findall(page.read_text()) if m[0] == claim_id]
    assert markers, f"no value marker of {claim_id}"
    evidence = check(Context("cpu"))
    for _, key, fmt in markers:
        format(resolve(evidence, key), fmt or "")
