"""``refcheck explain --from-error MESSAGE``: the error index entry of a pasted torch error (no torch).

The templates are built from the evidence of ``losses.errors.index`` in the reports (``$REFCHECK_REPORTS``
or ``.refcheck/``, then ``reports/``): a report on the pinned torch first, newest first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from refcheck import report as report_mod
from refcheck.losses.errors import CLAIM_ID, STAGE_WORDS, build_index, match
from refcheck.torchenv import UsageError
from refcheck.versions import pinned


def recorded_index(dirs: list[Path] | None = None) -> tuple[report_mod.Report, list[dict[str, Any]]]:
    """(report, index) from the first report holding the claim's messages; UsageError when none does."""
    dirs = dirs or [report_mod.report_dir(), report_mod.REPO_ROOT / "reports"]
    torch_pin = pinned().get("torch")
    of_record = dirs[0] / f"report-cpu-torch{torch_pin}.json"  # the usual answer: read it alone (each report is ~1 MB)
    if of_record.is_file():
        try:
            r = report_mod.load(of_record)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            r = None
        for res in r.results if r else []:
            if res.id == CLAIM_ID and isinstance(res.evidence.get("messages"), list):
                return r, build_index(res.evidence["messages"])
    reports = sorted((r for d in dirs for r in report_mod.load_all(d)), key=lambda r: r.created, reverse=True)
    for r in sorted(reports, key=lambda r: r.versions.get("torch") != torch_pin):
        for res in r.results:
            if res.id == CLAIM_ID and isinstance(res.evidence.get("messages"), list):
                return r, build_index(res.evidence["messages"])
    raise UsageError(f"no report holds the error index: run 'refcheck verify --only {CLAIM_ID}' first "
                     f"(reports are read from {', '.join(map(str, dirs))})")


def _command(loss: str, specs: dict[str, str], options: dict[str, Any]) -> str:
    """The ``refcheck explain`` call that checks these specs (the loss's own first and target tensors)."""
    from refcheck.losses.contracts import resolve

    c = resolve(loss)
    first = c.module_args[0].name
    target = c.target_arg or (c.module_args[1] if len(c.module_args) > 1 else None)
    parts = [f"refcheck explain {loss}", f"--input {specs[first]}" if first in specs else ""]
    if target is not None and target.name in specs:
        parts.append(f"--target {specs[target.name]}")
    parts += [f"--extra {n}={s}" for n, s in specs.items() if n not in (first, target.name if target else None)]
    parts += [f"--option {k}={v}" for k, v in options.items()]
    return " ".join(p for p in parts if p)


def cmd_from_error(args: argparse.Namespace) -> int:
    """Print the matching entry (exit 0), or a one-line error naming what the index matches (exit 2)."""
    if args.name or args.input is not None or args.target is not None:
        raise UsageError("--from-error takes the message alone: drop the loss NAME, --input and --target")
    message = args.from_error
    if not message.strip():
        raise UsageError("--from-error needs the text of a torch error, e.g. --from-error \"expected scalar type Long but found Float\"")
    report, index = recorded_index()
    found = match(message, index)
    if found is None:
        raise UsageError(f"no entry of the loss error index matches {message.strip()[:80]!r}; the index matches torch's error messages "
                         f"from loss functions ({len(index)} kinds, e.g. {index[0]['title']!r}) with any sizes and dtype names")
    entry = next(e for e in index if e["id"] == found["id"])
    if args.json:
        print(json.dumps({**found, "title": entry["title"], "stage": entry["stage"], "rows": entry["rows"],
                          "torch": report.versions.get("torch")}, indent=1))
        return 0
    lines = [f"matched: {entry['title']}", f"  {STAGE_WORDS.get(entry['stage'], entry['stage'])} (torch {report.versions.get('torch')}); "
             f"losses: {', '.join(entry['losses'])}"]
    for row in entry["rows"]:
        lines += [f"  - {row['loss']}: {row['cause']}", f"    fix: {row['fix']}"]
    if found["specs"]:
        lines.append("shapes from your message, to check: " + _command(found["loss"], found["specs"], found["options"]))
    lines.append(f"index entry: docs/losses/errors.md#{found['id']}")
    print("\n".join(lines))
    return 0
