// Canvas drawing: heatmaps (decision surface, neuron maps), data points, the loss chart with the
// best-epoch marker and the per-layer gradient-norm bars (log scale). DOM, but no state.

// TF Playground's palette: orange for -1, near-white for 0, blue for +1.
const NEG = [245, 147, 34];
const MID = [232, 234, 235];
const POS = [8, 119, 189];

/** RGB for a value in [-1, 1] (clamped); discretize snaps to the two class colours. */
export function color(v, discretize = false) {
  if (!Number.isFinite(v)) return [128, 128, 128];
  let t = Math.max(-1, Math.min(1, v));
  if (discretize) t = t >= 0 ? 1 : -1;
  const [a, b] = t < 0 ? [MID, NEG] : [MID, POS];
  const k = Math.abs(t);
  return [a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k];
}
export const cssColor = (v) => {
  const [r, g, b] = color(v);
  return `rgb(${r | 0},${g | 0},${b | 0})`;
};

// 513-entry colour lookup table for t in [-1, 1]: drawing does no per-pixel allocation.
const LUT_N = 512;
const LUT = new Uint8ClampedArray((LUT_N + 1) * 3);
const LIGHT = new Uint8ClampedArray((LUT_N + 1) * 3); // 40% toward white: data points stand out on it
for (let i = 0; i <= LUT_N; i++) {
  const rgb = color((2 * i) / LUT_N - 1);
  for (let k = 0; k < 3; k++) {
    LUT[3 * i + k] = rgb[k];
    LIGHT[3 * i + k] = rgb[k] + (255 - rgb[k]) * 0.4;
  }
}

const scratch = new Map();
function scratchFor(density) {
  let c = scratch.get(density);
  if (!c) {
    const canvas = document.createElement("canvas");
    canvas.width = density;
    canvas.height = density;
    const ctx = canvas.getContext("2d");
    c = { canvas, ctx, img: ctx.createImageData(density, density) };
    scratch.set(density, c);
  }
  return c;
}

/** Draw density x density values (row 0 at top) scaled onto canvas; `scale` maps values to [-1, 1]. */
export function drawHeatmap(canvas, values, density, { discretize = false, scale = 1, light = false } = {}) {
  const lut = light ? LIGHT : LUT;
  const sc = scratchFor(density);
  const d = sc.img.data;
  const half = LUT_N / 2;
  for (let i = 0; i < values.length; i++) {
    let t = values[i] * scale;
    if (t !== t) t = 0; // NaN
    if (discretize) t = t >= 0 ? 1 : -1;
    const k = 3 * Math.round(Math.max(-1, Math.min(1, t)) * half + half);
    d[4 * i] = lut[k];
    d[4 * i + 1] = lut[k + 1];
    d[4 * i + 2] = lut[k + 2];
    d[4 * i + 3] = 255;
  }
  sc.ctx.putImageData(sc.img, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(sc.canvas, 0, 0, canvas.width, canvas.height);
}

/** Data points over a heatmap canvas; test points get a dark outline. */
export function drawPoints(canvas, points, domain, { test = false, problem = "classification" } = {}) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  const r = Math.max(2, w / 110);
  ctx.lineWidth = test ? Math.max(1, r / 2) : 1;
  for (const p of points) {
    const x = ((p.x + domain) / (2 * domain)) * w;
    const y = ((domain - p.y) / (2 * domain)) * h;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = cssColor(problem === "regression" ? p.label : p.label >= 0 ? 1 : -1);
    ctx.fill();
    ctx.strokeStyle = test ? "#000" : "#fff";
    ctx.stroke();
  }
}

/** Axis labels around the heatmap (domain ticks). */
export function drawAxes(canvas, domain, fg) {
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = fg;
  ctx.font = `${Math.max(9, canvas.width / 30)}px sans-serif`;
  ctx.textBaseline = "bottom";
  ctx.fillText(`${-round(domain)}`, 2, canvas.height - 2);
  ctx.textAlign = "right";
  ctx.fillText(`${round(domain)}`, canvas.width - 2, canvas.height - 2);
  ctx.textAlign = "left";
}
const round = (v) => Math.round(v * 10) / 10;

