"""The playground's JavaScript engine against PyTorch, in float64.

For every combination of activation x output head x batch norm x residual x penalty x optimizer, the
engine (run under Node by tests/js/parity_cli.mjs) initializes a network; the same network is built
here in torch from those weights, and the forward output, loss, every gradient, the parameters after
two optimizer steps, the batch-norm running statistics and the eval-mode output are compared.
Also: learning-rate schedules against torch's schedulers, and the exported PyTorch script, executed,
against the engine's own predictions.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "tests" / "js" / "parity_cli.mjs"
# Both sides compute in float64; the operations are the same up to summation order, which moves
# results by ~1e-15 relative. 1e-6 is the bound and leaves nine orders of magnitude.
REL_TOL = 1e-6

ZERO_FLOOR = 1e-8
ACTS = ["relu", "tanh", "sigmoid", "linear"]
HEADS = [("classification", "square"), ("classification", "bce"), ("regression", "square")]
BNS = [False, True]
RESIDUALS = [False, True]
REGS = ["none", "L1", "L2"]
OPTS = ["sgd", "momentum", "adam"]
COMBOS = list(itertools.product(ACTS, HEADS, BNS, RESIDUALS, REGS, OPTS))
HIDDEN = [5, 5, 3, 4]  # identity, narrowing and widening skips
N, D = 8, 3


def run_node(request: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the playground engine tests need Node 20+")
    proc = subprocess.run(
        [node, str(CLI)], input=json.dumps(request), capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def combo_id(combo) -> str:
    act, (problem, loss), bn, residual, reg, opt = combo
    return f"{act}-{problem[:5]}-{loss}-bn{int(bn)}-res{int(residual)}-{reg}-{opt}"


def make_case(i: int, combo) -> dict:
    act, (problem, loss), bn, residual, reg, opt = combo
    g = torch.Generator().manual_seed(1000 + i)
    X = (torch.rand(N, D, generator=g, dtype=torch.float64) * 4 - 2).flatten().tolist()
    if problem == "regression":
        y = (torch.rand(N, generator=g, dtype=torch.float64) * 2 - 1).tolist()
    else:
        y = [1.0 if v > 0.5 else -1.0 for v in torch.rand(N, generator=g).tolist()]
    spec = {
        "nInputs": D,
        "hidden": HIDDEN,
        "activation": act,
        "bn": [bn] * len(HIDDEN),
        "residual": residual,
        "init": "torch",
        "problem": problem,
        "loss": loss,
    }
    return {
        "spec": spec,
        "seed": 7 + i,
        "X": X,
        "y": y,
        "n": N,
        "reg": reg,
        "rate": 0.01 if reg != "none" else 0,
        "optimizer": opt,
        "lr": 0.1,
        "steps": 2,
    }


SCHEDULE_BASE, SCHEDULE_EPOCHS = 0.1, 40
SCHEDULES = [
    {"lr": SCHEDULE_BASE, "schedule": "step", "every": 7, "gamma": 0.5, "epochs": SCHEDULE_EPOCHS},
    {"lr": SCHEDULE_BASE, "schedule": "cosine", "period": 13, "epochs": SCHEDULE_EPOCHS},
    {"lr": SCHEDULE_BASE, "schedule": "constant", "epochs": SCHEDULE_EPOCHS},
]
INITS = ["torch", "xavier", "kaiming"]
INIT_IN, INIT_OUT = 100, 400
EXPORT_HASHES = [
    "preset=residual",  # sigmoid stack with skips
    "preset=batch-norm",  # batch norm in every layer (eval mode: running statistics)
    "preset=standardized",  # unscaled X1 + standardization constants
    "dataset=spiral&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=6,6&activation=relu&loss=bce&optimizer=adam&lr=0.01",
    "dataset=multigauss&problem=regression&hidden=8,4&activation=tanh&reg=L2&regRate=0.001&optimizer=momentum",
    "dataset=xor&hidden=&lr=0.1",  # no hidden layer: logistic-style linear model
]


def export_points() -> list:
    g = torch.Generator().manual_seed(0)
    return (torch.rand(25, 2, generator=g, dtype=torch.float64) * 12 - 6).tolist()


@pytest.fixture(scope="module")
def engine():
    """One Node run answers every question of this module: the combos, schedules, inits and exports."""
    cases = [make_case(i, c) for i, c in enumerate(COMBOS)]
    request = {
        "cases": cases,
        "schedules": SCHEDULES,
        "inits": [{"init": init, "nIn": INIT_IN, "nOut": INIT_OUT, "seed": 5} for init in INITS],
        "exports": [{"hash": h, "epochs": 30, "points": export_points()} for h in EXPORT_HASHES],
    }
    return cases, run_node(request)


@pytest.fixture(scope="module")
def parity(engine):
    cases, response = engine
    return cases, response["cases"]


ACT_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity}


class TorchBlock(nn.Module):
    def __init__(self, spec: dict):
        super().__init__()
        self.linear = nn.Linear(spec["in"], spec["out"], dtype=torch.float64)
        self.bn = nn.BatchNorm1d(spec["out"], eps=1e-5, momentum=0.1, dtype=torch.float64) if spec["bn"] else None
        self.act = ACT_MODULES[spec["act"]]()
        self.residual = spec["residual"]
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor(spec["W"], dtype=torch.float64).view(spec["out"], spec["in"]))
            self.linear.bias.copy_(torch.tensor(spec["b"], dtype=torch.float64))
            if self.bn is not None:
                self.bn.weight.copy_(torch.tensor(spec["gamma"], dtype=torch.float64))
                self.bn.bias.copy_(torch.tensor(spec["beta"], dtype=torch.float64))
                self.bn.running_mean.copy_(torch.tensor(spec["runMean"], dtype=torch.float64))
                self.bn.running_var.copy_(torch.tensor(spec["runVar"], dtype=torch.float64))

    def forward(self, a):
        h = self.linear(a)
        if self.bn is not None:
            h = self.bn(h)
        y = self.act(h)
        if self.residual:  # identity on the first min(in, out) units, zero-padded / truncated
            k = min(a.shape[1], y.shape[1])
            skip = F.pad(a[:, :k], (0, y.shape[1] - k))
            y = y + skip
        return y


def torch_params(blocks) -> list:
    """Parameters in the engine's order: W, b, [gamma, beta] per layer."""
    ps = []
    for blk in blocks:
        ps += [blk.linear.weight, blk.linear.bias]
        if blk.bn is not None:
            ps += [blk.bn.weight, blk.bn.bias]
    return ps


