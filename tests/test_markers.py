import pytest
from hypothesis import given
from hypothesis import strategies as st

from refcheck.site.markers import MarkerError, find_markers


def test_finds_claims_and_directives_with_lines():
    text = "# T\n\n<!-- claim: a.b -->\ntext\n<!-- refcheck: ledger reference/x.md -->\n"
    ms = find_markers(text, "docs/t.md", ("ledger",))
    assert [(m.line, m.kind, m.name, m.arg) for m in ms] == [(3, "claim", "a.b", ""), (5, "directive", "ledger", "reference/x.md")]


@pytest.mark.parametrize(
    "line",
    [
        "<!-- claim a.b -->",
        "<!-- claim: -->",
        "<!-- claim: Bad.Id -->",
        "<!-- claim: nodot -->",
        "<!-- claim: a.b",
        "text <!-- claim: a.b --> text",
        "<!-- refcheck: -->",
        "<!--claim:a.b c.d-->",
    ],
)
def test_malformed_marker_names_file_and_line(line):
    with pytest.raises(MarkerError, match=r"docs/p\.md:3: "):
        find_markers(f"# P\n\n{line}\n", "docs/p.md")


def test_unknown_directive_lists_valid_ones():
    with pytest.raises(MarkerError, match="unknown directive 'nope'; valid: ledger, versions"):
        find_markers("<!-- refcheck: nope -->\n", "docs/p.md", ("versions", "ledger"))


def test_markers_in_code_fences_and_code_spans_are_ignored():
    text = "```markdown\n<!-- claim broken -->\n```\n\nWrite `<!-- claim: ID -->` on its own line.\n~~~\n<!-- claim: x -->\n~~~\n"
    assert find_markers(text, "docs/p.md") == []


@given(st.text(max_size=80))
def test_arbitrary_lines_never_crash(line):
    """Any text either yields valid markers or a MarkerError naming the file: never another exception."""
    try:
        for m in find_markers(line, "docs/f.md", ("ledger",)):
            assert m.kind in ("claim", "directive")
    except MarkerError as exc:
        assert str(exc).startswith("docs/f.md:")


marker_lines = st.one_of(
    st.text(max_size=60),
    st.builds(lambda s: f"<!-- claim: {s} -->", st.text(max_size=30)),
    st.builds(lambda s: f"<!-- refcheck: {s} -->", st.text(max_size=30)),
    st.builds(lambda s: f"<!--{s}", st.sampled_from(["claim", "claim:", " claim: demo.passes", "refcheck", " refcheck: ledger"])),
    st.builds(lambda s: f"x <!-- value: {s} --> y", st.text(max_size=40)),
    st.builds(lambda s: f"x <!--{s}", st.sampled_from(["value", "value:", " value: demo.passes sum", " value: demo.passes sum ,", " value: demo.pases sum"])),
)


@given(line=marker_lines)
def test_hook_expand_gives_html_or_an_error_naming_file_and_line(line):
    """The page expansion on arbitrary marker lines: expanded text, or a MarkerError with docs/file:line."""
    import os
    from pathlib import Path

    from refcheck.site.expand import expand_page
    from refcheck.site.state import SiteState

    os.environ["REFCHECK_CLAIM_MODULES"] = "fixtures.demo_claims"
    try:
        state = SiteState.load(Path("docs"), [Path("/nonexistent")])
    finally:
        del os.environ["REFCHECK_CLAIM_MODULES"]
    try:
        out = expand_page(f"# Page\n\n{line}\n", "index.md", state)
        assert isinstance(out, str)
    except MarkerError as exc:
        assert str(exc).startswith("docs/index.md:3: ")
