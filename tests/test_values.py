"""Inline evidence values: ``<!-- value: CLAIM_ID KEY [FORMAT] -->`` rendered from the report of record."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest

from refcheck.registry import Claim
from refcheck.report import ClaimResult, Report
from refcheck.site.extension import RefcheckExtension
from refcheck.site.markers import MarkerError
from refcheck.site.state import SiteState
from refcheck.site.values import find_values, format_value, resolve

from support import build

EVIDENCE = {"flattened_weights": 100352000, "ratio": 0.0123456789, "rows": [{"acc": 0.963}, {"acc": 0.926}], "target.squeeze(-1)": [3]}


def _report(status: str = "passed", evidence: dict | None = None, created: str = "2026-12-01T00:00:00+00:00") -> Report:
    result = ClaimResult("t.gap", "b.md", "s", status, 0.1, reason="" if status == "passed" else "why", evidence=evidence or dict(EVIDENCE))
    return Report({"requested": "cpu", "resolved": "cpu", "name": "CPU test"}, {"torch": "2.14.1", "timm": "1.0.31"}, [result], created, 1.0,
                  kernel={"aten": "avx2", "aten_env": "", "mkl": "native"})


def _state(*reports: Report) -> SiteState:
    claims = {"t.gap": Claim("t.gap", "b.md", "The GAP head has fewer weights.", lambda ctx: None)}
    return SiteState(claims, list(reports), {"torch": "2.14.1"}, Path("/nonexistent-docs"))


def render(text: str, state: SiteState, page: str = "a.md") -> str:
    return markdown.markdown(text, extensions=[RefcheckExtension(page=page, state=state)])


@pytest.mark.parametrize(
    ("key", "fmt", "shown"),
    [
        ("flattened_weights", ",", "100,352,000"),
        ("flattened_weights", ":,", "100,352,000"),
        ("ratio", ".3f", "0.012"),
        ("ratio", ".1%", "1.2%"),
        ("ratio", ".1e", "1.2e-02"),
        ("ratio", "", "0.0123457"),
        ("rows.1.acc", ".3f", "0.926"),
        ("target.squeeze(-1).0", "", "3"),
    ],
)
def test_value_is_formatted_from_the_evidence_and_links_to_the_claim(key, fmt, shown):
    html = render(f"The head has <!-- value: t.gap {key} {fmt} --> weights.", _state(_report()))
    assert f'<a href="b.md#claim-t.gap">{shown}</a></span> weights.' in html and 'class="refcheck-value refcheck-passed"' in html
    assert f"t.gap · {key} · passed · cpu" in html and "torch 2.14.1" in html  # the hover names claim, key, device, versions


@pytest.mark.parametrize(("status", "text"), [("failed", "✘ claim failed"), ("skipped", "– claim skipped")])
def test_value_of_a_failed_or_skipped_claim_shows_that_not_a_number(status, text):
    html = render("It has <!-- value: t.gap flattened_weights , --> weights.", _state(_report(status, evidence={})))
    assert f"refcheck-{status}" in html and text in html and "100,352,000" not in html


def test_value_of_a_claim_missing_from_the_reports_says_not_verified():
    html = render("It has <!-- value: t.gap flattened_weights , --> weights.", _state())
    assert "? not verified yet" in html and "refcheck-unverified" in html


def test_changing_the_evidence_in_the_report_changes_the_page():
    page = "It has <!-- value: t.gap flattened_weights , --> weights."
    before = render(page, _state(_report()))
    after = render(page, _state(_report(evidence={**EVIDENCE, "flattened_weights": 1234567})))
    assert "100,352,000" in before and "1,234,567" in after and "100,352,000" not in after


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("<!-- value: t.gpa flattened_weights -->", "names no registered claim 't.gpa'; did you mean 't.gap'?"),
        ("<!-- value: t.gap flat -->", "no key 'flat' in the evidence; valid: 'flattened_weights', 'ratio', 'rows', 'target.squeeze(-1)'"),
        ("<!-- value: t.gap rows.5.acc -->", "'5' is no index of rows (a list of 2); valid: 0 to 1"),
        ("<!-- value: t.gap rows.0.acc d -->", "format 'd' does not apply to 0.963 (float)"),
        ("<!-- value: t.gap -->", "malformed value marker"),
        ("<!-- value t.gap ratio -->", "malformed value marker"),
    ],
)
def test_bad_marker_is_one_error_naming_page_line_and_what_is_valid(marker, message):
    with pytest.raises(MarkerError) as exc:
        render(f"# A\n\nText {marker} here.\n", _state(_report()))
    assert str(exc.value).startswith("docs/a.md:3: ") and message in str(exc.value)


def test_markers_in_code_are_left_alone():
    text = "Write `<!-- value: t.gap nokey -->` inline.\n\n```text\n<!-- value: t.gap nokey -->\n```\n"
    assert find_values(text, "docs/a.md") == []
    assert "nokey" in render(text, _state(_report()))


def test_resolve_prefers_whole_keys_with_dots_and_format_errors_name_the_value():
    assert resolve({"a.b": 1, "a": {"b": 2}}, "a.b") == 1
    assert resolve({"a": {"b": [5, 6]}}, "a.b.1") == 6
    with pytest.raises(ValueError, match="format ',' does not apply to 'x' \\(str\\)"):
        format_value("x", ",")


def test_strict_build_fails_on_a_key_absent_from_a_passed_claim(mini_site, tmp_path):
    from refcheck.report import Report as R

    result = ClaimResult("demo.passes", "index.md", "s", "passed", 0.1, evidence={"sum": 4})
    report = R({"requested": "cpu", "resolved": "cpu", "name": "CPU"}, {"torch": "2.14.1", "timm": "1.0.31"}, [result],
               "2026-12-01T00:00:00+00:00", 1.0, kernel={"aten": "avx2", "aten_env": "", "mkl": "native"})
    reports = tmp_path / "reports"
    report.write(reports / report.default_name())
    good = ("# Home\n\nTwo and two make <!-- value: demo.passes sum -->.\n\nOn the other page: <!-- value: demo.skips x -->.\n\n"
            "<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n")
    project = mini_site(good)
    proc = build(project, reports)
    assert proc.returncode == 0, proc.stderr
    page = (project / "site" / "index.html").read_text()
    assert '<a href="#claim-demo.passes">4</a></span>.' in page
    assert '<a href="other/#claim-demo.skips">? not verified yet</a>' in page  # the builder's address of the other page
    written = next(reports.glob("report-*.json"))  # the same fixture report with other evidence: the page follows it
    written.write_text(written.read_text().replace('"sum": 4', '"sum": 5'))
    assert build(project, reports).returncode == 0
    assert '<a href="#claim-demo.passes">5</a></span>.' in (project / "site" / "index.html").read_text()
    (project / "docs" / "index.md").write_text(good.replace("demo.passes sum", "demo.passes total"))
    proc = build(project, reports)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "docs/index.md:3: value marker '<!-- value: demo.passes total -->': no key 'total' in the evidence; valid: 'sum'" in proc.stderr


def test_a_page_rendered_again_renders_the_same_and_a_claim_twice_on_a_page_is_an_error():
    from refcheck.site.expand import expand_page

    claims = {"t.gap": Claim("t.gap", "a.md", "s", lambda ctx: None)}
    state = SiteState(claims, [], {"torch": "2.14.1"}, Path("/nonexistent-docs"))
    first = expand_page("# A\n\n<!-- claim: t.gap -->\n", "a.md", state)
    assert expand_page("# A\n\nNew text above.\n\n<!-- claim: t.gap -->\n", "a.md", state).count('id="claim-t.gap"') == 1 == first.count('id="claim-t.gap"')
    with pytest.raises(MarkerError, match=r"docs/a.md:4: claim 't.gap' is already shown at docs/a.md:3"):
        expand_page("# A\n\n<!-- claim: t.gap -->\n<!-- claim: t.gap -->\n", "a.md", state)


def test_the_shared_state_is_reloaded_when_a_report_changes(tmp_path, monkeypatch):
    """A builder that serves without reloading its config (Zensical) still shows the newest reports."""
    import os

    monkeypatch.delenv("REFCHECK_REPORTS", raising=False)
    (tmp_path / "docs").mkdir()
    report = _report()
    path = report.write(tmp_path / ".refcheck" / report.default_name())
    first = SiteState.for_project(tmp_path / "docs")
    assert SiteState.for_project(tmp_path / "docs") is first and len(first.reports) == 1
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert SiteState.for_project(tmp_path / "docs") is not first
