"""Rewrite README's "What is verified" counts from the repository and the newest CPU report."""

from pathlib import Path

from refcheck.report import load_all
from refcheck.stats import update_readme

ROOT = Path(__file__).resolve().parents[1]
reports = [r for r in load_all() if r.device["resolved"] == "cpu"]
changed = update_readme(ROOT / "README.md", reports[0] if reports else None)
print("README.md updated" if changed else "README.md already up to date")
