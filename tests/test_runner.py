import json

import pytest

from refcheck.context import Context
from refcheck.registry import Claim
from refcheck.runner import UsageError, resolve_device, run_claim, select, verify


def make(check, id="t.claim"):
    return Claim(id=id, page="p.md", says="s", check=check)


def test_passing_claim_records_evidence_and_checks():
    def check(ctx):
        ctx.expect_equal([1, 2], [1, 2], "list")
        return {"n": 2}

    r = run_claim(make(check), "cpu")
    assert r.status == "passed" and r.evidence == {"n": 2}
    assert r.checks == [{"what": "list", "expected": [1, 2], "measured": [1, 2], "ok": True}]


def test_failing_expectation_names_expected_and_measured():
    r = run_claim(make(lambda ctx: ctx.expect_equal(3, 4, "three")), "cpu")
    assert r.status == "failed"
    assert "three" in r.reason and "4" in r.reason and "3" in r.reason


def test_crashing_check_fails_with_its_error():
    def check(ctx):
        raise KeyError("boom")

    r = run_claim(make(check), "cpu")
    assert r.status == "failed" and "KeyError" in r.reason and "traceback" in r.evidence


def test_check_without_expectation_is_failed_not_passed():
    r = run_claim(make(lambda ctx: {"x": 1}), "cpu")
    assert r.status == "failed" and "no expectation" in r.reason


def test_skip_carries_reason():
    r = run_claim(make(lambda ctx: ctx.require("refcheck_no_such_module")), "cpu")
    assert r.status == "skipped" and "refcheck_no_such_module" in r.reason


def test_claim_cannot_leak_global_torch_state():
    import torch

    def check(ctx):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        ctx.expect(True, "ran")

    run_claim(make(check), "cpu")
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()


def test_claim_cannot_leak_deterministic_mode():
    """A claim that turns deterministic algorithms on (warn-only or not) leaves them off, as they were; a run
    asked for deterministic algorithms has them on while its claims run (torchenv.set_deterministic)."""
    import torch

    def check(ctx, warn_only):
        torch.use_deterministic_algorithms(True, warn_only=warn_only)
        ctx.expect(True, "ran")

    for warn_only in (False, True):
        run_claim(make(lambda ctx, w=warn_only: check(ctx, w)), "cpu")
        assert not torch.are_deterministic_algorithms_enabled() and not torch.is_deterministic_algorithms_warn_only_enabled()
    seen = []
    run_claim(make(lambda ctx: seen.append(torch.are_deterministic_algorithms_enabled()) or ctx.expect(True, "ran")), "cpu",
              deterministic=True)
    assert seen == [True] and not torch.are_deterministic_algorithms_enabled()


def test_expect_close_uses_tolerance():
    ctx = Context()
    ctx.expect_close([1.0, 2.0], [1.0, 2.0000001], "close", atol=1e-6)
    with pytest.raises(AssertionError):
        ctx.expect_close([1.0], [1.1], "far", atol=1e-3)


def test_unknown_device_is_usage_error():
    with pytest.raises(UsageError, match="valid devices: cpu, cuda, auto"):
        resolve_device("tpu")


def test_cuda_requested_without_cuda_skips_every_claim(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    report = verify("cuda", claims=[make(lambda ctx: ctx.expect(True, "x"))])
    assert [r.status for r in report.results] == ["skipped"]
    assert "CUDA was requested" in report.results[0].reason
    assert report.summary == {"passed": 0, "failed": 0, "skipped": 1}


def test_select_by_glob_substring_and_page():
    claims = {c.id: c for c in (make(None, "a.one"), make(None, "b.two"))}
    assert [c.id for c in select(claims, ["a.*"])] == ["a.one"]
    assert [c.id for c in select(claims, ["two"])] == ["b.two"]
    assert len(select(claims, ["p.md"])) == 2
    with pytest.raises(UsageError, match="matches no claim"):
        select(claims, ["zzz"])


def test_report_round_trip(tmp_path):
    from refcheck.report import load

    report = verify("cpu", claims=[make(lambda ctx: ctx.expect(True, "x"))])
    path = report.write(tmp_path / "r.json")
    data = json.loads(path.read_text())
    assert data["versions"]["torch"] and data["device"]["resolved"] == "cpu"
    assert data["summary"]["passed"] == 1 and data["claims"][0]["seconds"] >= 0
    assert load(path).results[0].status == "passed"


def test_claim_reaching_the_network_fails_saying_so():
    def check(ctx):
        import socket

        socket.create_connection(("93.184.215.14", 80), timeout=5)
        ctx.expect(True, "connected")

    r = run_claim(make(check), "cpu")
    assert r.status == "failed" and "network access is blocked" in r.reason
