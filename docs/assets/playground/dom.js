// Small DOM helpers shared by the playground's view modules.

/** Create an element: attrs (class, text, on<event> handlers, others as attributes) and children. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** Set text only when it changes (no layout work on every redraw). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A number as a short axis label: "0.5", "1e-3", "120", "−2" (a real minus sign). */
export function tickLabel(v) {
  const a = Math.abs(v);
  const t = a !== 0 && (a < 1e-2 || a >= 1e5) ? v.toExponential(0) : String(Number(v.toPrecision(3)));
  return t.replaceAll("-", "−");
}

/** About `count` round tick values (steps of 1, 2, 5 × 10^k) inside [lo, hi], and never fewer than
 * min(count, max(2, ⌈count / 2⌉)) (an axis with one tick has no scale): when the step nearest
 * (hi − lo) / (count − 1) leaves fewer, the next smaller round step is taken. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const least = Math.min(count, Math.max(2, Math.ceil(count / 2)));
  const raw = (hi - lo) / Math.max(1, count - 1);
  let exp = Math.floor(Math.log10(raw));
  const mants = [1, 2, 5, 10];
  let m = mants.findIndex((k) => k * 10 ** exp >= raw * 0.999);
  let ticks = [];
  for (let tries = 0; tries < 8; tries++) {
    const stepSize = mants[m] * 10 ** exp;
    if (lo + stepSize === lo) break; // below the floats' resolution at lo: keep what we have
    const t = [];
    for (let v = Math.ceil(lo / stepSize - 1e-9) * stepSize; v <= hi + stepSize * 1e-9; v += stepSize) {
      t.push(Math.abs(v) < stepSize * 1e-9 ? 0 : Number(v.toPrecision(12)));
    }
    ticks = t;
    if (t.length >= least) break;
    if (m > 0) m -= 1;
    else [m, exp] = [2, exp - 1];
  }
  return ticks;
}

/** Epoch-axis ticks for a history of n epochs: whole epochs in [1, n], at least min(n, 3) of them. */
export function epochTicks(n) {
  if (n < 1) return [];
  return n === 1 ? [1] : niceTicks(1, n, 5).filter((e) => e >= 1 && Number.isInteger(e));
}
