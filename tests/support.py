"""Helpers shared by refcheck's tests (imported as ``support``; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "refcheck" / "site" / "mkdocs_hook.py"
# Plugins a pytest run over doc pages does without: the cache, and hypothesis' (it imports hypothesis, ~1.5 s of CPU).
QUIET_PLUGINS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


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
