"""The loss error index as data: templates made from torch's real messages, and the matcher (no torch).

The messages come from the evidence of the claim ``losses.errors.index`` (torch raised each one for the
call recorded beside it). A message becomes a regular-expression template by turning every size, number
and dtype name into a wildcard; messages with the same template form one entry. ``match`` finds the entry
of a pasted message and rescales the entry's example tensors to the sizes the message contains.

``docs/assets/loss-errors.js`` runs the same templates (exported by ``payload``) through the same matching
rule; ``tests/test_loss_errors.py`` proves both give equal answers on generated messages.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from refcheck.losses.spec import TORCH_NAMES

CLAIM_ID = "losses.errors.index"
# a dtype word in a message -> the dtype a tensor spec names (spec.TORCH_NAMES reversed, plus the C names)
DTYPE_OF_WORD = {**{w: d for d, w in TORCH_NAMES.items()}, "long int": "int64", "double": "float64", "float": "float32"}
TOKEN = re.compile(
    r"(?P<size>torch\.Size\(\[[\d, ]*\]\)|\[[\d, ]*\])"
    r"|(?P<dtype>\b(?:" + "|".join(sorted(DTYPE_OF_WORD, key=len, reverse=True)) + r")\b)"
    r"|(?P<int>\b\d+\b)"
)
DTYPE_GROUP = "([A-Za-z][A-Za-z0-9]*(?: int)?)"  # any dtype word in a template: Long, BFloat16, long int
_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\/])")
_SPEC = re.compile(r"^([A-Za-z0-9_]+)\[([0-9,]*)\]$")
_INT = re.compile(r"[0-9]+")
# the same class in loss-errors.js: written out, because \s differs between Python and JavaScript
WHITESPACE = re.compile("[ \t\n\r\f\v\u00a0]+")
STAGE_WORDS = {"forward-error": "raised by the forward call", "backward-error": "raised by backward()",
               "warning": "a warning; the loss is still computed"}


def normalize(text: str) -> str:
    """Whitespace runs become one space, so wrapped or indented pastes match."""
    return WHITESPACE.sub(" ", text)


def body(message: str) -> tuple[str, str]:
    """('RuntimeError', 'the text') from 'RuntimeError: the text'; the type is '' when absent."""
    kind, sep, rest = message.partition(": ")
    if sep and re.fullmatch(r"[A-Z]\w*(Error|Warning|Exception)", kind):
        return kind, rest
    return "", message


def _escape(text: str) -> str:
    """Escape for a pattern both Python's re and JavaScript's RegExp read the same way."""
    return _SPECIAL.sub(r"\\\1", text)


def template_of(message: str) -> dict[str, Any]:
    """The template of one message: pattern, the kind of each group, the example's group values, weight."""
    text = normalize(body(message)[1])
    parts, kinds, values, weight, pos = [], [], [], 0, 0
    for m in TOKEN.finditer(text):
        literal = text[pos:m.start()]
        parts.append(_escape(literal))
        weight += len(literal)
        token, kind = m.group(0), m.lastgroup
        if kind == "size":
            inner = token[token.index("[") + 1:token.index("]")]
            head, tail = token[:token.index("[") + 1], token[token.index("]"):]
            parts.append(f"{_escape(head)}([0-9, ]*){_escape(tail)}")
            weight += len(head) + len(tail)
            values.append(inner)
        elif kind == "dtype":
            parts.append(DTYPE_GROUP)
            values.append(token)
        else:
            parts.append("([0-9]+)")
            values.append(token)
        kinds.append(kind)
        pos = m.end()
    parts.append(_escape(text[pos:]))
    weight += len(text) - pos
    return {"pattern": "".join(parts), "kinds": kinds, "values": values, "weight": weight}


def entry_id(pattern: str) -> str:
    """A stable anchor for an entry: the same template gets the same id in every build."""
    return "e-" + hashlib.sha1(pattern.encode()).hexdigest()[:8]


