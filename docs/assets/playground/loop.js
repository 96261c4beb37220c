// The frame loop: training decoupled from drawing. Each redraw is due REDRAW_MS after the previous one
// (two 60 Hz frames: ~30 redraws/s); a frame trains until the redraw, less the (running average)
// drawing time and a margin, so a slow draw takes time from training, not from the redraw rate.

import { trainFor } from "./train.js";

const REDRAW_MS = 33; // 50 when drawing alone takes over DRAW_SLOW_MS (big networks): still 20 redraws/s
const DRAW_SLOW_MS = 12;
const MARGIN_MS = 3;

export const freshStats = () => ({ epochs: 0, redraws: 0, trainMs: 0, drawMs: 0, t0: performance.now() });

/** Run pg's loop forever: pg.playing, pg.s (session), pg.dirty, pg.draw(), pg.afterTraining(), pg.stats. */
export function startLoop(pg) {
  let drawAvg = 5;
  const frame = (ts) => {
    const t0 = performance.now();
    if (pg.playing) {
      const start = Math.min(ts, t0);
      const interval = drawAvg > DRAW_SLOW_MS ? 50 : REDRAW_MS;
      const budget = Math.max(2, start + interval - drawAvg - MARGIN_MS - t0);
      pg.stats.epochs += trainFor(pg.s, Infinity, budget);
      pg.stats.trainMs += performance.now() - t0;
      pg.afterTraining();
      pg.dirty = true;
    }
    if (pg.dirty) {
      const t1 = performance.now();
      pg.draw();
      const dt = performance.now() - t1;
      drawAvg = 0.8 * drawAvg + 0.2 * dt;
      pg.stats.redraws += 1;
      pg.stats.drawMs += dt;
      pg.stats.drawMax = Math.max(pg.stats.drawMax || 0, dt);
      pg.dirty = false;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
