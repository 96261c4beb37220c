"""The ``refcheck`` command: verify claims, list them, look up loss-input rules."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from refcheck.losses.messages import MADE
from refcheck.torchenv import DEVICES, POOL_ENV, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse that reports user mistakes as one line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"refcheck: error: {message} (see 'refcheck --help')\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="refcheck", description=__doc__)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("verify", help="run the claims and write a JSON report")
    v.add_argument("--device", default="auto", help=f"one of {', '.join(DEVICES)} (default: auto)")
    v.add_argument("--only", action="append", metavar="PATTERN", help="claim id or page glob/substring; repeatable")
    v.add_argument("--report", type=Path, metavar="PATH", help="report path (default: .refcheck/report-DEVICE-torchVERSION.json)")
    v.add_argument("--seed", type=int, default=0, help="seed given to every claim (default: 0)")
    v.add_argument("--quiet", action="store_true", help="no progress bar or table; only failures and the summary")
    v.add_argument("--threads", type=_threads, default=1, metavar="N|all", help="CPU threads per claim (default: 1)")
    v.add_argument("--deterministic", action="store_true", help="torch.use_deterministic_algorithms(True) for every claim")
    v.add_argument(
        "--jobs", type=_jobs, default=None, metavar="N",
        help="claims run at once, each in a worker process forked after the imports (default: the core count divided by "
        "--threads; 1: one after another in this process)",
    )  # fmt: skip

    st = sub.add_parser("stress", help="run every claim across CPU kernel paths, MKL paths, threads, seeds, determinism")
    st.add_argument("--seeds", type=int, default=5, metavar="N", help="seeds on the native cell (default: 5, at least 2)")
    st.add_argument("--only", action="append", metavar="PATTERN", help="claim id or page glob/substring; repeatable")
    st.add_argument("--out", type=Path, metavar="PATH", help="stress report path (default: reports/stress-cpu-...json)")
    st.add_argument("--jobs", type=int, default=None, metavar="N", help="cells run at once (default: the core count)")
    st.add_argument("--min-margin", type=float, default=0.10, metavar="F", help="smallest accepted relative margin (default: 0.10)")
    st.add_argument("--cells", type=lambda t: [c.strip() for c in t.split(",") if c.strip()], metavar="NAME,...", help="run only these cells (see --list)")
    st.add_argument("--list", action="store_true", help="print the grid of cells and exit")

    ls = sub.add_parser("list", help="list the registered claims")
    ls.add_argument("--only", action="append", metavar="PATTERN")
    ls.add_argument("--json", action="store_true")

    lo = sub.add_parser("loss", help="list losses, or print the input rules of one loss")
    lo.add_argument("name", nargs="?", help="e.g. CrossEntropyLoss, cross_entropy, bce")
    lo.add_argument("--json", action="store_true")

    ex = sub.add_parser("explain", help="diagnose input/target shapes and dtypes for a loss, or a pasted torch error")
    ex.add_argument("name", nargs="?", help="loss name, e.g. CrossEntropyLoss")
    ex.add_argument("--input", metavar="SPEC", help="dtype[shape], e.g. float32[8,10] (required with NAME)")
    ex.add_argument("--from-error", metavar="MESSAGE", help="a torch error message: its entry of the loss error index, cause, fix and shapes")
    ex.add_argument("--target", metavar="SPEC", help="dtype[shape], e.g. int64[8]")
    ex.add_argument("--extra", action="append", metavar="NAME=SPEC", help="extra tensor, e.g. var=float32[8,1]; repeatable")
    ex.add_argument("--option", action="append", metavar="KEY=VALUE", help="constructor option, e.g. reduction=none; repeatable")
    ex.add_argument("--made", choices=MADE, help="how the first tensor was made (warns, e.g., on probabilities fed to NLLLoss)")
    ex.add_argument("--on", choices=("cpu", "cuda"), default="cpu", help="device the tensors live on (dtype support differs; default: cpu)")
    ex.add_argument("--json", action="store_true")
    return parser


def _threads(text: str) -> int | None:
    if text == "all":
        return None
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"invalid thread count {text!r}; give a positive integer or 'all'")


def _jobs(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"invalid job count {text!r}; give a positive integer")


def _version() -> str:
    from refcheck import __version__

    return f"refcheck {__version__}"


def cmd_verify(args: argparse.Namespace) -> int:
    from refcheck.console import run_verify

    if args.threads is not None:
        # --threads N holds for every library a claim uses, not for torch alone: a scikit-learn fit otherwise
        # runs on OpenBLAS's own threads (one per core), which spin on a busy machine (3x the CPU time of
        # one thread, same results) and, with --jobs, oversubscribe the cores.
        os.environ.update({var: str(args.threads) for var in POOL_ENV})

    return run_verify(args.device, args.only, args.report, args.seed, args.quiet, args.threads, args.deterministic, args.jobs)


def cmd_stress(args: argparse.Namespace) -> int:
    from refcheck.stress import run_stress

    return run_stress(
        seeds=args.seeds, only=args.only, cells_named=args.cells, out=args.out, jobs=args.jobs, min_margin=args.min_margin, list_only=args.list
    )


def cmd_list(args: argparse.Namespace) -> int:
    from refcheck.registry import load_all
    from refcheck.runner import select

    chosen = select(load_all(), args.only)
    if args.json:
        print(json.dumps([{"id": c.id, "page": c.page, "says": c.says} for c in chosen], indent=1))
    else:
        for c in chosen:
            print(f"{c.id}\t{c.page}\t{c.says}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "verify":
            return cmd_verify(args)
        if args.command == "list":
            return cmd_list(args)
        if args.command == "stress":
            return cmd_stress(args)
        from refcheck.losses import cli as loss_cli

        if args.command == "loss":
            return loss_cli.cmd_loss(args)
        return loss_cli.cmd_explain(args)
    except UsageError as exc:
        sys.stderr.write(f"refcheck: error: {exc}\n")
        return 2
    except BrokenPipeError:  # e.g. `refcheck list | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
