"""The stress grid: which cells run, how a claim's results over the cells are judged, and one real run."""

from __future__ import annotations

import json
import os

import pytest

from refcheck.report import ClaimResult
from refcheck.stress import Cell, grid, kernel_levels, pick, problems, summarize
from refcheck.torchenv import UsageError

from support import ROOT, assert_clean_error, run_cli

AVX512 = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"}


def test_grid_varies_each_axis_around_native_plus_every_kernel_mkl_pair():
    cells = grid(5, AVX512)
    names = [c.name for c in cells]
    assert names[0] == "native" and cells[0].env == {} and len(names) == len(set(names))
    pairs = {(c.env.get("ATEN_CPU_CAPABILITY"), c.env.get("MKL_CBWR")) for c in cells if c.env}
    # 3 kernel sets x 3 MKL paths, less the one that is the native cell itself
    assert len(pairs) == 8 and ("avx2", "AVX2") in pairs and ("default", "COMPATIBLE") in pairs and ("avx512", None) not in pairs
    assert sorted(c.seed for c in cells if c.name.startswith("seed-")) == [1, 2, 3, 4]
    repeat = next(c for c in cells if c.name == "repeat")
    assert (repeat.env, repeat.seed, repeat.threads, repeat.deterministic) == ({}, 0, "1", False)
    assert [c.name for c in cells if c.threads == "all"] == ["threads-all"]
    assert [c.name for c in cells if c.deterministic] == ["deterministic"]
    assert all(c.seed == 0 for c in cells if not c.name.startswith("seed-"))


def test_grid_only_offers_kernel_sets_the_cpu_has():
    assert kernel_levels({"sse4_2"}) == ["default"]
    assert kernel_levels({"avx2", "fma"}) == ["default", "avx2"]
    old_cpu = grid(2, {"sse4_2"})
    assert all(c.env.get("MKL_CBWR") != "AVX2" for c in old_cpu)  # no AVX2 path without AVX2
    assert {c.env.get("ATEN_CPU_CAPABILITY") for c in old_cpu if c.env} == {"default"}


def test_fewer_than_two_seeds_and_unknown_cells_are_usage_errors():
    with pytest.raises(UsageError, match="at least 2 seeds"):
        grid(1)
    with pytest.raises(UsageError, match="unknown cell 'nope'; cells of this grid: native"):
        pick(grid(2, set()), ["native", "nope"])
    assert [c.name for c in pick(grid(2, set()), ["seed-1", "native"])] == ["native", "seed-1"]


def _result(cid: str, status: str = "passed", margin: float | None = 0.5, evidence: dict | None = None) -> ClaimResult:
    return ClaimResult(id=cid, page="p.md", says="s", status=status, seconds=0.0, evidence=evidence or {}, margin=margin,
                       reason="" if status == "passed" else "boom")


def test_summary_names_failures_thin_margins_and_seed_blind_statistical_claims(monkeypatch):
    from refcheck import registry

    claims = {
        "t.solid": registry.Claim("t.solid", "p.md", "s", lambda ctx: None, ("statistical",)),
        "t.thin": registry.Claim("t.thin", "p.md", "s", lambda ctx: None),
        "t.flips": registry.Claim("t.flips", "p.md", "s", lambda ctx: None),
        "t.blind": registry.Claim("t.blind", "p.md", "s", lambda ctx: None, ("statistical",)),
    }
    monkeypatch.setattr(registry, "load_all", lambda: claims)
    native, seed1, avx2 = Cell("native"), Cell("seed-1", seed=1), Cell("avx2+mkl-avx2", {"ATEN_CPU_CAPABILITY": "avx2"})
    cells = [
        (native, {"t.solid": _result("t.solid", evidence={"x": 1}), "t.thin": _result("t.thin", margin=0.3),
                  "t.flips": _result("t.flips"), "t.blind": _result("t.blind", evidence={"x": 1})}, {}),
        (seed1, {"t.solid": _result("t.solid", evidence={"x": 2}), "t.thin": _result("t.thin", margin=0.2),
                 "t.flips": _result("t.flips"), "t.blind": _result("t.blind", evidence={"x": 1})}, {}),
        (avx2, {"t.solid": _result("t.solid", margin=0.4, evidence={"x": 1}), "t.thin": _result("t.thin", margin=0.04),
                "t.flips": _result("t.flips", "failed", -0.02), "t.blind": _result("t.blind", evidence={"x": 1})}, {}),
    ]
    out = summarize(cells, 0.10)
    assert out["t.solid"]["problems"] == [] and out["t.solid"]["min_margin"] == 0.4 and out["t.solid"]["seed_sensitive"]
    assert out["t.thin"]["min_margin_cell"] == "avx2+mkl-avx2" and "margin 4.0%" in out["t.thin"]["problems"][0]
    assert out["t.flips"]["passed"] == 2 and out["t.flips"]["failures"][0]["cell"] == "avx2+mkl-avx2"
    assert any("identical for every seed" in p for p in out["t.blind"]["problems"])


