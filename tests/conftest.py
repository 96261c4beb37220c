"""Shared helpers for refcheck's own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "refcheck" / "site" / "mkdocs_hook.py"


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m refcheck.cli ARGS`` in a subprocess and capture its output."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "refcheck.cli", *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=300)


def assert_clean_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    """A user mistake: the given exit code, one line on stderr, no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def mini_site(tmp_path: Path):
    """A two-page MkDocs project wired to refcheck's hook, using the demo claims only."""

    def make(index: str, other: str = "# Other\n\n<!-- claim: demo.skips -->\n") -> Path:
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "index.md").write_text(index)
        (docs / "other.md").write_text(other)
        (tmp_path / "mkdocs.yml").write_text(
            "site_name: mini\ntheme:\n  name: material\n  font: false\n"
            f"hooks:\n  - {HOOK}\nnav:\n  - index.md\n  - other.md\n"
        )
        return tmp_path

    return make


def build(project: Path, reports: Path | None = None, strict: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "REFCHECK_CLAIM_MODULES": "fixtures.demo_claims",
        "REFCHECK_REPORTS": str(reports or project / "no-reports"),
        "NO_MKDOCS_2_WARNING": "1",
    }
    cmd = [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(project / "site")] + (["--strict"] if strict else [])
    return subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=300)
