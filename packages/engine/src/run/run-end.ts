import type { SynthesizedBlob } from '../core/admission.js';
import { refOfText } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft } from '../log/log.js';
import { preview } from '../values/preview.js';
import { dropRunScoped } from '../context/context.js';
import type { RunCancelledData, RunFailedData, RunFailure, RunState } from './run.js';
import { RECENT_RUNS_LIMIT, cloneState, without, type SessionState } from '../core/state.js';
import { openCalls, type BatchStartedData, type ToolCallFinishedData } from './tool-batch.js';
import type { TurnState } from './turn.js';
import { runEndMessages } from '../fleet/children.js';
import { enqueueMessages } from '../fleet/outbox.js';

// How a run ends: the events that end an active run early, and how a run that just became
// terminal is closed and retired from the live set.

/** Fixed texts so identical synthesized results share one CAS blob. */
export function cancelledResultText(reason: string): string {
  return `Tool call cancelled before it finished: ${reason}.`;
}

/**
 * The events that end an active run now: a cancelled result for every open tool call (no call is
 * ever left without a result), the current turn cancelled, then the run cancelled or failed.
 */
export function terminateRunEvents(
  state: SessionState,
  run: RunState,
  outcome: { type: 'cancelled'; reason: string } | { type: 'failed'; failure: RunFailure },
): { events: EventDraft[]; blobs: SynthesizedBlob[] } {
  const events: EventDraft[] = [];
  const blobs: SynthesizedBlob[] = [];
  const text = cancelledResultText(outcome.type === 'cancelled' ? outcome.reason : `the run failed (${outcome.failure.code})`);
  const ref = refOfText(text);
  const cancelled = (batchId: string, callId: string): EventDraft => {
    const data: ToolCallFinishedData = { runId: run.runId, batchId, callId, status: 'cancelled', resultRef: ref, isError: true, preview: preview(text) };
    return { kind: 'tool.call_finished', data };
  };
  const turn = run.turns[run.turns.length - 1];
  const batch = run.batches[run.batches.length - 1];
  if (batch && batch.status === 'open') {
    for (const call of openCalls(batch)) events.push(cancelled(batch.batchId, call.callId));
  } else if (turn && turn.status === 'generated' && turn.toolCalls && turn.toolCalls.length > 0) {
    // The calls are already in context (the generation's output): they get a batch whose every
    // call is cancelled, so no call is ever left without a result.
    const batchId = `batch_${state.counters.batch + 1}`;
    const started: BatchStartedData = { runId: run.runId, turnId: turn.turnId, batchId, calls: turn.toolCalls.map((c) => ({ callId: c.callId, name: c.name, argumentsRef: c.argumentsRef, parallelism: 'exclusive' })) };
    events.push({ kind: 'tool.batch_started', data: started });
    for (const call of turn.toolCalls) events.push(cancelled(batchId, call.callId));
  }
  if (events.length > 0) blobs.push({ ref, text });
  if (outcome.type === 'cancelled') {
    if (turn && !isTerminalTurnStatus(turn.status)) events.push({ kind: 'turn.cancelled', data: { runId: run.runId, turnId: turn.turnId } });
    events.push({ kind: 'run.cancelled', data: { runId: run.runId, reason: outcome.reason } satisfies RunCancelledData });
  } else {
    events.push({ kind: 'run.failed', data: { runId: run.runId, failure: outcome.failure } satisfies RunFailedData });
  }
  return { events, blobs };
}

export function isTerminalTurnStatus(status: TurnState['status']): boolean {
  return status === 'completed' || status === 'cancelled' || status === 'failed';
}

/** Moves a run that just became terminal out of the live set into the bounded recent history. */
export function retire(state: SessionState, run: RunState): SessionState {
  const runs = without(state.runs, run.runId);
  const recent = state.recentRuns.length >= RECENT_RUNS_LIMIT ? state.recentRuns.slice(state.recentRuns.length - RECENT_RUNS_LIMIT + 1) : state.recentRuns.slice();
  recent.push(run);
  const next = cloneState(state);
  next.runs = runs;
  next.recentRuns = recent;
  if (state.queue.includes(run.runId)) next.queue = state.queue.filter((id) => id !== run.runId);
  // What the run's end owes other sessions (its parent's report, its children's cancels) is owed now.
  const owed = enqueueMessages(next, runEndMessages(state, run));
  if (state.activeRunId !== run.runId) return owed;
  owed.activeRunId = undefined;
  // Entries put for "this run" (e.g. a run-scoped skill activation) end with it.
  return dropRunScoped(owed);
}

/** Closes whatever is still open in a run that ends abnormally (calls must already have results). */
export function closeOpenParts(run: RunState, turnStatus: 'cancelled' | 'failed'): Pick<RunState, 'turns' | 'batches'> {
  let { turns, batches } = run;
  const turn = turns[turns.length - 1];
  if (turn && !isTerminalTurnStatus(turn.status)) turns = [...turns.slice(0, -1), { ...turn, status: turnStatus }];
  const batch = batches[batches.length - 1];
  if (batch && batch.status === 'open') {
    invariant(openCalls(batch).length === 0, 'a run cannot end with tool calls left without a result', { runId: run.runId, batchId: batch.batchId });
    batches = [...batches.slice(0, -1), { ...batch, status: 'cancelled' }];
  }
  return { turns, batches };
}
