// The output column: loss readouts, the decision-surface heatmap with its axis ticks and colour legend,
// the loss chart with epoch and loss axes (a placeholder before training), gradient norms and noise,
// early stopping, batch-norm mode and export.

import { LOSS_PAD, drawGradNorms, drawHeatmap, drawLossChart, drawPoints, lossRange } from "./draw.js";
import { el, epochTicks, niceTicks, setText, tickLabel } from "./dom.js";
import { DENSITY } from "./netview.js";
import { check, field } from "./controls.js";

const LEGEND_VALUES = Float64Array.from({ length: DENSITY * DENSITY }, (_, i) => -1 + (2 * ((i % DENSITY) + 0.5)) / DENSITY);

/** Tick labels along one edge: values at fractions `at(v)` (0..1) of the edge; axis "x" or "y". */
function placeTicks(box, values, at, axis) {
  const key = values.map(tickLabel).join("|");
  if (box.dataset.ticks === key) return;
  box.dataset.ticks = key;
  box.replaceChildren(...values.map((v) => {
    const s = el("span", { class: "pg-tick", text: tickLabel(v) });
    s.style[axis === "x" ? "left" : "top"] = `${(100 * at(v)).toFixed(2)}%`;
    return s;
  }));
}

export class OutputView {
  /** pg: the Playground; ctl(key): a control for a setting. */
  constructor(pg, ctl) {
    this.heat = el("canvas", { width: 300, height: 300, "data-role": "heatmap", role: "img",
      "aria-label": "Decision surface: the network's output over the input plane, with the data points" });
    this.pointsCanvas = el("canvas", { width: 300, height: 300 });
    this.heatX = el("div", { class: "pg-axis pg-axis-x", "data-out": "heat-x-ticks" });
    this.heatY = el("div", { class: "pg-axis pg-axis-y", "data-out": "heat-y-ticks" });
    this.legend = el("canvas", { width: DENSITY, height: DENSITY, class: "pg-legendbar", "data-role": "heat-legend", role: "img",
      "aria-label": "Colour scale of the heatmap" });
    this.legendTicks = el("div", { class: "pg-axis pg-axis-x", "data-out": "legend-ticks" });
    this.lossCanvas = el("canvas", { class: "pg-chart", width: 300, height: 90, "data-role": "loss-chart", role: "img", "aria-label": "Train and test loss per epoch" });
    this.lossX = el("div", { class: "pg-axis pg-axis-x", "data-out": "loss-x-ticks" });
    this.lossY = el("div", { class: "pg-axis pg-axis-y", "data-out": "loss-y-ticks" });
    this.lossEmpty = el("div", { class: "pg-placeholder", "data-out": "loss-placeholder",
      text: "Train and test loss per epoch appear here once training starts (▶ Play or Step)." });
    this.gradCanvas = el("canvas", { class: "pg-chart pg-grad", width: 300, height: 100, "data-role": "grad-chart", role: "img", "aria-label": "Gradient norm per layer, log scale" });
    this.testOut = el("b", { "data-out": "test-loss" });
    this.trainOut = el("b", { "data-out": "train-loss" });
    this.lrOut = el("span", { "data-out": "lr" });
    this.noiseVal = el("b", { "data-out": "grad-noise" });
    this.noiseNote = el("span", { class: "pg-legend" });
    this.heatCap = el("div", { class: "pg-legend", "data-out": "heat-caption" });
    this.element = el("div", { class: "pg-out" },
      el("span", { class: "pg-cap", text: "Output" }),
      el("div", { class: "pg-read", "data-out": "losses" }, "Test loss ", this.testOut, " · Train loss ", this.trainOut, el("br"), this.lrOut),
      el("div", { class: "pg-plot" },
        this.heatY,
        el("div", { class: "pg-heat" }, this.heat, this.pointsCanvas),
        this.heatX,
      ),
      el("div", { class: "pg-plot pg-legendrow" }, this.legend, this.legendTicks),
      this.heatCap,
      check("showTest", ctl("showTest")),
      check("discretize", ctl("discretize")),
      el("span", { class: "pg-cap", text: "Loss: train (grey), test (solid) per epoch" }),
      el("div", { class: "pg-plot pg-lossplot" }, this.lossY, el("div", { class: "pg-lossbox" }, this.lossCanvas, this.lossEmpty), this.lossX),
      check("logLoss", ctl("logLoss")),
      el("span", { class: "pg-cap", text: "Gradient norm per layer (log scale)" }),
      this.gradCanvas,
      el("div", { class: "pg-read", "data-out": "noise" }, "Gradient noise E‖g_B − g‖²/‖g‖² ", this.noiseVal, el("br"), this.noiseNote),
      el("div", { class: "pg-section" },
        el("span", { class: "pg-cap", text: "Early stopping" }),
        field("patience", ctl("patience")),
        check("restoreBest", ctl("restoreBest")),
      ),
      el("div", { class: "pg-section" }, field("bnMode", ctl("bnMode"))),
      el("div", { class: "pg-section" },
        el("span", { class: "pg-cap", text: "Export" }),
        el("button", { "data-action": "export-json", onclick: () => pg.exportJson(), text: "JSON" }),
        " ",
        el("button", { "data-action": "export-pytorch", title: "Rebuilds the trained network and predicts (inference only)",
          onclick: () => pg.exportPyTorch(), text: "PyTorch script" }),
        " ",
        el("button", { "data-action": "export-training", title: "Data, initial network, optimizer and training loop: retrains as here",
          onclick: () => pg.exportTraining(), text: "PyTorch training script" }),
      ),
    );
    this.legendRange = null;
  }

