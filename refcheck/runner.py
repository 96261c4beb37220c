"""Run claims on a device and collect a report."""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import importlib
import math
import os
import re
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from refcheck.context import ClaimFailed, Context, Skipped, _plain, smallest_margin
from refcheck.offline import block_network
from refcheck.registry import Claim, load_all
from refcheck.report import ClaimResult, Report
from refcheck.torchenv import DEVICES, TorchState, UsageError, configure, kernel_path, resolve_device
from refcheck.versions import device_name, versions

__all__ = ["DEVICES", "UsageError", "default_jobs", "resolve_device", "run_claim", "select", "verify"]


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
    jobs: int = 1,
    seconds: dict[str, float] | None = None,
) -> Report:
    """Run the selected claims on ``device`` and return the report (not yet written).

    ``jobs`` > 1 runs them on that many worker processes forked from this one (CPU only, where the OS
    forks; otherwise, and with ``jobs`` 1, one after another in this process), longest first by
    ``seconds`` (each claim's time in an earlier run). The results keep the order of ``chosen``.
    """
    chosen = claims if claims is not None else select(load_all(), only)
    resolved, skip_reason = resolve_device(device)
    if jobs < 1:
        raise UsageError(f"jobs {jobs}: give at least 1")
    started = time.perf_counter()
    setup = warm_up(chosen) if not skip_reason else {}
    # CUDA cannot be used in a process forked after CUDA was initialised: a CUDA run is sequential.
    jobs = min(jobs, len(chosen)) if resolved == "cpu" and not skip_reason and _can_fork() else 1
    args = (resolved, seed, skip_reason, threads, deterministic)
    if jobs > 1:
        setup["threads_at_fork"] = _threads_now()  # 1 from the CLI: no torch (or BLAS) pool to copy half-alive
        results = run_parallel(chosen, args, jobs, longest_first(chosen, seconds), on_result)
    else:
        results = []
        for c in chosen:
            result = run_claim(c, *args)
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
        settings={"threads": threads or "all", "deterministic": deterministic, "jobs": max(jobs, 1)},
        setup=setup,
    )


def warm_up(chosen: list[Claim]) -> dict[str, Any]:
    """Import torch, timm and the optional modules the chosen claims need, before any claim runs.

    Their import is paid once, by the run, not by whichever claim happens to come first (that claim's
    seconds used to carry the torch import); the report records what was imported and how long it took.
    Imports only: no tensor is made, so no intra-op thread pool exists when ``verify`` forks its workers.
    """
    start = time.perf_counter()
    imported = []
    wanted = ["torch", *(["timm"] if any(_imports_timm(c.module) for c in chosen) else [])]
    for name in (*wanted, *sorted({m for c in chosen for m in c.needs})):
        try:
            if name == "keras":
                Context().keras()  # picks the torch backend before Keras' first import, as claims do
            else:
                importlib.import_module(name)
        except (ImportError, Skipped):
            continue  # the claims that need it report it skipped, as in a run without the warm-up
        imported.append(name)
    return {"imported": imported, "seconds": round(time.perf_counter() - start, 3)}


@functools.cache
def _imports_timm(module: str) -> bool:
    """Whether a claim module imports timm (in any function): a run of none of them need not import it (4 s)."""
    import sys

    try:
        source = Path(sys.modules[module].__file__ or "").read_text()
    except (KeyError, OSError):
        return True
    return re.search(r"^\s*(import|from) timm\b", source, re.MULTILINE) is not None


