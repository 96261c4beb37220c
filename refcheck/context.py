"""What a claim check receives: the device, seeding, and expectations that record evidence."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NoReturn


class ClaimFailed(AssertionError):
    """An expectation of a claim did not hold."""


class Skipped(Exception):
    """The claim could not run here (missing device, optional package); carries the reason."""


def _plain(value: Any) -> Any:
    """Turn tensors, sizes and numpy scalars into JSON-friendly Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class Context:
    """Passed to every check: ``ctx.device`` plus ``expect_*`` helpers that record what they compared."""

    def __init__(self, device: str = "cpu", seed: int = 0):
        self.device = device
        self.seed_value = seed
        self.checks: list[dict[str, Any]] = []

    # -- setup -----------------------------------------------------------------
    def seed(self, n: int | None = None) -> None:
        """Seed python, numpy and torch (all devices) with ``n`` (default: the run's seed)."""
        import random

        n = self.seed_value if n is None else n
        random.seed(n)
        try:
            import numpy as np

            np.random.seed(n)
        except ImportError:  # pragma: no cover - numpy ships with torch
            pass
        import torch

        torch.manual_seed(n)

    def skip(self, reason: str) -> NoReturn:
        raise Skipped(reason)

    def require(self, module: str) -> Any:
        """Import an optional module or skip the claim naming it."""
        import importlib

        try:
            return importlib.import_module(module)
        except ImportError as exc:
            self.skip(f"optional package {module!r} is not installed ({exc})")

    def keras(self) -> Any:
        """Keras 3 on the torch backend (chosen before its first import), or skip the claim naming why."""
        import os

        os.environ["KERAS_BACKEND"] = "torch"
        keras = self.require("keras")
        if keras.backend.backend() != "torch":
            self.skip(f"keras was already imported with the {keras.backend.backend()!r} backend; these checks need torch")
        return keras

    @staticmethod
    def numpy(value: Any) -> Any:
        """A Keras variable or a torch tensor as a NumPy array (a copy, on the CPU)."""
        value = getattr(value, "value", value)
        return value.detach().cpu().numpy().copy()

    # -- expectations ------------------------------------------------------------
    def _record(self, what: str, expected: Any, measured: Any, ok: bool) -> None:
        self.checks.append({"what": what, "expected": _plain(expected), "measured": _plain(measured), "ok": ok})
        if not ok:
            raise ClaimFailed(f"{what}: expected {_plain(expected)!r}, measured {_plain(measured)!r}")

    def expect(self, condition: bool, what: str, measured: Any = None) -> None:
        self._record(what, True, measured if measured is not None else bool(condition), bool(condition))

    def expect_equal(self, measured: Any, expected: Any, what: str) -> None:
        m, e = _plain(measured), _plain(expected)
        self._record(what, e, m, m == e)

    def expect_close(self, measured: Any, expected: Any, what: str, *, atol: float, rtol: float = 0.0) -> float:
        """Elementwise |m - e| <= atol + rtol*|e|; returns the max abs difference."""
        import torch

        m = torch.as_tensor(measured, dtype=torch.float64, device="cpu")
        e = torch.as_tensor(expected, dtype=torch.float64, device="cpu")
        diff = float((m - e).abs().max()) if m.numel() else 0.0
        ok = m.shape == e.shape and bool(torch.all((m - e).abs() <= atol + rtol * e.abs()))
        self._record(f"{what} (atol={atol:g}, rtol={rtol:g})", f"max |diff| <= {atol + rtol * float(e.abs().max() if e.numel() else 0):.3g}", f"max |diff| = {diff:.3g}", ok)
        return diff

    def expect_less(self, smaller: float, larger: float, what: str) -> None:
        self._record(what, f"< {larger:.6g}", smaller, float(smaller) < float(larger))

    def expect_between(self, value: float, low: float, high: float, what: str) -> None:
        self._record(what, f"in [{low:.6g}, {high:.6g}]", value, low <= float(value) <= high)

    def expect_raises(self, exceptions: type | tuple[type, ...], fn: Callable[[], Any], what: str, match: str | None = None) -> str:
        """Run ``fn``; it must raise one of ``exceptions`` (message containing ``match``). Returns the message."""
        try:
            fn()
        except exceptions as exc:  # type: ignore[misc]
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            ok = match is None or match in str(exc)
            self._record(what, f"raises {_names(exceptions)}" + (f" containing {match!r}" if match else ""), f"{type(exc).__name__}: {message}", ok)
            return message
        self._record(what, f"raises {_names(exceptions)}", "no exception", False)
        return ""


def _names(exceptions: type | tuple[type, ...]) -> str:
    if isinstance(exceptions, tuple):
        return " or ".join(e.__name__ for e in exceptions)
    return exceptions.__name__
