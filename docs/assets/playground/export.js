// Export a session: as JSON; as a PyTorch script that rebuilds the trained network (float64) and
// predicts exactly what the playground predicts (toPyTorch, inference only); and as a PyTorch script
// that holds the data, the initial network, the optimizer and the training loop and retrains it with
// the playground's loss curve (toPyTorchTraining). Pure: no DOM.

import { UNSCALED } from "./data.js";
import { BN_EPS, BN_MOMENTUM } from "./nn.js";
import { toHash } from "./state.js";
import { shuffleSeed } from "./train.js";

const rows = (W, nOut, nIn) => Array.from({ length: nOut }, (_, o) => Array.from(W.subarray(o * nIn, (o + 1) * nIn)));

/** Layers of a network as plain data (weights as nested rows). */
function layerSpecs(net) {
  return net.layers.map((L) => ({
    in: L.nIn,
    out: L.nOut,
    weight: rows(L.W, L.nOut, L.nIn),
    bias: Array.from(L.b),
    activation: L.act,
    residual: L.residual,
    batchnorm: L.bn
      ? { weight: Array.from(L.gamma), bias: Array.from(L.beta), running_mean: Array.from(L.runMean),
          running_var: Array.from(L.runVar), eps: BN_EPS, momentum: BN_MOMENTUM }
      : null,
  }));
}

export function toJSON(s) {
  const net = s.net;
  return {
    format: "refcheck-playground/1",
    hash: toHash(s.cfg, s.cfg.dataset === "custom" ? s.train.concat(s.test) : null),
    config: s.cfg,
    epoch: s.epoch,
    loss: { train: s.history.train.at(-1) ?? null, test: s.history.test.at(-1) ?? null },
    features: s.features,
    unscaled: s.cfg.unscaled ? { ...UNSCALED } : null,
    standardize: s.featOpts.stats,
    output: { activation: net.outAct, loss: net.loss },
    layers: layerSpecs(net),
  };
}

const py = (v) => JSON.stringify(v).replace(/\bnull\b/g, "None").replace(/\btrue\b/g, "True").replace(/\bfalse\b/g, "False");

