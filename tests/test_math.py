"""Math on the pages: LaTeX written as $...$ or $$...$$ becomes MathML at build time (refcheck.site.math)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from refcheck.site.math import MathError, MathExtension

ROOT = Path(__file__).resolve().parents[1]


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", MathExtension()])


def test_inline_and_display_math_become_mathml():
    html = render("BN: $\\hat{x} = \\frac{x - \\mu_c}{\\sqrt{\\sigma_c^2 + \\epsilon}}$ per channel.\n\n$$\n\\lceil N / B \\rceil\n$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html and "<mfrac>" in html and "<msqrt>" in html
    assert 'display="block"' in html and "&#x02308;" in html  # the ceiling bracket
    assert "<em>" not in html and "$" not in html  # subscripts were not taken for emphasis; no dollar left


@pytest.mark.parametrize("text", ["costs $5 and $10 today", "a `$x$` code span", "an escaped \\$x$ dollar", "ends with $"])
def test_dollars_that_are_not_math_stay_text(text):
    assert "<math" not in render(text)


def test_math_in_a_table_cell():
    html = render("| a | b |\n|---|---|\n| $\\frac{1}{\\mathrm{fan_{in}}}$ | x |\n")
    assert re.search(r"<td><math [^>]*><mrow><mfrac>", html)


@pytest.mark.parametrize(("formula", "why"), [("x^", "MissingSuperScriptOrSubscriptError"), ("\\fracc{1}{2}", "unknown command \\fracc")])
def test_unreadable_latex_is_an_error_quoting_the_formula(formula, why):
    with pytest.raises(MathError) as exc:
        render(f"bad ${formula}$ here")
    assert str(exc.value) == f"cannot read the LaTeX formula {formula!r}: {why}"


@pytest.mark.parametrize(
    ("page", "needle"),
    [
        ("training/batch-norm.md", "\\sqrt{\\sigma_c^2 + \\epsilon}"),  # BN
        ("training/weight-init.md", "\\sqrt{\\frac{6}{\\mathrm{fan_{in}}}}"),  # the init bounds
        ("losses/index.md", "\\mathrm{NLL}"),  # CE and NLL
        ("training/batch-size.md", "\\lceil N / B \\rceil"),  # steps per epoch
        ("training/batch-size.md", "\\propto 1/B"),  # gradient variance
        ("features/global-pooling.md", "= H \\cdot W"),  # the GAP head's parameter count
    ],
)
def test_the_pages_formulas_are_written_as_math_and_render(page, needle):
    """Each formula the issue names is LaTeX on its page, and the page renders it."""
    text = (ROOT / "docs" / page).read_text()
    assert needle in text
    assert render(text).count("<math ") >= 1


def test_bad_formula_stops_the_strict_build_with_one_line(mini_site):
    from support import build

    project = mini_site("# Home\n\nBad $x^$ here.\n\n<!-- claim: demo.passes -->\n<!-- claim: demo.fails -->\n")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("markdown_extensions:\n", "markdown_extensions:\n  - refcheck.site.math\n"))
    proc = build(project)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "cannot read the LaTeX formula 'x^': MissingSuperScriptOrSubscriptError" in proc.stderr


@pytest.mark.parametrize("page", sorted(p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")))
def test_no_page_leaves_latex_unrendered(page):
    """A formula the math pattern misses (one broken across lines, a space after the opening $) would show as
    raw LaTeX; outside code, no backslash command or '$\\' may remain in the HTML."""
    html = markdown.markdown((ROOT / "docs" / page).read_text(), extensions=["tables", "pymdownx.superfences", MathExtension()])
    text = re.sub(r"<pre>.*?</pre>|<code>.*?</code>|<math .*?</math>", "", html, flags=re.DOTALL)
    assert not re.findall(r"\$\\|\\(?:frac|sqrt|mathrm|propto|lceil|hat|sigma|mu|cdot)\b", text)
