"""HTML for a claim on its page: statement, status badge, evidence, the versions that verified it."""

from __future__ import annotations

import base64
import html
import io
import json
from typing import Any

from refcheck.registry import Claim
from refcheck.report import ClaimResult, Report
from refcheck.site.links import breakable
from refcheck.site.state import SiteState
from refcheck.torchenv import path_label

ICON = {"passed": "✔", "failed": "✘", "skipped": "–", "unverified": "?", "partial": "◐"}
LABEL = {"passed": "verified", "failed": "FAILED", "skipped": "skipped", "unverified": "not verified yet", "partial": "partly verified"}


def run_label(report: Report) -> str:
    v = report.versions
    path = path_label(report.kernel)
    return f"{report.device['resolved']}{f' ({path})' if path else ''} · torch {v.get('torch')} · timm {v.get('timm')}"


def display_status(result: ClaimResult | None) -> str:
    """The badge a result earns: a pass with parts that could not run is 'partial', never plain 'verified'."""
    if result is None:
        return "unverified"
    if result.status == "passed" and result.skipped_parts:
        return "partial"
    return result.status


def margin_text(margin: float | None) -> str:
    return "" if margin is None else f"margin {margin:.0%}"


def main_badge(claim: Claim, result: ClaimResult | None) -> str:
    """The claim's badge from the report of record; a statistical claim's shows its smallest margin."""
    status = display_status(result)
    text = LABEL[status]
    if result is not None and result.skipped_parts:
        text += f" ({len(result.skipped_parts)} part{'s' if len(result.skipped_parts) > 1 else ''} skipped)"
    if result is not None and claim.statistical and result.margin is not None and status != "skipped":
        text += f" · {margin_text(result.margin)}"
    return badge(status, text)


def badge(status: str, text: str | None = None, title: str = "") -> str:
    tip = f' title="{html.escape(title)}"' if title else ""
    return f'<span class="refcheck-badge refcheck-{status}"{tip}>{ICON[status]} {html.escape(text or LABEL[status])}</span>'


def _value(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v)
    if len(text) > 400:
        text = text[:399] + "…"
    return f"<code>{html.escape(text)}</code>"


def _check_icon(check: dict[str, Any]) -> str:
    if check.get("skipped"):
        return ICON["skipped"]
    return ICON["passed" if check["ok"] else "failed"]


def _margin_cell(check: dict[str, Any]) -> str:
    return "" if check.get("margin") is None else f"{check['margin']:.1%}"


def checks_table(result: ClaimResult) -> str:
    """Every expectation: what was compared, expected, measured, and the margin of a thresholded one."""
    rows = "".join(
        f"<tr><td>{_check_icon(c)}</td><td>{html.escape(str(c['what']))}</td>"
        f"<td>{_value(c['expected'])}</td><td>{_value(c['measured'])}</td>"
        f"<td>{_margin_cell(c)}</td></tr>"
        for c in result.checks
    )
    if not rows:
        return ""
    return (
        '<div class="refcheck-scroll"><table class="refcheck-checks"><thead><tr><th></th><th>check</th><th>expected</th><th>measured</th>'
        f'<th title="distance from the threshold, relative to it">margin</th></tr></thead><tbody>{rows}</tbody></table></div>'
    )


def evidence_table(evidence: dict[str, Any]) -> str:
    if not evidence:
        return ""
    rows = "".join(f'<tr><td><code class="refcheck-token">{breakable(k)}</code></td><td>{_value(v)}</td></tr>' for k, v in evidence.items() if k != "traceback")
    return f'<div class="refcheck-scroll"><table class="refcheck-evidence"><thead><tr><th>evidence</th><th>value</th></tr></thead><tbody>{rows}</tbody></table></div>'


def figure_html(claim: Claim, evidence: dict[str, Any]) -> str:
    """Render the claim's plot from its evidence into an inline SVG image (generated at build time)."""
    if claim.figure is None or not evidence:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        fig = claim.figure(evidence)
    except (KeyError, IndexError, TypeError) as exc:  # evidence from a report written by an older version of the check
        return (f'<p class="refcheck-figure-missing"><small>No plot: this report\'s evidence lacks what the plot of '
                f'<code>{claim.id}</code> reads ({html.escape(type(exc).__name__)}: {html.escape(str(exc))}); '
                f'run <code>refcheck verify --only {claim.id}</code> and rebuild.</small></p>')
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue().encode()).decode()
    alt = html.escape(f"Plot of the evidence for: {claim.says}")
    return f'<figure class="refcheck-figure"><img alt="{alt}" src="data:image/svg+xml;base64,{data}"><figcaption>Generated at build time from the evidence of <code>{claim.id}</code>.</figcaption></figure>'


