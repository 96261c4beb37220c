"""The verification status is derived from the reports, everywhere: the home box, the footer, the ledger.
A failed claim turns the box red, links the claim, and never stops the site from building or serving."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from refcheck.registry import Claim
from refcheck.report import ClaimResult, Report
from refcheck.site.builtin import footer_text, home_summary, overall_level, status_overview
from refcheck.site.state import SiteState

from support import ROOT, build

HOME = "# Home\n\n<!-- refcheck: home-summary -->\n\n<!-- claim: demo.passes -->\n\n<!-- claim: demo.fails -->\n"


def _claim(cid: str, page: str = "a.md") -> Claim:
    return Claim(cid, page, f"statement {cid}", lambda ctx: None)


def _report(statuses: dict[str, str], kernel: dict | None = None, created: str = "2026-12-01T00:00:00+00:00", parts=None) -> Report:
    results = [
        ClaimResult(cid, "a.md", "s", st, 0.1, reason="" if st == "passed" else f"why {cid}", skipped_parts=(parts or {}).get(cid, []))
        for cid, st in statuses.items()
    ]
    return Report({"requested": "cpu", "resolved": "cpu", "name": "CPU test"}, {"torch": "2.14.1", "timm": "1.0.31"}, results,
                  created, 1.0, kernel=kernel or {"aten": "avx512", "aten_env": "", "mkl": "native"})


def _state(*reports: Report, stress: list | None = None) -> SiteState:
    claims = {c: _claim(c) for c in ("t.a", "t.b", "t.c")}
    state = SiteState(claims, sorted(reports, key=lambda r: r.created, reverse=True), {"torch": "2.14.1"}, Path("docs"),
                      stress_reports=stress or [])
    return state


@pytest.mark.parametrize(
    ("statuses", "level"),
    [
        ({"t.a": "passed", "t.b": "passed", "t.c": "passed"}, "success"),
        ({"t.a": "passed", "t.b": "skipped", "t.c": "passed"}, "warning"),
        ({"t.a": "failed", "t.b": "skipped", "t.c": "passed"}, "failure"),
    ],
)
def test_home_box_level_follows_the_report_of_record(statuses, level):
    state = _state(_report(statuses))
    box = home_summary("", state, "index.md")
    assert box.startswith(f"!!! {level} ")
    for cid, st in statuses.items():
        if st != "passed":
            assert f"[`{cid}`](a.md#claim-{cid})" in box and f"why {cid}" in box


def test_a_pass_with_a_skipped_part_is_a_warning_not_a_success():
    state = _state(_report({"t.a": "passed", "t.b": "passed", "t.c": "passed"}, parts={"t.b": ["keras part: no keras"]}))
    assert overall_level(status_overview(state)) == "warning"
    assert "Partly verified" in home_summary("", state, "index.md")


def test_failure_on_the_second_code_path_is_a_failure_even_when_the_native_run_passed():
    native = _report({"t.a": "passed", "t.b": "passed", "t.c": "passed"})
    other = _report({"t.a": "passed", "t.b": "failed", "t.c": "passed"}, kernel={"aten": "default", "aten_env": "default", "mkl": "COMPATIBLE"},
                    created="2026-12-01T00:00:05+00:00")
    state = _state(native, other)
    assert state.primary is native  # the newest run is on an overridden path; the record is the native one
    box = home_summary("", state, "index.md")
    assert box.startswith("!!! failure") and "Failed on another code path" in box and "default kernels, MKL COMPATIBLE" in box


def test_stress_problems_make_a_warning():
    stress = [{"kind": "stress", "created": "2026-12-01", "cpu": "X", "versions": {"torch": "2.14.1"}, "grid": [{}] * 3,
               "min_margin_target": 0.1, "claims": {"t.a": {"problems": ["margin 4.0% in cell avx2 is under 10%"]}, "t.b": {"problems": []}}}]
    state = _state(_report({"t.a": "passed", "t.b": "passed", "t.c": "passed"}), stress=stress)
    box = home_summary("", state, "index.md")
    assert box.startswith("!!! warning") and "Missing the stress target" in box and "1 of 2 claims pass every cell" in box


def test_footer_counts_come_from_the_report():
    assert "1 failed, 1 skipped" in footer_text(_state(_report({"t.a": "failed", "t.b": "skipped", "t.c": "passed"})))
    assert footer_text(_state()).startswith("not verified yet")


def test_no_status_text_is_hard_coded_in_the_pages():
    for page in (ROOT / "docs").rglob("*.md"):
        text = page.read_text()
        assert "!!! success" not in text and "claims passed" not in text, page


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_failed_claim_shows_a_failure_box_and_the_site_still_builds_and_serves(mini_site, demo_verify):
    project = mini_site(HOME)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("markdown_extensions:\n", "markdown_extensions:\n  - admonition\n"))  # as in the real site
    (project / "docs" / "reference").mkdir()
    (project / "docs" / "reference" / "claims.md").write_text("# Ledger\n\n<!-- refcheck: ledger -->\n")
    verify, reports = demo_verify  # verify --device cpu --quiet on the demo claims (conftest), run once per session
    env = {"REFCHECK_CLAIM_MODULES": "fixtures.demo_claims", "REFCHECK_REPORTS": str(reports),
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
    assert verify.returncode == 1 and "FAILED demo.fails (docs/index.md)" in verify.stdout

    built = build(project, reports)
    assert built.returncode == 0, built.stderr
    assert "refcheck: claim demo.fails FAILED (docs/index.md)" in built.stderr  # named in the terminal
    home = (project / "site" / "index.html").read_text()
    assert 'class="admonition failure"' in home and 'href="#claim-demo.fails"' in home
    assert "refcheck-claim refcheck-failed" in home and "1 failed" in home
    ledger = (project / "site" / "reference" / "claims" / "index.html").read_text()
    assert "<strong>Failed</strong> (1)" in ledger and "<strong>Skipped</strong> (1)" in ledger

    port = _free_port()
    serve_env = {**os.environ, **env, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}", "--no-livereload"],
                              cwd=project, env=serve_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = ""
        for _ in range(120):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.25)
        assert 'class="admonition failure"' in page, "mkdocs serve did not serve the home page with its failure box"
    finally:
        server.terminate()
        server.wait(timeout=20)