def build_index(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries from the claim's evidence (each item: message, stage, loss, call, cause, fix, specs, options).

    One entry per template, ordered by its message text; the first message of an entry is its example.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in messages:
        groups.setdefault(template_of(item["message"])["pattern"], []).append(item)
    index = []
    for pattern, items in groups.items():
        first = items[0]
        t = template_of(first["message"])
        title = normalize(body(first["message"])[1])
        index.append({
            "id": entry_id(pattern), "pattern": pattern, "kinds": t["kinds"], "values": t["values"], "weight": t["weight"],
            "roles": roles(t, first.get("specs") or {}),
            "title": title, "type": body(first["message"])[0], "stage": first["stage"],
            "losses": sorted({i["loss"] for i in items}), "variants": list(dict.fromkeys(i["message"] for i in items)),
            "rows": _rows(items), "loss": first["loss"], "specs": first.get("specs") or {}, "options": first.get("options") or {},
        })
    return sorted(index, key=lambda e: (e["title"].lower(), e["id"]))


def roles(template: dict[str, Any], specs: dict[str, str]) -> list[str]:
    """For each group of the template, the tensor it describes in the example ('' if none): a size group the
    first tensor not yet named whose whole shape it printed; a dtype group the one tensor of that dtype
    (none when several share it: 'got Float' with a float input and a float target names neither)."""
    parsed = {arg: m for arg, m in ((a, _SPEC.match(s)) for a, s in specs.items()) if m}
    out, taken = [], set()
    for kind, value in zip(template["kinds"], template["values"]):
        if kind == "size":
            hits = [a for a, m in parsed.items() if ("size", a) not in taken and _ints(m.group(2)) == _ints(value)][:1]
        elif kind == "dtype":
            hits = [a for a, m in parsed.items() if DTYPE_OF_WORD.get(value) == m.group(1)]
            hits = hits if len(hits) == 1 and ("dtype", hits[0]) not in taken else []
        else:
            hits = []
        out.append(hits[0] if hits else "")
        taken.update((kind, a) for a in hits)
    return out


def _rows(items: list[dict[str, Any]], limit: int = 6) -> list[dict[str, str]]:
    """Distinct (loss, cause) pairs with the call that showed them."""
    seen, rows = set(), []
    for i in items:
        if (i["loss"], i["cause"]) not in seen and len(rows) < limit:
            seen.add((i["loss"], i["cause"]))
            rows.append({"loss": i["loss"], "call": i["call"], "cause": i["cause"], "fix": i["fix"]})
    return rows


def payload(index: list[dict[str, Any]]) -> dict[str, Any]:
    """What the browser matcher reads: the templates and what a match pre-fills."""
    keep = ("id", "pattern", "kinds", "values", "roles", "weight", "title", "stage", "losses", "loss", "specs", "options")
    return {"claim": CLAIM_ID, "dtype_of_word": DTYPE_OF_WORD, "templates": [{k: e[k] for k in keep} for e in index]}


def _ints(text: str) -> list[int]:
    return [int(x) for x in _INT.findall(text)]


def _rescale(spec: str, mapping: dict[int, int], shape: list[int] | None, dtype: str | None) -> str:
    m = _SPEC.match(spec)
    if not m:
        return spec
    dims = shape if shape is not None else [mapping.get(d, d) for d in _ints(m.group(2))]
    return f"{dtype or m.group(1)}[{','.join(map(str, dims))}]"


def prefill(template: dict[str, Any], groups: list[str], dtype_of_word: dict[str, str]) -> dict[str, str]:
    """The example's tensor specs made to fit the message: a tensor whose shape (dtype) the message prints takes
    that shape (dtype); in the others each example size (>= 2) is replaced by the size at its place in the message."""
    mapping: dict[int, int] = {}
    shapes: dict[str, list[int]] = {}
    dtypes: dict[str, str] = {}
    for kind, got, ex, role in zip(template["kinds"], groups, template["values"], template["roles"]):
        if role and kind == "size" and role not in shapes:
            shapes[role] = _ints(got)
        if role and kind == "dtype" and role not in dtypes and got in dtype_of_word:
            dtypes[role] = dtype_of_word[got]
        if kind == "size":
            a, b = _ints(ex), _ints(got)
            pairs = list(zip(a, b)) if len(a) == len(b) else []
        elif kind == "int":
            pairs = [(int(ex), int(got))]
        else:
            pairs = []
        for x, y in pairs:
            if x >= 2 and x not in mapping:
                mapping[x] = y
    return {name: _rescale(spec, mapping, shapes.get(name), dtypes.get(name)) for name, spec in template["specs"].items()}


def match(text: str, templates: list[dict[str, Any]], dtype_of_word: dict[str, str] = DTYPE_OF_WORD) -> dict[str, Any] | None:
    """The entry whose template occurs in the text (the heaviest when several do, the first on a tie),
    with the loss and the example's specs rescaled to the message's sizes; None when none occurs."""
    text = normalize(text)
    best, best_groups = None, None
    for t in templates:
        m = re.search(t["pattern"], text)
        if m and (best is None or t["weight"] > best["weight"]):
            best, best_groups = t, list(m.groups())
    if best is None:
        return None
    return {"id": best["id"], "loss": best["loss"], "losses": best["losses"], "specs": prefill(best, best_groups, dtype_of_word),
            "options": best["options"]}
