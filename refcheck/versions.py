"""Versions and device description recorded with every verification."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

PINS_FILE = Path(__file__).resolve().parent.parent / "requirements" / "verified.txt"
TRACKED = ("torch", "torchvision", "timm", "numpy", "scikit-learn", "keras")


def installed(name: str) -> str | None:
    import importlib.metadata as md  # imported here: torch-free commands (explain --from-error) skip its 40 ms

    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Python, platform and the versions of the libraries the claims exercise."""
    out: dict[str, str | None] = {"python": platform.python_version(), "platform": f"{sys.platform}-{platform.machine()}"}
    for name in TRACKED:
        out[name] = installed(name)
    return out


def pinned(path: Path = PINS_FILE) -> dict[str, str]:
    """The exact versions the site is verified against (requirements/verified.txt)."""
    pins: dict[str, str] = {}
    if not path.exists():
        return pins
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


def device_name(device: str) -> str:
    """A human description of the device a run used."""
    if device == "cuda":
        import torch

        return f"{torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    return f"CPU {cpu_model()} ({os.cpu_count()} cores, {platform.machine()})"


def cpu_model() -> str:
    """The processor's model name (Linux /proc/cpuinfo), else what platform reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown model"
