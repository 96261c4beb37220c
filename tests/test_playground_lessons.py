"""The playground lesson claims: skipped (with the reason) without Node, and able to fail.

The real runs are exercised by `refcheck verify --only 'playground.*'`; these tests stay fast by
feeding the checks fabricated runner output.
"""

from __future__ import annotations

import pytest

from refcheck.claims import playground_lessons as lessons
from refcheck.registry import load_all
from refcheck.runner import run_claim

IDS = [
    "playground.lesson-residual",
    "playground.lesson-batch-norm",
    "playground.lesson-batch-noise",
    "playground.lesson-large-batch",
    "playground.lesson-scaling",
    "playground.lesson-early-stopping",
]


@pytest.fixture(autouse=True)
def fresh_cache():
    lessons._CACHE.clear()
    yield
    lessons._CACHE.clear()


def test_every_lesson_is_a_statistical_claim_on_its_page():
    claims = load_all()
    for cid in IDS:
        assert claims[cid].statistical, cid
        assert claims[cid].page.startswith(("training/", "data/")), cid


def test_without_node_every_lesson_is_skipped_naming_node(monkeypatch):
    monkeypatch.setattr(lessons.shutil, "which", lambda name: None)
    claims = load_all()
    for cid in IDS:
        result = run_claim(claims[cid], "cpu")
        assert result.status == "skipped", cid
        assert "node" in result.reason.lower(), result.reason


def _run(preset, seed, test, train=None, **extra):
    n = len(test)
    return {
        "preset": preset,
        "seed": seed,
        "status": "ok",
        "epochs": n,
        "train": train or test,
        "test": test,
        "initial": {"train": 0.5, "test": 0.5},
        "best": {"epoch": n, "loss": min(test)},
        "last": {"train": (train or test)[-1], "test": test[-1]},
        "gradNorms0": [1e-2, 1.0],
        "relNoise0": 0.0,
        **extra,
    }


def test_residual_lesson_fails_when_the_plain_stack_trains(monkeypatch):
    """A plain stack that learns (loss 0.01) and has no vanishing gradient contradicts the lesson."""
    fake = {
        "node": "v0",
        "vanishing-gradients": [_run("vanishing-gradients", s, [0.5, 0.01]) for s in range(5)],
        "residual": [_run("residual", s, [0.5, 0.01]) for s in range(5)],
    }
    monkeypatch.setattr(lessons, "_run_presets", lambda presets, seeds: fake)
    result = run_claim(load_all()["playground.lesson-residual"], "cpu")
    assert result.status == "failed", result
    assert "plain stack" in result.reason


def test_batch_noise_lesson_fails_on_a_smooth_batch_of_one(monkeypatch):
    smooth = [0.5, 0.4, 0.3, 0.2]
    fake = {
        "node": "v0",
        "small-batch": [_run("small-batch", s, smooth, relNoise0=3.0) for s in range(5)],
        "full-batch": [_run("full-batch", s, smooth) for s in range(5)],
    }
    monkeypatch.setattr(lessons, "_run_presets", lambda presets, seeds: fake)
    result = run_claim(load_all()["playground.lesson-batch-noise"], "cpu")
    assert result.status == "failed"
    assert "test loss rose" in result.reason


def test_statements_describe_the_presets_they_run():
    """The setups the claims name (layers, activation, learning rate, batch, patience, X1 blow-up) are the
    presets' own, read from state.js: a changed preset cannot leave a stale sentence behind."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the playground engine tests need Node 20+")
    script = (
        'import("./docs/assets/playground/state.js").then(async ({ PRESETS, fromHash }) => {'
        ' const { NUM_SAMPLES, UNSCALED } = await import("./docs/assets/playground/data.js");'
        " const cfg = Object.fromEntries(Object.keys(PRESETS).map((k) => [k, fromHash(`preset=${k}`)]));"
        " console.log(JSON.stringify({ cfg, NUM_SAMPLES, UNSCALED })); })"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, cwd=lessons.ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    cfg, claims = got["cfg"], load_all()
    deep = cfg["vanishing-gradients"]
    assert (deep["hidden"], deep["activation"], deep["optimizer"], deep["lr"]) == ([8] * 6, "sigmoid", "sgd", 0.1)
    assert cfg["residual"]["residual"] and cfg["residual"]["hidden"] == deep["hidden"]
    assert cfg["batch-norm"]["bn"] == [True] * 6 and cfg["batch-norm"]["hidden"] == deep["hidden"]
    assert "six sigmoid layers of 8, SGD, learning rate 0.1" in claims["playground.lesson-residual"].says
    small, full = cfg["small-batch"], cfg["full-batch"]
    n_train = got["NUM_SAMPLES"] * small["trainPct"] // 100
    assert (small["batch"], small["lr"], full["lr"], min(full["batch"], n_train)) == (1, 0.01, 0.01, n_train)
    assert f"{n_train} updates per epoch" in claims["playground.lesson-large-batch"].says
    assert "learning rate (0.01)" in claims["playground.lesson-large-batch"].says
    assert (got["UNSCALED"]["scale"], got["UNSCALED"]["shift"]) == (100, 500)
    assert cfg["unscaled"]["unscaled"] and not cfg["unscaled"]["standardize"] and cfg["standardized"]["standardize"]
    assert "multiplied by 100 and shifted by 500" in claims["playground.lesson-scaling"].says
    assert cfg["early-stopping"]["patience"] == 50 and cfg["early-stopping"]["restoreBest"]
    assert "50 epochs after its best" in claims["playground.lesson-early-stopping"].says
