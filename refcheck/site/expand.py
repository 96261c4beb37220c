"""Expand one page's markers: claims, directives and inline evidence values. The page is an argument."""

from __future__ import annotations

import difflib

from refcheck.site.directives import DIRECTIVES
from refcheck.site.links import page_link
from refcheck.site.markers import MarkerError, find_markers
from refcheck.site.render import claim_html, display_status, run_label
from refcheck.site.state import SiteState
from refcheck.site.values import ValueMarker, find_values, format_value, replace_values, resolve, value_html


def _unknown(claim_id: str, state: SiteState, where: str, what: str) -> MarkerError:
    near = difflib.get_close_matches(claim_id, state.claims, n=1)
    hint = f"; did you mean {near[0]!r}?" if near else "; 'refcheck list' shows the registered ids"
    return MarkerError(f"{where}: {what} {claim_id!r}{hint}")


def render_value(m: ValueMarker, page: str, state: SiteState) -> str:
    """One value marker as inline HTML; raises MarkerError for an unknown claim, a key absent from a passed
    claim's evidence, or a format that does not apply."""
    where = f"docs/{page}:{m.line}: value marker {m.text!r}"
    claim = state.claims.get(m.claim)
    if claim is None:
        raise _unknown(m.claim, state, where, "names no registered claim")
    results = state.results(m.claim)
    record = results[0] if results else None
    status = display_status(record[1] if record else None)
    href = page_link(page, claim.page, f"claim-{claim.id}")
    text, title = "", f"{claim.id} · {m.key} · not in the report of record"
    if record is not None:
        rep, res = record
        title = f"{claim.id} · {m.key} · {status} · {run_label(rep)} · {rep.created[:10]}"
        if status in ("passed", "partial"):
            try:
                text = format_value(resolve(res.evidence, m.key), m.fmt)
            except KeyError as exc:
                raise MarkerError(f"{where}: {exc.args[0]} (evidence of claim {claim.id!r})") from None
            except ValueError as exc:
                raise MarkerError(f"{where}: {exc}") from None
    return value_html(m, href, status, text, title)


def expand_page(markdown: str, page: str, state: SiteState) -> str:
    """``markdown`` of ``page`` (relative to docs/) with every marker replaced; raises MarkerError naming
    ``docs/page:line``."""
    lines = markdown.splitlines()
    source = f"docs/{page}"
    by_line: dict[int, list[ValueMarker]] = {}
    for v in find_values(markdown, source):
        by_line.setdefault(v.line, []).append(v)
    for lineno, found in by_line.items():
        queue = iter(found)
        lines[lineno - 1] = replace_values(lines[lineno - 1], lambda _m, q=queue: render_value(next(q), page, state))
    here: dict[str, int] = {}  # claim id -> the line of this page that shows it
    for m in find_markers(markdown, source, tuple(DIRECTIVES)):
        where = f"{source}:{m.line}"
        if m.kind != "claim":
            continue
        claim = state.claims.get(m.name)
        if claim is None:
            raise _unknown(m.name, state, where, "unknown claim id")
        if claim.page != page:
            raise MarkerError(f"{where}: claim {m.name!r} is registered for page {claim.page!r}, not {page!r}")
        if m.name in here:
            raise MarkerError(f"{where}: claim {m.name!r} is already shown at {source}:{here[m.name]}")
        here[m.name] = m.line
    for m in reversed(find_markers(markdown, source, tuple(DIRECTIVES))):
        if m.kind == "claim":
            state.shown[m.name] = page  # each page is rendered afresh (mkdocs serve): the same page may show it again
            block = claim_html(state.claims[m.name], state)
        else:
            block = DIRECTIVES[m.name](m.arg, state, page)
        lines[m.line - 1] = f"\n{block}\n"
    return "\n".join(lines) + "\n"