def test_evidence_that_differs_on_the_repeat_cell_is_a_problem(monkeypatch):
    from refcheck import registry

    monkeypatch.setattr(registry, "load_all", lambda: {"t.x": registry.Claim("t.x", "p.md", "s", lambda ctx: None)})
    cells = [(Cell("native"), {"t.x": _result("t.x", evidence={"loss": 0.5})}, {}),
             (Cell("repeat"), {"t.x": _result("t.x", evidence={"loss": 0.51})}, {})]
    assert summarize(cells, 0.1)["t.x"]["reproducible"] is False
    assert any("not reproducible" in p for p in summarize(cells, 0.1)["t.x"]["problems"])
    cells[1] = (Cell("repeat"), {"t.x": _result("t.x", evidence={"loss": 0.5 + 1e-12})}, {})
    assert summarize(cells, 0.1)["t.x"]["problems"] == []


def test_an_accepted_thin_margin_is_not_a_problem_but_a_failure_always_is():
    entry = {"failures": [], "min_margin": 0.05, "min_margin_cell": "x", "thin_margin": "why", "statistical": False, "seed_sensitive": None}
    assert problems(entry, 0.10) == []
    entry["failures"] = [{"cell": "x", "status": "failed", "reason": "r"}]
    assert problems(entry, 0.10) == ["failed in cell x: r"]


def test_stress_run_end_to_end_on_demo_claims(tmp_path):
    """Two real cells (separate processes): the failing demo claim is named, the report has every cell."""
    out = tmp_path / "stress.json"
    env = {"REFCHECK_CLAIM_MODULES": "fixtures.demo_claims", "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
           "REFCHECK_REPORTS": str(tmp_path)}
    proc = run_cli("stress", "--cells", "native,default+mkl-compatible", "--out", str(out), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "MISSES demo.fails (docs/index.md): failed in cell native" in proc.stdout
    data = json.loads(out.read_text())
    assert [c["name"] for c in data["grid"]] == ["native", "default+mkl-compatible"] and data["partial"] is True
    assert data["grid"][1]["kernel"]["aten"] == "default" and data["grid"][1]["kernel"]["mkl"] == "COMPATIBLE"
    assert data["claims"]["demo.passes"]["passed"] == 2 and data["claims"]["demo.passes"]["problems"] == []
    assert data["claims"]["demo.skips"]["failures"][0]["status"] == "skipped"


def test_stress_usage_errors_are_one_line():
    assert "--seeds 1" in assert_clean_error(run_cli("stress", "--seeds", "1"))
    assert "unknown cell" in assert_clean_error(run_cli("stress", "--cells", "warp-drive"))


def test_cells_run_their_claims_one_at_a_time():
    """The grid runs cells side by side (and threads-all alone): a cell forking claim workers would oversubscribe."""
    for cell in grid(2, AVX512):
        args = cell.args()
        assert args[args.index("--jobs") + 1] == "1", cell.name
