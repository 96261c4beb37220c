"""Words for the contract data: the cheatsheet's cells, the CLI's rule listing (no torch)."""

from __future__ import annotations

from refcheck.losses.model import Contract, Dt, Form
from refcheck.losses.spec import FLOAT_DTYPES, INT_DTYPES

OUT_KEY = "output (reduction='none')"
# the value rules that check_loss_inputs applies (contract.values), in words
VALUE_WORDS = {
    "logits": "raw scores, any real value (not softmax/sigmoid output)",
    "logprob": "log-probabilities, all <= 0 (log_softmax output)",
    "prob01": "in [0, 1]",
    "prob": "probabilities >= 0 (log-probabilities with log_target=True)",
    "sign": "-1 or 1",
    "class": "class ids in [0, C), or ignore_index",
    "class_or_pad": "class ids in [0, C), padded with -1 after the last one",
    "nonneg": ">= 0",
    "log_rate": "log-rates (any real value) while log_input=True; rates (>= 0) with log_input=False",
    "ctc_ids": "label ids in [0, C), never the blank, in the first target_lengths[n] places",
    "ctc_lengths": "0 <= input_lengths <= T; 0 <= target_lengths <= S (padded) or summing to len(targets) (1-D)",
}


def values_text(contract: Contract) -> str:
    return "; ".join(f"{arg}: {VALUE_WORDS[rule]}" for arg, rule in contract.values.items())
WORDS = {"float": "float*", "int": "int*", "bool": "bool", "same": "= input dtype"}
FLOAT_OR_INT_NAMES = {"float": FLOAT_DTYPES, "int": INT_DTYPES}


def dtype_text(dt: Dt | None) -> str:
    """What to pass first; what torch merely tolerates, with its consequence, apart (never one mixed list)."""
    if dt is None:
        return "any"
    if dt.intended:
        rest = [a for a in dt.accept if a not in dt.intended]
        words = [("other " if a in ("float", "int") and any(i in FLOAT_OR_INT_NAMES[a] for i in dt.intended) else "") + WORDS.get(a, a) for a in rest]
        text = " / ".join(WORDS.get(a, a) for a in dt.intended)
        return text + (f"; tolerated, not intended: {', '.join(words)} ({dt.tolerated})" if words else "")
    text = " / ".join(WORDS.get(a, a) for a in dt.accept)
    late = sorted({s for s in dt.stages.values() if s != dt.stage})
    if dt.stage == "backward":
        text += " (others fail only in backward)"
    elif late:
        text += f" ({', '.join(k for k, v in dt.stages.items() if v in late)}: fails in {'/'.join(late)})"
    return text


def _target_shape(form: Form, first: str, tname: str) -> str:
    """'= input shape' where the target must (or should) equal the input's shape."""
    pattern = form.shapes.get(tname)
    if tname in form.broadcast and form.mode == "same_ndim":
        return f"same ndim as {first} (broadcasts)"
    if pattern is not None and (pattern == form.shapes.get(first) and pattern.startswith("*") or (tname in form.broadcast and form.mode in ("warn", "silent", "to_input"))):
        return "= input shape" + ("" if pattern == form.shapes.get(first) else " (broadcasts)")
    return shape_text(pattern)


def shape_text(pattern: str | None) -> str:
    if pattern is None:
        return "–"
    toks = [t.strip() for t in pattern.split(",") if t.strip()]
    if len(toks) == 1 and toks[0][0] == "*":
        return "any shape"
    return "(" + ", ".join(toks) + ")" if toks else "() scalar"


def out_text(form: Form, contract: Contract) -> str:
    if form.out == "=broadcast":
        return "broadcast shape of " + " & ".join(form.broadcast)
    if form.out == "=broadcast[:-1]":
        return "broadcast shape minus last dim"
    first = contract.module_args[0].name
    if form.out == form.shapes.get(first) and form.out.startswith("*"):
        return "= input shape"
    return shape_text(form.out)


def real_forms(contract: Contract) -> list[Form]:
    """The forms a reader should use (trap forms are explained with the mistakes)."""
    return [f for f in contract.forms if not f.fails]


