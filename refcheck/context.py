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
    def seed_for(self, k: int = 0) -> int:
        """The ``k``-th seed of this run: ``k`` itself for run seed 0, shifted by every other run seed.

        A check that needs several independent streams (data, init, mini-batches, repeats) takes
        ``seed_for(0)``, ``seed_for(1)``, ...; a different ``--seed`` then changes all of them.
        """
        return self.seed_value * 10_007 + k

    def seed(self, k: int = 0) -> None:
        """Seed python, numpy and torch (all devices) with ``seed_for(k)``."""
        from refcheck.torchenv import seed_everything

        seed_everything(self.seed_for(k))

    def generator(self, k: int = 0, device: str = "cpu") -> Any:
        """A ``torch.Generator`` on ``device`` seeded with ``seed_for(k)``."""
        import torch

        return torch.Generator(device=device).manual_seed(self.seed_for(k))

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
    # Each records {what, expected, measured, ok}; a thresholded one also records its margin: how far
    # the measured value is from the threshold, relative to the threshold (negative when it fails).
    def _record(self, what: str, expected: Any, measured: Any, ok: bool, margin: float | None = None) -> None:
        entry = {"what": what, "expected": _plain(expected), "measured": _plain(measured), "ok": ok}
        if margin is not None:
            entry["margin"] = round(margin, 4) if math.isfinite(margin) else (1.0 if margin > 0 else -1.0)
        self.checks.append(entry)
        if not ok:
            raise ClaimFailed(f"{what}: expected {_plain(expected)!r}, measured {_plain(measured)!r}")

    def expect(self, condition: bool, what: str, measured: Any = None) -> None:
        """A yes/no fact (no threshold). A comparison with a number belongs in expect_less/expect_greater."""
        self._record(what, True, measured if measured is not None else bool(condition), bool(condition))

    def expect_equal(self, measured: Any, expected: Any, what: str) -> None:
        m, e = _plain(measured), _plain(expected)
        self._record(what, e, m, m == e)

    def expect_close(self, measured: Any, expected: Any, what: str, *, atol: float, rtol: float = 0.0) -> float:
        """Elementwise |m - e| <= atol + rtol*|e|; returns the max abs difference.

        Margin: the smallest (tolerance - |diff|) / tolerance over the elements.
        """
        import torch

        m = torch.as_tensor(measured, dtype=torch.float64, device="cpu")
        e = torch.as_tensor(expected, dtype=torch.float64, device="cpu")
        same_shape = m.shape == e.shape
        diff = float((m - e).abs().max()) if m.numel() and same_shape else (0.0 if same_shape else math.inf)
        tol = atol + rtol * e.abs()
        if same_shape and m.numel():
            d = (m - e).abs()
            # an exact comparison (tolerance 0) that holds is as far from failing as a check can be
            per = torch.where(tol > 0, (tol - d) / tol.clamp_min(1e-300), torch.where(d == 0, 1.0, -1.0).to(d))
            margin = float(per.min())
        else:
            margin = 1.0 if same_shape else -1.0
        ok = same_shape and bool(torch.all((m - e).abs() <= tol))
        bound = atol + rtol * float(e.abs().max() if e.numel() else 0)
        measured_text = f"max |diff| = {diff:.3g}" if same_shape else f"shape {list(m.shape)} vs {list(e.shape)}"
        self._record(f"{what} (atol={atol:g}, rtol={rtol:g})", f"max |diff| <= {bound:.3g}", measured_text, ok, margin)
        return diff

    def expect_less(self, smaller: float, larger: float, what: str) -> float:
        """``smaller < larger``, where ``larger`` is the threshold. Returns the margin."""
        margin = _relative(float(larger) - float(smaller), float(larger), float(smaller))
        self._record(what, f"< {float(larger):.6g}", smaller, float(smaller) < float(larger), margin)
        return margin

    def expect_greater(self, larger: float, smaller: float, what: str) -> float:
        """``larger > smaller``, where ``smaller`` is the threshold. Returns the margin."""
        margin = _relative(float(larger) - float(smaller), float(smaller), float(larger))
        self._record(what, f"> {float(smaller):.6g}", larger, float(larger) > float(smaller), margin)
        return margin

    def expect_between(self, value: float, low: float, high: float, what: str) -> float:
        """``low <= value <= high``; the margin is the smaller of the two distances. Returns it."""
        v = float(value)
        margin = min(_relative(v - low, low, v), _relative(high - v, high, v))
        self._record(what, f"in [{low:.6g}, {high:.6g}]", value, low <= v <= high, margin)
        return margin

    def skip_part(self, what: str, reason: str) -> None:
        """Record that one part of the claim could not run here; it is shown, never counted as passed."""
        self.checks.append({"what": what, "expected": "runs", "measured": f"skipped: {reason}", "ok": None, "skipped": reason})

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


def _relative(distance: float, threshold: float, value: float) -> float:
    """``distance`` relative to the threshold (to the value when the threshold is 0)."""
    scale = abs(threshold) or abs(value)
    if scale == 0:
        return 0.0 if distance == 0 else math.copysign(math.inf, distance)
    return distance / scale


def smallest_margin(checks: list[dict[str, Any]]) -> float | None:
    """The smallest margin over a claim's thresholded checks (None when it has none)."""
    margins = [c["margin"] for c in checks if c.get("margin") is not None]
    return min(margins) if margins else None


def _names(exceptions: type | tuple[type, ...]) -> str:
    if isinstance(exceptions, tuple):
        return " or ".join(e.__name__ for e in exceptions)
    return exceptions.__name__
