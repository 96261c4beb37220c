"""What the build knows: registered claims, the reports found, pinned versions, claims already shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from refcheck import report as report_mod
from refcheck.registry import Claim, load_all
from refcheck.report import ClaimResult, Report
from refcheck.versions import pinned


@dataclass
class SiteState:
    claims: dict[str, Claim]
    reports: list[Report]
    pins: dict[str, str]
    docs_dir: Path
    shown: dict[str, str] = field(default_factory=dict)  # claim id -> page that shows it
    page: str = ""  # src path (relative to docs/) of the page being built

    @classmethod
    def load(cls, docs_dir: Path, reports_dirs: list[Path] | None = None) -> SiteState:
        """Claims, every report in ``reports_dirs`` (newest first) and the pins."""
        reports = [r for d in (reports_dirs or [None]) for r in report_mod.load_all(d)]
        return cls(load_all(), sorted(reports, key=lambda r: r.created, reverse=True), pinned(), docs_dir)

    @property
    def primary(self) -> Report | None:
        """The report of record: newest CPU run on the pinned torch, else the newest report."""
        for r in self.reports:
            if r.device["resolved"] == "cpu" and r.versions.get("torch") == self.pins.get("torch"):
                return r
        return self.reports[0] if self.reports else None

    def results(self, claim_id: str) -> list[tuple[Report, ClaimResult]]:
        """This claim's result in every report, one per (device, torch, timm): the report of record first
        (it decides the badge), then the others newest first."""
        primary = self.primary
        seen, out = set(), []
        for r in sorted(self.reports, key=lambda r: r is not primary):
            key = (r.device["resolved"], r.versions.get("torch"), r.versions.get("timm"))
            if key in seen:
                continue
            for res in r.results:
                if res.id == claim_id:
                    seen.add(key)
                    out.append((r, res))
                    break
        return out
