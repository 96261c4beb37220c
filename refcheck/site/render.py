"""HTML for a claim on its page: statement, status badge, evidence, the versions that verified it."""

from __future__ import annotations

import base64
import html
import io
import json
from typing import Any

from refcheck.registry import Claim
from refcheck.report import ClaimResult, Report
from refcheck.site.state import SiteState

ICON = {"passed": "✔", "failed": "✘", "skipped": "–", "unverified": "?"}
LABEL = {"passed": "verified", "failed": "FAILED", "skipped": "skipped", "unverified": "not verified yet"}


def run_label(report: Report) -> str:
    v = report.versions
    return f"{report.device['resolved']} · torch {v.get('torch')} · timm {v.get('timm')}"


def badge(status: str, text: str | None = None) -> str:
    return f'<span class="refcheck-badge refcheck-{status}">{ICON[status]} {html.escape(text or LABEL[status])}</span>'


def _value(v: Any) -> str:
    text = v if isinstance(v, str) else json.dumps(v)
    if len(text) > 400:
        text = text[:399] + "…"
    return f"<code>{html.escape(text)}</code>"


def checks_table(result: ClaimResult) -> str:
    rows = "".join(
        f"<tr><td>{ICON['passed' if c['ok'] else 'failed']}</td><td>{html.escape(str(c['what']))}</td>"
        f"<td>{_value(c['expected'])}</td><td>{_value(c['measured'])}</td></tr>"
        for c in result.checks
    )
    if not rows:
        return ""
    return f'<table class="refcheck-checks"><thead><tr><th></th><th>check</th><th>expected</th><th>measured</th></tr></thead><tbody>{rows}</tbody></table>'


def evidence_table(evidence: dict[str, Any]) -> str:
    if not evidence:
        return ""
    rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{_value(v)}</td></tr>" for k, v in evidence.items() if k != "traceback")
    return f'<table class="refcheck-evidence"><thead><tr><th>evidence</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>'


def figure_html(claim: Claim, evidence: dict[str, Any]) -> str:
    """Render the claim's plot from its evidence into an inline SVG image (generated at build time)."""
    if claim.figure is None or not evidence:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = claim.figure(evidence)
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


def claim_html(claim: Claim, state: SiteState) -> str:
    """The block that replaces ``<!-- claim: ID -->``."""
    results = state.results(claim.id)
    primary = results[0] if results else None
    status = primary[1].status if primary else "unverified"
    runs = " ".join(badge(res.status, f"{res.status} · {run_label(rep)}") for rep, res in results)
    body = []
    if primary:
        rep, res = primary
        if res.reason:
            body.append(f'<p class="refcheck-reason"><strong>{html.escape(res.status)}:</strong> {html.escape(res.reason)}</p>')
        body.append(checks_table(res))
        body.append(evidence_table(res.evidence))
        body.append(
            f'<p class="refcheck-meta">Measured on {html.escape(rep.device["name"])}, Python {html.escape(str(rep.versions.get("python")))}, '
            f"torch {rep.versions.get('torch')}, torchvision {rep.versions.get('torchvision')}, timm {rep.versions.get('timm')}, "
            f"in {res.seconds:.2f} s ({html.escape(rep.created)}). Check: <code>{html.escape(claim.module)}</code>.</p>"
        )
        body.append(differences_html(results))
    else:
        body.append('<p class="refcheck-reason">No verification report was found when this page was built. Run <code>refcheck verify</code> and rebuild.</p>')
    note = f'<p class="refcheck-version-note">Version-specific: {html.escape(claim.version_note)}</p>' if claim.version_note else ""
    figure = figure_html(claim, primary[1].evidence) if primary and primary[1].status == "passed" else ""
    return (
        f'<div class="refcheck-claim refcheck-{status}" id="claim-{claim.id}">\n'
        f'<p class="refcheck-says">{badge(status)} {html.escape(claim.says)} '
        f'<a class="refcheck-id" href="#claim-{claim.id}" title="claim id"><code>{claim.id}</code></a></p>\n'
        f"{note}{figure}"
        f'<details class="refcheck-details"><summary>Evidence {runs}</summary>\n{"".join(body)}\n</details>\n</div>\n'
    )
