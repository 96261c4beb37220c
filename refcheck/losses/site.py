"""Directives of the loss pages, all generated from refcheck/losses/contracts.py.

- ``<!-- refcheck: loss-cheatsheet -->``   the one table of every loss
- ``<!-- refcheck: loss-contract NAME -->`` one loss's forms, options and common mistakes
- ``<!-- refcheck: loss-errors -->``       the error index: torch's real messages, triggered at build time
- ``<!-- refcheck: loss-lookup-data -->``  the contracts as JSON for the lookup widget
"""

from __future__ import annotations

import html
import json
import re
import warnings

from refcheck.losses.contracts import CONTRACTS, resolve
from refcheck.losses.describe import (
    CHEAT_COLUMNS,
    OUT_KEY,
    cheatsheet_lines,
    cheatsheet_row,
    forms_table,
    target_name,
    values_text,
)
from refcheck.losses.diagnose import diagnose
from refcheck.losses.model import STAGE_TEXT, to_json
from refcheck.losses.spec import DTYPE_ALIASES, FLOAT_DTYPES, GRAMMAR, TORCH_NAMES
from refcheck.site.links import breakable, page_link
from refcheck.site.links import cell as _cell
from refcheck.site.links import md_cell as _md
from refcheck.site.state import SiteState


def anchor(name: str) -> str:
    return name.lower()


def _link(page: str, name: str) -> str:
    return page_link(page, "losses/index.md", anchor(name))


def cheatsheet(arg: str, state: SiteState, page: str) -> str:
    cols = ["loss", "input", "input shape", "target shape", "target dtype", "output (none)"]
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    rows = []
    for c in CONTRACTS.values():
        r = cheatsheet_row(c)
        lines = cheatsheet_lines(c)
        tname = target_name(c)
        extra = [a.name for a in c.module_args[1:] if a.name != tname]
        cells = {k: "<br>".join(_cell(line[k]) for line in lines) for k in CHEAT_COLUMNS}
        if extra:
            cells["target shape"] += f"<br><small>+ {_cell(', '.join(extra))}</small>"
        name = f"[{c.name}]({_link(page, c.name)})<br><small><code class=\"refcheck-token\">{breakable(r['functional'])}</code></small>" + (" <small>(deprecated)</small>" if c.deprecated else "")
        rows.append("| " + " | ".join([name, f"<small>{_cell(r['input'])}</small>"] + [f"<small>{cells[k]}</small>" for k in cols[2:]]) + " |")
    legend = ("\n<small>Named dims: N batch, C classes, D features, T time, S target length; `*d` zero or more extra dims, `+d` one or more. "
              "`float*` means any floating dtype, `int*` any integer dtype. Several lines in a cell are the loss's accepted forms, line by line. With reduction 'mean' or 'sum' every loss returns a scalar `()`. "
              "Each row is checked against torch by the probe claim in its section below.</small>\n")
    return f'<div class="loss-cheatsheet" markdown>\n\n{head}' + "\n".join(rows) + "\n" + legend + "\n</div>\n"


def contract_section(arg: str, state: SiteState, page: str) -> str:
    c = resolve(arg.strip())
    lines = [f"**Input:** {c.input_kind}. {c.summary}"]
    if c.deprecated:
        lines.append(f'\n!!! warning "Deprecated"\n    Use `{c.deprecated}`: it accepts the same tensors.\n')
    args = [a for a in c.args if a.module]
    cols = ["form", *[a.name for a in args], OUT_KEY]
    lines.append("\n| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for row in forms_table(c):
        note = f"<br><small>{_cell(row['notes'])}</small>" if row["notes"] else ""
        lines.append("| " + " | ".join([_cell(row["form"]) + note] + [f"`{_md(row[a.name])}`" for a in args] + [f"`{_md(row[OUT_KEY])}`"]) + " |")
    opts = [o for o in c.options if o.name != "reduction"]
    if c.values:
        lines.append(f"\n**Values:** {html.escape(values_text(c))} (checked by `check_loss_inputs`; torch checks few of them).")
    lines.append(f"\n**reduction:** {', '.join(repr(r) for r in c.reductions)} (default `'mean'`); anything but `'none'` returns a scalar.")
    if opts:
        lines.append("**Options that change the contract:** " + "; ".join(f"`{o.name}={o.default!r}` {html.escape(o.desc)}" for o in opts) + ".")
    if c.mistakes:
        lines.append("\n**Common mistakes**\n")
        lines.extend(f"- {m}" for m in c.mistakes)
    traps = [f for f in c.forms if f.fails]
    for f in traps:
        lines.append(f"- {html.escape(f.why[0].upper() + f.why[1:])}.")
    cmd = f"refcheck loss {c.name}"
    lines.append(f"\n<small>The same rules from the command line: `{cmd}`; check your own shapes in the [lookup](lookup.md?loss={c.name}) "
                 f"or with `refcheck explain {c.name} --input ... --target ...`.</small>\n")
    return "\n".join(lines) + "\n"


def lookup_payload() -> dict:
    """What the lookup widget reads: every contract plus the spec grammar's tables."""
    return {
        "contracts": {name: to_json(c) for name, c in CONTRACTS.items()},
        "dtype_aliases": DTYPE_ALIASES,
        "float_dtypes": list(FLOAT_DTYPES),
        "torch_names": TORCH_NAMES,
        "stage_text": STAGE_TEXT,
        "grammar": GRAMMAR,
    }


def lookup_data(arg: str, state: SiteState, page: str) -> str:
    text = json.dumps(lookup_payload(), separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" id="refcheck-loss-contracts">{text}</script>\n'


# ------------------------------------------------------------------------------------------ error index
def _normalize(message: str) -> str:
    """Group messages that differ only in sizes or dtype names."""
    m = re.sub(r"torch\.Size\(\[[^\]]*\]\)", "SIZE", message)
    m = re.sub(r"\[[\d, ]*\]", "SHAPE", m)
    m = re.sub(r"\d+", "#", m)
    m = re.sub(r"\b(Long|Int|Byte|Float|Double|Bool|Short|Char|Half|BFloat16|long int)\b", "T", m)
    return m


# value-level misuses the dtype/shape grid cannot show: (loss, code building the call, cause, fix)
VALUE_TRIGGERS = [
    ("BCELoss", "F.binary_cross_entropy(torch.randn(4) * 3, torch.ones(4))", "logits passed to BCELoss (values outside [0, 1])",
     "use BCEWithLogitsLoss on the logits, or torch.sigmoid first"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 3]))", "a class id >= C (labels 1..C instead of 0..C-1, or too few output units)",
     "class ids must lie in [0, C); check the label encoding or the model's output size"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, -1]))", "a negative class id (padding marker other than ignore_index)",
     "set ignore_index=-1, or map padding to -100"),
    ("CrossEntropyLoss", "F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 1]), label_smoothing=1.5)", "label_smoothing outside [0, 1]", "use a value in [0, 1], e.g. 0.1"),
    ("GaussianNLLLoss", "F.gaussian_nll_loss(torch.randn(4), torch.randn(4), torch.randn(4))", "negative variances (a raw linear output used as var)",
     "var = F.softplus(raw) or raw.exp()"),
    ("MSELoss", "F.mse_loss(torch.randn(4), torch.randn(4), reduction='avg')", "an unknown reduction", "reduction='none', 'mean' or 'sum'"),
    ("MultiMarginLoss", "F.multi_margin_loss(torch.randn(4, 3), torch.tensor([0, 1, 2, 3]))", "a class id >= C", "class ids must lie in [0, C)"),
    ("CTCLoss", "F.ctc_loss(torch.randn(5, 2, 4).log_softmax(2), torch.ones(2, 3, dtype=torch.long), torch.full((2,), 6), torch.full((2,), 3))",
     "input_lengths larger than T (the time dim of log_probs; batch-first input?)", "log_probs must be (T, N, C); input_lengths <= T"),
    ("NLLLoss2d", "torch.nn.NLLLoss2d()", "NLLLoss2d is deprecated", "use NLLLoss: same arguments, any number of spatial dims"),
]


