"""Built-in directives: the claims ledger and the verified-versions table."""

from __future__ import annotations

import html
import posixpath

from refcheck.site.directives import directive
from refcheck.site.render import ICON, badge, display_status, main_badge, margin_text, run_label
from refcheck.site.state import SiteState
from refcheck.stress import meeting_target


def _evidence_summary(evidence: dict, limit: int = 120) -> str:
    text = ", ".join(f"{k}={v}" for k, v in evidence.items() if k != "traceback")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md_link(state: SiteState, target_page: str, anchor: str = "") -> str:
    """A relative Markdown link from the page being built to ``target_page`` (MkDocs validates it)."""
    rel = posixpath.relpath(target_page, posixpath.dirname(state.page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "&#124;")


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


def _claim_list(state: SiteState, ids: list[str], why: dict[str, str]) -> str:
    return "\n".join(f"- [`{cid}`]({md_link(state, state.claims[cid].page, 'claim-' + cid)}): {_cell(why.get(cid, ''))}" for cid in ids if cid in state.claims)


@directive("ledger")
def ledger(arg: str, state: SiteState) -> str:
    """Every claim: status of record, status per run, smallest margin, stress pass rate and margin, evidence.

    Failed, partly verified and skipped claims are also listed above the table (no script needed); the
    buttons of ``assets/ledger.js`` filter the table by status.
    """
    overview = status_overview(state)
    rows = []
    for c in state.claims.values():
        results = state.results(c.id)
        first = results[0][1] if results else None
        runs = " ".join(_run_badge(display_status(res), rep) for rep, res in results) or badge("unverified")
        margin = margin_text(first.margin).removeprefix("margin ") if first else ""
        evidence = _cell(first.reason or _evidence_summary(first.evidence)) if first else ""
        rows.append(
            f"| {main_badge(c, first)} | [`{c.id}`]({md_link(state, c.page, 'claim-' + c.id)}) | {_cell(c.says)} | {runs} | "
            f"{margin} | {_stress_cell(state.stress_entry(c.id))} | <small>{evidence}</small> |"
        )
    counts = overview["counts"]
    record = html.escape(run_label(state.primary)) if state.primary else "none yet"
    head = (
        f"{len(state.claims)} claims · {ICON['passed']} {counts['passed']} passed · {ICON['failed']} {counts['failed']} failed · "
        f"{ICON['skipped']} {counts['skipped']} skipped · {ICON['partial']} {len(overview['partial'])} partly verified "
        f"(report of record: {record}).\n\n"
    )
    for title, key in (("Failed", "failed"), ("Partly verified", "partial"), ("Skipped", "skipped"), ("Missing the stress target", "stress")):
        if overview[key]:
            head += f"**{title}** ({len(overview[key])}):\n\n{_claim_list(state, list(overview[key]), overview[key])}\n\n"
    stress = state.stress
    stress_note = (
        f"The *stress* column is the stress run on {html.escape(stress['cpu'])} ({stress['created'][:10]}): cells passed "
        f"of {len(stress['grid'])}, and the smallest margin over the grid. "
        if stress
        else "No stress report was found (`nox -s stress` writes one). "
    )
    head += (
        f"*Margin* is the claim's smallest distance from a threshold it checks, relative to the threshold, in the "
        f"report of record. {stress_note}\n\n"
        '<div class="refcheck-ledger-filter" role="group" aria-label="Filter claims by status" hidden></div>\n\n'
    )
    table = "| status | claim | statement | status per run | margin | stress | evidence |\n|---|---|---|---|---|---|---|\n"
    return head + table + "\n".join(rows) + "\n"


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
        f"See the [claims ledger]({md_link(state, 'reference/claims.md')})."
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
            lines.append(f"**{title_part}:**\n\n" + _claim_list(state, list(overview[key]), overview[key]))
    body = "\n\n".join(lines)
    return f'!!! {level} "{title}"\n' + "".join(f"    {line}\n" if line else "\n" for line in body.splitlines()) + "\n"


def footer_text(state: SiteState) -> str:
    """The footer's verification clause, derived from the report of record."""
    r = state.primary
    if r is None:
        return "not verified yet: run refcheck verify"
    s = r.summary
    return f"last verified {r.created[:10]} on {run_label(r)}: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped"
