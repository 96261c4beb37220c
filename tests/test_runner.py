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


# -- parallel runs (--jobs) ------------------------------------------------------------------------------------


def _pid_claim(id, group=""):
    def check(ctx):
        import os

        ctx.expect(True, "ran")
        return {"pid": os.getpid()}

    return Claim(id=id, page="p.md", says="s", check=check, group=group)


def test_parallel_run_keeps_registry_order_and_each_claims_own_result():
    import os

    claims = [make(lambda ctx: ctx.expect_equal(1, 1, "one"), "a.one"), make(lambda ctx: ctx.expect_equal(1, 2, "two"), "b.two")]
    claims += [_pid_claim(f"c.pid{k}") for k in range(3)]
    seen = []
    report = verify("cpu", claims=claims, jobs=2, seconds={"c.pid2": 9.0}, on_result=lambda r: seen.append(r.id))
    assert [r.id for r in report.results] == [c.id for c in claims] and sorted(seen) == sorted(c.id for c in claims)
    assert [r.status for r in report.results] == ["passed", "failed", "passed", "passed", "passed"]
    assert "two" in report.results[1].reason
    pids = {r.evidence["pid"] for r in report.results[2:]}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2  # ran in the workers, not here
    assert report.settings["jobs"] == 2 and report.setup["imported"][0] == "torch"


def test_jobs_beyond_the_claims_and_cuda_runs_are_capped():
    report = verify("cpu", claims=[make(lambda ctx: ctx.expect(True, "x"))], jobs=8)
    assert report.settings["jobs"] == 1  # one claim: nothing to fork for
    with pytest.raises(UsageError, match="jobs 0"):
        verify("cpu", claims=[make(lambda ctx: ctx.expect(True, "x"))], jobs=0)


def test_a_group_runs_in_one_worker_and_a_dead_worker_fails_only_its_claim():
    import os

    parent = os.getpid()

    def die(ctx):
        if os.getpid() != parent:  # in a worker only: never kill the test process
            os.kill(os.getpid(), 9)
        ctx.expect(False, "a worker was expected")

    claims = [_pid_claim("g.first", "g"), Claim(id="g.dies", page="p.md", says="s", check=die, group="g"), _pid_claim("g.last", "g")]
    claims += [_pid_claim(f"x.other{k}") for k in range(3)]
    report = verify("cpu", claims=claims, jobs=2)
    by_id = {r.id: r for r in report.results}
    assert by_id["g.dies"].status == "failed" and "died (killed by SIGKILL)" in by_id["g.dies"].reason
    assert "--only g.dies" in by_id["g.dies"].reason
    assert all(r.status == "passed" for i, r in by_id.items() if i != "g.dies")
    # the rest of the dead worker's group ran in a fresh worker
    assert by_id["g.first"].evidence["pid"] != by_id["g.last"].evidence["pid"] != parent


def test_group_members_share_a_worker():
    claims = [_pid_claim(f"g.m{k}", "shared") for k in range(3)] + [_pid_claim(f"solo.s{k}") for k in range(3)]
    report = verify("cpu", claims=claims, jobs=2)
    assert len({r.evidence["pid"] for r in report.results[:3]}) == 1


def test_longest_first_orders_tasks_by_previous_seconds_with_groups_as_one():
    from refcheck.runner import longest_first

    claims = [make(None, "a.quick"), _pid_claim("g.one", "g"), _pid_claim("g.two", "g"), make(None, "b.slow"), make(None, "n.new")]
    tasks = longest_first(claims, {"a.quick": 0.1, "g.one": 2.0, "g.two": 2.0, "b.slow": 3.0})
    assert tasks == [[4], [1, 2], [3], [0]]  # unknown first (may be slow), then 4 s (group), 3 s, 0.1 s
    assert longest_first(claims, None) == [[0], [1, 2], [3], [4]]  # no earlier run: registry order
