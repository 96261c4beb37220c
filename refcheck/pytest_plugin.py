"""pytest plugin for the docs' snippets: ``--device``, seeding, offline mode, torch state restored.

Loaded with ``-p refcheck.pytest_plugin`` (pyproject addopts). pytest-codeblocks items do not
run autouse fixtures, so state handling lives in ``pytest_runtest_setup``/``teardown`` hooks.
"""

from __future__ import annotations

import os
import random

import pytest

from refcheck.torchenv import TorchState, UsageError, resolve_device, seed_everything

_STATE_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--device",
        default="cpu",
        help="device for doc snippets: cpu, cuda or auto (cuda sets torch.set_default_device('cuda'))",
    )
    parser.addoption(
        "--shuffle-seed",
        type=int,
        default=None,
        help="run doc snippets in an order shuffled with this seed (proves they do not depend on each other)",
    )


def resolved_device(config: pytest.Config) -> tuple[str, str | None]:
    """The snippets' device and, when it is unavailable, why (the same rule as the claim runner's)."""
    try:
        return resolve_device(config.getoption("--device"))
    except UsageError as exc:
        raise pytest.UsageError(f"--device: {exc}") from None


def pytest_configure(config: pytest.Config) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("KERAS_BACKEND", "torch")
    config._refcheck_device, config._refcheck_unavailable = resolved_device(config)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.getoption("--shuffle-seed")
    order = f"shuffled with --shuffle-seed {seed}" if seed is not None else "file order"
    device = config._refcheck_device + (" (unavailable: every snippet is skipped)" if config._refcheck_unavailable else "")  # type: ignore[attr-defined]
    return f"refcheck snippets: device {device}, {order}, network blocked, HF_HUB_OFFLINE=1"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --shuffle-seed, the doc snippets trade places among themselves; other tests keep their order
    (so one run can hold both, and module-scoped fixtures of the tests are not set up again and again)."""
    seed = config.getoption("--shuffle-seed")
    if seed is None:
        return
    slots = [i for i, item in enumerate(items) if is_snippet(item)]
    order = [items[i] for i in slots]
    random.Random(seed).shuffle(order)
    for i, item in zip(slots, order):
        items[i] = item


def is_snippet(item: pytest.Item) -> bool:
    return type(item).__name__ == "TestBlock" and item.path.suffix == ".md"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not is_snippet(item):
        return
    if item.config._refcheck_unavailable:  # type: ignore[attr-defined]
        pytest.skip(item.config._refcheck_unavailable)  # type: ignore[attr-defined]
    if item.get_closest_marker("gpu") and item.config._refcheck_device != "cuda":  # type: ignore[attr-defined]
        pytest.skip("needs CUDA (run with --device cuda on a GPU machine)")
    import torch

    from refcheck.offline import block_network

    blocker = block_network()
    blocker.__enter__()
    item.stash[_STATE_KEY] = {"torch": TorchState.save(), "env": dict(os.environ), "cwd": os.getcwd(), "net": blocker}
    seed_everything(0)
    if item.config._refcheck_device == "cuda":  # type: ignore[attr-defined]
        torch.set_default_device("cuda")


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    saved = item.stash.get(_STATE_KEY, None)
    if saved is None:
        return
    saved["net"].__exit__(None, None, None)
    saved["torch"].restore()
    os.chdir(saved["cwd"])
    os.environ.clear()
    os.environ.update(saved["env"])
