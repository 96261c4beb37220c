"""pytest plugin for the docs' snippets: ``--device``, seeding, offline mode, torch state restored.

Loaded with ``-p refcheck.pytest_plugin`` (pyproject addopts). pytest-codeblocks items do not
run autouse fixtures, so state handling lives in ``pytest_runtest_setup``/``teardown`` hooks.
"""

from __future__ import annotations

import os
import random

import pytest

DEVICES = ("cpu", "cuda", "auto")
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


def resolved_device(config: pytest.Config) -> str:
    requested = config.getoption("--device")
    if requested not in DEVICES:
        raise pytest.UsageError(f"--device {requested!r} is not valid; valid devices: {', '.join(DEVICES)}")
    if requested == "cpu":
        return "cpu"
    import torch

    if requested == "cuda" and not torch.cuda.is_available():
        raise pytest.UsageError("--device cuda was given but torch.cuda.is_available() is False on this machine")
    return "cuda" if torch.cuda.is_available() else "cpu"


def pytest_configure(config: pytest.Config) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("KERAS_BACKEND", "torch")
    config._refcheck_device = resolved_device(config)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.getoption("--shuffle-seed")
    order = f"shuffled with --shuffle-seed {seed}" if seed is not None else "file order"
    return f"refcheck snippets: device {config._refcheck_device}, {order}, network blocked, HF_HUB_OFFLINE=1"  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    seed = config.getoption("--shuffle-seed")
    if seed is not None:
        random.Random(seed).shuffle(items)


def is_snippet(item: pytest.Item) -> bool:
    return type(item).__name__ == "TestBlock" and item.path.suffix == ".md"


def snapshot_torch() -> dict:
    """The global torch settings a snippet may change."""
    import torch

    return {
        "dtype": torch.get_default_dtype(),
        "device": torch.get_default_device(),
        "grad": torch.is_grad_enabled(),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "threads": torch.get_num_threads(),
    }


def restore_torch(state: dict) -> None:
    import torch

    torch.set_default_dtype(state["dtype"])
    torch.set_default_device(state["device"])
    torch.set_grad_enabled(state["grad"])
    torch.use_deterministic_algorithms(state["deterministic"])
    torch.set_num_threads(state["threads"])


def seed_everything(seed: int = 0) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not is_snippet(item):
        return
    if item.get_closest_marker("gpu") and item.config._refcheck_device != "cuda":  # type: ignore[attr-defined]
        pytest.skip("needs CUDA (run with --device cuda on a GPU machine)")
    import torch

    from refcheck.offline import block_network

    blocker = block_network()
    blocker.__enter__()
    item.stash[_STATE_KEY] = {"torch": snapshot_torch(), "env": dict(os.environ), "cwd": os.getcwd(), "net": blocker}
    seed_everything(0)
    if item.config._refcheck_device == "cuda":  # type: ignore[attr-defined]
        torch.set_default_device("cuda")


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    saved = item.stash.get(_STATE_KEY, None)
    if saved is None:
        return
    saved["net"].__exit__(None, None, None)
    restore_torch(saved["torch"])
    os.chdir(saved["cwd"])
    os.environ.clear()
    os.environ.update(saved["env"])
