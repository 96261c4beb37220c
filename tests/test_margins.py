"""Every thresholded expectation records its margin: how far the measurement is from the threshold,
relative to it; the runner keeps each claim's smallest margin and records parts that could not run."""

from __future__ import annotations

import pytest

from refcheck.context import ClaimFailed, Context, smallest_margin
from refcheck.registry import Claim
from refcheck.runner import run_claim


def make(check):
    return Claim(id="t.claim", page="p.md", says="s", check=check)


@pytest.mark.parametrize(
    ("call", "margin"),
    [
        (lambda c: c.expect_less(0.5, 1.0, "x"), 0.5),
        (lambda c: c.expect_less(-3.0, 0.0, "x"), 1.0),  # threshold 0: relative to the value
        (lambda c: c.expect_greater(1.5, 1.0, "x"), 0.5),
        (lambda c: c.expect_greater(0.99, 0.9, "x"), 0.1),
        (lambda c: c.expect_between(2.0, 1.0, 10.0, "x"), 0.8),  # min((2-1)/1, (10-2)/10)
        (lambda c: c.expect_close([1.0, 2.0], [1.0, 2.05], "x", atol=0.1), 0.5),
        (lambda c: c.expect_close([1.0], [1.0], "x", atol=0.0), 1.0),  # exact and holds
        (lambda c: c.expect_close([0.0, 10.0], [0.0, 10.5], "x", atol=0.0, rtol=0.1), 0.5238),
    ],
)
def test_thresholded_expectations_record_their_margin(call, margin):
    ctx = Context()
    call(ctx)
    assert ctx.checks[-1]["margin"] == pytest.approx(margin, abs=1e-4)
    assert ctx.checks[-1]["ok"] is True


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.expect_less(0.7043, 0.6789, "BN loss"),
        lambda c: c.expect_greater(0.9, 0.98, "agreement"),
        lambda c: c.expect_between(11.0, 0.1, 10.0, "ratio"),
        lambda c: c.expect_close([1.0], [1.2], "x", atol=0.1),
    ],
)
def test_a_failed_threshold_has_a_negative_margin(call):
    ctx = Context()
    with pytest.raises(ClaimFailed):
        call(ctx)
    assert ctx.checks[-1]["margin"] < 0 and ctx.checks[-1]["ok"] is False


def test_shape_mismatch_in_expect_close_fails_with_a_negative_margin():
    ctx = Context()
    with pytest.raises(ClaimFailed):
        ctx.expect_close([1.0, 2.0], [1.0], "x", atol=1.0)
    assert ctx.checks[-1]["margin"] < 0 and "shape" in ctx.checks[-1]["measured"]


def test_exact_checks_have_no_margin_and_smallest_ignores_them():
    ctx = Context()
    ctx.expect_equal(4, 4, "eq")
    ctx.expect(True, "flag")
    assert smallest_margin(ctx.checks) is None
    ctx.expect_less(0.9, 1.0, "thin")
    ctx.expect_greater(5.0, 1.0, "wide")
    assert smallest_margin(ctx.checks) == pytest.approx(0.1)


def test_report_carries_the_smallest_margin_of_a_claim():
    def check(ctx):
        ctx.expect_less(0.5, 1.0, "a")
        ctx.expect_greater(1.25, 1.0, "b")

    r = run_claim(make(check), "cpu")
    assert r.status == "passed" and r.margin == pytest.approx(0.25)


def test_skipped_part_is_recorded_and_shown_never_passed():
    def check(ctx):
        ctx.expect_equal(1, 1, "torch part")
        ctx.skip_part("keras part", "keras is not installed")

    r = run_claim(make(check), "cpu")
    assert r.status == "passed" and r.skipped_parts == ["keras part: keras is not installed"]
    assert r.checks[-1]["ok"] is None


def test_claim_whose_every_part_was_skipped_is_skipped_not_passed():
    r = run_claim(make(lambda ctx: ctx.skip_part("only part", "no GPU")), "cpu")
    assert r.status == "skipped" and "no GPU" in r.reason


def test_seed_for_changes_with_the_run_seed_and_keeps_seed_zero_streams():
    a, b = Context(seed=0), Context(seed=3)
    assert [a.seed_for(k) for k in range(3)] == [0, 1, 2]
    assert len({a.seed_for(0), b.seed_for(0), b.seed_for(1)}) == 3
    import torch

    assert not torch.equal(torch.rand(4, generator=a.generator(1)), torch.rand(4, generator=b.generator(1)))
