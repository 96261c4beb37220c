"""Every number in the prose around claims comes from evidence, or the allow-list says why it need not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from prose_numbers import ALLOW, Entry, Finding, load_allow, scan, scan_text, unexcused, unused


def numbers(markdown: str) -> list[str]:
    return [f.number for f in scan_text(textwrap.dedent(markdown), "page.md")]


def test_no_bare_number_near_a_claim():
    left = unexcused(scan(), load_allow())
    lines = [f"{f.page}:{f.line}: {f.number!r} in {f.context()!r}" for f in left]
    assert not left, (
        "numbers typed by hand next to claims: write <!-- value: CLAIM KEY FORMAT --> instead, or add a line to "
        f"{ALLOW.name} saying why it is not a value (python tests/prose_numbers.py prints them):\n" + "\n".join(lines)
    )


def test_every_allow_list_entry_is_used():
    stale = unused(scan(), load_allow())
    assert not stale, "allow-list entries that match nothing (delete them):\n" + "\n".join(
        f"line {e.line}: {e.page} | {e.number} | {e.context}" for e in stale
    )


def test_finds_numbers_in_prose_tables_and_headings_of_a_claims_section():
    found = numbers(
        """
        # Title

        Intro with 7 things, but no claim in this section.

        ## Measured: 32 layers

        The ratio is roughly 1e-7 and 25.6 M, about 95% and 100,352,000; a 7x7 map, 49x smaller.

        | model | acc |
        |---|---|
        | knn | 0.96 |

        <!-- claim: demo.fact -->
        """
    )
    assert found == ["32", "1e-7", "25.6", "95%", "100,352,000", "7x7", "49x", "0.96"]


def test_ignores_code_math_links_anchors_names_and_markers():
    found = numbers(
        """
        ## Section {#sec-2}

        Use `Linear(400, 300)` or ``a `12` b``, $x^2 + 3$, \\(y_4\\), $$z = 5$$ and \\[w = 6\\].
        See [the page](../a/b-2.md#part-3 "title 9") and [ref][note1], <span data-x="8">text</span>,
        https://example.com/x/11 and ![img](pic-12.png). Names: float32, ResNet-50, CIFAR-10, #15314, L2.
        Values: <!-- value: demo.fact key.0 .3f --> and <!-- value: demo.fact n , -->.

        !!! note "Admonition"
            ```python
            print(13)
            ```

        ~~~text
        14
        ~~~

        <!--
        a comment over lines, 15
        -->

        [note1]: https://example.com/16

        <!-- claim: demo.fact -->
        """
    )
    assert found == []


def test_allow_entry_excuses_only_the_occurrence_its_context_covers():
    text = "## S\n\nA 32-layer net; the ratio is 32 here.\n\n<!-- claim: demo.fact -->\n"
    findings = scan_text(text, "p.md")
    assert [f.number for f in findings] == ["32", "32"]
    entry = Entry("p.md", "32", "A 32-layer net", "choice: depth", 1)
    assert [entry.matches(f) for f in findings] == [True, False]
    assert unexcused(findings, [entry]) == [findings[1]]
    assert Entry("*", "32", "ratio is 32 here", "choice: x", 2).matches(findings[1])
    assert not Entry("other.md", "32", "ratio is 32 here", "choice: x", 3).matches(findings[1])


def test_context_quotes_the_words_around_a_number():
    f = Finding("p.md", 1, "1e-7", "the first layer gets roughly 1e-7 times the last", 29)
    assert f.context() == "gets roughly 1e-7 times the"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("p.md | 3 | 3 layers", "expected 'page | number | context | reason'"),
        ("p.md | 3 | 3 layers | because I said so", "reason must be 'KIND: why'"),
        ("p.md | 3 | 3 layers | choice:", "reason must be 'KIND: why'"),
        ("p.md | 3 | four layers | choice: depth", "must contain the number '3'"),
    ],
)
def test_a_bad_allow_list_line_is_named(tmp_path: Path, line: str, message: str):
    path = tmp_path / "allow.txt"
    path.write_text(f"# comment\n\n{line}\n")
    with pytest.raises(ValueError, match="allow.txt:3: ") as err:
        load_allow(path)
    assert message in str(err.value)
