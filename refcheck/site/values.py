"""Inline evidence values: ``<!-- value: CLAIM_ID KEY [FORMAT] -->`` in prose, rendered from the report of record.

KEY is a dotted path into the claim's evidence (integers index lists: ``rows.0.acc``; a key that itself
contains dots is matched whole). FORMAT is a Python format spec (``,`` ``.3f`` ``.1%`` ``.1e``; a leading
``:`` is allowed). Without one, integers and strings are shown as they are and floats with 6 significant
digits.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from refcheck.site.markers import CODE_SPAN, MarkerError, prose_lines

CANDIDATE = re.compile(r"<!--\s*-*\s*value\b", re.IGNORECASE)
VALUE = re.compile(r"<!--\s*value:\s*(?P<body>[^<>]*?)\s*-->")
SYNTAX = "'<!-- value: CLAIM_ID KEY [FORMAT] -->'"
MISSING = object()


@dataclass(frozen=True)
class ValueMarker:
    line: int  # 1-based
    text: str  # the marker as written
    claim: str
    key: str
    fmt: str = ""


def _parse(match: re.Match, lineno: int, where: str) -> ValueMarker:
    parts = match.group("body").split()
    if len(parts) not in (2, 3):
        raise MarkerError(f"{where}: malformed value marker {match.group(0)!r}; write {SYNTAX}")
    fmt = parts[2].removeprefix(":") if len(parts) == 3 else ""
    return ValueMarker(lineno, match.group(0), parts[0], parts[1], fmt)


def _segments(line: str):
    """``(is_code, text)`` pieces of a line: code spans are left alone."""
    pos = 0
    for m in CODE_SPAN.finditer(line):
        yield False, line[pos : m.start()]
        yield True, m.group(0)
        pos = m.end()
    yield False, line[pos:]


def find_values(text: str, source: str) -> list[ValueMarker]:
    """Every value marker outside code, in order; a malformed one raises MarkerError naming ``source:line``."""
    out = []
    for lineno, line in prose_lines(text):
        for is_code, seg in _segments(line):
            if is_code or not CANDIDATE.search(seg):
                continue
            found = list(VALUE.finditer(seg))
            if len(found) != len(CANDIDATE.findall(seg)):
                raise MarkerError(f"{source}:{lineno}: malformed value marker in {line.strip()[:80]!r}; write {SYNTAX}")
            out.extend(_parse(m, lineno, f"{source}:{lineno}") for m in found)
    return out


def resolve(evidence: Any, key: str) -> Any:
    """The value at dotted ``key``; raises KeyError naming the part not found and what is valid there."""
    parts = key.split(".")
    node, i = evidence, 0
    while i < len(parts):
        if isinstance(node, dict):
            for j in range(len(parts), i, -1):  # longest match first: keys may contain dots
                name = ".".join(parts[i:j])
                if name in node:
                    node, i = node[name], j
                    break
            else:
                valid = ", ".join(repr(k) for k in node if k != "traceback") or "none"
                raise KeyError(f"no key {'.'.join(parts[i:])!r} in {'.'.join(parts[:i]) or 'the evidence'}; valid: {valid}")
        elif isinstance(node, list):
            if not parts[i].isdigit() or int(parts[i]) >= len(node):
                raise KeyError(f"{parts[i]!r} is no index of {'.'.join(parts[:i])} (a list of {len(node)}); valid: 0 to {len(node) - 1}")
            node, i = node[int(parts[i])], i + 1
        else:
            raise KeyError(f"{'.'.join(parts[:i])} is a {type(node).__name__}, it has no {parts[i]!r}")
    return node


def natural(value: Any) -> str:
    """Default text of a value: no quotes, no brackets, floats to 6 significant digits."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if value is not None else "none"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list):
        return ", ".join(natural(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {natural(v)}" for k, v in value.items())
    return str(value)


def format_value(value: Any, fmt: str) -> str:
    """``value`` formatted by the spec ``fmt`` (natural text without one); raises ValueError naming both."""
    if not fmt:
        return natural(value)
    try:
        return format(value, fmt)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"format {fmt!r} does not apply to {value!r} ({type(value).__name__}): {exc}") from None


UNAVAILABLE = {
    "failed": "✘ claim failed",
    "skipped": "– claim skipped",
    "unverified": "? not verified yet",
}


def value_html(marker: ValueMarker, href: str, status: str, text: str, title: str) -> str:
    """The inline element: the value (or why there is none) as a Markdown link to the claim's block, so that
    the builder turns ``page.md#claim-ID`` into the page's address, inside a span that carries the status."""
    shown = text if status in ("passed", "partial") else UNAVAILABLE[status]
    label = html.escape(shown).replace("*", "&#42;").replace("_", "&#95;").replace("[", "&#91;").replace("]", "&#93;")
    return (
        f'<span class="refcheck-value refcheck-{status}" title="{html.escape(title)}" data-claim="{html.escape(marker.claim)}" '
        f'data-key="{html.escape(marker.key)}">[{label}]({href})</span>'
    )


def replace_values(line: str, render) -> str:
    """``line`` with every value marker outside code spans replaced by ``render(match)``."""
    return "".join(seg if is_code else VALUE.sub(render, seg) for is_code, seg in _segments(line))
