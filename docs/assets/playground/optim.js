// Optimizers (the update rules of torch.optim.SGD, SGD with momentum, Adam at their defaults)
// and learning-rate schedules (torch's StepLR and CosineAnnealingLR, per epoch). Pure: no DOM.

export const OPTIMIZERS = ["sgd", "momentum", "adam"];
export const SCHEDULES = ["constant", "step", "cosine"];
export const MOMENTUM = 0.9;
export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
// Parameters and optimizer state below this magnitude are set to 0 after each update. A weight decaying
// under L2 with no data gradient (a dead ReLU unit) otherwise sinks into subnormal numbers (~1e-317),
// whose arithmetic is many times slower; at 1e-30 the value no longer changes any output or loss the
// playground computes in float64 (the parity tests against torch hold at 1e-6).
export const FLUSH_BELOW = 1e-30;

export function makeOptimizer(kind, params) {
  if (!OPTIMIZERS.includes(kind)) throw new Error(`unknown optimizer ${kind}`);
  const zeros = () => params.map((p) => new Float64Array(p.length));
  return { kind, t: 0, m: kind === "sgd" ? null : zeros(), v: kind === "adam" ? zeros() : null };
}

/** One update of params (list of arrays) in place from grads (same shapes). */
export function step(opt, params, grads, lr) {
  opt.t += 1;
  if (opt.kind === "sgd") {
    for (let j = 0; j < params.length; j++) {
      const p = params[j];
      const g = grads[j];
      for (let i = 0; i < p.length; i++) {
        const w = p[i] - lr * g[i];
        p[i] = w < FLUSH_BELOW && w > -FLUSH_BELOW ? 0 : w;
      }
    }
  } else if (opt.kind === "momentum") {
    // torch: buf = μ·buf + g (buf = g at the first step); p -= lr·buf
    for (let j = 0; j < params.length; j++) {
      const p = params[j];
      const g = grads[j];
      const b = opt.m[j];
      for (let i = 0; i < p.length; i++) {
        const bi = opt.t === 1 ? g[i] : MOMENTUM * b[i] + g[i];
        b[i] = bi < FLUSH_BELOW && bi > -FLUSH_BELOW ? 0 : bi;
        const w = p[i] - lr * b[i];
        p[i] = w < FLUSH_BELOW && w > -FLUSH_BELOW ? 0 : w;
      }
    }
  } else {
    const { beta1, beta2, eps } = ADAM;
    const bc1 = 1 - beta1 ** opt.t;
    const bc2 = 1 - beta2 ** opt.t;
    const stepSize = lr / bc1;
    const sbc2 = Math.sqrt(bc2);
    for (let j = 0; j < params.length; j++) {
      const p = params[j];
      const g = grads[j];
      const m = opt.m[j];
      const v = opt.v[j];
      for (let i = 0; i < p.length; i++) {
        const mi = beta1 * m[i] + (1 - beta1) * g[i];
        const vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        m[i] = mi < FLUSH_BELOW && mi > -FLUSH_BELOW ? 0 : mi;
        v[i] = vi < FLUSH_BELOW ? 0 : vi;
        const w = p[i] - (stepSize * m[i]) / (Math.sqrt(v[i]) / sbc2 + eps);
        p[i] = w < FLUSH_BELOW && w > -FLUSH_BELOW ? 0 : w;
      }
    }
  }
}

/**
 * Learning rate for a (0-based) epoch. step: lr·γ^⌊epoch/every⌋ (torch's StepLR, γ = 0.5);
 * cosine: ½·lr·(1 + cos(π·t/T)), t = epoch mod T (torch's CosineAnnealingWarmRestarts(T_0 = period),
 * η_min = 0: cosine decay over `period` epochs, then a restart).
 */
export function scheduledLr(base, schedule, epoch, { every = 100, gamma = 0.5, period = 500 } = {}) {
  if (schedule === "constant") return base;
  if (schedule === "step") return base * gamma ** Math.floor(epoch / every);
  if (schedule === "cosine") {
    const t = epoch % period;
    return 0.5 * base * (1 + Math.cos((Math.PI * t) / period));
  }
  throw new Error(`unknown schedule ${schedule}`);
}