/** A self-contained Python script (torch only) that rebuilds the network and prints predictions. */
export function toPyTorch(s, samplePoints = [[0, 0], [2.5, -1], [-4, 3]]) {
  const j = toJSON(s);
  const acts = { relu: "nn.ReLU()", tanh: "nn.Tanh()", sigmoid: "nn.Sigmoid()", linear: "nn.Identity()" };
  const hidden = j.layers.slice(0, -1);
  const out = j.layers.at(-1);
  const post = { tanh: "torch.tanh(z)", linear: "z" }[j.output.activation];
  const pred = j.output.loss === "bce" ? "2 * torch.sigmoid(z) - 1  # sigmoid + BCE: probability mapped to [-1, 1]" : post;
  const L = [];
  L.push(`"""Network exported from the refcheck playground at epoch ${j.epoch}.`);
  L.push("");
  L.push(`Playground link hash: #${j.hash.length > 1500 ? "(custom data; see the JSON export)" : j.hash}`);
  L.push(`Problem: ${s.cfg.problem}; output ${j.output.loss === "bce" ? "logit (sigmoid + binary cross-entropy)" : j.output.activation}.`);
  L.push("Run it: python this_file.py  (needs only torch). Computes in float64, as the playground does.");
  L.push('"""');
  L.push("import torch");
  L.push("from torch import nn");
  L.push("");
  L.push(`FEATURES = ${py(j.features)}`);
  L.push(`UNSCALED = ${py(j.unscaled)}  # the playground's "unscaled input" toggle: x1 -> x1 * scale + shift`);
  L.push(`STANDARDIZE = ${py(j.standardize)}  # training-set mean/std per feature, or None`);
  L.push(`LAYERS = ${py(j.layers)}`);
  L.push("");
  L.push("");
  L.push("def features(points):");
  L.push('    """Raw points (n, 2) -> the network\'s input features, as the playground computes them."""');
  L.push("    x1, x2 = points[:, 0], points[:, 1]");
  L.push('    cols = {"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,');
  L.push('            "sinx1": torch.sin(x1), "sinx2": torch.sin(x2)}');
  L.push("    feats = []");
  L.push("    for j, name in enumerate(FEATURES):");
  L.push("        v = cols[name]");
  L.push('        if UNSCALED and name == UNSCALED["feature"]:');
  L.push('            v = v * UNSCALED["scale"] + UNSCALED["shift"]');
  L.push("        if STANDARDIZE:");
  L.push('            v = (v - STANDARDIZE["mean"][j]) / STANDARDIZE["std"][j]');
  L.push("        feats.append(v)");
  L.push("    return torch.stack(feats, dim=1)");
  L.push("");
  L.push("");
  L.push("class Block(nn.Module):");
  L.push('    """Linear -> [BatchNorm1d] -> activation [+ skip: identity on the first min(in, out) units]."""');
  L.push("");
  L.push("    def __init__(self, n_in, n_out, act, batchnorm, residual):");
  L.push("        super().__init__()");
  L.push("        self.linear = nn.Linear(n_in, n_out)");
  L.push("        self.bn = nn.BatchNorm1d(n_out, eps=batchnorm[\"eps\"], momentum=batchnorm[\"momentum\"]) if batchnorm else None");
  L.push("        self.act = act");
  L.push("        self.residual = residual");
  L.push("");
  L.push("    def forward(self, a):");
  L.push("        h = self.linear(a)");
  L.push("        if self.bn is not None:");
  L.push("            h = self.bn(h)");
  L.push("        y = self.act(h)");
  L.push("        if self.residual:");
  L.push("            k = min(a.shape[1], y.shape[1])");
  L.push("            y = torch.cat([y[:, :k] + a[:, :k], y[:, k:]], dim=1)");
  L.push("        return y");
  L.push("");
  L.push("");
  L.push("class PlaygroundNet(nn.Module):");
  L.push("    def __init__(self):");
  L.push("        super().__init__()");
  L.push("        self.blocks = nn.ModuleList([");
  for (const h of hidden) L.push(`            Block(${h.in}, ${h.out}, ${acts[h.activation]}, LAYERS[${hidden.indexOf(h)}]["batchnorm"], ${py(h.residual)}),`);
  L.push("        ])");
  L.push(`        self.out = nn.Linear(${out.in}, 1)`);
  L.push("");
  L.push("    def forward(self, x):");
  L.push("        for block in self.blocks:");
  L.push("            x = block(x)");
  L.push("        return self.out(x).squeeze(1)  # raw output z");
  L.push("");
  L.push("");
  L.push("def build():");
  L.push("    model = PlaygroundNet().double()");
  L.push("    linears = [b.linear for b in model.blocks] + [model.out]");
  L.push("    with torch.no_grad():");
  L.push("        for layer, spec in zip(linears, LAYERS):");
  L.push('            layer.weight.copy_(torch.tensor(spec["weight"], dtype=torch.float64))');
  L.push('            layer.bias.copy_(torch.tensor(spec["bias"], dtype=torch.float64))');
  L.push("        for block, spec in zip(model.blocks, LAYERS):");
  L.push('            if spec["batchnorm"]:');
  L.push('                for name in ("weight", "bias", "running_mean", "running_var"):');
  L.push('                    getattr(block.bn, name).copy_(torch.tensor(spec["batchnorm"][name], dtype=torch.float64))');
  L.push("    return model.eval()  # batch norm uses its running statistics");
  L.push("");
  L.push("");
  L.push("def predict(model, points):");
  L.push(`    """Points (n, 2) -> the playground's output: ${s.cfg.problem === "regression" ? "the regression value" : "a score in [-1, 1], sign = class"}."""`);
  L.push("    with torch.no_grad():");
  L.push("        z = model(features(torch.as_tensor(points, dtype=torch.float64)))");
  L.push(`        return ${pred}`);
  L.push("");
  L.push("");
  L.push('if __name__ == "__main__":');
  L.push("    model = build()");
  L.push(`    points = ${py(samplePoints)}`);
  L.push("    print(predict(model, points).tolist())");
  return L.join("\n") + "\n";
}

