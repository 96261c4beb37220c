"""What the build knows: registered claims, the reports found, pinned versions, claims already shown."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from refcheck import report as report_mod
from refcheck.registry import Claim, load_all
from refcheck.report import ClaimResult, Report
from refcheck.torchenv import path_label
from refcheck.versions import pinned


@dataclass
class SiteState:
    claims: dict[str, Claim]
    reports: list[Report]
    pins: dict[str, str]
    docs_dir: Path
    shown: dict[str, str] = field(default_factory=dict)  # claim id -> page that shows it
    stress_reports: list[dict[str, Any]] = field(default_factory=list)  # newest first

    @classmethod
    def load(cls, docs_dir: Path, reports_dirs: list[Path] | None = None) -> SiteState:
        """Claims, every report and stress report in ``reports_dirs`` (newest first) and the pins."""
        from refcheck.stress import load_stress

        dirs = reports_dirs or [report_mod.report_dir()]
        reports = [r for d in dirs for r in report_mod.load_all(d)]
        stress = sorted((s for d in dirs for s in load_stress(d)), key=lambda s: s.get("created", ""), reverse=True)
        return cls(load_all(), sorted(reports, key=lambda r: r.created, reverse=True), pinned(), docs_dir, stress_reports=stress)

    @classmethod
    def for_project(cls, docs_dir: Path, root: Path | None = None, fresh: bool = False) -> SiteState:
        """The state of one build, shared by the MkDocs hook and the Markdown extension (one per docs dir;
        ``fresh=True`` reloads it, as each build of ``mkdocs serve`` must)."""
        docs_dir = Path(docs_dir).resolve()
        dirs = reports_dirs(root or docs_dir.parent)
        stamp = _reports_stamp(dirs)
        cached = _STATES.get(docs_dir)
        if fresh or cached is None or cached[1] != stamp:  # a builder that serves without reloading sees new reports
            _STATES[docs_dir] = (cls.load(docs_dir, dirs), stamp)
        return _STATES[docs_dir][0]

    @cached_property
    def pages(self) -> dict[str, str]:
        """Every Markdown page of the docs dir (path relative to it) and its text, read once per build."""
        if not self.docs_dir.is_dir():
            return {}
        return {p.relative_to(self.docs_dir).as_posix(): p.read_text(encoding="utf-8") for p in sorted(self.docs_dir.rglob("*.md"))}

    def title(self, page: str) -> str:
        """A page's first ``# `` heading, else its path."""
        m = re.search(r"^# (.+)$", self.pages.get(page, ""), re.MULTILINE)
        return m.group(1).strip() if m else page

    @cached_property
    def value_counts(self) -> dict[str, int]:
        """How many evidence values each page pins with ``<!-- value: ... -->`` markers."""
        from refcheck.site.markers import MarkerError
        from refcheck.site.values import find_values

        counts = {}
        for page, text in self.pages.items():
            try:
                counts[page] = len(find_values(text, f"docs/{page}"))
            except MarkerError:
                counts[page] = 0  # the page's own build reports the malformed marker
        return counts

    @property
    def primary(self) -> Report | None:
        """The report of record: the newest CPU run on the pinned torch on the CPU's own code path, else the
        newest such run on any code path, else the newest report."""
        pinned_cpu = [r for r in self.reports if r.device["resolved"] == "cpu" and r.versions.get("torch") == self.pins.get("torch")]
        for r in pinned_cpu:
            if r.native:
                return r
        return pinned_cpu[0] if pinned_cpu else (self.reports[0] if self.reports else None)

    @property
    def stress(self) -> dict[str, Any] | None:
        """The stress report of record: the newest full run on the pinned torch, else the newest full run."""
        full = [s for s in self.stress_reports if not s.get("partial")]
        for s in full:
            if s.get("versions", {}).get("torch") == self.pins.get("torch"):
                return s
        return full[0] if full else None

    def same_version_runs(self, same_device: bool = True) -> list[Report]:
        """Reports other than the record's on its torch (and timm, and device unless ``same_device=False``):
        other CPU code paths, or the same versions on another device."""
        record = self.primary
        if record is None:
            return []
        return [
            r for r in self.reports
            if r is not record and r.versions.get("torch") == record.versions.get("torch")
            and (not same_device or (r.device["resolved"] == record.device["resolved"] and r.versions.get("timm") == record.versions.get("timm")))
        ]

    def stress_entry(self, claim_id: str) -> dict[str, Any] | None:
        s = self.stress
        return s["claims"].get(claim_id) if s else None

    def results(self, claim_id: str) -> list[tuple[Report, ClaimResult]]:
        """This claim's result in every report, one per (device, torch, timm): the report of record first
        (it decides the badge), then the others newest first."""
        primary = self.primary
        seen, out = set(), []
        for r in sorted(self.reports, key=lambda r: r is not primary):
            key = (r.device["resolved"], r.versions.get("torch"), r.versions.get("timm"), path_label(r.kernel))
            if key in seen:
                continue
            for res in r.results:
                if res.id == claim_id:
                    seen.add(key)
                    out.append((r, res))
                    break
        return out


_STATES: dict[Path, tuple[SiteState, tuple]] = {}


def _reports_stamp(dirs: list[Path]) -> tuple:
    """Which report files exist and when each was written: a new verify run changes it."""
    return tuple((str(p), p.stat().st_mtime_ns) for d in dirs if d.is_dir() for p in sorted(d.glob("*.json")))


def reports_dirs(root: Path) -> list[Path]:
    """This machine's reports (``$REFCHECK_REPORTS`` or ``.refcheck/``) and the committed ones in ``reports/``
    (other devices and version combinations, e.g. from ``nox -s verify-matrix`` or a GPU run)."""
    return [Path(os.environ.get("REFCHECK_REPORTS") or root / ".refcheck"), root / "reports"]
