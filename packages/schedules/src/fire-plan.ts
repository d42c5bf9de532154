import type { ScheduleDefinition, ScheduleState } from '@lightspeed/ports';
import type { FireTimes } from './fire-times.js';

/*
 * The pure half of a scheduler tick for one schedule: given its state, the clock and whether its
 * previous task is still active, which fires become tasks now and what the state becomes. The
 * order of decisions: (1) a buffered fire runs once the previous task is done; (2) the due fires
 * are sorted by the catch-up policy into "run" and "missed"; (3) the overlap policy lets them run,
 * buffers one, or skips them; (4) the next fire is the first one after now.
 */

/** Fire times visited per tick at most; beyond it the scan jumps to the catch-up window (a 1 s interval after a week down). */
export const MAX_SCAN = 10_000;
/** Tasks one schedule may create in one tick under `all`; older due fires beyond it are missed. */
export const MAX_CATCH_UP_PER_TICK = 100;

export interface FirePlan {
  /** Fire times to enqueue, oldest first. */
  fires: number[];
  /** The state after the tick, before the task ids and outcome of the fires are added. */
  state: ScheduleState;
}

export function planFires(definition: ScheduleDefinition, current: ScheduleState, times: FireTimes, now: number, previousActive: boolean): FirePlan {
  const state: ScheduleState = { ...current };
  const fires: number[] = [];
  let active = previousActive;

  if (state.bufferedAt !== undefined && !active) {
    fires.push(state.bufferedAt);
    delete state.bufferedAt;
    active = true;
  }

  // (2) Due fires: those within the window may run, older ones are missed.
  const window = definition.catchUp.windowMs;
  const due: number[] = [];
  let t = state.nextAt;
  let scanned = 0;
  while (t !== null && t <= now) {
    if (scanned === MAX_SCAN) {
      // Counting every fire of a fine-grained schedule after a long outage is not worth the time:
      // jump to the window (those skipped are not counted as missed).
      t = times.next(now - window - 1);
      scanned++;
      continue;
    }
    if (now - t <= window) due.push(t);
    else state.missed++;
    t = times.next(t);
    scanned++;
  }
  state.nextAt = t;

  let run: number[];
  if (definition.catchUp.policy === 'all') {
    run = due.slice(-MAX_CATCH_UP_PER_TICK);
    state.missed += due.length - run.length;
  } else {
    // coalesce and skip both run one fire (the latest); they differ in their window.
    run = due.length > 0 ? [due[due.length - 1]!] : [];
    state.missed += Math.max(0, due.length - 1);
  }

  // (3) Overlap: the previous task (or one enqueued just now) may still be active.
  for (const fire of run) {
    if (!active || definition.overlap === 'allow') {
      fires.push(fire);
      active = true;
    } else if (definition.overlap === 'buffer_one' && state.bufferedAt === undefined) {
      state.bufferedAt = fire;
    } else {
      state.skipped++;
    }
  }
  return { fires, state };
}

/** Fires between `from` (inclusive) and `now` that a resumed schedule will not run (bounded scan). */
export function countSkippedWhilePaused(times: FireTimes, from: number | null, now: number): { missed: number; nextAt: number | null } {
  let missed = 0;
  let t = from;
  while (t !== null && t <= now && missed < MAX_SCAN) {
    missed++;
    t = times.next(t);
  }
  return { missed, nextAt: t !== null && t <= now ? times.next(now) : t };
}
