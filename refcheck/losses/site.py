"""Directives of the loss pages, all generated from refcheck/losses/contracts.py.

- ``<!-- refcheck: loss-cheatsheet -->``   the one table of every loss
- ``<!-- refcheck: loss-contract NAME -->`` one loss's forms, options and common mistakes
- ``<!-- refcheck: loss-errors -->``       the error index, from the evidence of ``losses.errors.index`` (error_site.py)
"""

from __future__ import annotations

import html

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
    lines = [f"**Input:** {c.input_kind}. {c.summary} Functional form: `F.{c.functional}`."]
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
