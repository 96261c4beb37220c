"""Built-in directives: the claims ledger and the verified-versions table."""

from __future__ import annotations

import html

from refcheck.site.links import breakable, cell, page_link
from refcheck.site.render import ICON, badge, display_status, main_badge, margin_text, run_label
from refcheck.site.state import SiteState
from refcheck.stress import meeting_target
from refcheck.site.values import natural


def _evidence_pairs(evidence: dict, limit: int = 6, width: int = 60) -> str:
    """Evidence as readable key/value pairs (keys wrap only at '.', '_', '-'); long values are cut."""
    items = [(k, v) for k, v in evidence.items() if k != "traceback"]
    pairs = []
    for k, v in items[:limit]:
        text = natural(v)
        text = text if len(text) <= width else text[: width - 1] + "…"
        pairs.append(f'<span class="refcheck-kv"><code>{breakable(k)}</code> {cell(text)}</span>')
    if len(items) > limit:
        pairs.append(f'<span class="refcheck-kv">+ {len(items) - limit} more</span>')
    return " ".join(pairs)


def _run_badge(status: str, rep) -> str:
    """A compact badge for the ledger ('cpu avx512 · 2.14.1'); the full run label is its tooltip."""
    kernel = rep.kernel or {}
    path = "" if rep.native else f" {kernel.get('aten')}/{str(kernel.get('mkl', '')).lower()}"
    text = f"{rep.device['resolved']}{path} · {rep.versions.get('torch')}"
    return badge(status, text, title=run_label(rep))


def _stress_cell(entry: dict | None) -> str:
    if not entry:
        return ""
    rate = f"{entry['passed']}/{entry['cells']}"
    margin = f" · {entry['min_margin']:.0%}" if entry.get("min_margin") is not None else ""
    return f"{rate}{margin}"


def _claim_list(state: SiteState, page: str, ids: list[str], why: dict[str, str]) -> str:
    return "\n".join(
        f"- [`{cid}`]({page_link(page, state.claims[cid].page, 'claim-' + cid)}): {cell(why.get(cid, ''))}" for cid in ids if cid in state.claims
    )


def _ledger_row(state: SiteState, page: str, c) -> str:
    results = state.results(c.id)
    first = results[0][1] if results else None
    runs = " ".join(_run_badge(display_status(res), rep) for rep, res in results) or badge("unverified")
    margin = margin_text(first.margin).removeprefix("margin ") if first else ""
    if first is None:
        evidence = ""
    elif first.reason:
        evidence = cell(first.reason.splitlines()[0])
    else:
        evidence = _evidence_pairs(first.evidence)
    claim_cell = f'[<code class="refcheck-token">{breakable(c.id)}</code>]({page_link(page, c.page, "claim-" + c.id)})<br>{cell(c.says)}'
    stress = _stress_cell(state.stress_entry(c.id))
    numbers = " · ".join(x for x in (f"margin {margin}" if margin else "", f"stress {stress}" if stress else "") if x)
    status = f"{main_badge(c, first)}<br><small>{runs}</small>" + (f"<br><small>{numbers}</small>" if numbers else "")
    return f"| {status} | {claim_cell} | <small>{evidence}</small> |"


LEDGER_HEAD = "| status of record, per run, margin, stress run | claim and statement | evidence |\n|---|---|---|\n"


def ledger(arg: str, state: SiteState, page: str) -> str:
    """Every claim, grouped by page: status of record, status per run, smallest margin, stress pass rate and
    margin, evidence as key/value pairs; per page, how many evidence values its prose pins.

    Failed, partly verified and skipped claims are also listed above the tables (no script needed); the
    controls of ``assets/ledger.js`` filter the rows by status and the groups by page.
    """
    overview = status_overview(state)
    counts = overview["counts"]
    record = html.escape(run_label(state.primary)) if state.primary else "none yet"
    values = state.value_counts
    head = (
        f"{len(state.claims)} claims · {ICON['passed']} {counts['passed']} passed · {ICON['failed']} {counts['failed']} failed · "
        f"{ICON['skipped']} {counts['skipped']} skipped · {ICON['partial']} {len(overview['partial'])} partly verified · "
        f"{sum(values.values())} evidence values pinned in prose (report of record: {record}).\n\n"
    )
    for title, key in (("Failed", "failed"), ("Partly verified", "partial"), ("Skipped", "skipped"), ("Missing the stress target", "stress")):
        if overview[key]:
            head += f"**{title}** ({len(overview[key])}):\n\n{_claim_list(state, page, list(overview[key]), overview[key])}\n\n"
    stress = state.stress
    stress_note = (
        f"*Stress* is the stress run on {html.escape(stress['cpu'])} ({stress['created'][:10]}): cells passed "
        f"of {len(stress['grid'])}, and the smallest margin over the grid. "
        if stress
        else "No stress report was found (`nox -s stress` writes one). "
    )
    head += (
        f"Under each claim's status of record are its status in every run, then its *margin*: the claim's smallest distance from a threshold it checks, relative to the threshold, in the "
        f"report of record. {stress_note}*Values pinned* counts the numbers in a page's prose that are read from "
        f"a claim's evidence at build time (`<!-- value: ID KEY FORMAT -->`).\n\n"
        '<div class="refcheck-ledger-filter" role="group" aria-label="Filter claims by status and page" hidden></div>\n\n'
    )
    by_page: dict[str, list] = {}
    for c in state.claims.values():
        by_page.setdefault(c.page, []).append(c)
    for p in values:
        if values[p] and p not in by_page:
            by_page[p] = []
    groups = []
    for p, claims in by_page.items():
        n = values.get(p, 0)
        summary = f"{len(claims)} claim{'s' if len(claims) != 1 else ''} · {n} value{'s' if n != 1 else ''} pinned"
        table = LEDGER_HEAD + "\n".join(_ledger_row(state, page, c) for c in claims) + "\n" if claims else ""
        groups.append(
            f'<section class="refcheck-ledger-page" data-page="{html.escape(p)}" data-values="{n}" markdown="1">\n\n'
            f"### [{cell(state.title(p))}]({page_link(page, p)})\n\n<small>`docs/{p}` · {summary}</small>\n\n{table}\n</section>\n"
        )
    return head + "\n".join(groups)


