"""Built-in directives: the claims ledger and the verified-versions table."""

from __future__ import annotations

import html
import posixpath

from refcheck.site.directives import directive
from refcheck.site.render import ICON, badge, run_label
from refcheck.site.state import SiteState


def _evidence_summary(evidence: dict, limit: int = 120) -> str:
    text = ", ".join(f"{k}={v}" for k, v in evidence.items() if k != "traceback")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md_link(state: SiteState, target_page: str, anchor: str = "") -> str:
    """A relative Markdown link from the page being built to ``target_page`` (MkDocs validates it)."""
    rel = posixpath.relpath(target_page, posixpath.dirname(state.page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "&#124;")


@directive("ledger")
def ledger(arg: str, state: SiteState) -> str:
    """Every claim: where it is shown, its status per device and versions, seconds and evidence."""
    rows = []
    for c in state.claims.values():
        results = state.results(c.id)
        runs = "<br>".join(badge(res.status, run_label(rep)) for rep, res in results) or badge("unverified")
        first = results[0][1] if results else None
        seconds = f"{first.seconds:.2f}" if first else ""
        evidence = _cell(first.reason or _evidence_summary(first.evidence)) if first else ""
        rows.append(f"| [`{c.id}`]({md_link(state, c.page, 'claim-' + c.id)}) | {_cell(c.says)} | {runs} | {seconds} | <small>{evidence}</small> |")
    counts = state.primary.summary if state.primary else {"passed": 0, "failed": 0, "skipped": 0}
    record = html.escape(run_label(state.primary)) if state.primary else "none yet"
    head = (
        f"{len(state.claims)} claims · {ICON['passed']} {counts['passed']} passed · {ICON['failed']} {counts['failed']} failed · "
        f"{ICON['skipped']} {counts['skipped']} skipped (report of record: {record}).\n\n"
    )
    return head + "| claim | statement | status per run | s | evidence |\n|---|---|---|---|---|\n" + "\n".join(rows) + "\n"


@directive("versions")
def versions_table(arg: str, state: SiteState) -> str:
    """Pinned versions next to those of every report found."""
    names = sorted(state.pins)
    cols = [run_label(r) + f" ({r.created[:10]})" for r in state.reports]
    head = "<tr><th>package</th><th>pinned</th>" + "".join(f"<th>{html.escape(c)}</th>" for c in cols) + "</tr>"
    body = "".join(
        f"<tr><td>{n}</td><td><code>{state.pins[n]}</code></td>"
        + "".join(f"<td>{html.escape(str(r.versions.get(n, '') or ''))}</td>" for r in state.reports)
        + "</tr>"
        for n in names
    )
    return f'<table class="refcheck-versions"><thead>{head}</thead><tbody>{body}</tbody></table>'


@directive("home-summary")
def home_summary(arg: str, state: SiteState) -> str:
    """One line: how many claims passed, on what, when."""
    r = state.primary
    if r is None:
        return '!!! warning "Not verified yet"\n    No verification report was found when this site was built.\n'
    s = r.summary
    return (
        f'!!! success "Verification status"\n    {len(state.claims)} claims registered: **{s["passed"]} passed**, '
        f'{s["failed"]} failed, {s["skipped"]} skipped on {html.escape(run_label(r))} ({r.created[:10]}). '
        f"See the [claims ledger]({md_link(state, 'reference/claims.md')}).\n"
    )
