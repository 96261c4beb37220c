"""Run claims on a device and collect a report."""

from __future__ import annotations

import datetime as dt
import fnmatch
import time
import traceback
from collections.abc import Callable, Iterable

from refcheck.context import ClaimFailed, Context, Skipped, _plain, smallest_margin
from refcheck.offline import block_network
from refcheck.registry import Claim, load_all
from refcheck.report import ClaimResult, Report
from refcheck.torchenv import DEVICES, TorchState, UsageError, configure, kernel_path, resolve_device
from refcheck.versions import device_name, versions

__all__ = ["DEVICES", "UsageError", "resolve_device", "run_claim", "select", "verify"]


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


def run_claim(
    claim: Claim,
    device: str,
    seed: int = 0,
    skip_reason: str | None = None,
    threads: int | None = 1,
    deterministic: bool = False,
) -> ClaimResult:
    """Run one claim's check and turn its outcome into a result (never raises).

    On CPU, claims run on ``threads`` threads (default 1: they are small workloads, and float reductions
    then do not depend on the core count); ``None`` leaves torch's default, all cores.
    """
    ctx = Context(device, seed)
    start = time.perf_counter()
    status, reason, evidence = "passed", "", {}
    if skip_reason:
        status, reason = "skipped", skip_reason
    else:
        state = TorchState.save()
        try:
            configure(threads if device == "cpu" else None, deterministic)
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
    parts = [f"{c['what']}: {c['skipped']}" for c in ctx.checks if c.get("skipped")]
    if status == "passed" and not any(c.get("ok") for c in ctx.checks):
        if parts:  # every part was skipped: nothing was verified
            status, reason = "skipped", "; ".join(parts)
        else:
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
        margin=smallest_margin(ctx.checks),
        skipped_parts=parts,
    )


def verify(
    device: str = "auto",
    only: Iterable[str] | None = None,
    seed: int = 0,
    on_result: Callable[[ClaimResult], None] | None = None,
    claims: list[Claim] | None = None,
    threads: int | None = 1,
    deterministic: bool = False,
) -> Report:
    """Run the selected claims on ``device`` and return the report (not yet written)."""
    chosen = claims if claims is not None else select(load_all(), only)
    resolved, skip_reason = resolve_device(device)
    started = time.perf_counter()
    results = []
    for c in chosen:
        result = run_claim(c, resolved, seed, skip_reason, threads, deterministic)
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
        kernel=kernel_path() if resolved == "cpu" else {},
        settings={"threads": threads or "all", "deterministic": deterministic},
    )
