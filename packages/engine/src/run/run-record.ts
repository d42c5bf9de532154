import { invariant } from '../log/invariant.js';
import type { RunState } from './run.js';
import { cloneState, own, withKey, type SessionState } from '../core/state.js';
import type { ToolBatchState } from './tool-batch.js';
import type { TurnState } from './turn.js';

// Record helpers shared by the run, turn, tool-batch and compaction reducers. They live apart from
// run.ts so that those reducers depend on this leaf, not on each other (no runtime import cycle).

/** Replaces one live run: a fresh top-level state (callers may update it in place) and runs record. */
export function putRun(state: SessionState, run: RunState): SessionState {
  const next = cloneState(state);
  next.runs = withKey(state.runs, run.runId, run);
  return next;
}

export function liveRun(state: SessionState, runId: string, kind: string): RunState {
  const run = own(state.runs, runId);
  invariant(run !== undefined, `${kind}: run ${runId} is not live`, { runId });
  return run;
}

/** Replaces the run's last turn. */
export function withLastTurn(run: RunState, turn: TurnState): RunState {
  const next = cloneRun(run);
  const turns = run.turns.slice();
  turns[turns.length - 1] = turn;
  next.turns = turns;
  return next;
}

/** Replaces the run's last batch. */
export function withLastBatch(run: RunState, batch: ToolBatchState): RunState {
  const next = cloneRun(run);
  const batches = run.batches.slice();
  batches[batches.length - 1] = batch;
  next.batches = batches;
  return next;
}

/** A shallow copy of a run, field by field (see cloneState for why). */
export function cloneRun(r: RunState): RunState {
  const copy: { [K in keyof Required<RunState>]: RunState[K] } = {
    runId: r.runId,
    status: r.status,
    source: r.source,
    submissionId: r.submissionId,
    config: r.config,
    acceptedAt: r.acceptedAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    turns: r.turns,
    batches: r.batches,
    usage: r.usage,
    pendingSteering: r.pendingSteering,
    failure: r.failure,
    cancelReason: r.cancelReason,
    outputRef: r.outputRef,
  };
  return copy;
}
