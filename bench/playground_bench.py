"""Playground speed in headless Chromium against TensorFlow Playground's, the way a user sees it.

Two configurations: TF Playground's default (circle, x1 x2, hidden 4,2, tanh, lr 0.03, batch 10, 250
training points) and the same with a 6x8 network. Each is measured over a long window (--seconds,
default 20) after a warm-up, the page visible, training and drawing together, as the median of
--repeat runs (fresh browser each). Prints one JSON object per configuration: epochs_per_s (training
epochs per wall-clock second while playing), redraws_per_s (output heatmap, neuron maps, links, charts
and readouts redrawn per second; networks above 16 hidden neurons refresh maps and links ~11/s), the
reference TF Playground figure and the ratio to it.

Reference (TF Playground built from its own source, in the same headless Chromium, on this kind of
2-core machine): 31.4 epochs/s on its default configuration (median of three 20 s runs), 7.4 on 6x8.
Targets (issue 12): >= 25x on the default configuration with >= 30 redraws/s; >= 20x on 6x8.

    python bench/playground_bench.py [--site DIR] [--seconds 20] [--repeat 3] [--only default|6x8]
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
# name -> (URL hash, TF Playground's epochs/s on the same configuration, target ratio, target redraws/s)
CONFIGS = {
    "default": ("", 31.4, 25, 30),
    "6x8": ("hidden=8,8,8,8,8,8", 7.4, 20, None),
}


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


def measure(site: Path, hash_: str, seconds: float, warmup: float, chromium: str) -> dict:
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
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/playground/#{hash_}")
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
    }


def summarize(name: str, results: list[dict]) -> dict:
    """Medians over runs, with the TF Playground reference, the ratio and whether the targets are met."""
    _, tf_eps, target_ratio, target_redraws = CONFIGS[name]
    summary = dict(results[0])
    for key in ("epochs_per_s", "redraws_per_s", "train_ms_per_epoch", "draw_ms_per_redraw", "draw_ms_max"):
        summary[key] = round(statistics.median(r[key] for r in results), 4)
    ratio = summary["epochs_per_s"] / tf_eps
    summary.update(
        tf_playground_epochs_per_s=tf_eps,
        ratio=round(ratio, 1),
        target={
            "ratio": target_ratio,
            "epochs_per_s": round(target_ratio * tf_eps, 1),
            "redraws_per_s": target_redraws,
        },
        target_met=ratio >= target_ratio and (target_redraws is None or summary["redraws_per_s"] >= target_redraws),
        runs=[{k: r[k] for k in ("epochs_per_s", "redraws_per_s")} for r in results],
    )
    for key in ("epochs_total", "final_test_loss", "seconds"):
        summary.pop(key, None)
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--site", type=Path, default=os.environ.get("REFCHECK_SITE_DIR"), help="built site (default: build one)"
    )
    ap.add_argument("--seconds", type=float, default=20.0, help="measured window per run (default 20)")
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=3, help="runs (fresh browser each); medians are reported")
    ap.add_argument("--only", choices=sorted(CONFIGS), help="one configuration (default: both)")
    ap.add_argument("--chromium", default=os.environ.get("REFCHECK_CHROMIUM", "/usr/bin/chromium"))
    args = ap.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or args.repeat < 1:
        ap.error("--seconds must be > 0, --warmup >= 0 and --repeat >= 1")
    names = [args.only] if args.only else list(CONFIGS)
    load_before = os.getloadavg()[0]

    def runs(site: Path) -> dict:
        out = {}
        for name in names:
            hash_ = CONFIGS[name][0]
            results = [measure(site, hash_, args.seconds, args.warmup, args.chromium) for _ in range(args.repeat)]
            out[name] = summarize(name, results)
        return out

    if args.site:
        summary = runs(Path(args.site))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            build_site(Path(tmp))
            summary = runs(Path(tmp))
    summary["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "window_s": args.seconds,
        "warmup_s": args.warmup,
        "repeat": args.repeat,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
