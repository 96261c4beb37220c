"""The torch environment of a run, shared by the claim runner and the snippet plugin.

One place decides which device a run uses (and what happens when CUDA is asked for but absent),
how everything is seeded, which global torch settings are saved and restored around each claim or
snippet, and which CPU kernel path this process is on.
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from typing import Any

DEVICES = ("cpu", "cuda", "auto")
# Environment variables torch and MKL read once, at import: they choose the CPU code path.
KERNEL_ENV = ("ATEN_CPU_CAPABILITY", "MKL_CBWR")


class UsageError(ValueError):
    """A user mistake (bad device, filter matching nothing): printed as one line, exit 2."""


def resolve_device(requested: str) -> tuple[str, str | None]:
    """Map cpu|cuda|auto to the device to run on, plus the reason it is unavailable (None when it is).

    The rule for both claims and snippets: a missing CUDA never turns into a CPU run that looks like
    a CUDA one; everything asked to run on it is reported skipped with this reason.
    """
    if requested not in DEVICES:
        raise UsageError(f"unknown device {requested!r}; valid devices: {', '.join(DEVICES)}")
    if requested == "cpu":
        return "cpu", None
    import torch

    has_cuda = torch.cuda.is_available()
    if requested == "auto":
        return ("cuda" if has_cuda else "cpu"), None
    if not has_cuda:
        return "cuda", "CUDA was requested but torch.cuda.is_available() is False on this machine"
    return "cuda", None


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators (all devices)."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # pragma: no cover - numpy ships with torch
        pass
    import torch

    torch.manual_seed(seed)


# Thread pools the math libraries start when they load (torch's OpenMP, MKL, NumPy's and SciPy's OpenBLAS,
# scikit-learn's OpenMP): each reads its variable once, at load, so set them before anything imports them.
POOL_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

@dataclass
class TorchState:
    """The global torch settings a claim or snippet could change; ``restore()`` puts them back."""

    dtype: Any
    device: Any
    grad: bool
    deterministic: bool
    threads: int

    @classmethod
    def save(cls) -> TorchState:
        import torch

        return cls(
            torch.get_default_dtype(),
            torch.get_default_device(),
            torch.is_grad_enabled(),
            torch.are_deterministic_algorithms_enabled(),
            torch.get_num_threads(),
        )

    def restore(self) -> None:
        import torch

        torch.set_default_dtype(self.dtype)
        torch.set_default_device(self.device)
        torch.set_grad_enabled(self.grad)
        set_deterministic(self.deterministic)
        torch.set_num_threads(self.threads)


def set_deterministic(mode: bool) -> None:
    """``torch.use_deterministic_algorithms(mode)``, skipped when it would change nothing.

    The call also sets inductor's flag, importing ``torch._inductor.config`` (~900 modules, 2.5 s of CPU)
    into a process that may never compile anything. Turning the mode off is skipped when torch's flag is
    already off (not warn-only) and inductor is not imported yet: it will then import with its flag off
    (unless ``TORCHINDUCTOR_DETERMINISTIC=1``, which the call would have overridden; so that case calls).
    """
    import torch

    state = (torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled())
    untouched = "torch._inductor.config" not in sys.modules and os.environ.get("TORCHINDUCTOR_DETERMINISTIC") != "1"
    if not mode and state == (False, False) and untouched:
        return
    torch.use_deterministic_algorithms(mode)


def configure(threads: int | None = None, deterministic: bool = False) -> None:
    """Set the thread count (None: leave torch's default, all cores) and deterministic algorithms."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    set_deterministic(deterministic)


def kernel_path() -> dict[str, str]:
    """The CPU code path of this process: the ATen kernel set torch chose and MKL's requested path."""
    import torch

    try:
        capability = torch.backends.cpu.get_cpu_capability().lower()
    except (AttributeError, RuntimeError):  # pragma: no cover - very old torch
        capability = "unknown"
    return {
        "aten": capability,
        "aten_env": os.environ.get("ATEN_CPU_CAPABILITY", ""),
        "mkl": os.environ.get("MKL_CBWR", "") or "native",
    }


def is_native(path: dict[str, str]) -> bool:
    """Whether a run used the CPU's own code path (no kernel or MKL override)."""
    return not path.get("aten_env") and path.get("mkl", "native") == "native"


def path_label(path: dict[str, str] | None) -> str:
    """'avx2 kernels, MKL AVX2' for an overridden path, '' for the native one."""
    if not path or is_native(path):
        return ""
    mkl = path.get("mkl", "native")
    return f"{path.get('aten')} kernels, MKL {mkl}"