  /** The main heatmap: values scaled by `scale` to [-1, 1]; the legend shows the values' range. */
  drawHeat(values, { scale = 1, discretize = false, caption }) {
    drawHeatmap(this.heat, values, DENSITY, { scale, discretize, light: true });
    setText(this.heatCap, caption);
    const m = 1 / scale;
    const range = discretize ? "d" : String(m);
    if (this.legendRange !== range) {
      this.legendRange = range;
      drawHeatmap(this.legend, LEGEND_VALUES, DENSITY, { discretize, light: true });
      const inner = discretize ? [] : niceTicks(-m, m, 5).filter((v) => Math.abs(v) < m * 0.85);
      placeTicks(this.legendTicks, [-m, ...inner, m], (v) => (v + m) / (2 * m), "x");
    }
  }

  /** Data points over the heatmap, and the input-plane ticks. */
  drawData(s, c) {
    const pc = this.pointsCanvas;
    pc.getContext("2d").clearRect(0, 0, pc.width, pc.height);
    drawPoints(pc, s.train, s.domain, { problem: c.problem });
    if (c.showTest) drawPoints(pc, s.test, s.domain, { test: true, problem: c.problem });
    const r = s.domain;
    const ticks = niceTicks(-r, r, 5);
    placeTicks(this.heatX, ticks, (v) => (v + r) / (2 * r), "x");
    placeTicks(this.heatY, ticks, (v) => (r - v) / (2 * r), "y");
  }

  /** Loss curves with epoch (x) and loss (y) axes; a placeholder before the first epoch. */
  drawLoss(history, best, fg, log) {
    const cv = this.lossCanvas;
    const n = history.train.length;
    drawLossChart(cv, history.train, history.test, { best, fg, log });
    this.lossEmpty.hidden = n > 0;
    if (n === 0) {
      placeTicks(this.lossX, [], () => 0, "x");
      placeTicks(this.lossY, [], () => 0, "y");
      return;
    }
    const { lo, hi } = lossRange(history.train, history.test, cv.width, log);
    const top = LOSS_PAD / cv.height;
    const span = 1 - (2 * LOSS_PAD) / cv.height;
    if (log) {
      let exps = niceTicks(Math.ceil(lo), Math.floor(hi), 4).filter((e) => Number.isInteger(e) && e >= lo && e <= hi);
      if (exps.length === 0) exps = [lo, hi]; // within one decade: its ends
      placeTicks(this.lossY, exps.map((e) => 10 ** e), (v) => top + span * (1 - (Math.log10(v) - lo) / Math.max(1e-9, hi - lo)), "y");
    } else {
      placeTicks(this.lossY, niceTicks(0, hi, 3), (v) => top + span * (1 - v / hi), "y");
    }
    placeTicks(this.lossX, epochTicks(n), (e) => (n === 1 ? 0.5 : (e - 1) / (n - 1)), "x");
  }

  drawReadouts(s, lr) {
    setText(this.testOut, s.last.test.toFixed(4));
    setText(this.trainOut, s.last.train.toFixed(4));
    setText(this.lrOut, `lr now ${Number(lr.toPrecision(3))} · best test ${s.best.loss.toFixed(4)} @ epoch ${s.best.epoch}`);
  }

  drawDiagnostics(d, s, c, fg, fresh) {
    if (fresh) {
      setText(this.noiseVal, d.batches ? d.relNoise.toPrecision(3) : "0 (full batch)");
      setText(this.noiseNote, `batch ${Math.min(c.batch, s.ntr)} of ${s.ntr}; full-batch ‖g‖ = ${Math.sqrt(d.gradNorm2).toPrecision(3)}; ` +
        `‖g‖ layer 1 / output layer = ${(d.gradNorms[0] / Math.max(1e-300, d.gradNorms.at(-1))).toExponential(1)}`);
    }
    drawGradNorms(this.gradCanvas, d.gradNorms, { fg });
  }
}