def objective(blocks, X, y, problem, loss, reg, rate):
    a = X
    for blk in blocks:
        a = blk(a)
    z = a.squeeze(1)
    if problem == "regression":
        data = 0.5 * ((z - y) ** 2).mean()
    elif loss == "bce":
        data = F.binary_cross_entropy_with_logits(z, (y + 1) / 2)
    else:
        z = torch.tanh(z)  # the output unit's tanh (TF Playground's classification output)
        data = 0.5 * ((z - y) ** 2).mean()
    pen = torch.zeros((), dtype=torch.float64)
    for blk in blocks:
        w = blk.linear.weight
        if reg == "L2":
            pen = pen + 0.5 * (w**2).sum()
        elif reg == "L1":
            pen = pen + w.abs().sum()
    return z, data + rate * pen


def rel_diff(js, ref) -> float:
    js_t = torch.as_tensor(js, dtype=torch.float64).flatten()
    ref_t = ref.detach().flatten().to(torch.float64)
    # A bias before train-mode batch norm has an exactly-zero gradient; both sides return rounding noise
    # (~n·ε·|terms| ≈ 1e-15) there, so the scale is floored at 1e-8: a difference must stay below 1e-14.
    scale = max(float(ref_t.abs().max()) if ref_t.numel() else 0.0, ZERO_FLOOR)
    return float((js_t - ref_t).abs().max()) / scale if ref_t.numel() else 0.0