def default_jobs(threads: int | None) -> int:
    """Workers that fill the cores: one per core for 1-thread claims, fewer when each claim uses more threads."""
    cores = os.cpu_count() or 1
    return max(1, cores // (threads or cores))


def previous_seconds(path: Path | None, device: str) -> dict[str, float]:
    """Each claim's seconds in the last report of this run: ``path`` when it exists, else the newest report for ``device``."""
    from refcheck import report as reports

    try:
        if path is not None and path.exists():
            found = reports.load(path)
        else:
            found = next(r for r in reports.load_all() if r.device.get("resolved") == device)
    except (StopIteration, OSError, ValueError, KeyError, TypeError):
        return {}
    return {r.id: r.seconds for r in found.results}


def longest_first(chosen: list[Claim], seconds: dict[str, float] | None) -> list[list[int]]:
    """The tasks to hand out, in order: each a list of indices of ``chosen`` one worker runs one after another.

    A claim is a task of its own, except that claims of one ``group`` make one task (registry order inside).
    Longest first, by each claim's seconds in an earlier run, so no slow task ends the run alone; a task with a
    claim that has no time (a new one) first, as it may be slow; registry order breaks ties.
    """
    seconds = seconds or {}
    tasks: dict[str, list[int]] = {}
    for i, c in enumerate(chosen):
        tasks.setdefault(c.group or f"#{i}", []).append(i)
    return sorted(tasks.values(), key=lambda t: -sum(seconds.get(chosen[i].id, math.inf) for i in t))


def _threads_now() -> int | None:
    """OS threads of this process (Linux), None where it cannot be read."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _worker(conn: Any, chosen: list[Claim], args: tuple) -> None:
    """A forked worker: run the claims of each task it is sent, one at a time, sending back each result."""
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        for i in task:
            result = run_claim(chosen[i], *args)
            try:
                conn.send((i, result))
            except Exception as exc:  # e.g. evidence that cannot be pickled: the claim fails, saying why
                reason = f"its result could not be sent back by its worker process: {type(exc).__name__}: {exc}"
                result.status, result.reason, result.evidence = "failed", reason, {}
                conn.send((i, result))


def _died(claim: Claim, exitcode: int | None, seconds: float) -> ClaimResult:
    how = f"killed by {signal.Signals(-exitcode).name}" if exitcode and exitcode < 0 else f"exit status {exitcode}"
    return ClaimResult(
        id=claim.id,
        page=claim.page,
        says=claim.says,
        status="failed",
        seconds=round(seconds, 4),
        reason=f"the worker process running this claim died ({how}); run it alone with --jobs 1 --only {claim.id} to see why",
        version_note=claim.version_note,
    )


def run_parallel(
    chosen: list[Claim],
    args: tuple,
    jobs: int,
    tasks: list[list[int]],
    on_result: Callable[[ClaimResult], None] | None = None,
) -> list[ClaimResult]:
    """Run ``chosen`` on ``jobs`` forked workers, handing the next of ``tasks`` to the first free worker.

    Workers are forked from this process, which has imported everything but run no claim (so no intra-op
    thread pool exists to be copied half-alive), and start at once. A worker that dies fails the claim it was
    running, and only that one: the rest of its task goes to a new worker.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    fork = multiprocessing.get_context("fork")
    todo = deque(tasks)
    results: list[ClaimResult | None] = [None] * len(chosen)
    running: dict[Any, tuple[Any, list[int], float]] = {}  # connection -> (process, claims left of its task, start)

    def give(conn: Any, proc: Any) -> None:
        if todo:
            task = todo.popleft()
            conn.send(task)
            running[conn] = (proc, list(task), time.perf_counter())
        else:
            conn.send(None)
            conn.close()
            proc.join()

    def start() -> None:
        ours, theirs = fork.Pipe()
        proc = fork.Process(target=_worker, args=(theirs, chosen, args))  # not daemonic: a claim may start processes
        proc.start()
        theirs.close()
        give(ours, proc)

    for _ in range(min(jobs, len(todo))):
        start()
    try:
        while running:
            for conn in wait(list(running)):
                proc, left, began = running.pop(conn)
                try:
                    i, result = conn.recv()
                except (EOFError, OSError):
                    conn.close()
                    proc.join()
                    i, result = left[0], _died(chosen[left[0]], proc.exitcode, time.perf_counter() - began)
                    if left[1:]:
                        todo.appendleft(left[1:])
                    if todo:
                        start()
                else:
                    left.remove(i)
                    if left:
                        running[conn] = (proc, left, time.perf_counter())
                    else:
                        give(conn, proc)
                results[i] = result
                if on_result:
                    on_result(result)
    finally:
        for proc, _, _ in running.values():  # interrupted: stop the workers still running a claim
            proc.kill()
    return [r for r in results if r is not None]
