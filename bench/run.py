"""`nox -s bench`: wall times (median of N runs) of the things a user waits for.

Prints a table and writes .refcheck/bench.json. Speed targets live here, not in timed tests.
Usage: python bench/run.py [--runs N] [--skip-snippets] [--nox-verify]

Targets (2 cores): all claims <= 2x `import torch, timm`; warm `nox -s verify` <= 3 min (--nox-verify
times one run, the environment reused); fresh clone to green <= 10 min (measured by hand, README).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HF_HUB_OFFLINE": "1", "KERAS_BACKEND": "torch"}


def wall(cmd: list[str], runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0,):
            return {"error": f"exit {proc.returncode}: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"}
    return {"median_s": round(statistics.median(times), 3), "runs": [round(t, 3) for t in times]}


def extra(script: str) -> dict | None:
    """Run a topic benchmark script that prints one JSON object."""
    path = ROOT / "bench" / script
    if not path.exists():
        return None
    proc = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=ENV, capture_output=True, text=True)
    out = proc.stdout.strip()
    for text in (out, out.splitlines()[-1] if out else ""):  # one JSON document, or JSON on the last line
        try:
            return json.loads(text)
        except ValueError:
            continue
    return {"error": (proc.stderr or proc.stdout)[-300:]}


def playground_lines(result: dict | None) -> list[str]:
    """This playground's epochs/s against TF Playground's reference figure, per configuration."""
    lines = []
    for name, r in (result or {}).items():
        if isinstance(r, dict) and "tf_playground_epochs_per_s" in r:
            lines.append(
                f"playground {name:8s} {r['epochs_per_s']:8.1f} epochs/s ({r['redraws_per_s']} redraws/s)"
                f" vs TF Playground {r['tf_playground_epochs_per_s']} epochs/s: {r['ratio']}x"
                f" (target {r['target']['ratio']}x: {'met' if r['target_met'] else 'missed'})"
            )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-snippets", action="store_true", help="skip the (slow) snippet timing")
    parser.add_argument("--nox-verify", action="store_true", help="also time one warm `nox -s verify` (minutes)")
    args = parser.parse_args()
    py = sys.executable
    results: dict[str, dict | None] = {
        "import torch+timm": wall([py, "-c", "import torch, timm"], args.runs),
        "refcheck verify (timm page claims, cpu)": wall([py, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--only", "timm.*", "--report", "/tmp/refcheck-bench.json"], args.runs),
        "refcheck verify (all claims, cpu)": wall([py, "-m", "refcheck.cli", "verify", "--device", "cpu", "--quiet", "--report", "/tmp/refcheck-bench-all.json"], args.runs),
        "mkdocs build --strict": wall([py, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", "/tmp/refcheck-bench-site"], args.runs),
    }
    if not args.skip_snippets:
        results["pytest --codeblocks docs"] = wall([py, "-m", "pytest", "--codeblocks", "docs", "-q", "-p", "no:cacheprovider"], args.runs)
    imp, claims = results["import torch+timm"], results["refcheck verify (all claims, cpu)"]
    if "median_s" in imp and "median_s" in claims:
        ratio = round(claims["median_s"] / imp["median_s"], 2)
        results["all claims / import (target <= 2)"] = {"ratio": ratio, "meets_target": ratio <= 2}
    if args.nox_verify:
        timed = wall([shutil.which("nox") or "nox", "-s", "verify"], 1)  # nox lives beside, not inside, the env
        if "median_s" in timed:
            timed["meets_target"] = timed["median_s"] <= 180
        results["nox -s verify, environment reused (target <= 180 s)"] = timed
    results["losses"] = extra("loss_bench.py")
    results["playground"] = extra("playground_bench.py")
    machine = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(), "date": time.strftime("%Y-%m-%d")}
    out = {"machine": machine, "results": {k: v for k, v in results.items() if v is not None}}
    for name, value in out["results"].items():
        print(f"{name:45s} {json.dumps(value)}")
    for line in playground_lines(results.get("playground")):
        print(line)
    (ROOT / ".refcheck").mkdir(exist_ok=True)
    (ROOT / ".refcheck" / "bench.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
