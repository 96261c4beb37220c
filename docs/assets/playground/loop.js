// The frame loop: each animation frame trains, then redraws. Redraws are aimed TARGETS_MS apart on
// average (34/s on small networks): at 60 Hz that mixes one- and two-frame intervals, each frame
// training until its redraw is due at the chosen display frame, less the drawing time and a margin
// for painting. A fixed two-frame interval gave 30.3 redraws/s at best and fell below 30 on any missed
// frame; now a missed short frame leaves 30/s. Training takes what drawing and painting leave.

import { trainEpoch } from "./train.js";

/** Mean time between redraws aimed at, by the average redraw time: slower redraws, fewer of them. */
const TARGETS_MS = [[6, 1000 / 34], [12, 1000 / 32], [Infinity, 50]]; // [draw ms below, target interval ms]
const MARGIN_MS = 3; // left for style, layout and paint after the redraw

export const freshStats = () => ({ epochs: 0, redraws: 0, trainMs: 0, drawMs: 0, t0: performance.now() });

/** Mean interval between redraws aimed at for an average redraw time. */
export function targetInterval(drawMs) {
  return TARGETS_MS.find(([below]) => drawMs < below)[1];
}

/**
 * The next redraw: `goal` (when the last should have appeared; null after a pause) advanced by
 * `target`, snapped to a whole number (>= 1) of display frames after the frame at `ts`.
 * Returns {goal, due}: the new goal and the display frame by which the redraw should be done.
 */
export function nextRedraw(goal, ts, target, frameMs) {
  const g = (goal === null || goal < ts - target ? ts : goal) + target; // more than a redraw late: start anew
  return { goal: g, due: ts + Math.max(1, Math.round((g - ts) / frameMs)) * frameMs };
}

/**
 * Train session s from `t` (now) until `deadline`: whole epochs, each started only if the average epoch
 * (`epochMs`, updated) still fits, and at least one when `atLeastOne`. Returns {epochs, epochMs}.
 */
export function trainUntil(s, deadline, epochMs, atLeastOne, now = () => performance.now()) {
  let t = now();
  let k = 0;
  while (s.status === "ok" && ((atLeastOne && k === 0) || t + epochMs <= deadline)) {
    trainEpoch(s);
    const t1 = now();
    epochMs = 0.8 * epochMs + 0.2 * (t1 - t);
    t = t1;
    k += 1;
  }
  return { epochs: k, epochMs };
}

/** Run pg's loop forever: pg.playing, pg.s (session), pg.dirty, pg.draw(), pg.afterTraining(), pg.stats. */
export function startLoop(pg) {
  let drawAvg = 4;
  let epochMs = 1;
  let frameMs = 1000 / 60; // the display's frame interval, learnt from frame timestamps
  let lastTs = null;
  let goal = null;
  const frame = (ts) => {
    const t0 = performance.now();
    if (lastTs !== null) {
      const dt = ts - lastTs;
      if (dt > 3 && dt < 1.5 * frameMs) frameMs = 0.9 * frameMs + 0.1 * dt; // skipped frames do not count
    }
    lastTs = ts;
    if (pg.playing) {
      const next = nextRedraw(goal, ts, targetInterval(drawAvg), frameMs);
      goal = next.goal;
      const r = trainUntil(pg.s, next.due - drawAvg - MARGIN_MS, epochMs, true);
      epochMs = r.epochs ? r.epochMs : epochMs;
      pg.stats.epochs += r.epochs;
      pg.stats.trainMs += performance.now() - t0;
      pg.afterTraining();
      pg.dirty = true;
    } else {
      goal = null;
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
