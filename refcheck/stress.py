"""The stress run: every claim across CPU kernel paths, MKL code paths, thread counts, seeds and determinism.

Each cell of the grid is a separate ``refcheck verify`` process, because torch and MKL read their code
path from the environment when they are imported. The grid is not the full product (hours on 2 cores):
it varies each axis around the native cell, plus every kernel x MKL pair.

The result, ``reports/stress-cpu-VENDOR-torchVERSION.json``, holds every claim's status and margin in
every cell; the site's ledger shows each claim's pass rate and smallest margin from it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from refcheck.report import REPO_ROOT, ClaimResult, load
from refcheck.torchenv import KERNEL_ENV, UsageError

STRESS_SCHEMA = 1
MKL_PATHS = ("", "COMPATIBLE", "AVX2")  # "" is MKL's own choice for this CPU


@dataclass(frozen=True)
class Cell:
    """One process of the grid: the environment it starts with and the verify options it gets."""

    name: str
    env: dict[str, str] = field(default_factory=dict)
    seed: int = 0
    threads: str = "1"  # "1" or "all"
    deterministic: bool = False

    def args(self) -> list[str]:
        # One claim at a time: the grid already runs its cells side by side (and a cell that uses all cores alone).
        out = ["--seed", str(self.seed), "--threads", self.threads, "--jobs", "1"]
        return out + (["--deterministic"] if self.deterministic else [])


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_vendor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("vendor_id"):
                vendor = line.split(":", 1)[1].strip()
                return {"GenuineIntel": "intel", "AuthenticAMD": "amd"}.get(vendor, vendor.lower() or "unknown")
    except OSError:
        pass
    import platform

    return platform.machine().lower() or "unknown"


def kernel_levels(flags: set[str] | None = None) -> list[str]:
    """The ATen kernel sets this CPU can run: default always, avx2 and avx512 where it has them."""
    flags = cpu_flags() if flags is None else flags
    levels = ["default"]
    if {"avx2", "fma"} <= flags:
        levels.append("avx2")
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        levels.append("avx512")
    return levels


def grid(seeds: int = 5, flags: set[str] | None = None) -> list[Cell]:
    """The native cell and its repeat; every kernel x MKL pair; seeds 1..seeds-1, all threads and deterministic
    algorithms around native."""
    if seeds < 2:
        raise UsageError(f"--seeds {seeds}: at least 2 seeds are needed to see whether a claim depends on its seed")
    flags = cpu_flags() if flags is None else flags
    levels = kernel_levels(flags)
    mkl_paths = [m for m in MKL_PATHS if m != "AVX2" or "avx2" in flags]
    cells = [Cell("native")]
    for level in levels:
        for mkl in mkl_paths:
            if level == levels[-1] and not mkl:
                continue  # the CPU's best kernel set with MKL's own path is the native cell
            env = {"ATEN_CPU_CAPABILITY": level, **({"MKL_CBWR": mkl} if mkl else {})}
            cells.append(Cell(f"{level}+mkl-{(mkl or 'native').lower()}", env))
    cells.append(Cell("repeat"))  # the native cell again: same seed and path must give the same evidence
    cells += [Cell(f"seed-{s}", seed=s) for s in range(1, seeds)]
    cells.append(Cell("threads-all", threads="all"))
    cells.append(Cell("deterministic", deterministic=True))
    return cells


def run_cell(cell: Cell, directory: Path, only: list[str] | None) -> tuple[Cell, Path, float, str]:
    """Run ``refcheck verify`` for one cell in its own process; returns where its report went."""
    report = directory / f"{cell.name}.json"
    env = {k: v for k, v in os.environ.items() if k not in KERNEL_ENV}
    env.update({"HF_HUB_OFFLINE": "1", "KERAS_BACKEND": "torch", **cell.env})
    cmd = [sys.executable, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--report", str(report), *cell.args()]
    for pattern in only or []:
        cmd += ["--only", pattern]
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] if done.returncode not in (0, 1) else []
    return cell, report, time.perf_counter() - start, tail[0] if tail else ""


def same_evidence(a: Any, b: Any, rel: float = 1e-6, abs_: float = 1e-9) -> bool:
    """Equal evidence, floats allowed accumulation-order noise (``rel``/``abs_``)."""
    import math

    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return math.isclose(a, b, rel_tol=rel, abs_tol=abs_) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_evidence(x, y, rel, abs_) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_evidence(a[k], b[k], rel, abs_) for k in a)
    return a == b


def _same(values: list[Any]) -> bool:
    """All equal evidence, by ``same_evidence``."""
    return all(same_evidence(values[0], v) for v in values[1:])


def summarize(cells: list[tuple[Cell, dict[str, ClaimResult], dict[str, Any]]], min_margin: float) -> dict[str, Any]:
    """Per claim over the grid: cells passed, failures, smallest margin and where, seed/path sensitivity."""
    from refcheck.registry import load_all

    registry = load_all()
    ids = sorted({cid for _, results, _ in cells for cid in results})
    out: dict[str, Any] = {}
    for cid in ids:
        rows = [(cell, results.get(cid)) for cell, results, _ in cells]
        ran = [(cell, r) for cell, r in rows if r is not None]
        failures = [{"cell": cell.name, "status": r.status, "reason": r.reason} for cell, r in ran if r.status != "passed"]
        margins = [(r.margin, cell.name) for cell, r in ran if r.margin is not None]
        smallest = min(margins) if margins else (None, "")
        seed_cells = [r.evidence for cell, r in ran if cell.name == "native" or cell.name.startswith("seed-")]
        seed_sensitive = None if len(seed_cells) < 2 else not _same(seed_cells)
        path_cells = [r.evidence for cell, r in ran if not cell.name.startswith("seed-")]
        by_name = {cell.name: r for cell, r in ran}
        repeat = by_name.get("repeat")
        reproducible = None if repeat is None or "native" not in by_name else (
            repeat.status == by_name["native"].status and same_evidence(repeat.evidence, by_name["native"].evidence)
        )
        claim = registry.get(cid)
        entry = {
            "page": ran[0][1].page if ran else "",
            "statistical": bool(claim and claim.statistical),
            "cells": len(ran),
            "passed": sum(1 for _, r in ran if r.status == "passed"),
            "failures": failures,
            "skipped_parts": sorted({p for _, r in ran for p in r.skipped_parts}),
            "min_margin": smallest[0],
            "min_margin_cell": smallest[1],
            "margins": {cell.name: r.margin for cell, r in ran},
            "seed_sensitive": seed_sensitive,  # None: fewer than two seeds ran
            "path_sensitive": not _same(path_cells),
            "reproducible": reproducible,  # the repeat of the native cell gave the same evidence (None: not run)
            "thin_margin": claim.thin_margin if claim else "",
        }
        entry["problems"] = problems(entry, min_margin)
        out[cid] = entry
    return out


def problems(entry: dict[str, Any], min_margin: float) -> list[str]:
    """Why a claim misses the stress target (empty when it meets it)."""
    found = [f"{f['status']} in cell {f['cell']}: {f['reason']}" for f in entry["failures"]]
    m = entry["min_margin"]
    if m is not None and m < min_margin and not entry["thin_margin"]:
        found.append(f"margin {m:.1%} in cell {entry['min_margin_cell']} is under {min_margin:.0%}")
    if entry.get("reproducible") is False:
        found.append("not reproducible: the repeat of the native cell gave other evidence with the same seed and path")
    if entry["statistical"] and entry["seed_sensitive"] is False:
        found.append("statistical, yet its evidence is identical for every seed (the run's seed does not reach it)")
    return found


def meeting_target(stress: dict[str, Any]) -> int:
    """How many claims of a stress report meet its target (no problem found)."""
    return sum(1 for e in stress["claims"].values() if not e.get("problems"))


def default_out(versions: dict[str, Any], partial: bool) -> Path:
    """reports/ (committed, shown on the site) for a full run; the local report directory for a partial one."""
    from refcheck.report import report_dir

    name = f"stress-cpu-{cpu_vendor()}-torch{versions.get('torch')}.json"
    return (report_dir() if partial else REPO_ROOT / "reports") / name


def pick(cells: list[Cell], names: list[str] | None) -> list[Cell]:
    """The cells named (all when none); an unknown name is a usage error listing the valid ones."""
    if not names:
        return cells
    known = {c.name: c for c in cells}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown cell {unknown[0]!r}; cells of this grid: {', '.join(known)}")
    return [c for c in cells if c.name in names]


def run_stress(
    seeds: int = 5,
    only: list[str] | None = None,
    cells_named: list[str] | None = None,
    out: Path | None = None,
    jobs: int | None = None,
    min_margin: float = 0.10,
    list_only: bool = False,
) -> int:
    """Run the grid, write the stress report, print the claims that miss the target; 1 when any does."""
    from rich.console import Console

    from refcheck.registry import load_all
    from refcheck.runner import select
    from refcheck.versions import cpu_model, versions

    console = Console()
    cells = pick(grid(seeds), cells_named)
    if list_only:
        for cell in cells:
            env = " ".join(f"{k}={v}" for k, v in cell.env.items()) or "(no override)"
            console.print(f"{cell.name:28} {env:50} {' '.join(cell.args())}", soft_wrap=True, highlight=False)
        return 0
    select(load_all(), only)  # a pattern that matches nothing is a usage error before any process starts
    jobs = max(1, jobs or os.cpu_count() or 1)
    started = time.perf_counter()
    finished: list[tuple[Cell, dict[str, ClaimResult], dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="refcheck-stress-") as tmp:
        parallel = [c for c in cells if c.threads != "all"]
        alone = [c for c in cells if c.threads == "all"]  # all cores: run by itself
        with ThreadPoolExecutor(jobs) as pool:
            outcomes = list(pool.map(lambda c: run_cell(c, Path(tmp), only), parallel))
        outcomes += [run_cell(c, Path(tmp), only) for c in alone]
        for cell, path, seconds, crash in outcomes:
            if not path.exists():
                raise RuntimeError(f"stress cell {cell.name} wrote no report: {crash or 'see refcheck verify'}")
            rep = load(path)
            info = {"seconds": round(seconds, 1), "summary": rep.summary, "kernel": rep.kernel, "settings": rep.settings}
            finished.append((cell, {r.id: r for r in rep.results}, info))
            console.print(
                f"cell {cell.name:26} {rep.summary['passed']:3} passed {rep.summary['failed']:3} failed "
                f"{rep.summary['skipped']:3} skipped  {seconds:5.1f} s  ({rep.kernel.get('aten')} kernels, MKL {rep.kernel.get('mkl')})",
                highlight=False,
                soft_wrap=True,
            )
    order = {c.name: i for i, c in enumerate(cells)}
    finished.sort(key=lambda t: order[t[0].name])
    claims = summarize(finished, min_margin)
    vers = versions()
    data = {
        "schema": STRESS_SCHEMA,
        "kind": "stress",
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu": f"{cpu_model()} ({os.cpu_count()} cores)",
        "vendor": cpu_vendor(),
        "versions": vers,
        "min_margin_target": min_margin,
        "partial": bool(only or cells_named),  # a subset of claims or cells: not shown on the site
        "seconds": round(time.perf_counter() - started, 1),
        "jobs": jobs,
        "grid": [{**asdict(c), **info} for c, _, info in finished],
        "claims": claims,
    }
    path = out or default_out(vers, partial=bool(only or cells_named))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    bad = {cid: e for cid, e in claims.items() if e["problems"]}
    for cid, e in bad.items():
        for p in e["problems"]:
            console.print(f"[bold red]MISSES[/] {cid} (docs/{e['page']}): {p}", soft_wrap=True, highlight=False)
    margins = [(e["min_margin"], cid, e["min_margin_cell"]) for cid, e in claims.items() if e["min_margin"] is not None]
    low = min(margins) if margins else None
    total = len(claims) * len(finished)
    ok = sum(e["passed"] for e in claims.values())
    console.print(
        f"stress: {len(claims)} claims x {len(finished)} cells in {data['seconds']:.0f} s; "
        + (f"smallest margin {low[0]:.1%} ({low[1]}, cell {low[2]}); " if low else "")
        + f"report: {path}",
        soft_wrap=True,
        highlight=False,
    )
    console.print(f"stress: {ok} passed, {total - ok} failed", highlight=False)
    console.print(f"{len(claims) - len(bad)} claims meet the target, {len(bad)} miss it", highlight=False)
    return 1 if bad else 0


def load_stress(directory: Path) -> list[dict[str, Any]]:
    """Every readable stress report in ``directory`` (newest first)."""
    found = []
    for path in sorted(directory.glob("stress-*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if data.get("schema") == STRESS_SCHEMA and data.get("kind") == "stress":
            found.append(data)
    return sorted(found, key=lambda d: d.get("created", ""), reverse=True)
