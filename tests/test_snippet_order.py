"""--shuffle-seed moves the doc snippets among their own places only; refcheck's tests keep their order."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from refcheck.pytest_plugin import pytest_collection_modifyitems


class TestBlock:  # the class name pytest-codeblocks gives a snippet item
    __test__ = False  # not a test class of this module

    def __init__(self, name: str) -> None:
        self.name, self.path = name, Path(f"docs/{name}.md")


class Function:
    def __init__(self, name: str) -> None:
        self.name, self.path = name, Path(f"tests/{name}.py")


def _config(seed):
    return SimpleNamespace(getoption=lambda name: seed)


def _items():
    return [Function("t1"), TestBlock("s1"), Function("t2"), TestBlock("s2"), TestBlock("s3"), Function("t3"), TestBlock("s4")]


def test_snippets_trade_places_among_themselves_and_tests_stay_put():
    orders = set()
    for seed in range(20):
        items = _items()
        pytest_collection_modifyitems(_config(seed), items)
        names = [i.name for i in items]
        assert [names[0], names[2], names[5]] == ["t1", "t2", "t3"]  # tests: same places, same order
        assert sorted(names[i] for i in (1, 3, 4, 6)) == ["s1", "s2", "s3", "s4"]
        orders.add(tuple(names))
    assert len(orders) > 5  # the seed really reorders the snippets


def test_same_seed_same_order_and_no_seed_no_change():
    a, b = _items(), _items()
    pytest_collection_modifyitems(_config(7), a)
    pytest_collection_modifyitems(_config(7), b)
    assert [i.name for i in a] == [i.name for i in b]  # every xdist worker must collect the same order
    c = _items()
    pytest_collection_modifyitems(_config(None), c)
    assert [i.name for i in c] == [i.name for i in _items()]