def broadcast_note(form: Form) -> str:
    return {
        "warn": "must be equal; other broadcastable shapes only warn",
        "silent": "broadcast silently (keep them equal)",
        "to_input": "target must broadcast to input's shape",
        "same_ndim": "same number of dims, then broadcast",
    }.get(form.mode, "")


def forms_table(contract: Contract) -> list[dict[str, str]]:
    """One row per accepted form: its name, each tensor's shape and dtypes, the 'none' output."""
    rows = []
    for f in real_forms(contract):
        row = {"form": f.name}
        for a in contract.args:
            row[a.name] = f"{shape_text(f.shapes.get(a.name))} {dtype_text(f.dtypes.get(a.name))}"
        row[OUT_KEY] = out_text(f, contract)
        row["notes"] = "; ".join(x for x in (broadcast_note(f), f.note) if x)
        rows.append(row)
    return rows


def target_name(contract: Contract) -> str:
    t = contract.target_arg
    return t.name if t else contract.module_args[-1].name


CHEAT_COLUMNS = ("input shape", "target shape", "target dtype", "output (none)")


def cheatsheet_lines(contract: Contract) -> list[dict[str, str]]:
    """One line per accepted form (forms that read the same are merged): shapes, target dtype, output."""
    first = contract.module_args[0].name
    tname = target_name(contract)
    lines = []
    for f in real_forms(contract):
        line = {"form": f.name, "input shape": shape_text(f.shapes.get(first)), "target shape": _target_shape(f, first, tname),
                "target dtype": dtype_text(f.dtypes.get(tname)), "output (none)": out_text(f, contract)}
        if not any(all(line[k] == other[k] for k in CHEAT_COLUMNS) for other in lines):
            lines.append(line)
    return lines


def cheatsheet_row(contract: Contract) -> dict[str, str]:
    """The cells of the one-table cheatsheet; several forms are joined with ' ; ' in form order."""
    lines = cheatsheet_lines(contract)
    tname = target_name(contract)
    extra = [a.name for a in contract.module_args[1:] if a.name != tname]
    row = {"loss": contract.name, "functional": f"F.{contract.functional}", "input": contract.input_kind}
    row.update({k: " ; ".join(line[k] for line in lines) for k in CHEAT_COLUMNS})
    row["forms"] = " ; ".join(line["form"] for line in lines)
    if extra:
        row["target shape"] += f" (+ {', '.join(extra)})"
    return row


def rules_text(contract: Contract) -> str:
    """The plain-text answer of `refcheck loss NAME`."""
    lines = [f"{contract.name}  (torch.nn.functional.{contract.functional})", contract.summary]
    if contract.deprecated:
        lines.append(f"DEPRECATED: use {contract.deprecated}.")
    lines.append(f"input: {contract.input_kind}")
    lines.append("tensors, in call order: " + ", ".join(f"{a.name} ({a.kind})" for a in contract.module_args))
    lines.append("")
    lines.append("accepted forms (shapes use named dims; the same name means the same size):")
    for row in forms_table(contract):
        lines.append(f"  - {row['form']}:")
        for a in contract.args:
            if not a.module:
                continue
            lines.append(f"      {a.name:<15} {row[a.name]}")
        lines.append(f"      {'output (none)':<15} {row[OUT_KEY]}")
        if row["notes"]:
            lines.append(f"      note: {row['notes']}")
    if contract.values:
        lines.append(f"values: {values_text(contract)}")
    lines.append(f"reduction: {', '.join(contract.reductions)} (default 'mean'); any but 'none' gives a scalar ()")
    opts = [o for o in contract.options if o.name != "reduction"]
    if opts:
        lines.append("options that change the contract:")
        for o in opts:
            lines.append(f"  - {o.name}={o.default!r}: {o.desc}")
    if contract.mistakes:
        lines.append("common mistakes:")
        for m in contract.mistakes:
            lines.append(f"  - {m.replace('`', '')}")
    return "\n".join(lines)
