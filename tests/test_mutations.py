"""Lies are caught: mutants of real pages and claims, built in a temporary copy, must fail verification
with a message naming the page and line or the claim id. The real docs are never touched."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from support import QUIET_PLUGINS

ROOT = Path(__file__).resolve().parents[1]
TIMM_PAGE = "docs/features/timm-feature-extraction.md"


def copy_project(dst: Path) -> Path:
    """A copy of the project (package, docs, config) to mutate."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("refcheck", "docs", "requirements", "tests"):
        shutil.copytree(ROOT / name, dst / name, ignore=ignore)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy2(ROOT / name, dst / name)
    return dst


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


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


# The snippet mutants run in one pytest process and the claim mutants in one verify run (one torch import
# each, not one per mutant). Each mutant sits in its own page or claim, and each test reads only its own
# verdict: the JUnit record of its page's block, the FAILED line of its claim.
RAISES_PAGE = "docs/features/timm-feature-extraction-raises.md"  # the real page, mutated another way


class SnippetRun:
    def __init__(self, proc: subprocess.CompletedProcess, junit: Path):
        self.proc = proc
        self.cases = {}
        for case in ElementTree.parse(junit).getroot().iter("testcase"):
            failure = case.find("failure")
            text = "" if failure is None else (failure.get("message") or "") + (failure.text or "")
            self.cases[(case.get("classname", ""), case.get("name", ""))] = (failure is not None, text)

    def failure(self, page: str, line: int) -> str:
        """The failure text of the block at ``page``'s ``line`` (it must have run and failed)."""
        classname = page.removesuffix(".md").replace("/", ".") + ".md"
        assert (classname, f"line {line}") in self.cases, (self.cases.keys(), self.proc.stdout)
        failed, text = self.cases[(classname, f"line {line}")]
        assert failed, f"{page}::line {line} passed"
        return text


@pytest.fixture(scope="module")
def snippet_mutants(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("snippets") / "project")
    page = project / TIMM_PAGE
    original = page.read_text()
    (project / RAISES_PAGE).write_text(original)
    mutate(page, "[(2, 512, 40, 40), (2, 2048, 40, 40)] meta", "[(2, 512, 41, 41), (2, 2048, 40, 40)] meta")
    mutate(project / RAISES_PAGE, "    o = m(torch.randn(2, 3, 320, 320))\nprint([tuple", "    o = m(torch.randn(2, 3, 320))\nprint([tuple")
    lines = {p: block_line(project / p, "with torch.device('meta'):") for p in (TIMM_PAGE, RAISES_PAGE)}
    junit = project / "junit.xml"
    targets = [f"{p}::line {line}" for p, line in lines.items()]
    proc = run(project, "-m", "pytest", *QUIET_PLUGINS, "--codeblocks", *targets, "-q", f"--junitxml={junit}")
    assert "2 failed" in proc.stdout, proc.stdout + proc.stderr
    return SnippetRun(proc, junit), lines


def test_wrong_expected_output_is_caught_naming_page_and_line(snippet_mutants):
    run_, lines = snippet_mutants
    line = lines[TIMM_PAGE]
    assert run_.proc.returncode == 1, run_.proc.stdout
    assert f"timm-feature-extraction.md::line {line}" in run_.proc.stdout
    assert "Expected output" in run_.failure(TIMM_PAGE, line)


def test_snippet_that_raises_is_caught_naming_page_and_line(snippet_mutants):
    run_, lines = snippet_mutants
    line = lines[RAISES_PAGE]
    assert run_.proc.returncode == 1, run_.proc.stdout
    assert f"timm-feature-extraction-raises.md::line {line}" in run_.proc.stdout
    assert re.search(r"(Error|expected|dimension)", run_.failure(RAISES_PAGE, line))


@pytest.fixture(scope="module")
def claim_mutants(tmp_path_factory) -> subprocess.CompletedProcess:
    project = copy_project(tmp_path_factory.mktemp("claims") / "project")
    mutate(project / "refcheck/claims/timm_features.py", '[2, 1024, 7, 7], "shape after reset_classifier', '[2, 1024, 8, 8], "shape after reset_classifier')
    # claim int32 class indices are accepted: the probe runs torch and the claim fails by loss name
    mutate(project / "refcheck/losses/contracts.py", 'CLASS_IDS = Dt(("int64", "uint8"),', 'CLASS_IDS = Dt(("int64", "int32", "uint8"),')
    return run(project, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--only", "timm.densenet121.*",
               "--only", "losses.crossentropyloss.probe")


def failed_line(proc: subprocess.CompletedProcess, claim_id: str) -> str:
    """The FAILED paragraph of one claim (up to the next FAILED line or the summary)."""
    text = proc.stdout
    start = text.find(f"FAILED {claim_id} ")
    assert start >= 0, proc.stdout + proc.stderr
    ends = [i for i in (text.find("\nFAILED ", start), text.find(" passed, ", start)) if i >= 0]
    return text[start : min(ends)]


def test_wrong_shape_in_a_claim_is_caught_naming_claim_and_page(claim_mutants):
    assert claim_mutants.returncode == 1, claim_mutants.stdout + claim_mutants.stderr
    own = failed_line(claim_mutants, "timm.densenet121.reset-classifier-unpooled")
    assert own.startswith("FAILED timm.densenet121.reset-classifier-unpooled (docs/features/timm-feature-extraction.md)")
    assert "[2, 1024, 8, 8]" in own and "[2, 1024, 7, 7]" in own


def test_claim_marker_typo_fails_the_strict_build(copy):
    line = mutate(copy / TIMM_PAGE, "<!-- claim: timm.resnest26d.features-only -->", "<!-- claim: timm.resnest26d.feature-only -->")
    proc = run(copy, "-m", "mkdocs", "build", "--strict", "--site-dir", str(copy / "site"))
    assert proc.returncode != 0
    assert f"docs/features/timm-feature-extraction.md:{line}: unknown claim id 'timm.resnest26d.feature-only'" in proc.stderr


def test_wrong_dtype_rule_in_a_loss_contract_is_caught_naming_the_claim(claim_mutants):
    """Claim int32 class indices are accepted: the probe runs torch and the claim fails by loss name."""
    assert claim_mutants.returncode == 1, claim_mutants.stdout + claim_mutants.stderr
    own = failed_line(claim_mutants, "losses.crossentropyloss.probe")
    assert own.startswith("FAILED losses.crossentropyloss.probe (docs/losses/index.md)")
    assert "int32" in own