def status_overview(state: SiteState) -> dict:
    """What the report of record says, per status, with the reason of each failed/partial/skipped claim;
    plus runs on other code paths of the same versions that failed, and claims missing the stress target."""
    record = state.primary
    out: dict = {"counts": {"passed": 0, "failed": 0, "skipped": 0}, "failed": {}, "skipped": {}, "partial": {}, "other_runs": {}, "stress": {}}
    if record is None:
        return out
    out["counts"] = record.summary
    for r in record.results:
        if r.id not in state.claims:
            continue
        if r.status in ("failed", "skipped"):
            out[r.status][r.id] = r.reason.splitlines()[0] if r.reason else r.status
        elif r.skipped_parts:
            out["partial"][r.id] = "; ".join(r.skipped_parts)
    for rep in state.same_version_runs():
        for r in rep.results:
            if r.status == "failed" and r.id in state.claims and r.id not in out["failed"]:
                out["other_runs"].setdefault(r.id, f"failed on {run_label(rep)}: {r.reason.splitlines()[0] if r.reason else ''}")
    stress = state.stress
    if stress and stress.get("versions", {}).get("torch") == record.versions.get("torch"):
        for cid, entry in stress["claims"].items():
            if entry.get("problems") and cid in state.claims:
                out["stress"][cid] = entry["problems"][0]
    return out


def overall_level(overview: dict) -> str:
    """success / warning / failure, from the overview (never written by hand)."""
    if overview["failed"] or overview["other_runs"]:
        return "failure"
    if overview["skipped"] or overview["partial"] or overview["stress"]:
        return "warning"
    return "success"


def versions_table(arg: str, state: SiteState, page: str) -> str:
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
    return f'<div class="refcheck-scroll"><table class="refcheck-versions"><thead>{head}</thead><tbody>{body}</tbody></table></div>'


def home_summary(arg: str, state: SiteState, page: str) -> str:
    """The verification status box: success, warning or failure, derived from the report of record, other
    code-path runs of the same versions and the stress run; each failed or skipped claim is linked."""
    r = state.primary
    if r is None:
        return '!!! warning "Not verified yet"\n    No verification report was found when this site was built: run `refcheck verify` and rebuild.\n'
    overview = status_overview(state)
    level = overall_level(overview)
    s = overview["counts"]
    title = {"success": "Verification status: every claim holds", "warning": "Verification status: some claims are not fully verified",
             "failure": "Verification status: claims FAILED"}[level]
    lines = [
        f"{len(state.claims)} claims registered: **{s['passed']} passed**, **{s['failed']} failed**, {s['skipped']} skipped, "
        f"{len(overview['partial'])} partly verified, on {html.escape(run_label(r))} ({r.created[:10]}). "
        f"See the [claims ledger]({page_link(page, 'reference/claims.md')})."
    ]
    for rep in state.same_version_runs(same_device=False):
        o = rep.summary
        lines.append(f"Also run on {html.escape(run_label(rep))} ({rep.created[:10]}): {o['passed']} passed, {o['failed']} failed, {o['skipped']} skipped.")
    stress = state.stress
    if stress:
        meeting = meeting_target(stress)
        lines.append(
            f"Stress run ({html.escape(stress['cpu'])}, {len(stress['grid'])} cells, {stress['created'][:10]}): "
            f"{meeting} of {len(stress['claims'])} claims pass every cell with a margin of at least {stress['min_margin_target']:.0%}."
        )
    for title_part, key in (("Failed", "failed"), ("Failed on another code path", "other_runs"), ("Partly verified", "partial"),
                            ("Skipped", "skipped"), ("Missing the stress target", "stress")):
        if overview[key]:
            lines.append(f"**{title_part}:**\n\n" + _claim_list(state, page, list(overview[key]), overview[key]))
    body = "\n\n".join(lines)
    return f'!!! {level} "{title}"\n' + "".join(f"    {line}\n" if line else "\n" for line in body.splitlines()) + "\n"


def footer_text(state: SiteState) -> str:
    """The footer's verification clause, derived from the report of record."""
    r = state.primary
    if r is None:
        return "not verified yet: run refcheck verify"
    s = r.summary
    return f"last verified {r.created[:10]} on {run_label(r)}: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped"
