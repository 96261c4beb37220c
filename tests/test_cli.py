import json

from support import assert_clean_error, run_cli

DEMO = {"REFCHECK_CLAIM_MODULES": "fixtures.demo_claims"}


def demo_env(tmp_path):
    import os

    from support import ROOT

    return {**DEMO, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "REFCHECK_REPORTS": str(tmp_path)}


def test_unknown_device_one_line_exit_2():
    line = assert_clean_error(run_cli("verify", "--device", "tpu"))
    assert "tpu" in line and "cpu, cuda, auto" in line


def test_only_matching_nothing_exit_2():
    line = assert_clean_error(run_cli("verify", "--only", "no-such-claim-xyz"))
    assert "no-such-claim-xyz" in line and "refcheck list" in line


def test_unknown_subcommand_exit_2():
    assert_clean_error(run_cli("verfy"))


def test_failed_claim_exits_1_naming_id_and_page(demo_verify):
    """Also the parallel path (the shared demo run uses --jobs 2: forked workers): results in registry order,
    the settings recorded."""
    proc, reports = demo_verify  # verify --device cpu --quiet --jobs 2 on the demo claims (conftest)
    assert proc.returncode == 1, proc.stderr
    assert "FAILED demo.fails (docs/index.md)" in proc.stdout
    assert "1 passed, 1 failed, 1 skipped" in proc.stdout
    path = next(reports.glob("report-cpu-*.json"))
    assert f"report: {path}" in proc.stdout
    report = json.loads(path.read_text())
    statuses = {c["id"]: c["status"] for c in report["claims"]}
    assert statuses == {"demo.fails": "failed", "demo.passes": "passed", "demo.skips": "skipped"}
    assert [c["id"] for c in report["claims"]] == ["demo.fails", "demo.passes", "demo.skips"]
    assert report["versions"]["torch"] and report["versions"]["python"]
    assert report["settings"]["jobs"] == 2 and report["setup"]["imported"] == ["torch"]
    assert report["setup"]["threads_at_fork"] == 1  # forked with no thread pool (torch's, OpenBLAS') started


def test_passing_selection_exits_0_and_writes_report_path(tmp_path):
    out = tmp_path / "r.json"
    proc = run_cli("verify", "--device", "cpu", "--only", "demo.passes", "--report", str(out), env=demo_env(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "demo.passes" in proc.stdout  # the results table
    assert json.loads(out.read_text())["summary"] == {"passed": 1, "failed": 0, "skipped": 0}


def test_list_json(tmp_path):
    proc = run_cli("list", "--json", env=demo_env(tmp_path))
    assert proc.returncode == 0
    assert {c["id"] for c in json.loads(proc.stdout)} == {"demo.fails", "demo.passes", "demo.skips"}


def test_cuda_without_cuda_reports_all_skipped_and_says_why(tmp_path):
    import torch

    if torch.cuda.is_available():  # on a GPU machine this is a real run
        return
    out = tmp_path / "cuda.json"
    proc = run_cli("verify", "--device", "cuda", "--quiet", "--report", str(out), env=demo_env(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "torch.cuda.is_available() is False" in proc.stdout and "on cuda (unavailable)" in proc.stdout
    report = json.loads(out.read_text())
    assert report["summary"] == {"passed": 0, "failed": 0, "skipped": 3}
    assert all("CUDA was requested" in c["reason"] for c in report["claims"])


def test_bad_jobs_one_line_exit_2():
    for bad in ("0", "-1", "two"):
        line = assert_clean_error(run_cli("verify", "--jobs", bad))
        assert "--jobs" in line and repr(bad) in line


def test_threads_hold_for_the_thread_pools_of_other_libraries(monkeypatch):
    """--threads N is set for OpenBLAS/OpenMP/MKL before they load (a scikit-learn fit ran on one OpenBLAS thread
    per core, spinning); --threads all leaves them alone."""
    import os

    from refcheck.cli import POOL_ENV, main

    for var in POOL_ENV:
        monkeypatch.setenv(var, "7")
    assert main(["verify", "--device", "cpu", "--threads", "all", "--only", "no-such-claim-xyz"]) == 2
    assert [os.environ[v] for v in POOL_ENV] == ["7"] * len(POOL_ENV)
    assert main(["verify", "--device", "cpu", "--threads", "1", "--only", "no-such-claim-xyz"]) == 2
    assert [os.environ[v] for v in POOL_ENV] == ["1"] * len(POOL_ENV)
