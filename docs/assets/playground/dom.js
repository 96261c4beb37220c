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

/** About `count` round tick values (steps of 1, 2, 5 × 10^k) inside [lo, hi]; none when no multiple
 * of the step falls inside a narrow range. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  const stepSize = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw * 0.999);
  const ticks = [];
  for (let v = Math.ceil(lo / stepSize - 1e-9) * stepSize; v <= hi + stepSize * 1e-9; v += stepSize) {
    ticks.push(Math.abs(v) < stepSize * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}
