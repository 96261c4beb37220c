"""Terminal output of ``refcheck verify``: a progress bar, a results table, the failures named."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from refcheck.report import ClaimResult, Report

STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}


def results_table(report: Report) -> Table:
    table = Table(title=f"refcheck verify on {report.device['resolved']} ({report.device['name']})", show_lines=False)
    for col in ("status", "claim", "page", "seconds", "evidence / reason"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        detail = r.reason or _short_evidence(r)
        table.add_row(f"[{STYLE[r.status]}]{r.status}[/]", r.id, r.page, f"{r.seconds:.2f}", detail)
    return table


def _short_evidence(r: ClaimResult, limit: int = 90) -> str:
    text = ", ".join(f"{k}={v}" for k, v in r.evidence.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_verify(
    device: str,
    only: list[str] | None,
    report_path: Path | None,
    seed: int,
    quiet: bool,
    threads: int | None = 1,
    deterministic: bool = False,
    jobs: int | None = None,
) -> int:
    from refcheck.registry import load_all
    from refcheck.runner import default_jobs, previous_seconds, resolve_device, select, verify

    console = Console(stderr=False)
    resolve_device(device)  # reject a bad device before the slow imports of the claims
    chosen = select(load_all(), only)
    jobs = jobs or default_jobs(threads)
    seconds = previous_seconds(report_path, resolve_device(device)[0]) if jobs > 1 else None  # longest first
    with Progress(
        TextColumn("[bold]verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("claims", total=len(chosen), current="")

        def advance(result: ClaimResult) -> None:
            progress.update(task, advance=1, current=result.id)

        report = verify(device, seed=seed, on_result=advance, claims=chosen, threads=threads, deterministic=deterministic, jobs=jobs, seconds=seconds)
    path = report.write(report_path)
    if not quiet:
        console.print(results_table(report))
    failed = [r for r in report.results if r.status == "failed"]
    for r in failed:
        console.print(f"[bold red]FAILED[/] {r.id} (docs/{r.page}): {r.reason}", soft_wrap=True)
    s = report.summary
    if report.device["name"] == "unavailable":
        reason = report.results[0].reason if report.results else ""
        console.print(f"[yellow]{reason}: every selected claim is reported skipped, none passed[/]", soft_wrap=True)
    versions = ", ".join(f"{k} {v}" for k, v in report.versions.items() if v and k in ("torch", "torchvision", "timm"))
    from refcheck.torchenv import path_label

    where = report.device["resolved"] + (" (unavailable)" if report.device["name"] == "unavailable" else "")
    label = path_label(report.kernel)  # not `path`: that is the report's, printed below
    if label:
        where += f", {label}"
    console.print(
        f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped in {report.seconds:.1f}s "
        f"on {where} ({versions}); report: {path}",
        soft_wrap=True,
    )
    return 1 if failed else 0
