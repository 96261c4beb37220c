"""Playground speed in headless Chromium on the default configuration (TF Playground's: circle, x1 x2,
hidden 4,2, tanh, lr 0.03, batch 10, 250 training points).

Prints one JSON object: epochs_per_s (training epochs per wall-clock second while playing) and
redraws_per_s (output heatmap, neuron maps, links, loss and gradient charts and readouts redrawn per
second; networks above 16 hidden neurons refresh maps and links ~11/s), each the median of --repeat runs measured over --seconds after a warm-up.
Target (issue 5): >= 330 epochs/s with >= 20 redraws/s.

    python bench/playground_bench.py [--site DIR] [--seconds 5]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_EPOCHS_PER_S = 330
TARGET_REDRAWS_PER_S = 20


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build_site(out: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def measure(site: Path, seconds: float, warmup: float, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/playground/")
            page.wait_for_function("window.playgroundApp && window.playgroundApp.stats.redraws > 0")
            config = page.evaluate("window.playgroundApp.state")
            page.click("[data-action=play]")
            time.sleep(warmup)
            page.evaluate("window.playgroundApp.resetStats()")
            time.sleep(seconds)
            stats = page.evaluate("window.playgroundApp.stats")
            page.click("[data-action=play]")
            epoch = page.evaluate("window.playgroundApp.epoch")
            test_loss = page.evaluate("window.playgroundApp.history.test.at(-1)")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    secs = stats["elapsedMs"] / 1000
    return {
        "epochs_per_s": round(stats["epochs"] / secs, 1),
        "redraws_per_s": round(stats["redraws"] / secs, 1),
        "train_ms_per_epoch": round(stats["trainMs"] / max(1, stats["epochs"]), 4),
        "draw_ms_per_redraw": round(stats["drawMs"] / max(1, stats["redraws"]), 2),
        "draw_ms_max": round(stats.get("drawMax", 0.0), 2),
        "seconds": round(secs, 2),
        "epochs_total": epoch,
        "final_test_loss": test_loss,
        "config": {k: config[k] for k in ("dataset", "features", "hidden", "activation", "lr", "batch", "trainPct")},
        "target": {"epochs_per_s": TARGET_EPOCHS_PER_S, "redraws_per_s": TARGET_REDRAWS_PER_S},
        "target_met": stats["epochs"] / secs >= TARGET_EPOCHS_PER_S and stats["redraws"] / secs >= TARGET_REDRAWS_PER_S,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--site", type=Path, default=os.environ.get("REFCHECK_SITE_DIR"), help="built site (default: build one)"
    )
    ap.add_argument("--seconds", type=float, default=6.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3, help="runs (fresh browser each); medians are reported")
    ap.add_argument("--chromium", default=os.environ.get("REFCHECK_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args(argv)

    def runs(site: Path) -> list[dict]:
        return [measure(site, args.seconds, args.warmup, args.chromium) for _ in range(max(1, args.repeat))]

    if args.site:
        results = runs(Path(args.site))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build_site(Path(tmp))
            results = runs(Path(tmp))
    summary = dict(results[0])
    for key in ("epochs_per_s", "redraws_per_s", "train_ms_per_epoch", "draw_ms_per_redraw", "draw_ms_max"):
        summary[key] = statistics.median(r[key] for r in results)
    summary["target_met"] = (
        summary["epochs_per_s"] >= TARGET_EPOCHS_PER_S and summary["redraws_per_s"] >= TARGET_REDRAWS_PER_S
    )
    summary["runs"] = [{k: r[k] for k in ("epochs_per_s", "redraws_per_s")} for r in results]
    summary["machine"] = {"cpus": os.cpu_count(), "loadavg_1min": round(os.getloadavg()[0], 2)}
    for key in ("epochs_total", "final_test_loss", "seconds"):
        summary.pop(key, None)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
