// Export a trained session: as JSON, and as a runnable PyTorch script that rebuilds the network
// with its weights (float64) and predicts exactly what the playground predicts. Pure: no DOM.

import { UNSCALED } from "./data.js";
import { BN_EPS, BN_MOMENTUM } from "./nn.js";
import { toHash } from "./state.js";

const rows = (W, nOut, nIn) => Array.from({ length: nOut }, (_, o) => Array.from(W.subarray(o * nIn, (o + 1) * nIn)));

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
    layers: net.layers.map((L) => ({
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
    })),
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
