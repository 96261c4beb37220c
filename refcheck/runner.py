"""Run claims on a device and collect a report."""

from __future__ import annotations

import datetime as dt
import fnmatch
import time
import traceback
from collections.abc import Callable, Iterable

from refcheck.context import ClaimFailed, Context, Skipped, _plain
from refcheck.offline import block_network
from refcheck.registry import Claim, load_all
from refcheck.report import ClaimResult, Report
from refcheck.versions import device_name, versions

DEVICES = ("cpu", "cuda", "auto")


class UsageError(ValueError):
    """A user mistake (bad device, filter matching nothing): printed as one line, exit 2."""


def select(claims: dict[str, Claim], patterns: Iterable[str] | None) -> list[Claim]:
    """Claims whose id or page matches any glob/substring pattern (all when no pattern)."""
    patterns = [p for p in (patterns or []) if p]
    if not patterns:
        return list(claims.values())
    chosen = []
    for c in claims.values():
        for p in patterns:
            glob = p if any(ch in p for ch in "*?[") else f"*{p}*"
            if fnmatch.fnmatchcase(c.id, glob) or fnmatch.fnmatchcase(c.page, glob):
                chosen.append(c)
                break
    if not chosen:
        raise UsageError(f"--only {', '.join(repr(p) for p in patterns)} matches no claim; try 'refcheck list' to see the {len(claims)} claim ids")
    return chosen


def resolve_device(requested: str) -> tuple[str, str | None]:
    """Map cpu|cuda|auto to the device to run on, plus a skip reason when it is unavailable."""
    if requested not in DEVICES:
        raise UsageError(f"unknown device {requested!r}; valid devices: {', '.join(DEVICES)}")
    import torch

    has_cuda = torch.cuda.is_available()
    if requested == "auto":
        return ("cuda" if has_cuda else "cpu"), None
    if requested == "cuda" and not has_cuda:
        return "cuda", "CUDA was requested but torch.cuda.is_available() is False on this machine"
    return requested, None


class _TorchState:
    """Snapshot of the global torch settings a claim could change, restored after it."""

    def __init__(self) -> None:
        import torch

        self.dtype = torch.get_default_dtype()
        self.grad = torch.is_grad_enabled()
        self.deterministic = torch.are_deterministic_algorithms_enabled()
        self.threads = torch.get_num_threads()

    def restore(self) -> None:
        import torch

        torch.set_default_dtype(self.dtype)
        torch.set_grad_enabled(self.grad)
        torch.use_deterministic_algorithms(self.deterministic)
        torch.set_num_threads(self.threads)


def run_claim(claim: Claim, device: str, seed: int = 0, skip_reason: str | None = None) -> ClaimResult:
    """Run one claim's check and turn its outcome into a result (never raises)."""
    ctx = Context(device, seed)
    start = time.perf_counter()
    status, reason, evidence = "passed", "", {}
    if skip_reason:
        status, reason = "skipped", skip_reason
    else:
        state = _TorchState()
        try:
            if device == "cpu":
                # Claims are small workloads: one thread is faster on a busy CPU, and float reductions then
                # do not depend on the machine's core count, so evidence is the same everywhere.
                import torch

                torch.set_num_threads(1)
            ctx.seed()
            with block_network():
                evidence = claim.check(ctx) or {}
        except Skipped as exc:
            status, reason = "skipped", str(exc)
        except ClaimFailed as exc:
            status, reason = "failed", str(exc)
        except Exception as exc:  # a crashing check is a failed claim, with its traceback as evidence
            status, reason = "failed", f"{type(exc).__name__}: {exc}"
            evidence = {"traceback": traceback.format_exc(limit=6)}
        finally:
            state.restore()
        if status == "passed" and not ctx.checks:
            status, reason = "failed", "the check made no expectation (a claim must be able to fail)"
    return ClaimResult(
        id=claim.id,
        page=claim.page,
        says=claim.says,
        status=status,
        seconds=round(time.perf_counter() - start, 4),
        evidence=_plain(evidence),
        checks=ctx.checks,
        reason=reason,
        version_note=claim.version_note,
    )


def verify(
    device: str = "auto",
    only: Iterable[str] | None = None,
    seed: int = 0,
    on_result: Callable[[ClaimResult], None] | None = None,
    claims: list[Claim] | None = None,
) -> Report:
    """Run the selected claims on ``device`` and return the report (not yet written)."""
    chosen = claims if claims is not None else select(load_all(), only)
    resolved, skip_reason = resolve_device(device)
    started = time.perf_counter()
    results = []
    for c in chosen:
        result = run_claim(c, resolved, seed, skip_reason)
        results.append(result)
        if on_result:
            on_result(result)
    name = device_name(resolved) if not skip_reason else "unavailable"
    return Report(
        device={"requested": device, "resolved": resolved, "name": name},
        versions=versions(),
        results=results,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 3),
        seed=seed,
    )
