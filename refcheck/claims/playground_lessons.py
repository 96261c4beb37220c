"""Claims of the playground's lessons: what each preset linked from a topic page shows, checked on the
playground's own JavaScript engine.

A Node process (``playground_lessons.mjs`` beside this module) runs the presets each lesson needs,
from ``SEEDS`` seeds derived from the run seed (``ctx.seed_for``): the seed sets the data, the split,
the initial weights and the minibatch order, exactly as the playground's ``seed`` setting does. The
process returns per-epoch losses and diagnostics; the thresholds below are checked here, over all
seeds or on the median where a preset's outcome varies from seed to seed (said in each claim).
Without Node the claims are skipped with that reason.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from pathlib import Path

from refcheck import claim

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("playground_lessons.mjs")
ENGINE = ROOT / "docs" / "assets" / "playground" / "train.js"
SEEDS = 5

# Epochs each preset runs: enough for the lesson to show, short enough for a few seconds of Node.
EPOCHS = {
    "vanishing-gradients": 150,
    "residual": 150,
    "batch-norm": 100,
    "small-batch": 30,
    "full-batch": 30,
    "unscaled": 50,
    "standardized": 10,
    "early-stopping": 1000,  # stops itself (patience 50) long before
}


_CACHE: dict[tuple[str, int, int], dict] = {}  # (preset, seed, epochs) -> its run, within this process


def _run_presets(presets: tuple[str, ...], seeds: tuple[int, ...]) -> dict:
    """The runs of ``presets`` (each for EPOCHS[preset] epochs) from every seed: {preset: [run per seed], "node": version}.

    A claim asks only for its own presets; those not yet run in this process go to one Node process, so a
    preset two claims share (``vanishing-gradients``, ``small-batch``, ``full-batch``) runs once when both run
    in one process (their claims are one ``group``: the parallel runner keeps them in one worker).
    """
    node = shutil.which("node")
    if node is None:
        return {"skip": "node (Node.js 18+) is not installed: the lessons run on the playground's JavaScript engine"}
    if not ENGINE.exists():
        return {"skip": f"the playground engine {ENGINE.relative_to(ROOT)} is not in this checkout"}
    runs = [{"preset": p, "seed": s, "epochs": EPOCHS[p]} for p in presets for s in seeds]
    missing = [r for r in runs if (r["preset"], r["seed"], r["epochs"]) not in _CACHE]
    if missing:
        proc = subprocess.run(
            [node, str(RUNNER)], input=json.dumps({"runs": missing}), capture_output=True, text=True, cwd=ROOT, timeout=600
        )
        if proc.returncode != 0:
            raise RuntimeError(f"the lesson runner failed: {proc.stderr.strip()[-500:]}")
        out = json.loads(proc.stdout)
        for asked, r in zip(missing, out["runs"]):
            _CACHE[r["preset"], r["seed"], asked["epochs"]] = {**r, "node": out["node"]}
    by_preset: dict = {p: [_CACHE[p, s, EPOCHS[p]] for s in seeds] for p in presets}
    by_preset["node"] = by_preset[presets[0]][0]["node"]
    return by_preset


def _runs(ctx, *presets: str) -> dict:
    result = _run_presets(presets, tuple(ctx.seed_for(k) for k in range(SEEDS)))
    if "skip" in result:
        ctx.skip(result["skip"])
    return result


def _first_over_last(run) -> float:
    """First hidden layer's weight-gradient norm over the output layer's, at the initial weights."""
    g = run["gradNorms0"]
    return g[0] / g[-1] if g[-1] > 0 else float("inf")


def _rises(curve: list[float]) -> float:
    """Fraction of epochs whose loss is above the previous epoch's."""
    return sum(b > a for a, b in zip(curve, curve[1:])) / max(1, len(curve) - 1)


def _train_loss_at(run, epoch: int) -> float:
    """Training loss after ``epoch`` epochs (0: the initial weights)."""
    return run["train"][epoch - 1] if epoch > 0 else run["initial"]["train"]