/** Train (grey) and test (fg) loss over all epochs, downsampled to the canvas width; best-epoch marker.
 * log: log10 y axis between the smallest and largest value shown. */
export function drawLossChart(canvas, train, test, { best = 0, fg = "#222", log = false } = {}) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const n = train.length;
  const pad = LOSS_PAD;
  if (n === 0) return;
  const { cols, at, max, lo, hi } = lossRange(train, test, w, log);
  const yOf = (v) => {
    const t = log ? (Math.log10(Math.max(v, 1e-12)) - lo) / Math.max(1e-9, hi - lo) : Math.min(v, max) / max;
    return h - pad - Math.max(0, Math.min(1, t)) * (h - 2 * pad);
  };
  const line = (arr, style, width) => {
    ctx.beginPath();
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    for (let c = 0; c < cols; c++) {
      const x = n === 1 ? w / 2 : (c / Math.max(1, cols - 1)) * (w - 1);
      const y = yOf(arr[at(c)]);
      if (c === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  };
  line(train, "#999", 1);
  line(test, fg, 1.5);
  if (best > 0 && n > 1) {
    const x = ((best - 1) / (n - 1)) * (w - 1);
    ctx.save();
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = "#e8590c";
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, h);
    ctx.stroke();
    ctx.restore();
    ctx.fillStyle = "#e8590c";
    ctx.font = "11px sans-serif";
    ctx.textAlign = x > w * 0.6 ? "right" : "left";
    ctx.fillText(`best ${best}`, x + (x > w * 0.6 ? -3 : 3), 12);
    ctx.textAlign = "left";
  }
  ctx.fillStyle = fg;
  ctx.font = "10px sans-serif";
  ctx.fillText(max.toPrecision(2), 2, 10);
  if (log) ctx.fillText((10 ** lo).toPrecision(2), 2, h - 2);
}

/** Pixels between the loss chart's curves and its top and bottom edges. */
export const LOSS_PAD = 4;

/** The loss chart's scale: columns shown (downsampled to width), the column -> epoch index map, the
 * largest loss shown, and the y range [lo, hi] (log10 values when log). For the chart's axes too. */
export function lossRange(train, test, width, log = false) {
  const n = train.length;
  const cols = Math.min(n, width);
  const at = (c) => Math.min(n - 1, Math.floor((c * n) / cols));
  let max = 0;
  let min = Infinity;
  for (let c = 0; c < cols; c++) {
    const j = at(c);
    max = Math.max(max, train[j], test[j]);
    min = Math.min(min, train[j], test[j]);
  }
  max = Math.max(max, 1e-12);
  const lo = log ? Math.log10(Math.max(min, max * 1e-8, 1e-12)) : 0;
  const hi = log ? Math.log10(max) : max;
  return { cols, at, max, lo, hi };
}

/** Per-layer gradient norms as bars on a log10 scale from 1e-10 to 1e2 (layer 1 = first hidden). */
export function drawGradNorms(canvas, norms, { fg = "#222" } = {}) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (!norms || norms.length === 0) return;
  const lo = -10;
  const hi = 2;
  const left = 28;
  const bottom = 14;
  ctx.fillStyle = fg;
  ctx.font = "10px sans-serif";
  ctx.strokeStyle = "rgba(128,128,128,0.35)";
  for (let e = lo; e <= hi; e += 2) {
    const y = h - bottom - ((e - lo) / (hi - lo)) * (h - bottom - 4);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(w, y);
    ctx.stroke();
    ctx.fillText(`1e${e}`, 0, y + 3);
  }
  const bw = (w - left) / norms.length;
  norms.forEach((v, i) => {
    const e = Math.log10(Math.max(v, 1e-300));
    const t = Math.max(0, Math.min(1, (e - lo) / (hi - lo)));
    const bh = t * (h - bottom - 4);
    ctx.fillStyle = POS_CSS;
    ctx.fillRect(left + i * bw + bw * 0.15, h - bottom - bh, bw * 0.7, bh);
    ctx.fillStyle = fg;
    ctx.textAlign = "center";
    ctx.fillText(i === norms.length - 1 ? "out" : `${i + 1}`, left + i * bw + bw / 2, h - 2);
    ctx.textAlign = "left";
  });
}
const POS_CSS = `rgb(${POS.join(",")})`;