// The training script's code (Python). Placeholders @NAME@ are filled by toPyTorchTraining.
const TRAIN_TEMPLATE = `"""Training script exported from the refcheck playground at epoch @EPOCH@.

Playground link hash: #@HASH@

It holds the playground's data (the training and test points), the network's initial weights, the
optimizer and the training loop, and retrains in float64 from the same initial weights in the same
minibatch order, so its loss curve is the playground's. The weights at export are included too:
build(TRAINED) and predict() reproduce the playground's predictions without training.
Run it: python this_file.py [--epochs N]  (needs only torch).
"""
import argparse
import copy
import math

import torch
from torch import nn
from torch.nn import functional as F

CONFIG = @CONFIG@
FEATURES = @FEATURES@
UNSCALED = @UNSCALED@  # the "unscaled input" toggle: x1 -> x1 * scale + shift
TRAIN = @TRAIN@  # [x1, x2, label]
TEST = @TEST@
SHUFFLE_SEED = @SHUFFLE_SEED@  # seeds the minibatch order (mulberry32, the playground's generator)
INITIAL = @INITIAL@  # layers before any update
TRAINED = @TRAINED@  # layers at export, after EPOCHS epochs
EPOCHS = @EPOCHS@
EDITS = @EDITS@  # weights/biases set by hand in the playground, after \`epoch\` epochs


def mulberry32(seed):
    """The playground's seeded generator: floats in [0, 1), bit-exact with its JavaScript."""
    state = seed & 0xFFFFFFFF

    def rng():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = ((state ^ (state >> 15)) * (state | 1)) & 0xFFFFFFFF
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rng


def shuffled(n, rng):
    """A permutation of range(n): the playground's Fisher-Yates shuffle."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def raw_features(points):
    """Points (n, 2) -> the selected input features, before standardization."""
    x1, x2 = points[:, 0], points[:, 1]
    cols = {"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,
            "sinx1": torch.sin(x1), "sinx2": torch.sin(x2)}
    feats = []
    for name in FEATURES:
        v = cols[name]
        if UNSCALED and name == UNSCALED["feature"]:
            v = v * UNSCALED["scale"] + UNSCALED["shift"]
        feats.append(v)
    return torch.stack(feats, dim=1)


def dataset():
    """(x_train, y_train, x_test, y_test, features): features(points) applies the training set's standardization."""
    train = torch.tensor(TRAIN, dtype=torch.float64)
    test = torch.tensor(TEST, dtype=torch.float64)
    raw = raw_features(train[:, :2])
    if CONFIG["standardize"]:  # training-set mean and population std; a constant column keeps std 1
        mean = raw.mean(0)
        var = ((raw - mean) ** 2).mean(0)
        std = torch.where(var > 1e-24, var.sqrt(), torch.ones_like(var))
    else:
        mean, std = torch.zeros(raw.shape[1], dtype=torch.float64), torch.ones(raw.shape[1], dtype=torch.float64)

    def features(points):
        return (raw_features(torch.as_tensor(points, dtype=torch.float64)) - mean) / std

    return features(train[:, :2]), train[:, 2], features(test[:, :2]), test[:, 2], features


def batch_norm(h, bn, mode):
    """BatchNorm1d's arithmetic, spelled out so a batch of one sample also trains (torch refuses it).

    mode "update": batch statistics, running statistics updated (train mode: momentum, unbiased variance);
    "batch": batch statistics only; "running": the running statistics (eval mode).
    """
    if mode == "running":
        mean, var = bn.running_mean, bn.running_var
    else:
        mean, var = h.mean(0), h.var(0, unbiased=False)
        if mode == "update":
            n = h.shape[0]
            with torch.no_grad():
                bn.running_mean.mul_(1 - bn.momentum).add_(bn.momentum * mean)
                bn.running_var.mul_(1 - bn.momentum).add_(bn.momentum * var * (n / (n - 1) if n > 1 else 1))
    return (h - mean) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias


ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda h: h}


class Block(nn.Module):
    """Linear -> [batch norm] -> activation [+ skip: identity on the first min(in, out) units]."""

    def __init__(self, spec):
        super().__init__()
        self.linear = nn.Linear(spec["in"], spec["out"], dtype=torch.float64)
        bn = spec["batchnorm"]
        self.bn = nn.BatchNorm1d(spec["out"], eps=bn["eps"], momentum=bn["momentum"], dtype=torch.float64) if bn else None
        self.act = ACTIVATIONS[spec["activation"]]
        self.residual = spec["residual"]

    def forward(self, a, bn_mode):
        h = self.linear(a)
        if self.bn is not None:
            h = batch_norm(h, self.bn, bn_mode)
        y = self.act(h)
        if self.residual:
            k = min(a.shape[1], y.shape[1])
            y = torch.cat([y[:, :k] + a[:, :k], y[:, k:]], dim=1)
        return y


class PlaygroundNet(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.blocks = nn.ModuleList(Block(spec) for spec in layers[:-1])
        self.out = nn.Linear(layers[-1]["in"], 1, dtype=torch.float64)

    def forward(self, x, bn_mode="running"):
        for block in self.blocks:
            x = block(x, bn_mode)
        return self.out(x).squeeze(1)  # raw output z

    def linears(self):
        return [b.linear for b in self.blocks] + [self.out]

    def parameters_in_order(self):
        """W, b, [gamma, beta] per layer: the playground's parameter order."""
        ps = []
        for block in self.blocks:
            ps += [block.linear.weight, block.linear.bias]
            if block.bn is not None:
                ps += [block.bn.weight, block.bn.bias]
        return ps + [self.out.weight, self.out.bias]


def build(layers=TRAINED):
    """The network with the given layers' weights (default: the weights at export)."""
    model = PlaygroundNet(layers)
    with torch.no_grad():
        for layer, spec in zip(model.linears(), layers):
            layer.weight.copy_(torch.tensor(spec["weight"], dtype=torch.float64))
            layer.bias.copy_(torch.tensor(spec["bias"], dtype=torch.float64))
        for block, spec in zip(model.blocks, layers):
            if spec["batchnorm"]:
                for name in ("weight", "bias", "running_mean", "running_var"):
                    getattr(block.bn, name).copy_(torch.tensor(spec["batchnorm"][name], dtype=torch.float64))
    return model


def data_loss(z, y):
    """Mean loss of raw outputs z against labels y (in {-1, 1} for classification)."""
    if CONFIG["loss"] == "bce":
        return F.binary_cross_entropy_with_logits(z, (y + 1) / 2)
    if CONFIG["outputActivation"] == "tanh":
        z = torch.tanh(z)
    return 0.5 * ((z - y) ** 2).mean()


def penalty(model):
    """rate * (1/2 sum w^2) for L2, rate * sum |w| for L1, over the weight matrices only."""
    if CONFIG["reg"] == "none" or not CONFIG["regRate"]:
        return 0.0
    terms = [0.5 * (lin.weight**2).sum() if CONFIG["reg"] == "L2" else lin.weight.abs().sum() for lin in model.linears()]
    return CONFIG["regRate"] * sum(terms)


def evaluate(model, x, y):
    """The loss chart's value: mean data loss, batch norm as the playground's "BN at test time" setting."""
    with torch.no_grad():
        return data_loss(model(x, "running" if CONFIG["bnMode"] == "eval" else "batch"), y).item()


def make_optimizer(params):
    lr = CONFIG["lr"]
    if CONFIG["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=lr)
    else:
        opt = torch.optim.SGD(params, lr=lr, momentum=0.9 if CONFIG["optimizer"] == "momentum" else 0)
    if CONFIG["schedule"] == "step":
        return opt, torch.optim.lr_scheduler.StepLR(opt, step_size=CONFIG["stepEvery"], gamma=0.5)
    if CONFIG["schedule"] == "cosine":
        return opt, torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=CONFIG["period"])
    return opt, None


def apply_edits(model, epoch):
    """Set the weights and biases that were edited by hand after \`epoch\` epochs."""
    linears = model.linears()
    with torch.no_grad():
        for e in EDITS:
            if e["epoch"] == epoch:
                target = linears[e["layer"]].weight if e["kind"] == "weight" else linears[e["layer"]].bias
                target.view(-1)[e["index"]] = e["value"]


def train(epochs=EPOCHS):
    """Train from INITIAL for up to \`epochs\` epochs; returns (model, history) as the playground would have them."""
    x_train, y_train, x_test, y_test, _ = dataset()
    model = build(INITIAL)
    params = model.parameters_in_order()
    opt, scheduler = make_optimizer(params)
    order_rng = mulberry32(SHUFFLE_SEED)
    n, batch = len(x_train), max(1, min(CONFIG["batch"], len(x_train)))
    history = {"train": [], "test": [], "stopped": None}
    best_epoch, best_loss, best_state = 0, evaluate(model, x_test, y_test), copy.deepcopy(model.state_dict())
    patience = CONFIG["patience"]
    for epoch in range(epochs):
        apply_edits(model, epoch)
        order = shuffled(n, order_rng)  # reshuffled every epoch; the last batch may be smaller
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            opt.zero_grad()
            loss = data_loss(model(x_train[idx], "update"), y_train[idx]) + penalty(model)
            if not math.isfinite(loss.item()):
                history["stopped"] = f"diverged at epoch {epoch + 1}: the training loss became NaN or infinite"
                return model, history
            loss.backward()
            opt.step()
            if not all(bool(torch.isfinite(p).all()) for p in params):
                history["stopped"] = f"diverged at epoch {epoch + 1}: the weights became NaN or infinite"
                return model, history
        if scheduler is not None:
            scheduler.step()
        train_loss, test_loss = evaluate(model, x_train, y_train), evaluate(model, x_test, y_test)
        history["train"].append(train_loss)
        history["test"].append(test_loss)
        if test_loss < best_loss or not math.isfinite(best_loss):
            best_epoch, best_loss = epoch + 1, test_loss
            if patience > 0:
                best_state = copy.deepcopy(model.state_dict())
        elif patience > 0 and epoch + 1 - best_epoch >= patience:
            history["stopped"] = f"early stopping at epoch {epoch + 1}; best test loss {best_loss:.6g} at epoch {best_epoch}"
            if CONFIG["restoreBest"]:
                model.load_state_dict(best_state)
            break
    apply_edits(model, len(history["train"]))  # edits made after the last epoch (or after stopping)
    return model, history


def predict(model, points):
    """Points (n, 2) -> the playground's output: a score in [-1, 1] (sign = class) or the regression value."""
    features = dataset()[4]
    with torch.no_grad():
        z = model(features(points), "running" if CONFIG["bnMode"] == "eval" else "batch")
    if CONFIG["loss"] == "bce":
        return 2 * torch.sigmoid(z) - 1
    return torch.tanh(z) if CONFIG["outputActivation"] == "tanh" else z


def max_weight_difference(model, layers=TRAINED):
    """Largest |difference| between the model's parameters and the given layers' (default: the playground's)."""
    other = build(layers)
    pairs = zip(model.parameters_in_order(), other.parameters_in_order())
    return max(float((a - b).detach().abs().max()) for a, b in pairs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Retrain the playground's network in PyTorch.")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs to train (default {EPOCHS}, as exported)")
    args = parser.parse_args()
    if args.epochs < 0:
        parser.error(f"--epochs must be 0 or more, got {args.epochs}")
    model, history = train(args.epochs)
    every = max(1, len(history["train"]) // 10)
    for e, (tr, te) in enumerate(zip(history["train"], history["test"]), start=1):
        if e % every == 0 or e == len(history["train"]):
            print(f"epoch {e:5d}  train loss {tr:.6f}  test loss {te:.6f}")
    if history["stopped"]:
        print(history["stopped"])
    if args.epochs == EPOCHS:
        print(f"largest difference from the playground's weights at epoch {EPOCHS}: {max_weight_difference(model):.3g}")
`;

