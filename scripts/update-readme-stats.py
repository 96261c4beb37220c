"""Rewrite README's "What is verified" section from the repository, the reports and the stress run.

The figures are those the site shows: the report of record (this CPU's own code path, pinned
versions), the runs of the same versions on other code paths, and the committed stress report.
"""

from pathlib import Path

from refcheck.report import REPO_ROOT, report_dir
from refcheck.site.state import SiteState
from refcheck.stats import update_readme

ROOT = Path(__file__).resolve().parents[1]
state = SiteState.load(ROOT / "docs", [report_dir(), REPO_ROOT / "reports"])
others = [r for r in state.same_version_runs() if not r.native][:1]
changed = update_readme(ROOT / "README.md", state.primary, others, state.stress)
print("README.md updated" if changed else "README.md already up to date")
