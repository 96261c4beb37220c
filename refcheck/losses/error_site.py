"""The error index page, rendered from the evidence of ``losses.errors.index`` in the reports (no torch).

- ``<!-- refcheck: loss-errors -->``      the entries: torch's messages, the calls that raised them, cause, fix
- ``<!-- refcheck: loss-error-data -->``  the templates as JSON and the paste box (read by assets/loss-errors.js)
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from refcheck.losses.errors import CLAIM_ID, STAGE_WORDS, build_index, payload
from refcheck.site.links import cell as _cell
from refcheck.site.links import code_cell as _code
from refcheck.site.state import SiteState

MISSING = ("The error index is not in the reports this site was built from. Run "
           f"`refcheck verify --only {CLAIM_ID}` and rebuild: the index lists the messages that run records.")


def recorded(state: SiteState) -> tuple[Any, list[dict[str, Any]]] | None:
    """(report, messages) from the first report, the report of record first, whose result holds the messages."""
    for report, result in state.results(CLAIM_ID):
        if isinstance(result.evidence.get("messages"), list):
            return report, result.evidence["messages"]
    return None


def _heading(entry: dict[str, Any]) -> str:
    title = entry["title"] if len(entry["title"]) <= 90 else entry["title"][:89] + "…"
    text = html.escape(title).replace("`", "&#96;").replace("{", "&#123;").replace("}", "&#125;").replace("_", "&#95;").replace("*", "&#42;")
    return f"### {text} {{#{entry['id']}}}\n"


def _shown_variants(variants: list[str], sizes_only: int = 8) -> list[str]:
    """Every variant that differs in words (dtype names, reductions), then size-only variants up to ``sizes_only``."""
    by_words = {re.sub(r"\d+", "#", v): v for v in reversed(variants)}
    distinct = [v for v in variants if by_words.get(re.sub(r"\d+", "#", v)) == v]
    rest = [v for v in variants if v not in distinct]
    return distinct + rest[: max(0, sizes_only - len(distinct))]


def _entry(entry: dict[str, Any]) -> str:
    out = [_heading(entry), "```text\n" + "\n".join(_shown_variants(entry["variants"])) + "\n```\n",
           f"<small>{STAGE_WORDS.get(entry['stage'], entry['stage'])} · losses: {', '.join(entry['losses'])}</small>\n",
           "| you called | cause | fix |\n|---|---|---|"]
    out += [f"| {_code(r['call'])} | {_cell(r['cause'])} | {_code(r['fix'])} |" for r in entry["rows"]]
    return "\n".join(out) + "\n"


def error_index(arg: str, state: SiteState, page: str) -> str:
    found = recorded(state)
    if found is None:
        return f"!!! warning \"Not verified yet\"\n    {MISSING}\n"
    report, messages = found
    index = build_index(messages)
    where = f"torch {report.versions.get('torch')} on {report.device.get('resolved')} (report of {report.created[:10]})"
    head = f"{len(index)} distinct messages from {len(messages)} calls, raised by {html.escape(where)}.\n"
    return head + "\n" + "\n".join(_entry(e) for e in index)


def error_data(arg: str, state: SiteState, page: str) -> str:
    """The paste box and the templates it matches against; says so when the report lacks them."""
    found = recorded(state)
    data = payload(build_index(found[1])) if found else {"claim": CLAIM_ID, "templates": []}
    text = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    errors_page = "" if page == "losses/errors.md" else "../errors/"
    return (f'<div id="loss-errors-paste" class="loss-errors-paste" data-errors-page="{errors_page}"></div>\n\n'
            f'<script type="application/json" id="refcheck-loss-errors">{text}</script>\n')