def check(label: str, js, ref, worst: dict):
    d = rel_diff(js, ref)
    worst[label] = max(worst.get(label, 0.0), d)
    assert d <= REL_TOL, f"{label}: max relative difference {d:.3g} > {REL_TOL}"


@pytest.mark.parametrize("index", range(len(COMBOS)), ids=[combo_id(c) for c in COMBOS])
def test_engine_matches_torch(parity, index):
    cases, results = parity
    case, res = cases[index], results[index]
    act, (problem, loss), bn, residual, reg, opt_name = COMBOS[index]
    blocks = nn.ModuleList([TorchBlock(spec) for spec in res["init"]]).train()
    # the engine's output layer carries tanh or identity; objective() applies it, so the block is linear
    assert res["init"][-1]["act"] == ("tanh" if (problem, loss) == ("classification", "square") else "linear")
    blocks[-1].act = nn.Identity()
    X = torch.tensor(case["X"], dtype=torch.float64).view(N, D)
    y = torch.tensor(case["y"], dtype=torch.float64)
    params = torch_params(blocks)
    lr = case["lr"]
    optim = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr),
        "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=0.9),
        "adam": lambda: torch.optim.Adam(params, lr=lr),
    }[opt_name]()
    worst: dict = {}
    masks: dict = {}
    for k, st in enumerate(res["steps"]):
        optim.zero_grad()
        z, obj = objective(blocks, X, y, problem, loss, reg, case["rate"])
        obj.backward()
        check(f"step{k} output", st["out"], z, worst)
        check(f"step{k} loss", [st["loss"]], obj.reshape(1), worst)
        assert len(st["grads"]) == len(params)
        for j, (g_js, p) in enumerate(zip(st["grads"], params)):
            check(f"step{k} grad{j}", g_js, p.grad, worst)
        norms = [float(blk.linear.weight.grad.norm()) for blk in blocks]
        check(f"step{k} grad norms", st["gradNorms"], torch.tensor(norms), worst)
        # Adam divides by √v: where a gradient is exactly zero in exact arithmetic (a bias or BN shift
        # feeding a train-mode BN), both sides hold rounding noise (~1e-17) and Adam turns its random sign
        # into a ±lr step. Those entries are checked to be zero-gradient on both sides, not stepped alike.
        for j, (g_js, p) in enumerate(zip(st["grads"], params)):
            noise = p.grad.detach().abs().flatten() <= 1e-12
            if opt_name == "adam":
                masks[j] = masks.get(j, torch.zeros_like(noise)) | noise
                if bool(noise.any()):
                    assert float(torch.tensor(g_js, dtype=torch.float64).abs()[noise].max()) <= 1e-12
        optim.step()
        after_js = []
        for spec in st["after"]:
            after_js += [spec["W"], spec["b"]] + ([spec["gamma"], spec["beta"]] if spec["bn"] else [])
        for j, (a_js, p) in enumerate(zip(after_js, params)):
            keep = ~masks[j] if j in masks else torch.ones(p.numel(), dtype=torch.bool)
            check(
                f"step{k} param{j}",
                torch.tensor(a_js, dtype=torch.float64)[keep].tolist(),
                p.detach().flatten()[keep],
                worst,
            )
        for blk, spec in zip(blocks, st["after"]):
            if blk.bn is not None:
                check(f"step{k} running_mean", spec["runMean"], blk.bn.running_mean, worst)
                check(f"step{k} running_var", spec["runVar"], blk.bn.running_var, worst)
    blocks.eval()
    with torch.no_grad():
        a = X
        for blk in blocks:
            a = blk(a)
    z = a.squeeze(1)
    check("eval output", res["evalOut"], torch.tanh(z) if (problem, loss) == ("classification", "square") else z, worst)


def test_comparison_can_fail(parity):
    """The same comparison flags a gradient that is off by 1e-4 relative (the checker is not vacuous)."""
    _, results = parity
    g = torch.tensor(results[0]["steps"][0]["grads"][0], dtype=torch.float64)
    assert rel_diff(g.tolist(), g) == 0.0
    assert rel_diff((g * (1 + 1e-4)).tolist(), g) > REL_TOL


