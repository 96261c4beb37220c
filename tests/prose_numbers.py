"""Find bare numbers in the prose of docs/ near claim markers, and the allow-list that excuses some.

A number on a page that states a fact of torch, timm, a dataset or an experiment must come from
claim evidence (a ``<!-- value: ... -->`` marker) or from a checked snippet's output. This scan lists
the numbers that are still typed by hand in the prose **around claims**: every paragraph, list, table
and heading of a section (heading to heading) that holds a ``<!-- claim: ... -->`` marker. A section
is the unit because a claim's prose is often a paragraph or a snippet away from its marker.

Not prose, so never scanned: fenced code (also indented, in tabs and admonitions), HTML comments
(claim and value markers), code spans, LaTeX math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``),
link targets and reference definitions, attribute lists and heading anchors (``{#id}``), HTML tags
and URLs. A number glued to a name (``float32``, ``ResNet-50``, ``#15314``) is part of the name.

Run ``python tests/prose_numbers.py`` to print the findings that the allow-list does not excuse, each
as a ready-to-edit allow-list line.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ALLOW = Path(__file__).with_name("prose_numbers_allow.txt")

# Why a number may stay in prose: each allow-list entry starts its reason with one of these.
REASONS = {
    "choice": "a hyperparameter, size or example value chosen by the page",
    "threshold": "the threshold a claim's code checks, stated so the reader knows what is asserted",
    "definition": "true by definition or by arithmetic on named quantities (a formula, an API's allowed values)",
    "citation": "a figure or year from the literature, cited on the page",
    "quote": "quoted from the notes, which the page then checks or corrects",
    "snippet": "printed by, or arithmetic on, a checked snippet's output on the page",
    "version": "a library or framework version in a name",
    "label": "a name or label (plot axis, layer index, dataset name), not a quantity",
}

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
HEADING = re.compile(r"^\s*#{1,6}\s")
COMMENT = re.compile(r"<!--.*?-->", re.S)
CLAIM_MARKER = re.compile(r"<!--\s*claim:\s*\S+\s*-->")
NOT_PROSE = [
    re.compile(pattern, re.S)
    for pattern in (
        r"(`+).+?\1",  # code spans (any number of backticks)
        r"\$\$.+?\$\$",  # display math
        r"(?<![\\\w])\$[^$\n]+?\$",  # inline math
        r"\\\(.+?\\\)",
        r"\\\[.+?\\\]",
        r"\]\([^)]*\)",  # inline link / image targets
        r"\]\[[^\]]*\]",  # reference link labels
        r"(?m)^\s*\[[^\]]+\]:\s*\S+.*$",  # reference definitions
        r"\{\s*[#:.][^}]*\}",  # attribute lists, heading anchors
        r"<[^>\n]+>",  # HTML tags
        r"https?://\S+",
    )
]
# one token: 12, 1,000, 0.25, 1e-27, 95%, -1, and dimension strings such as 7x7x2048 or 6×6
# (a trailing x or × reads "times": 49x smaller)
NUMBER = re.compile(
    r"(?<![\w.#−])(?<![A-Za-z]-)[-−]?\d(?:[\d,]*\d)?(?:\.\d+)?(?:[eE][-+−]?\d+)?(?:[x×]\d+)*(?:%|[x×])?(?!\w)"
)


@dataclass(frozen=True)
class Finding:
    page: str  # relative to docs/
    line: int  # 1-based line of the block the number is in
    number: str
    text: str  # the block's prose, code and markup removed, whitespace collapsed
    start: int  # the number's offset in ``text``

    def context(self) -> str:
        """The number with two words before and after it, as an allow-list entry quotes it."""
        before = re.search(r"(?:\S+\s+){0,2}\S*$", self.text[: self.start])
        after = re.match(r"\S*(?:\s+\S+){0,2}", self.text[self.start :])
        return (before.group(0) if before else "") + (after.group(0) if after else "")


@dataclass(frozen=True)
class Entry:
    page: str
    number: str
    context: str
    reason: str
    line: int  # in the allow-list file

    def matches(self, f: Finding) -> bool:
        if self.page not in ("*", f.page) or self.number != f.number:
            return False
        # the quoted context must occur in the block and cover this occurrence of the number
        pos = f.text.find(self.context)
        while pos != -1:
            if pos <= f.start and f.start + len(f.number) <= pos + len(self.context):
                return True
            pos = f.text.find(self.context, pos + 1)
        return False


def _blocks(text: str) -> list[tuple[int, str, bool]]:
    """(first line, text, is_heading) of each prose block: headings, and runs of non-blank lines outside fences."""
    blocks: list[tuple[int, str, bool]] = []
    current: list[str] = []
    start = 0
    fence: str | None = None

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((start, "\n".join(current), False))
            current = []

    for lineno, line in enumerate(text.splitlines(), start=1):
        m = FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and line.strip() == m.group(1):
                fence = None
            continue
        if m:
            flush()
            fence = m.group(1)
        elif not line.strip():
            flush()
        elif HEADING.match(line):
            flush()
            blocks.append((lineno, line, True))
        else:
            if not current:
                start = lineno
            current.append(line)
    flush()
    return blocks


def prose(text: str) -> str:
    """A block with everything that is not prose removed and whitespace collapsed."""
    text = COMMENT.sub(" ", text)
    for pattern in NOT_PROSE:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def scan_text(text: str, page: str) -> list[Finding]:
    """The bare numbers of every section of ``text`` that holds a claim marker."""
    # HTML comments may span lines: blank them out first, keeping line numbers and the claim markers
    text = COMMENT.sub(lambda m: m.group(0) if CLAIM_MARKER.fullmatch(m.group(0)) else "<!-- -->" + "\n" * m.group(0).count("\n"), text)
    sections: list[list[tuple[int, str, bool]]] = [[]]
    for block in _blocks(text):
        if block[2]:
            sections.append([])
        sections[-1].append(block)
    findings = []
    for section in sections:
        if not any(CLAIM_MARKER.search(body) for _, body, _ in section):
            continue
        for lineno, body, _ in section:
            clean = prose(body)
            findings += [Finding(page, lineno, m.group(0), clean, m.start()) for m in NUMBER.finditer(clean)]
    return findings


def scan(docs: Path = DOCS) -> list[Finding]:
    return [f for path in sorted(docs.rglob("*.md")) for f in scan_text(path.read_text(encoding="utf-8"), path.relative_to(docs).as_posix())]


def load_allow(path: Path = ALLOW) -> list[Entry]:
    """Entries ``page | number | context | reason``; '#' starts a comment line. Raises ValueError on a bad line."""
    entries = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in raw.split(" | ")]
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"{path.name}:{lineno}: expected 'page | number | context | reason', got {raw!r}")
        page, number, context, reason = parts
        kind = reason.split(":", 1)[0]
        if kind not in REASONS or ":" not in reason or not reason.split(":", 1)[1].strip():
            raise ValueError(f"{path.name}:{lineno}: reason must be 'KIND: why' with KIND one of {', '.join(REASONS)}; got {reason!r}")
        if number not in context:
            raise ValueError(f"{path.name}:{lineno}: the context {context!r} must contain the number {number!r}")
        entries.append(Entry(page, number, context, reason, lineno))
    return entries


def unexcused(findings: list[Finding], entries: list[Entry]) -> list[Finding]:
    return [f for f in findings if not any(e.matches(f) for e in entries)]


def unused(findings: list[Finding], entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not any(e.matches(f) for f in findings)]


def main() -> int:
    findings, entries = scan(), load_allow()
    left = unexcused(findings, entries)
    for f in left:
        print(f"{f.page} | {f.number} | {f.context()} | KIND: why    # line {f.line}")
    for e in unused(findings, entries):
        print(f"unused allow-list entry, line {e.line}: {e.page} | {e.number} | {e.context}", file=sys.stderr)
    print(f"{len(findings)} numbers near claims, {len(left)} not excused", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