def _meta(r: dict, *presets: str) -> dict:
    return {
        "node": r["node"],
        "seeds": [run["seed"] for run in r[presets[0]]],
        "epochs": {p: EPOCHS[p] for p in presets},
    }


@claim(
    "playground.lesson-residual",
    page="training/residual-connections.md",
    says="In the playground, the deep sigmoid stack (six sigmoid layers of 8, SGD, learning rate 0.1) starts with a "
    "first-layer gradient norm below 1e-4 of the output layer's (median of 5 seeds) and its test loss stays above 0.4 "
    "for 150 epochs on every seed; the same stack with skips starts above 1e-3 and its median test loss falls below "
    "0.1 within those 150 epochs.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_residual(ctx):
    r = _runs(ctx, "vanishing-gradients", "residual")
    plain, res = r["vanishing-gradients"], r["residual"]
    ratio_plain = [_first_over_last(x) for x in plain]
    ratio_res = [_first_over_last(x) for x in res]
    plain_min = [min(x["test"]) for x in plain]
    res_final = [x["test"][-1] for x in res]
    ctx.expect_less(
        statistics.median(ratio_plain), 1e-4, "plain stack: median first/output gradient-norm ratio at init"
    )
    ctx.expect_greater(
        statistics.median(ratio_res), 1e-3, "with skips: median first/output gradient-norm ratio at init"
    )
    ctx.expect_greater(min(plain_min), 0.4, "plain stack: lowest test loss of any epoch, any seed")
    ctx.expect_less(
        statistics.median(res_final), 0.1, f"with skips: median test loss after {EPOCHS['residual']} epochs"
    )
    return {
        "grad_ratio_plain": ratio_plain,
        "grad_ratio_residual": ratio_res,
        "plain_min_test_loss": plain_min,
        "residual_final_test_loss": res_final,
        **_meta(r, "vanishing-gradients", "residual"),
    }


@claim(
    "playground.lesson-batch-norm",
    page="training/batch-norm.md",
    says="In the playground, the deep sigmoid stack with batch norm in every layer reaches a test loss below 0.1 "
    "within 100 epochs on every one of 5 seeds, while the same stack without batch norm stays above 0.4.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_batch_norm(ctx):
    r = _runs(ctx, "batch-norm", "vanishing-gradients")
    bn = [x["test"][-1] for x in r["batch-norm"]]
    plain = [min(x["test"][: EPOCHS["batch-norm"]]) for x in r["vanishing-gradients"]]
    ctx.expect_less(max(bn), 0.1, "with batch norm: largest test loss after 100 epochs over seeds")
    ctx.expect_greater(min(plain), 0.4, "without: lowest test loss in 100 epochs over seeds")
    return {"bn_final_test_loss": bn, "plain_min_test_loss": plain, **_meta(r, "batch-norm", "vanishing-gradients")}


@claim(
    "playground.lesson-batch-noise",
    page="training/batch-size.md",
    says="In the playground, with a batch of 1 the gradient-noise readout at the initial weights is above 1 (median "
    "of 5 seeds: the minibatch gradient's error is larger than the gradient itself) and the test loss rises in more "
    "than a quarter of 30 epochs on every seed; with the whole training set as the batch the readout is 0 and the "
    "test loss falls in every epoch.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_batch_noise(ctx):
    r = _runs(ctx, "small-batch", "full-batch")
    small, full = r["small-batch"], r["full-batch"]
    noise_small = [x["relNoise0"] for x in small]
    noise_full = [x["relNoise0"] for x in full]
    rises_small = [_rises(x["test"]) for x in small]
    rises_full = [_rises(x["test"]) for x in full]
    ctx.expect_greater(statistics.median(noise_small), 1.0, "batch 1: median relative gradient noise at init")
    ctx.expect_equal(max(noise_full), 0.0, "full batch: largest relative gradient noise at init")
    ctx.expect_greater(min(rises_small), 0.25, "batch 1: smallest fraction of epochs whose test loss rose")
    ctx.expect_equal(max(rises_full), 0.0, "full batch: largest fraction of epochs whose test loss rose")
    return {
        "rel_noise_batch1": noise_small,
        "rel_noise_full": noise_full,
        "rising_epochs_batch1": rises_small,
        "rising_epochs_full": rises_full,
        **_meta(r, "small-batch", "full-batch"),
    }


LARGE_BATCH_EPOCHS = 10


@claim(
    "playground.lesson-large-batch",
    page="training/large-batches.md",
    says=f"In the playground, at the same learning rate (0.01) and after the same {LARGE_BATCH_EPOCHS} epochs, "
    "batch 1 (250 updates per epoch) has a median test loss over 5 seeds below 0.12 and the full batch (one update "
    "per epoch) one above 0.25.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_large_batch(ctx):
    r = _runs(ctx, "small-batch", "full-batch")
    k = LARGE_BATCH_EPOCHS - 1
    small = [x["test"][k] for x in r["small-batch"]]
    full = [x["test"][k] for x in r["full-batch"]]
    ctx.expect_less(statistics.median(small), 0.12, f"batch 1: median test loss after {LARGE_BATCH_EPOCHS} epochs")
    ctx.expect_greater(statistics.median(full), 0.25, f"full batch: median test loss after {LARGE_BATCH_EPOCHS} epochs")
    return {"test_loss_batch1": small, "test_loss_full": full, **_meta(r, "small-batch", "full-batch")}


@claim(
    "playground.lesson-scaling",
    page="data/feature-scaling.md",
    says="In the playground, with X₁ multiplied by 100 and shifted by 500 the test loss never falls below 0.4 in "
    "50 epochs; the same data standardized reaches a test loss below 0.05 within 10 epochs, on every one of 5 seeds.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_scaling(ctx):
    r = _runs(ctx, "unscaled", "standardized")
    unscaled = [min(x["test"]) for x in r["unscaled"]]
    standardized = [x["test"][-1] for x in r["standardized"]]
    ctx.expect_greater(min(unscaled), 0.4, "unscaled: lowest test loss of any epoch, any seed")
    ctx.expect_less(max(standardized), 0.05, f"standardized: largest test loss after {EPOCHS['standardized']} epochs")
    return {
        "unscaled_min_test_loss": unscaled,
        "standardized_test_loss": standardized,
        **_meta(r, "unscaled", "standardized"),
    }


@claim(
    "playground.lesson-early-stopping",
    page="training/early-stopping.md",
    says="In the playground's early-stopping preset the run stops by itself on every one of 5 seeds, 50 epochs after "
    "its best test loss, while the training loss has gone on falling (median over the seeds: to less than 0.95 of "
    "its value at the best epoch); the weights it restores give exactly the best test loss again.",
    tags=("statistical",),
    group="playground-lessons",
)
def lesson_early_stopping(ctx):
    r = _runs(ctx, "early-stopping")
    runs = r["early-stopping"]
    ctx.expect_equal([x["status"] for x in runs], ["stopped"] * len(runs), "status of every run")
    ctx.expect_equal([x["epochs"] - x["best"]["epoch"] for x in runs], [50] * len(runs), "epochs run after the best")
    train_ratio = [x["train"][-1] / _train_loss_at(x, x["best"]["epoch"]) for x in runs]
    ctx.expect_less(statistics.median(train_ratio), 0.95, "median training loss at the stop / at the best epoch")
    ctx.expect_equal([x["last"]["test"] for x in runs], [x["best"]["loss"] for x in runs], "restored test loss == best")
    return {
        "stopped_at": [x["epochs"] for x in runs],
        "best_epoch": [x["best"]["epoch"] for x in runs],
        "best_test_loss": [x["best"]["loss"] for x in runs],
        "train_loss_ratio": train_ratio,
        **_meta(r, "early-stopping"),
    }