def test_schedules_match_torch(engine):
    base, epochs = SCHEDULE_BASE, SCHEDULE_EPOCHS
    got = engine[1]["schedules"]

    def torch_lrs(make):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=base)
        sched = make(opt)
        out = []
        for _ in range(epochs):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return out

    ref_step = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5))
    ref_cos = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=13, eta_min=0))
    assert rel_diff(got[0], torch.tensor(ref_step, dtype=torch.float64)) <= REL_TOL
    assert rel_diff(got[1], torch.tensor(ref_cos, dtype=torch.float64)) <= REL_TOL
    assert got[2] == [base] * epochs


RUN_AS_MAIN = """
import contextlib, io, json, runpy, sys
outputs = []
for path in sys.argv[1:]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        runpy.run_path(path, run_name="__main__")
    outputs.append(buffer.getvalue())
print(json.dumps(outputs))
"""


def run_as_programs(scripts: list) -> list[str]:
    """Run each script as ``__main__`` (as ``python script.py`` would), in one subprocess; their stdouts."""
    proc = subprocess.run([sys.executable, "-c", RUN_AS_MAIN, *map(str, scripts)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_exported_pytorch_snippet_predicts_like_the_engine(engine, tmp_path):
    points = export_points()
    exports = engine[1]["exports"]
    scripts = []
    for i, ex in enumerate(exports):
        scripts.append(tmp_path / f"exported_{i}.py")
        scripts[-1].write_text(ex["snippet"])
    # every script runs as a program (what a reader does), as __main__ in one fresh Python: one torch import
    outputs = run_as_programs(scripts)
    for h, ex, printed_text in zip(EXPORT_HASHES, exports, outputs):
        assert ex["epoch"] == 30, h
        printed = json.loads(printed_text.strip())
        assert rel_diff(printed, torch.tensor(ex["predictions"], dtype=torch.float64)) <= REL_TOL, h
        # ... and as a module: its predict() on the test points equals the engine's predictions.
        ns: dict = {"__name__": "exported"}
        exec(compile(ex["snippet"], f"exported-{h}", "exec"), ns)
        model = ns["build"]()
        pred = ns["predict"](model, points)
        d = rel_diff(ex["predictions"], pred)
        assert d <= REL_TOL, f"{h}: exported snippet differs from the engine by {d:.3g}"
        # guard against a vacuous comparison: the predictions vary across the points
        assert float(pred.std()) > 1e-6, h


def _quantiles(t):
    return torch.quantile(t.flatten().to(torch.float64), torch.linspace(0.02, 0.98, 25, dtype=torch.float64))


@pytest.mark.parametrize("init", INITS)
def test_inits_match_torch_distributions(engine, init):
    """The engine's init draws from the same distribution as torch's: 25 quantiles of 40,000 weights agree."""
    n_in, n_out = INIT_IN, INIT_OUT
    got = engine[1]["inits"][INITS.index(init)]
    w_js = torch.tensor(got["W"], dtype=torch.float64)
    torch.manual_seed(0)
    ref = torch.nn.Linear(n_in, n_out, dtype=torch.float64)  # torch's default init
    if init == "xavier":
        torch.nn.init.xavier_uniform_(ref.weight)
    elif init == "kaiming":
        torch.nn.init.kaiming_normal_(ref.weight, nonlinearity="relu")
    ref.requires_grad_(False)
    scale = float(ref.weight.std())
    # quantile standard error at n = 40,000 is < 0.01·std; 0.05·std separates e.g. U(±1/√n) from U(±√(6/(n+m))).
    diff = float((_quantiles(w_js) - _quantiles(ref.weight)).abs().max())
    assert diff < 0.05 * scale, f"{init}: quantiles differ by {diff / scale:.3f} std"
    if init == "torch":
        b_js = torch.tensor(got["b"], dtype=torch.float64)
        bound = 1 / n_in**0.5
        assert float(b_js.abs().max()) <= bound and float(ref.bias.abs().max()) <= bound
        assert float(b_js.abs().max()) > 0.9 * bound
    else:
        assert got["b"] == [0.0] * n_out
