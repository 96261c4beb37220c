"""Loss-lookup timings, printed as one JSON object (read by bench/run.py; not a timed test).

- `refcheck loss NAME` and `refcheck explain ...`: wall time of a fresh process, median of 3
  (target < 0.3 s: the loss commands must not import torch);
- the full probe of every contract on CPU, in-process after `import torch` (target < 5 s);
- check_loss_inputs against torch on the generated corpus of real calls (refcheck/losses/corpus.py),
  overall and per loss (target >= 99%), and the silent-misuse catalogue (target >= 85% flagged).
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


def corpus_agreement() -> dict:
    import torch

    from refcheck.losses.corpus import agreement, corpus
    from refcheck.losses.misuse import MISUSES, run

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = agreement(corpus())
        misuses = [run(m, torch.Generator().manual_seed(i)) for i, m in enumerate(MISUSES)]
    return {
        "corpus_calls": report["calls"], "corpus_agree": report["agree"], "corpus_rate": round(report["rate"], 4), "corpus_target": 0.99,
        "corpus_torch_verdicts": report["torch_verdicts"],
        "corpus_per_loss": {k: f"{v['agree']}/{v['calls']}" for k, v in sorted(report["per_loss"].items())},
        "corpus_disagreements": [f"{d['call']}: torch {d['torch']}, refcheck {d['api']}" for d in report["disagreements"]],
        "misuses": len(misuses), "misuses_flagged": sum(m["flagged"] for m in misuses), "misuse_target": 0.85,
        "corpus_s": round(time.perf_counter() - start, 2),
    }


def main() -> None:
    out = {"cli_median_s": {name: wall(args) for name, args in COMMANDS.items()}, "cli_target_s": 0.3}
    out.update(probe_time())
    out.update(corpus_agreement())
    out["probe_target_s"] = 5.0
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
