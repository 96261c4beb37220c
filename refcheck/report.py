"""The verification report: one JSON file per (device, torch version) run, and how the site reads them."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 2
READABLE = (1, 2)  # schema 1 lacks margins, kernel path and settings; those read as unknown
REPO_ROOT = Path(__file__).resolve().parent.parent


def report_dir() -> Path:
    """Where reports live: ``$REFCHECK_REPORTS`` or ``.refcheck/`` at the repository root."""
    return Path(os.environ.get("REFCHECK_REPORTS") or REPO_ROOT / ".refcheck")


@dataclass
class ClaimResult:
    id: str
    page: str
    says: str
    status: str  # passed | failed | skipped
    seconds: float
    evidence: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""  # why it failed or was skipped
    version_note: str = ""
    margin: float | None = None  # smallest relative margin of its thresholded checks
    skipped_parts: list[str] = field(default_factory=list)  # parts that could not run here, with why


@dataclass
class Report:
    device: dict[str, str]
    versions: dict[str, Any]
    results: list[ClaimResult]
    created: str
    seconds: float
    seed: int = 0
    kernel: dict[str, str] = field(default_factory=dict)  # CPU code path: ATen kernels, MKL path
    settings: dict[str, Any] = field(default_factory=dict)  # threads, deterministic algorithms, jobs
    setup: dict[str, Any] = field(default_factory=dict)  # modules imported before the first claim, and their seconds
    schema: int = SCHEMA

    @property
    def summary(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            counts[r.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["summary"] = self.summary
        data["claims"] = data.pop("results")
        return data

    @property
    def native(self) -> bool:
        """Whether the run used the CPU's own code path (or is not a CPU run)."""
        from refcheck.torchenv import is_native

        return is_native(self.kernel)

    def default_name(self) -> str:
        path = "" if self.native else f"-{self.kernel.get('aten')}-mkl{self.kernel.get('mkl', 'native').lower()}"
        return f"report-{self.device['resolved']}{path}-torch{self.versions.get('torch')}.json"

    def write(self, path: Path | None = None) -> Path:
        path = path or report_dir() / self.default_name()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n")
        return path


def load(path: Path) -> Report:
    data = json.loads(Path(path).read_text())
    if data.get("schema") not in READABLE:
        raise ValueError(f"{path}: report schema {data.get('schema')!r}, expected one of {READABLE}")
    results = [ClaimResult(**c) for c in data["claims"]]
    return Report(
        data["device"], data["versions"], results, data["created"], data["seconds"], data.get("seed", 0),
        data.get("kernel", {}), data.get("settings", {}), data.get("setup", {}),
    )


def load_all(directory: Path | None = None) -> list[Report]:
    """Every readable report in the directory, newest first."""
    directory = directory or report_dir()
    reports = []
    for path in sorted(directory.glob("report-*.json")) if directory.is_dir() else []:
        try:
            reports.append(load(path))
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            continue
    return sorted(reports, key=lambda r: r.created, reverse=True)
