"""The MkDocs hook, exercised by real strict builds of a tiny site (demo claims only)."""

from refcheck.runner import verify

from support import build


def write_report(tmp_path, monkeypatch):
    monkeypatch.setenv("REFCHECK_CLAIM_MODULES", "fixtures.demo_claims")
    from refcheck.registry import load_all

    report = verify("cpu", claims=list(load_all().values()))
    reports = tmp_path / "reports"
    report.write(reports / report.default_name())
    return reports


def test_claims_render_with_status_evidence_and_versions(mini_site, tmp_path, monkeypatch):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n\n<!-- claim: demo.fails -->\n")
    proc = build(project, write_report(tmp_path, monkeypatch))
    assert proc.returncode == 0, proc.stderr
    html = (project / "site" / "index.html").read_text()
    assert 'id="claim-demo.passes"' in html and "Two plus two is four." in html
    assert "refcheck-claim refcheck-passed" in html and "refcheck-claim refcheck-failed" in html
    assert "torch 2." in html  # versions that verified it
    other = (project / "site" / "other" / "index.html").read_text()
    assert "refcheck-claim refcheck-skipped" in other and "refcheck_no_such_package" in other


def test_without_report_claims_say_not_verified(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n\n<!-- claim: demo.fails -->\n")
    proc = build(project)
    assert proc.returncode == 0, proc.stderr
    assert "not verified yet" in (project / "site" / "index.html").read_text()


def test_unknown_claim_id_fails_build_naming_file_line_and_suggestion(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.pases -->\n<!-- claim: demo.fails -->\n<!-- claim: demo.passes -->\n")
    proc = build(project)
    assert proc.returncode != 0
    assert "docs/index.md:3: unknown claim id 'demo.pases'; did you mean 'demo.passes'?" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_malformed_marker_fails_build_naming_file_and_line(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n\n<!-- claim demo.x -->\n")
    proc = build(project)
    assert proc.returncode != 0 and "docs/index.md:6: malformed marker" in proc.stderr


def test_claim_no_page_shows_fails_strict_build(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n")
    proc = build(project)
    assert proc.returncode != 0
    assert "claim 'demo.fails'" in proc.stderr and "shown on no page" in proc.stderr
    assert build(project, strict=False).returncode == 0


def test_claim_on_wrong_page_fails(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n<!-- claim: demo.skips -->\n", other="# Other\n")
    proc = build(project)
    assert proc.returncode != 0 and "registered for page 'other.md'" in proc.stderr


def test_footer_states_pinned_versions(mini_site):
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n")
    build(project)
    html = (project / "site" / "index.html").read_text()
    assert "Verified against torch 2.14.1" in html and "timm 1.0.31" in html


def test_other_versions_are_shown_with_their_differences(mini_site, tmp_path, monkeypatch):
    import json

    reports = write_report(tmp_path, monkeypatch)
    path = next(reports.glob("report-*.json"))
    old = json.loads(path.read_text())
    old["versions"]["torch"], old["versions"]["timm"] = "2.9.1", "1.0.22"
    old["created"] = "2099-01-01T00:00:00+00:00"  # newer than the report of record, which must still decide the badge
    for c in old["claims"]:
        if c["id"] == "demo.passes":
            c["evidence"], c["status"], c["reason"] = {"sum": 5}, "failed", "differs on old torch"
    (reports / "report-cpu-torch2.9.1.json").write_text(json.dumps(old))
    project = mini_site("# Home\n\n<!-- claim: demo.passes -->\n\n<!-- claim: demo.fails -->\n")
    proc = build(project, reports)
    assert proc.returncode == 0, proc.stderr
    html = (project / "site" / "index.html").read_text()
    assert "cpu · torch 2.9.1 · timm 1.0.22" in html
    assert "sum: 5 (here 4)" in html and "status failed (differs on old torch)" in html
    assert '<div class="refcheck-claim refcheck-passed" id="claim-demo.passes" data-status="passed">' in html


def test_links_are_relative_to_the_page_passed_and_tokens_wrap_only_at_separators():
    from refcheck.site.links import breakable, cell, page_link

    assert page_link("reference/claims.md", "training/batch-norm.md", "claim-x") == "../training/batch-norm.md#claim-x"
    assert page_link("index.md", "reference/claims.md") == "reference/claims.md"
    assert page_link("losses/index.md", "losses/index.md", "mseloss") == "#mseloss"
    assert breakable("bn.running_var-x/y") == "bn.<wbr>running&#95;<wbr>var-<wbr>x/<wbr>y"
    assert cell("a|b *c* _d_ <e>") == "a&#124;b &#42;c&#42; &#95;d&#95; &lt;e&gt;"


def test_every_directive_is_wired_by_its_function():
    from refcheck.losses import site as loss_site
    from refcheck.site import builtin
    from refcheck.site.directives import DIRECTIVES

    assert DIRECTIVES["ledger"] is builtin.ledger and DIRECTIVES["loss-cheatsheet"] is loss_site.cheatsheet
    assert all(callable(fn) and fn.__code__.co_varnames[:3] == ("arg", "state", "page") for fn in DIRECTIVES.values())


def test_figure_from_evidence_lacking_its_keys_says_so_instead_of_crashing():
    """A report written by an older check (e.g. a matrix report) may lack what today's plot reads."""
    from refcheck.registry import Claim
    from refcheck.site.render import figure_html

    def plot(evidence):
        return evidence["seeds"]  # raises KeyError on old evidence

    claim = Claim("demo.plotted", "index.md", "A plotted claim.", lambda ctx: {}, (), plot, (), None, None)
    out = figure_html(claim, {"final_loss": 0.1})
    assert "No plot" in out and "KeyError" in out and "refcheck verify --only demo.plotted" in out
