"""Helpers of the residual / BatchNorm / pooling / init claims: they discriminate, and page and code agree.

A claim must be able to fail: each test below feeds a check the situation the notes describe (or a
broken recipe) and expects ``ClaimFailed``; the recipe test keeps the page's code and the checked code
the same.
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from refcheck.claims import bn_finetune, residual, weight_init  # noqa: E402
from refcheck.context import ClaimFailed, Context  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _functions(source: str, names: set[str]) -> dict[str, str]:
    """ast.dump of the named top-level functions, without docstrings and function-local imports."""
    out = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in names:
            body = [
                stmt
                for stmt in node.body
                if not isinstance(stmt, (ast.Import, ast.ImportFrom))
                and not (
                    isinstance(stmt, ast.Expr)
                    and isinstance(stmt.value, ast.Constant)
                    and isinstance(stmt.value.value, str)
                )
            ]
            node.body = body
            out[node.name] = ast.dump(node)
    return out


def test_page_freeze_recipe_is_the_checked_code():
    page = (ROOT / "docs/training/batch-norm-fine-tuning.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    recipe = next(b for b in blocks if "def freeze_batchnorm_" in b)
    names = {"_stay_in_eval", "freeze_batchnorm_"}
    module_src = Path(bn_finetune.__file__).read_text()
    assert _functions(recipe, names) == _functions(module_src, names)
    assert len(_functions(recipe, names)) == 2


def test_freeze_recipe_survives_train_and_deepcopy():
    import copy

    from torch import nn

    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Sequential(nn.BatchNorm1d(4)))
    bn_finetune.freeze_batchnorm_(model)
    model.train()
    assert [m.training for m in model.modules()] == [True, True, False, True, False]
    assert not any(p.requires_grad for p in model[1].parameters())
    model(torch.randn(8, 4) + 5)
    assert torch.equal(model[1].running_mean, torch.zeros(4))
    clone = copy.deepcopy(model).train()
    assert clone[1].training is False and clone[1] is not model[1]


def test_naive_freeze_fails_the_recipe_claim(monkeypatch):
    def eval_only(model):  # the common mistake: eval() once, undone by the next model.train()
        from torch import nn

        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()
                m.requires_grad_(False)
        return model

    monkeypatch.setattr(bn_finetune, "freeze_batchnorm_", eval_only)
    with pytest.raises(ClaimFailed, match="BN buffer or parameter"):
        bn_finetune.plain_pytorch_recipe(Context("cpu"))


def test_notes_init_range_is_rejected():
    """Weights from the notes' U(-1/fan_in, 1/fan_in) do not pass as PyTorch's default."""
    fan_in = 400
    w = torch.empty(300, fan_in).uniform_(-1 / fan_in, 1 / fan_in)
    with pytest.raises(ClaimFailed, match="reaches the bound"):
        weight_init._uniform_checks(Context("cpu"), w, 1 / math.sqrt(fan_in), "notes' init")


def test_uniform_checks_accept_true_uniform():
    torch.manual_seed(0)
    w = torch.empty(100, 100).uniform_(-0.3, 0.3)
    ev = weight_init._uniform_checks(Context("cpu"), w, 0.3, "U(-0.3, 0.3)")
    assert ev["samples"] == 10_000 and abs(ev["std"] - 0.3 / math.sqrt(3)) < 0.01


def test_shallow_net_fails_the_vanishing_claim(monkeypatch):
    """At depth 2 there is nothing to vanish: the claim's expectation must fail."""
    monkeypatch.setattr(residual, "DEPTH", 2)
    with pytest.raises(ClaimFailed, match="grad W1"):
        residual.plain_gradient_vanishes(Context("cpu"))


def test_gradient_norms_has_one_entry_per_layer():
    norms = residual.gradient_norms(Context("cpu"), residual=True)
    assert len(norms) == residual.DEPTH and all(n > 0 for n in norms)


def test_signal_std_kaiming_relu_stays_near_one():
    stds = weight_init.signal_std_by_layer(Context("cpu"), "kaiming", "relu")
    assert len(stds) == weight_init.DEPTH + 1
    assert 0.5 < stds[-1] < 2
