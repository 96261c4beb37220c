"""Unit tests for helpers behind the training/transfer/data pages (batch finding, early-stop bookkeeping)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from refcheck.claims import early_stopping, large_batch  # noqa: E402

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def _function_ast(source: str, name: str) -> str:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.dump(node)
    raise AssertionError(f"no function {name!r} in the source")


def test_page_helper_is_the_checked_helper():
    """The claim tests a copy of the page's find_max_batch; the copy must not drift from the page."""
    blocks = [b for b in _python_blocks(DOCS / "training" / "large-batches.md") if "def find_max_batch" in b]
    assert len(blocks) == 1
    page = _function_ast(blocks[0], "find_max_batch")
    checked = _function_ast(inspect.getsource(large_batch), "find_max_batch")
    assert page == checked


def _budget(limit: int, calls: list[int]):
    def step(batch_size: int) -> None:
        calls.append(batch_size)
        if batch_size > limit:
            raise torch.OutOfMemoryError(f"simulated: {batch_size} > {limit}")

    return step


@pytest.mark.parametrize("start", [1, 7, 64, 1000, 1024])
def test_find_max_batch_every_limit(start):
    for limit in range(1, start + 1):
        calls: list[int] = []
        assert large_batch.find_max_batch(_budget(limit, calls), start=start) == limit
        # halving then bisecting: at most 2 * ceil(log2(start)) + 1 tries
        assert len(calls) <= 2 * max(1, (start - 1).bit_length()) + 1


def test_find_max_batch_start_fits_first_try():
    calls: list[int] = []
    assert large_batch.find_max_batch(_budget(10_000, calls), start=512) == 512
    assert calls == [512]


def test_find_max_batch_nothing_fits():
    with pytest.raises(RuntimeError, match="does not fit"):
        large_batch.find_max_batch(_budget(0, []), start=16)
    with pytest.raises(RuntimeError, match="does not fit"):
        large_batch.find_max_batch(_budget(3, []), start=16, min_batch=4)


def test_find_max_batch_other_errors_propagate():
    def broken(batch_size):
        raise ValueError("not a memory problem")

    with pytest.raises(ValueError, match="not a memory problem"):
        large_batch.find_max_batch(broken, start=8)


def test_stop_epoch_matches_patience_rule():
    val = [5.0, 4.0, 3.0, 3.5, 2.8, 2.9, 2.7, 2.6, 3.0, 3.0, 3.0, 3.0]
    # best at epoch 7; with patience 3 the run stops after epoch 10, i.e. 11 epochs run
    assert early_stopping._stop_epoch(val, 3) == 11
    assert early_stopping._stop_epoch(val, 2) == 10
    assert early_stopping._stop_epoch(val, 5) == len(val)  # never waited long enough
    assert early_stopping._stop_epoch([1.0, 2.0, 3.0], 1) == 2


def test_saved_bytes_budget_raises_out_of_memory():
    model = large_batch.small_cnn()
    need = large_batch.saved_bytes(model, 2)
    assert large_batch.saved_bytes(model, 2, budget=need) == need
    with pytest.raises(torch.OutOfMemoryError):
        large_batch.saved_bytes(model, 2, budget=need - 1)
