"""The ``refcheck`` command: verify claims, list them, look up loss-input rules."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from refcheck.runner import DEVICES, UsageError


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

    ls = sub.add_parser("list", help="list the registered claims")
    ls.add_argument("--only", action="append", metavar="PATTERN")
    ls.add_argument("--json", action="store_true")

    lo = sub.add_parser("loss", help="list losses, or print the input rules of one loss")
    lo.add_argument("name", nargs="?", help="e.g. CrossEntropyLoss, cross_entropy, bce")
    lo.add_argument("--json", action="store_true")

    ex = sub.add_parser("explain", help="diagnose input/target shapes and dtypes for a loss")
    ex.add_argument("name", help="loss name, e.g. CrossEntropyLoss")
    ex.add_argument("--input", required=True, metavar="SPEC", help="dtype[shape], e.g. float32[8,10]")
    ex.add_argument("--target", metavar="SPEC", help="dtype[shape], e.g. int64[8]")
    ex.add_argument("--extra", action="append", metavar="NAME=SPEC", help="extra tensor, e.g. var=float32[8,1]; repeatable")
    ex.add_argument("--option", action="append", metavar="KEY=VALUE", help="constructor option, e.g. reduction=none; repeatable")
    ex.add_argument("--json", action="store_true")
    return parser


def _version() -> str:
    from refcheck import __version__

    return f"refcheck {__version__}"


def cmd_verify(args: argparse.Namespace) -> int:
    from refcheck.console import run_verify

    return run_verify(args.device, args.only, args.report, args.seed, args.quiet)


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
