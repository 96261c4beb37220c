"""Counts of what is verified (claims, snippets, pages, losses), for the README and the home page."""

from __future__ import annotations

import re
from pathlib import Path

from refcheck.report import Report

DOCS = Path(__file__).resolve().parent.parent / "docs"
START, END = "<!-- stats:start -->", "<!-- stats:end -->"


def snippet_count(docs: Path = DOCS) -> int:
    """Python blocks pytest-codeblocks runs (fences, less those continuing the previous block)."""
    from pytest_codeblocks.main import extract_from_file

    return sum(1 for page in docs.rglob("*.md") for b in extract_from_file(page) if b.syntax == "python")


def counts(docs: Path = DOCS) -> dict[str, int]:
    from refcheck.losses import CONTRACTS
    from refcheck.registry import load_all

    return {
        "claims": len(load_all()),
        "snippets": snippet_count(docs),
        "pages": len(list(docs.rglob("*.md"))),
        "losses": len(CONTRACTS),
    }


def readme_section(c: dict[str, int], report: Report | None, others: list[Report] | None = None, stress: dict | None = None) -> str:
    lines = [
        START,
        f"- **{c['claims']} claims** registered in `refcheck/claims/`, each shown on its page with its evidence.",
        f"- **{c['snippets']} Python snippets** on **{c['pages']} pages**, all executed; shown output compared.",
        f"- **{c['losses']} `torch.nn` losses** with an input contract probed against torch.",
    ]
    if report is not None:
        s, v = report.summary, report.versions
        lines.append(
            f"- Last report ({report.created[:10]}, {report.device['name']}, torch {v.get('torch')}, timm {v.get('timm')}): "
            f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped in {report.seconds:.0f} s."
        )
    from refcheck.torchenv import path_label

    for other in others or []:
        o = other.summary
        lines.append(
            f"- Same versions on a second CPU code path ({path_label(other.kernel)}): "
            f"{o['passed']} passed, {o['failed']} failed, {o['skipped']} skipped."
        )
    if stress is not None:
        from refcheck.stress import meeting_target

        meeting = meeting_target(stress)
        margins = [e["min_margin"] for e in stress["claims"].values() if e.get("min_margin") is not None]
        lines.append(
            f"- Stress run ({stress['created'][:10]}, {stress['cpu']}, torch {stress['versions'].get('torch')}): "
            f"{len(stress['grid'])} cells in {stress['seconds'] / 60:.1f} min; {meeting} of {len(stress['claims'])} claims pass "
            f"every cell with a margin of at least {stress['min_margin_target']:.0%}"
            + (f" (smallest margin {min(margins):.0%})." if margins else ".")
        )
    lines.append(END)
    return "\n".join(lines)


def update_readme(readme: Path, report: Report | None, others: list[Report] | None = None, stress: dict | None = None) -> bool:
    """Rewrite the stats section of the README; returns whether it changed."""
    text = readme.read_text()
    section = readme_section(counts(), report, others, stress)
    new = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    if new != text:
        readme.write_text(new)
    return new != text


def readme_counts(readme: Path) -> dict[str, int]:
    """The counts the README currently states."""
    text = readme.read_text()
    found = {}
    for key, pattern in {"claims": r"\*\*(\d+) claims\*\*", "snippets": r"\*\*(\d+) Python snippets\*\*", "pages": r"\*\*(\d+) pages\*\*", "losses": r"\*\*(\d+) `torch.nn` losses\*\*"}.items():
        m = re.search(pattern, text)
        found[key] = int(m.group(1)) if m else -1
    return found
