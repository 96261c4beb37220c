"""Find and validate ``<!-- claim: ID -->`` and ``<!-- refcheck: NAME ARGS -->`` markers in a page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from refcheck.registry import ID_RE

CANDIDATE = re.compile(r"<!--\s*-*\s*(claim|refcheck)\b", re.IGNORECASE)
CLAIM = re.compile(r"^\s*<!--\s*claim:\s*(?P<arg>[^\s>]+)\s*-->\s*$")
DIRECTIVE = re.compile(r"^\s*<!--\s*refcheck:\s*(?P<name>[a-z][a-z0-9\-]*)(?:\s+(?P<arg>[^>]*?))?\s*-->\s*$")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


class MarkerError(ValueError):
    """A marker that is malformed or names something unknown; the message names file and line."""


@dataclass(frozen=True)
class Marker:
    line: int  # 1-based
    kind: str  # "claim" or "directive"
    name: str  # claim id, or directive name
    arg: str = ""


def prose_lines(text: str):
    """``(lineno, line)`` for every line outside fenced code blocks (1-based line numbers)."""
    fence: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = FENCE.match(line)
        if m:
            token = m.group(1)
            if fence is None:
                fence = token[0] * len(token)
            elif line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            continue
        if fence is None:
            yield lineno, line


def find_markers(text: str, source: str, directives: tuple[str, ...] = ()) -> list[Marker]:
    """Every marker outside fenced code, validated; raises MarkerError naming ``source:line``."""
    markers: list[Marker] = []
    for lineno, line in prose_lines(text):
        if not CANDIDATE.search(CODE_SPAN.sub("", line)):
            continue
        where = f"{source}:{lineno}"
        if (c := CLAIM.match(line)) is not None:
            claim_id = c.group("arg")
            if not ID_RE.match(claim_id):
                raise MarkerError(f"{where}: malformed claim id {claim_id!r} in {line.strip()!r}; ids look like 'topic.fact-name'")
            markers.append(Marker(lineno, "claim", claim_id))
        elif (d := DIRECTIVE.match(line)) is not None:
            name = d.group("name")
            if directives and name not in directives:
                raise MarkerError(f"{where}: unknown directive {name!r}; valid: {', '.join(sorted(directives))}")
            markers.append(Marker(lineno, "directive", name, (d.group("arg") or "").strip()))
        else:
            raise MarkerError(
                f"{where}: malformed marker {line.strip()[:80]!r}; write '<!-- claim: ID -->' or "
                "'<!-- refcheck: NAME -->' alone on its line"
            )
    return markers
