"""The playground's exported PyTorch training script retrains with the engine's loss curve (float64).

The engine (under Node, tests/js/parity_cli.mjs) trains a session for N epochs and exports
toPyTorchTraining(session); the script, executed here, rebuilds data, initial weights, optimizer,
schedule, penalty, batch norm and the minibatch order, trains for N epochs, and its per-epoch train and
test losses and final weights are compared with the engine's.
"""

from __future__ import annotations

import json
import runpy
import sys

import pytest
from test_playground_parity import REL_TOL, rel_diff, run_node

torch = pytest.importorskip("torch")

# (hash, epochs): every optimizer, schedule, penalty, head, batch norm in both modes, a last batch of one
# sample with batch norm, early stopping with restore, residual skips, unscaled input with standardization.
CASES = [
    ("", 10),  # TF Playground's default: circle, tanh 4-2, SGD lr 0.03, batch 10
    ("preset=residual", 5),  # sigmoid stack with skips: differences grow ~10x per epoch
    ("hidden=4,4&bn=11&lr=0.03", 8),
    ("preset=early-stopping&patience=3&lr=0.03", 30),  # stops at epoch 5 and restores epoch 2
    (
        "dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=6,6&activation=relu&loss=bce"
        "&optimizer=adam&lr=0.01&reg=L2&regRate=0.001&schedule=step&stepEvery=3",
        8,
    ),
    (
        "dataset=multigauss&problem=regression&hidden=8,4&activation=tanh&reg=L1&regRate=0.001"
        "&optimizer=momentum&schedule=cosine&period=5&batch=7",
        8,
    ),
    ("preset=standardized&bn=1&bnMode=train&batch=83", 8),  # 250 = 3 * 83 + 1: a batch of one
    ("hidden=3&optimizer=momentum", 8),  # with weights and biases edited by hand (EDITS below)
]
# Hand edits (the UI's weight/bias editor) per case: before training, mid-run, and after the last epoch.
EDITS = {
    "hidden=3&optimizer=momentum": [
        {"after": 0, "layer": 0, "kind": "weight", "index": 1, "value": 0.9},
        {"after": 4, "layer": 0, "kind": "bias", "index": 2, "value": -0.4},
        {"after": 4, "layer": 1, "kind": "weight", "index": 0, "value": 1.5},
        {"after": 8, "layer": 1, "kind": "bias", "index": 0, "value": 0.25},
    ]
}
# The deep sigmoid batch-norm preset at lr 0.1 is chaotic: a 1e-16 difference grows about 1e5-fold per
# epoch (measured: 5e-14, 2e-8, 3e-3 after epochs 1-3), so it is compared over its first epoch only.
CHAOTIC = ("preset=batch-norm", 1)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    g = torch.Generator().manual_seed(0)
    points = (torch.rand(10, 2, generator=g, dtype=torch.float64) * 12 - 6).tolist()
    cases = CASES + [CHAOTIC]
    requests = [{"hash": h, "epochs": e, "points": points, "edits": EDITS.get(h, [])} for h, e in cases]
    got = run_node({"trainingExports": requests})
    out = tmp_path_factory.mktemp("exports")
    scripts = []
    for i, ex in enumerate(got["trainingExports"]):
        path = out / f"train_{i}.py"
        path.write_text(ex["script"])
        scripts.append(path)
    return cases, got["trainingExports"], scripts, points


def _check_curves(ns, ex, epochs, label):
    model, history = ns["train"](epochs)
    assert len(history["train"]) == len(ex["history"]["train"]) == ex["epoch"], label
    for key in ("train", "test"):
        d = rel_diff(history[key], torch.tensor(ex["history"][key], dtype=torch.float64))
        assert d <= REL_TOL, f"{label}: {key} loss curve differs from the engine's by {d:.3g}"
    return model, history


@pytest.mark.parametrize("index", range(len(CASES) + 1), ids=[h or "default" for h, _ in CASES] + ["chaotic-bn"])
def test_training_script_follows_the_engine(exported, index):
    cases, results, scripts, points = exported
    (hash_, epochs), ex = cases[index], results[index]
    ns = runpy.run_path(str(scripts[index]))
    model, history = _check_curves(ns, ex, epochs, hash_)
    # the weights it ends with are the engine's (exported as TRAINED), and so are its predictions
    scale = max(float(p.detach().abs().max()) for p in model.parameters_in_order())
    assert ns["max_weight_difference"](model) <= REL_TOL * scale, hash_
    d = rel_diff(ns["predict"](model, points), torch.tensor(ex["predictions"], dtype=torch.float64))
    assert d <= REL_TOL, f"{hash_}: predictions differ by {d:.3g}"
    assert (history["stopped"] is not None) == (ex["status"] != "ok"), hash_


def test_early_stopping_case_stops_and_restores(exported):
    cases, results, scripts, _ = exported
    i = [h for h, _ in cases].index("preset=early-stopping&patience=3&lr=0.03")
    assert results[i]["status"] == "stopped" and results[i]["epoch"] < cases[i][1]
    _, history = runpy.run_path(str(scripts[i]))["train"](cases[i][1])
    assert history["stopped"].startswith("early stopping at epoch")


def test_hand_edits_are_replayed(exported):
    """Without replaying the edits, the script's curve leaves the engine's: the edits matter to the check."""
    cases, results, scripts, _ = exported
    i = [h for h, _ in cases].index("hidden=3&optimizer=momentum")
    ns = runpy.run_path(str(scripts[i]))
    assert len(ns["EDITS"]) == 4
    ns["train"].__globals__["EDITS"] = []
    _, history = ns["train"](cases[i][1])
    assert rel_diff(history["train"], torch.tensor(results[i]["history"]["train"], dtype=torch.float64)) > 1e3 * REL_TOL


def test_comparison_can_fail(exported):
    """Another minibatch order (shuffle seed + 1) moves the curve far beyond the tolerance."""
    _, results, scripts, _ = exported
    ns = runpy.run_path(str(scripts[0]))
    ns["train"].__globals__["SHUFFLE_SEED"] += 1
    _, history = ns["train"](10)
    assert rel_diff(history["train"], torch.tensor(results[0]["history"]["train"], dtype=torch.float64)) > 1e3 * REL_TOL


def test_script_runs_as_a_program(exported, monkeypatch, capsys):
    """`python script.py` trains the exported number of epochs and reports how far it is from the engine."""
    _, _, scripts, _ = exported
    monkeypatch.setattr(sys, "argv", [str(scripts[0])])
    runpy.run_path(str(scripts[0]), run_name="__main__")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-2].startswith("epoch    10  train loss ")
    assert lines[-1].startswith("largest difference from the playground's weights at epoch 10: ")
    assert float(lines[-1].rsplit(" ", 1)[1]) <= 1e-9


def test_script_rejects_a_negative_epoch_count(exported, monkeypatch, capsys):
    _, _, scripts, _ = exported
    monkeypatch.setattr(sys, "argv", [str(scripts[0]), "--epochs", "-2"])
    with pytest.raises(SystemExit) as exc:
        runpy.run_path(str(scripts[0]), run_name="__main__")
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("--epochs must be 0 or more, got -2")


def test_export_is_json_free_python(exported):
    """The script embeds its data as Python literals (no JSON null/true/false) and needs only torch."""
    _, results, _, _ = exported
    script = results[0]["script"]
    assert "null" not in script and "true," not in script
    assert json.loads(json.dumps(script))  # a plain string
