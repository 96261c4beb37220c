"""Zensical builds a site from the same mkdocs.yml: refcheck's Markdown extensions expand claims, values and
math there too (Zensical ignores MkDocs hooks), and a bad marker stops its build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

ZENSICAL = Path(os.environ.get("REFCHECK_ZENSICAL") or Path(sys.executable).parent / "zensical")
INDEX = "# Home\n\nTwo and two make <!-- value: demo.passes sum -->; $x^2$.\n\n<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n"


def zensical_build(project: Path) -> subprocess.CompletedProcess:
    if not ZENSICAL.exists():
        pytest.fail(f"zensical not found at {ZENSICAL}: pip install -r requirements/verified.txt (or set REFCHECK_ZENSICAL)")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("markdown_extensions:\n", "markdown_extensions:\n  - refcheck.site.math\n"))
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}", "REFCHECK_CLAIM_MODULES": "fixtures.demo_claims",
           "REFCHECK_REPORTS": str(project / "reports")}
    return subprocess.run([str(ZENSICAL), "build", "--clean"], cwd=project, capture_output=True, text=True, env=env, timeout=120)


def test_zensical_expands_claims_values_and_math(mini_site):
    from refcheck.report import ClaimResult, Report

    project = mini_site(INDEX)
    result = ClaimResult("demo.passes", "index.md", "s", "passed", 0.1, evidence={"sum": 4})
    report = Report({"requested": "cpu", "resolved": "cpu", "name": "CPU"}, {"torch": "2.14.1", "timm": "1.0.31"}, [result],
                    "2026-12-01T00:00:00+00:00", 1.0, kernel={"aten": "avx2", "aten_env": "", "mkl": "native"})
    report.write(project / "reports" / report.default_name())
    proc = zensical_build(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    html = (project / "site" / "index.html").read_text()
    assert 'id="claim-demo.passes"' in html and "refcheck-claim refcheck-passed" in html
    assert 'class="refcheck-value refcheck-passed"' in html and ">4</a></span>;" in html
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert "<!-- claim:" not in html and "<!-- value:" not in html


def test_zensical_stops_on_a_marker_naming_no_claim(mini_site):
    proc = zensical_build(mini_site(INDEX.replace("demo.passes sum", "demo.pases sum")))
    assert proc.returncode != 0
    assert "docs/index.md:3: value marker '<!-- value: demo.pases sum -->': names no registered claim 'demo.pases'" in proc.stdout + proc.stderr
