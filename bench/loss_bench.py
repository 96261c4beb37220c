"""Loss-lookup timings, printed as one JSON object (read by bench/run.py; not a timed test).

- `refcheck loss NAME` and `refcheck explain ...`: wall time of a fresh process, median of 3
  (target < 0.3 s: the loss commands must not import torch);
- the full probe of every contract on CPU, in-process after `import torch` (target < 5 s).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 3
COMMANDS = {
    "refcheck loss CrossEntropyLoss": ["loss", "CrossEntropyLoss"],
    "refcheck loss": ["loss"],
    "refcheck explain CrossEntropyLoss --input float32[8,10] --target float32[8]": ["explain", "CrossEntropyLoss", "--input", "float32[8,10]", "--target", "float32[8]"],
    "refcheck explain ... --json": ["explain", "GaussianNLLLoss", "--input", "float32[8,3]", "--target", "float32[8,3]", "--extra", "var=float32[8,1]", "--json"],
}


def wall(args: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "refcheck.cli", *args], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def probe_time() -> dict:
    import torch  # noqa: F401  (imported before timing: the probe's cost, not torch's import)

    from refcheck.losses.contracts import CONTRACTS
    from refcheck.losses.probe import probe

    start = time.perf_counter()
    cases = agree = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in CONTRACTS.values():
            rows = probe(c, "cpu")
            cases += len(rows)
            agree += sum(r["agree"] for r in rows)
    return {"probe_cpu_s": round(time.perf_counter() - start, 3), "probe_cases": cases, "probe_agree": agree}


def main() -> None:
    out = {"cli_median_s": {name: wall(args) for name, args in COMMANDS.items()}, "cli_target_s": 0.3}
    out.update(probe_time())
    out["probe_target_s"] = 5.0
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
