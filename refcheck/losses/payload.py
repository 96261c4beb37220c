"""The one JSON payload the widget's engine reads: contracts, name index, spec grammar, messages.

``python -m refcheck.losses.payload`` writes it to ``docs/assets/loss-payload.json``;
``tests/test_losses_parity.py`` fails when the committed file differs from what this module
generates, and runs both engines over a generated grid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from refcheck.losses import messages, names, spec
from refcheck.losses.contracts import CONTRACTS, INDEX
from refcheck.losses.describe import OUT_KEY, forms_table
from refcheck.losses.model import STAGE_TEXT, to_json

PATH = Path(__file__).resolve().parents[2] / "docs" / "assets" / "loss-payload.json"


def payload() -> dict[str, Any]:
    """Everything the engine needs, and nothing it would have to re-derive."""
    return {
        "contracts": {name: to_json(c) for name, c in CONTRACTS.items()},
        # the accepted forms in words (describe.py), shown by the widget as they are: no third implementation
        "tables": {name: {"out_key": OUT_KEY, "rows": forms_table(c)} for name, c in CONTRACTS.items()},
        "names": {"index": INDEX, "classes": list(CONTRACTS), "cutoff": names.CUTOFF, "prefixes": list(names.PREFIXES)},
        "spec": {
            "dtype_aliases": spec.DTYPE_ALIASES, "dtypes": list(spec.DTYPES), "float_dtypes": list(spec.FLOAT_DTYPES), "complex_dtypes": list(spec.COMPLEX_DTYPES),
            "torch_names": spec.TORCH_NAMES, "grammar": spec.GRAMMAR, "spec_re": spec.SPEC_RE, "shape_re": spec.SHAPE_RE,
            "split_re": spec.SPLIT_RE, "dims_split_re": spec.DIMS_SPLIT_RE, "int_re": spec.INT_RE, "float_re": spec.FLOAT_RE,
        },
        "messages": {
            "stage_text": STAGE_TEXT, "stage_order": messages.STAGE_ORDER, "outcome": messages.OUTCOME, "verdict": messages.VERDICT,
            "accept_words": messages.ACCEPT_WORDS, "float_bits": messages.FLOAT_BITS, "dtype_fix": messages.DTYPE_FIX, "made": list(messages.MADE),
            "made_expected": messages.MADE_EXPECTED, "made_fine": messages.MADE_FINE, "log_softmax_dim": messages.LOG_SOFTMAX_DIM,
            "made_rules": {k: list(v) for k, v in messages.MADE_RULES.items()},
        },
    }


def dumps() -> str:
    return json.dumps(payload(), indent=None, separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the payload file (or, with --check, exit 1 when the committed one is stale)."""
    argv = sys.argv[1:] if argv is None else argv
    text = dumps()
    if argv == ["--check"]:
        current = PATH.read_text(encoding="utf-8") if PATH.exists() else ""
        if current != text:
            print(f"{PATH} is stale: run python -m refcheck.losses.payload", file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: python -m refcheck.losses.payload [--check]", file=sys.stderr)
        return 2
    PATH.write_text(text, encoding="utf-8")
    print(f"wrote {PATH} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