def _collect_errors() -> list[dict]:
    """Trigger every rejected probe case and every value trigger with the installed torch; keep the messages."""
    from refcheck.losses.probe import grid, run_case

    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in CONTRACTS.values():
            for case in grid(c):
                d = diagnose(c, case["specs"], case["options"])
                if d.outcome == "ok":
                    continue
                m = run_case(c, case["specs"], case["options"])
                if m.outcome != d.outcome or not m.message:
                    continue  # disagreement: the probe claim reports it
                call = f"{c.name}(" + ", ".join(f"{k}={v}" for k, v in case["specs"].items()) + "".join(f", {k}={v!r}" for k, v in case["options"].items()) + ")"
                p = next(p for p in d.problems if p.stage != "silent")
                found.append({"message": m.message, "stage": m.outcome, "loss": c.name, "call": call, "cause": p.rule, "fix": p.fix})
    import torch  # noqa: F401  (the value triggers run real torch code)
    import torch.nn.functional as F  # noqa: F401,N812

    for loss, code, cause, fix in VALUE_TRIGGERS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                eval(code, {"torch": torch, "F": F})  # a fixed expression from this module
                message = f"{caught[0].category.__name__}: {str(caught[0].message).splitlines()[0]}" if caught else ""
                stage = "warning"
            except Exception as exc:
                message, stage = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}", "forward-error"
        if message:
            found.append({"message": message, "stage": stage, "loss": loss, "call": code, "cause": cause, "fix": fix})
    return found


def error_index(arg: str, state: SiteState, page: str) -> str:
    groups: dict[str, list[dict]] = {}
    for e in _collect_errors():
        groups.setdefault(_normalize(e["message"]), []).append(e)
    stage_words = {"forward-error": "raised by the forward call", "backward-error": "raised by backward()", "warning": "a warning; the loss is still computed"}
    out = [f"{len(groups)} distinct messages from {sum(len(v) for v in groups.values())} triggered calls (torch version in the footer).\n"]
    for key in sorted(groups, key=lambda k: (groups[k][0]["message"].split(":")[1].strip().lower())):
        entries = groups[key]
        first = entries[0]
        title = first["message"].split(": ", 1)[1] if ": " in first["message"] else first["message"]
        title = re.sub(r"\s+", " ", title)
        short = title if len(title) <= 90 else title[:89] + "…"
        out.append(f"### {html.escape(short).replace('`', '&#96;')}\n")
        variants = list(dict.fromkeys(e["message"] for e in entries))
        out.append("```text\n" + "\n".join(variants[:8]) + "\n```\n")
        out.append(f"<small>{stage_words.get(first['stage'], first['stage'])} · losses: {', '.join(sorted({e['loss'] for e in entries}))}</small>\n")
        out.append("| you called | cause | fix |\n|---|---|---|")
        seen = set()
        for e in entries:
            if (e["loss"], e["cause"]) in seen:
                continue
            seen.add((e["loss"], e["cause"]))
            out.append(f"| `{_md(e['call'])}` | {_cell(e['cause'])} | `{_md(e['fix'])}` |")
            if len(seen) >= 6:
                break
        out.append("")
    return "\n".join(out) + "\n"
