"""Lies are caught: mutants of real pages and claims, built in a temporary copy, must fail verification
with a message naming the page and line or the claim id. The real docs are never touched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TIMM_PAGE = "docs/features/timm-feature-extraction.md"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the project (package, docs, config) to mutate."""
    dst = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("refcheck", "docs", "requirements", "tests"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy2(ROOT / name, dst / name)
    return dst


def mutate(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old``; return its 1-based line number."""
    text = path.read_text()
    assert text.count(old) == 1, f"mutation anchor {old!r} must occur exactly once in {path}"
    path.write_text(text.replace(old, new))
    return text[: text.index(old)].count("\n") + 1


def run(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project), "REFCHECK_REPORTS": str(project / ".refcheck"), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, *args], cwd=project, capture_output=True, text=True, env=env, timeout=600)


def block_line(page: Path, contains: str) -> int:
    """Line of the ```python fence of the block whose code contains ``contains``."""
    lines = page.read_text().splitlines()
    hit = next(i for i, line in enumerate(lines) if contains in line)
    return max(i for i in range(hit) if lines[i].strip() == "```python") + 1


def test_wrong_expected_output_is_caught_naming_page_and_line(copy):
    page = copy / TIMM_PAGE
    mutate(page, "[(2, 512, 40, 40), (2, 2048, 40, 40)] meta", "[(2, 512, 41, 41), (2, 2048, 40, 40)] meta")
    line = block_line(page, "with torch.device('meta'):")
    proc = run(copy, "-m", "pytest", "-p", "no:cacheprovider", "--codeblocks", f"{TIMM_PAGE}::line {line}", "-q")
    assert proc.returncode == 1, proc.stdout
    assert f"timm-feature-extraction.md::line {line}" in proc.stdout and "Expected output" in proc.stdout


def test_snippet_that_raises_is_caught_naming_page_and_line(copy):
    page = copy / TIMM_PAGE
    mutate(page, "    o = m(torch.randn(2, 3, 320, 320))\nprint([tuple", "    o = m(torch.randn(2, 3, 320))\nprint([tuple")
    line = block_line(page, "with torch.device('meta'):")
    proc = run(copy, "-m", "pytest", "-p", "no:cacheprovider", "--codeblocks", f"{TIMM_PAGE}::line {line}", "-q")
    assert proc.returncode == 1, proc.stdout
    assert f"line {line}" in proc.stdout and re.search(r"(Error|expected|dimension)", proc.stdout)


def test_wrong_shape_in_a_claim_is_caught_naming_claim_and_page(copy):
    mutate(copy / "refcheck/claims/timm_features.py", '[2, 1024, 7, 7], "shape after reset_classifier', '[2, 1024, 8, 8], "shape after reset_classifier')
    proc = run(copy, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--only", "timm.densenet121.*")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED timm.densenet121.reset-classifier-unpooled (docs/features/timm-feature-extraction.md)" in proc.stdout
    assert "[2, 1024, 8, 8]" in proc.stdout and "[2, 1024, 7, 7]" in proc.stdout


def test_claim_marker_typo_fails_the_strict_build(copy):
    line = mutate(copy / TIMM_PAGE, "<!-- claim: timm.resnest26d.features-only -->", "<!-- claim: timm.resnest26d.feature-only -->")
    proc = run(copy, "-m", "mkdocs", "build", "--strict", "--site-dir", str(copy / "site"))
    assert proc.returncode != 0
    assert f"docs/features/timm-feature-extraction.md:{line}: unknown claim id 'timm.resnest26d.feature-only'" in proc.stderr


def test_wrong_dtype_rule_in_a_loss_contract_is_caught_naming_the_claim(copy):
    """Claim int32 class indices are accepted: the probe runs torch and the claim fails by loss name."""
    mutate(copy / "refcheck/losses/contracts.py", 'CLASS_IDS = Dt(("int64", "uint8"),', 'CLASS_IDS = Dt(("int64", "int32", "uint8"),')
    proc = run(copy, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--only", "losses.crossentropyloss.probe")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED losses.crossentropyloss.probe (docs/losses/index.md)" in proc.stdout
    assert "int32" in proc.stdout
