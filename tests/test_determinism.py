"""Two verification runs give the same evidence: claims are seeded and independent of order and time."""

from __future__ import annotations

import math
import os

from refcheck.registry import load_all
from refcheck.report import load_all as load_reports
from refcheck.runner import verify
from refcheck.versions import versions

REL, ABS = 1e-6, 1e-9  # float evidence may differ only by accumulation-order noise


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        return math.isclose(a, b, rel_tol=REL, abs_tol=ABS) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def differing(first, second) -> list[str]:
    by_id = {r.id: r for r in second.results}
    out = []
    for r in first.results:
        other = by_id.get(r.id)
        if other is None:
            continue
        if r.status != other.status:
            out.append(f"{r.id}: status {r.status} vs {other.status}")
        elif not same(r.evidence, other.evidence):
            keys = [k for k in r.evidence if not same(r.evidence.get(k), other.evidence.get(k))]
            out.append(f"{r.id}: evidence differs in {keys}")
    return out


def test_same_helper_is_strict_enough():
    assert same({"a": [1.0, 2]}, {"a": [1.0 + 1e-12, 2]})
    assert not same({"a": [1.0]}, {"a": [1.001]})
    assert not same({"a": 1}, {"b": 1})


def test_two_runs_give_identical_evidence():
    """Under `nox -s verify` the report just written is compared with a fresh run of every claim;
    run alone, the timm claims are run twice."""
    current = versions()
    earlier = [  # the native-path report `nox -s verify` just wrote (seed 0, one thread), not the second-path one
        r for r in load_reports()
        if r.device["resolved"] == "cpu" and r.versions.get("torch") == current["torch"] and r.versions.get("timm") == current["timm"]
        and r.native and r.seed == 0 and r.settings.get("threads", 1) == 1 and not r.settings.get("deterministic")
    ]
    if os.environ.get("REFCHECK_SITE_DIR") and earlier:
        first = earlier[0]
        second = verify("cpu", claims=[c for c in load_all().values() if c.id in {r.id for r in first.results}])
    else:
        chosen = [c for c in load_all().values() if c.id.startswith("timm.")]
        first, second = verify("cpu", claims=chosen), verify("cpu", claims=chosen)
    assert len(second.results) >= 5
    assert not differing(first, second)
