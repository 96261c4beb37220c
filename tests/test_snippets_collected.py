"""No snippet escapes by its syntax: every Python fence under docs/ is one that pytest-codeblocks runs."""

import re
from pathlib import Path

import pytest
from pytest_codeblocks.main import extract_from_file

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<mark>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
PYTHONISH = re.compile(r"^(python3?|py3?|pycon|ipython|{\s*\.?py)", re.IGNORECASE)
CONT = "<!--pytest-codeblocks:cont-->"
PAGES = sorted(DOCS.rglob("*.md"))


def python_fences(path: Path) -> tuple[list[tuple[int, str]], int]:
    """(line, info string) of every Python-looking fence, and how many continue the previous block.

    An independent scan, not pytest-codeblocks' parser, so that a fence it would skip is seen here.
    """
    fences, continued, inside, previous = [], 0, None, ""
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        m = FENCE.match(line)
        if inside:
            if m and m.group("mark").startswith(inside) and not m.group("info").strip():
                inside = None
            continue
        if m:
            inside = m.group("mark")
            info = m.group("info").strip()
            if PYTHONISH.match(info):
                fences.append((lineno, info))
                continued += previous == CONT
        if line.strip():
            previous = line.strip()
    return fences, continued


def test_docs_have_pages_and_snippets():
    assert len(PAGES) >= 5
    assert sum(len(python_fences(p)[0]) for p in PAGES) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_python_fence_is_collected(page):
    fences, continued = python_fences(page)
    wrong = [f"line {n}: ```{info}" for n, info in fences if info != "python"]
    assert not wrong, f"{page.name}: write these fences exactly as ```python so they are run: {wrong}"
    collected = [b for b in extract_from_file(page) if b.syntax == "python"]
    assert len(collected) == len(fences) - continued, f"{page.name}: {len(fences)} fences, {continued} continuations, {len(collected)} collected"


def test_scanner_sees_fences_pytest_codeblocks_would_skip(tmp_path):
    page = tmp_path / "p.md"
    page.write_text('```python\nprint(1)\n```\n\n```py\nprint(2)\n```\n\n```python title="x.py"\nprint(3)\n```\n\n~~~python\nprint(4)\n~~~\n')
    fences, _ = python_fences(page)
    assert [info for _, info in fences] == ["python", "py", 'python title="x.py"', "python"]
    assert len([b for b in extract_from_file(page) if b.syntax == "python"]) == 1


OUTPUT_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(text|output|console-output|plain|)\s*$")
EXPECTED = "<!--pytest-codeblocks:expected-output-->"


def uncompared_outputs(path: Path) -> list[int]:
    """Lines of output-looking fences placed right after a Python block without the expected-output marker."""
    lines = path.read_text().splitlines()
    bad, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        info, mark = m.group("info").strip(), m.group("mark")
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(mark) and not lines[j].strip().strip(mark[0])):
            j += 1
        if info == "python":
            k = j + 1
            while k < len(lines) and not lines[k].strip():
                k += 1
            if k < len(lines) and OUTPUT_FENCE.match(lines[k]):
                bad.append(k + 1)
        i = j + 1
    return bad


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_output_shown_after_a_snippet_is_compared(page):
    """Output printed on a page right after a snippet must sit behind the expected-output marker."""
    assert uncompared_outputs(page) == [], f"{page.name}: put '{EXPECTED}' before these output blocks"


def test_uncompared_output_is_detected(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(f"```python\nprint(1)\n```\n\n```text\n1\n```\n\n```python\nprint(2)\n```\n\n{EXPECTED}\n```text\n2\n```\n")
    assert uncompared_outputs(page) == [5]
