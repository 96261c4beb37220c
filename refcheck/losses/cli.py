"""``refcheck loss`` and ``refcheck explain``: answers from the contract data, without importing torch."""

from __future__ import annotations

import argparse
import json

from refcheck.losses.contracts import CONTRACTS, UnknownLoss, resolve
from refcheck.losses.describe import cheatsheet_row, rules_text
from refcheck.losses.diagnose import STAGE_TEXT, DiagnoseError, diagnose, fmt_shape
from refcheck.losses.model import Contract, to_json
from refcheck.losses.spec import SpecError, parse_spec
from refcheck.torchenv import UsageError


def _resolve(name: str) -> Contract:
    try:
        return resolve(name)
    except UnknownLoss as exc:
        raise UsageError(f"{exc}; 'refcheck loss' lists all {len(CONTRACTS)}") from None


def cmd_loss(args: argparse.Namespace) -> int:
    """List the losses, or print one loss's rules."""
    if not args.name:
        if args.json:
            print(json.dumps([cheatsheet_row(c) for c in CONTRACTS.values()], indent=1))
            return 0
        width = max(len(n) for n in CONTRACTS)
        for c in CONTRACTS.values():
            flag = " (deprecated)" if c.deprecated else ""
            print(f"{c.name:<{width}}  F.{c.functional:<34} input: {c.input_kind}{flag}")
        print(f"\n{len(CONTRACTS)} losses. 'refcheck loss NAME' prints one's rules; 'refcheck explain NAME --input SPEC --target SPEC' checks your tensors.")
        return 0
    contract = _resolve(args.name)
    if args.json:
        print(json.dumps(to_json(contract), indent=1))
    else:
        print(rules_text(contract))
    return 0


def _split(item: str, flag: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise UsageError(f"{flag} {item!r} must look like NAME=VALUE, e.g. {flag} {'var=float32[8,1]' if flag == '--extra' else 'reduction=none'}")
    return key.strip(), value.strip()


def specs_from_args(contract: Contract, input_spec: str, target_spec: str | None, extras: list[str] | None) -> dict[str, str]:
    """Map --input/--target/--extra onto the loss's own tensor names."""
    args = contract.module_args
    specs: dict[str, str] = {args[0].name: input_spec}
    target = contract.target_arg or (args[1] if len(args) > 1 else None)
    if target_spec is not None:
        if target is None:
            raise UsageError(f"{contract.name} takes no target")
        specs[target.name] = target_spec
    names = [a.name for a in contract.args]
    for item in extras or []:
        key, value = _split(item, "--extra")
        if key not in names or key == args[0].name:
            others = [n for n in names if n != args[0].name]
            raise UsageError(f"{contract.name} has no extra tensor {key!r}; give one of {', '.join(others)} as --extra NAME=SPEC")
        specs[key] = value
    missing = [a.name for a in args if a.name not in specs]
    if missing:
        example = " ".join(("--target" if target and a.name == target.name else f"--extra {a.name}=") + ("" if target and a.name == target.name else "SPEC") for a in args[1:] if a.name in missing)
        example = example.replace("--target", "--target SPEC")
        raise UsageError(f"{contract.name} needs {', '.join(a.name for a in args)}; missing {', '.join(missing)} (add {example})")
    for k, v in specs.items():
        try:
            parse_spec(v)
        except SpecError as exc:
            raise UsageError(f"{k}: {exc}") from None
    return specs


def explain(contract: Contract, specs: dict[str, str], options: dict[str, str], made: str | None = None, device: str = "cpu") -> dict:
    try:
        return diagnose(contract, specs, options, made, device).to_dict()
    except (DiagnoseError, SpecError) as exc:
        raise UsageError(str(exc)) from None


def explain_text(d: dict) -> str:
    call = f"{d['loss']}(" + ", ".join(f"{k}={v}" for k, v in d["specs"].items()) + "".join(f", {k}={v!r}" for k, v in d["options"].items()) + ")"
    red = d["reduction"]
    lines = [call]
    if d["valid"]:
        lines.append(f"valid ({d['form']}): output shape {fmt_shape(d['output_shape'])} with reduction={red!r}")
        return "\n".join(lines)
    verdict = {"ok": "runs without an error, but", "warning": "runs with only a warning, but", "forward-error": "torch raises in the forward call:", "error": "torch raises:",
               "backward-error": "the forward call succeeds and backward() raises:"}[d["outcome"]]
    lines.append(f"INVALID ({d['form']}): {verdict}")
    for p in d["problems"]:
        lines.append(f"  - rule: {p['rule']}")
        lines.append(f"    got:  {p['got']}")
        lines.append(f"    fix:  {p['fix']}")
        lines.append(f"    when: {STAGE_TEXT[p['stage']]}")
    if d["also"]:
        lines.append("other accepted forms: " + "; ".join(d["also"]))
    if d["output_shape"] is not None:
        lines.append(f"torch's output shape would be {fmt_shape(d['output_shape'])} with reduction={red!r}")
    return "\n".join(lines)


def cmd_explain(args: argparse.Namespace) -> int:
    """Diagnose specs; exit 0 when valid, 1 when a rule is broken (2 for usage errors)."""
    if getattr(args, "from_error", None) is not None:
        from refcheck.losses.error_cli import cmd_from_error

        return cmd_from_error(args)
    if not args.name or args.input is None:
        raise UsageError("explain needs a loss NAME and --input SPEC (e.g. refcheck explain CrossEntropyLoss --input float32[8,10] "
                         "--target int64[8]), or --from-error MESSAGE")
    contract = _resolve(args.name)
    specs = specs_from_args(contract, args.input, args.target, args.extra)
    options = dict(_split(o, "--option") for o in args.option or [])
    # --made / --on are read when the parser defines them (refcheck/cli.py); the diagnosis takes both
    d = explain(contract, specs, options, getattr(args, "made", None), getattr(args, "on", None) or "cpu")
    print(json.dumps(d, indent=1) if args.json else explain_text(d))
    return 0 if d["valid"] else 1