/**
 * A self-contained Python script (torch only) that holds the data, the initial network, the optimizer
 * and the training loop: it retrains from the playground's initial weights in its minibatch order and
 * follows its loss curve (float64). Custom data is embedded like the built-in datasets.
 */
export function toPyTorchTraining(s) {
  const c = s.cfg;
  const pts = (arr) => arr.map((p) => [p.x, p.y, p.label]);
  const hash = toHash(c, c.dataset === "custom" ? s.train.concat(s.test) : null);
  const config = {
    problem: c.problem, loss: s.net.loss, outputActivation: s.net.outAct, lr: c.lr, batch: c.batch,
    optimizer: c.optimizer, schedule: c.schedule, stepEvery: c.stepEvery, period: c.period, reg: c.reg,
    regRate: c.regRate, bnMode: c.bnMode, standardize: c.standardize, patience: c.patience, restoreBest: c.restoreBest,
  };
  const fill = {
    EPOCH: String(s.epoch),
    HASH: hash.length > 1500 ? "(custom data: embedded below)" : hash,
    CONFIG: py(config),
    FEATURES: py(s.features),
    UNSCALED: py(c.unscaled ? { ...UNSCALED } : null),
    TRAIN: py(pts(s.train)),
    TEST: py(pts(s.test)),
    SHUFFLE_SEED: String(shuffleSeed(c.seed)),
    INITIAL: py(layerSpecs(s.initNet)),
    TRAINED: py(layerSpecs(s.net)),
    EPOCHS: String(s.epoch),
    EDITS: py(s.edits),
  };
  return TRAIN_TEMPLATE.replace(/@([A-Z_]+)@/g, (m, k) => (k in fill ? fill[k] : m));
}
