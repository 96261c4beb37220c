"""check_loss_inputs agrees with torch on a corpus of real calls the contracts were not written from.

The corpus (refcheck/losses/corpus.py) draws its own sizes and one perturbation per call with its
own seed; every call runs through torch (forward and backward) and through the API. bench/loss_bench.py
reports the agreement per loss.
"""

from __future__ import annotations

import warnings

import pytest

from refcheck.losses.contracts import CONTRACTS
from refcheck.losses.corpus import corpus

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def calls():
    return corpus()


def test_the_corpus_is_large_and_not_the_probe_grid(calls):
    from refcheck.losses.probe import grid

    assert len(calls) >= 500 and {c.loss for c in calls} == set(CONTRACTS)
    probe_cases = {(c.name, tuple(sorted(case["specs"].items()))) for c in CONTRACTS.values() for case in grid(c)}
    as_specs = [(c.loss, tuple(sorted((k, f"{v['dtype']}[{','.join(map(str, v['shape']))}]") for k, v in c.tensors.items()))) for c in calls]
    assert sum(s in probe_cases for s in as_specs) / len(calls) < 0.2  # new sizes: few calls coincide with a probe case
    changes = {c.change.split()[0] for c in calls}
    assert {"valid", "dtype", "shape", "option", "scalar", "nan", "values", "python"} <= changes


def test_api_agrees_with_torch_on_99_percent(calls):
    from refcheck.losses.corpus import agreement

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = agreement(calls)
    assert report["rate"] >= 0.99, "\n".join(f"{d['call']}: torch {d['torch']} ({d['torch_message']}), api {d['api']} ({d['api_message']})"
                                             for d in report["disagreements"])
    assert set(report["torch_verdicts"]) == {"valid", "forward-error", "backward-error"}  # every verdict occurs