def differences(primary: ClaimResult, other: ClaimResult, limit: int = 4) -> list[str]:
    """Evidence keys whose values differ between two runs of one claim (status first)."""
    out = []
    if primary.status != other.status:
        out.append(f"status {other.status}" + (f" ({other.reason})" if other.reason else ""))
    for key in sorted(set(primary.evidence) | set(other.evidence)):
        if key == "traceback":
            continue
        a, b = primary.evidence.get(key), other.evidence.get(key)
        if a != b and not (isinstance(a, float) and isinstance(b, float) and abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-12)):
            out.append(f"{key}: {json.dumps(b)[:80]} (here {json.dumps(a)[:80]})")
    return out[:limit]


def differences_html(results: list[tuple[Report, ClaimResult]]) -> str:
    if len(results) < 2:
        return ""
    _, primary = results[0]
    items = []
    for rep, res in results[1:]:
        diff = differences(primary, res)
        text = "; ".join(diff) if diff else "same result and evidence"
        items.append(f"<li><strong>{html.escape(run_label(rep))}</strong>: {html.escape(text)}</li>")
    return f'<p class="refcheck-meta">Other runs:</p><ul class="refcheck-runs">{"".join(items)}</ul>'


def stress_text(entry: dict[str, Any] | None, stress: dict[str, Any] | None) -> str:
    """One sentence on the claim's stress run: cells passed, smallest margin and where."""
    if not entry or not stress:
        return ""
    cells = f"passed {entry['passed']} of {entry['cells']} cells"
    margin = f", smallest margin {entry['min_margin']:.0%} (cell {entry['min_margin_cell']})" if entry.get("min_margin") is not None else ""
    return f"Stress run ({stress['cpu']}, torch {stress['versions'].get('torch')}, {stress['created'][:10]}): {cells}{margin}."


def claim_html(claim: Claim, state: SiteState) -> str:
    """The block that replaces ``<!-- claim: ID -->``."""
    results = state.results(claim.id)
    primary = results[0] if results else None
    status = display_status(primary[1] if primary else None)
    runs = " ".join(badge(display_status(res), f"{res.status} · {run_label(rep)}") for rep, res in results)
    body = []
    if primary:
        rep, res = primary
        if res.reason:
            body.append(f'<p class="refcheck-reason"><strong>{html.escape(res.status)}:</strong> {html.escape(res.reason)}</p>')
        for part in res.skipped_parts:
            body.append(f'<p class="refcheck-reason"><strong>part skipped:</strong> {html.escape(part)}</p>')
        body.append(checks_table(res))
        body.append(evidence_table(res.evidence))
        path = path_label(rep.kernel)
        body.append(
            f'<p class="refcheck-meta">Measured on {html.escape(rep.device["name"])}{f" ({html.escape(path)})" if path else ""}, '
            f'Python {html.escape(str(rep.versions.get("python")))}, '
            f"torch {rep.versions.get('torch')}, torchvision {rep.versions.get('torchvision')}, timm {rep.versions.get('timm')}, "
            f"seed {rep.seed}, in {res.seconds:.2f} s ({html.escape(rep.created)}). Check: <code>{html.escape(claim.module)}</code>.</p>"
        )
        stress = stress_text(state.stress_entry(claim.id), state.stress)
        if stress:
            body.append(f'<p class="refcheck-meta refcheck-stress">{html.escape(stress)}</p>')
        body.append(differences_html(results))
    else:
        body.append('<p class="refcheck-reason">No verification report was found when this page was built. Run <code>refcheck verify</code> and rebuild.</p>')
    note = f'<p class="refcheck-version-note">Version-specific: {html.escape(claim.version_note)}</p>' if claim.version_note else ""
    if claim.thin_margin:
        note += f'<p class="refcheck-version-note">Thin margin, accepted because: {html.escape(claim.thin_margin)}</p>'
    figure = figure_html(claim, primary[1].evidence) if primary and primary[1].status == "passed" else ""
    opened = " open" if status in ("failed", "partial") else ""
    return (
        f'<div class="refcheck-claim refcheck-{status}" id="claim-{claim.id}" data-status="{status}">\n'
        f'<p class="refcheck-says">{main_badge(claim, primary[1] if primary else None)} {html.escape(claim.says)} '
        f'<a class="refcheck-id" href="#claim-{claim.id}" title="claim id"><code>{breakable(claim.id)}</code></a></p>\n'
        f"{note}{figure}"
        f'<details class="refcheck-details"{opened}><summary>Evidence {runs}</summary>\n{"".join(body)}\n</details>\n</div>\n'
    )
