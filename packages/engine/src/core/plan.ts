import type { SynthesizedBlob } from './admission.js';
import { watermarkReached, type CompactionRequestedData, type CompactionStartedData } from '../context/compaction.js';
import { conversationOf } from '../context/context.js';
import type { BlobRef } from '../values/digest.js';
import { limitFailure } from '../run/limits.js';
import type { EventDraft } from '../log/log.js';
import { resolvedCallEvents, waitingOn } from '../session/promises.js';
import { childResolutions } from '../fleet/children.js';
import type { OutboxMessage } from '../fleet/outbox.js';
import { fingerprintOf } from '../request/fingerprint.js';
import { compactionRequest, generationRequest } from '../request/request.js';
import type { RunFailure, RunState } from '../run/run.js';
import { terminateRunEvents } from '../run/run-end.js';
import { activeRun, type SessionState } from './state.js';
import type { ToolInvocation } from '../run/tool.js';
import { currentBatch, invocationsOf, openBatchEvents, openCalls } from '../run/tool-batch.js';
import { currentTurn, type TurnRequestData, type TurnState } from '../run/turn.js';

/** The one thing to do next. Effects carry ids, refs and fingerprints only, never bodies. */
export type Action =
  /** Append these events. `blobs` (synthesized texts) must be in CAS before the append. */
  | { type: 'append'; events: EventDraft[]; blobs?: { ref: BlobRef; text: string }[] }
  /** Run the generation of a turn; re-derive it with `generationRequest` and check the fingerprint. */
  | { type: 'generate'; runId: string; turnId: string; fingerprint: string; attempt: number }
  /** Invoke these started calls (each result is admitted on its own as `tool.finished`). */
  | { type: 'invokeTools'; runId: string; turnId: string; batchId: string; calls: ToolInvocation[] }
  /** Run the pending compaction; re-derive it with `compactionRequest` and check the fingerprint. */
  | { type: 'compact'; compactionId: string; fingerprint: string }
  /** Deliver owed messages to other sessions (each admitted there, then `outbox.delivered` here). */
  | { type: 'deliver'; messages: OutboxMessage[] }
  /** Wait for promises: until the earliest deadline (then `timer.fired`) or an external resolution. */
  | { type: 'wait'; until?: number; promiseIds: string[] }
  | { type: 'idle' }
  | { type: 'closed' };

function append(events: EventDraft[], blobs?: SynthesizedBlob[]): Action {
  return blobs && blobs.length > 0 ? { type: 'append', events, blobs } : { type: 'append', events };
}

function fail(state: SessionState, run: RunState, failure: RunFailure): Action {
  const { events, blobs } = terminateRunEvents(state, run, { type: 'failed', failure });
  return append(events, blobs);
}

/** Fixes the boundary and fingerprint of the requested compaction (its durable intent). */
function startCompaction(state: SessionState): Action {
  const compaction = state.compaction!;
  const conversation = conversationOf(state.context.entries);
  const last = conversation[conversation.length - 1];
  if (!last) return append([{ kind: 'compaction.cancelled', data: { compactionId: compaction.compactionId, reason: 'nothing to compact' } }]);
  const pinned = { ...state, compaction: { ...compaction, status: 'started' as const, upToEntryId: last.id, itemCount: conversation.length } };
  const fingerprint = fingerprintOf(compactionRequest(pinned, compaction.compactionId));
  const data: CompactionStartedData = { compactionId: compaction.compactionId, fingerprint, upToEntryId: last.id, itemCount: conversation.length };
  return append([{ kind: 'compaction.started', data }]);
}

function requestData(state: SessionState, run: RunState, turnId: string, attempt: number): TurnRequestData {
  const fingerprint = fingerprintOf(generationRequest(state, run.runId, turnId));
  return { runId: run.runId, turnId, attempt, fingerprint, contextRevision: state.context.revision, toolsRevision: state.tools.revision };
}

/** At a turn boundary: pending compaction, then steering, then limits, then the next turn. */
function planBoundary(state: SessionState, run: RunState): Action {
  if (state.compaction?.status === 'requested') return startCompaction(state);
  if (run.pendingSteering.length > 0) {
    return append([{ kind: 'run.steering_applied', data: { runId: run.runId, steeringIds: run.pendingSteering.map((s) => s.steeringId) } }]);
  }
  const limit = limitFailure(state, run, 'before_turn');
  if (limit) return fail(state, run, limit);
  return append([{ kind: 'turn.started', data: requestData(state, run, `turn_${state.counters.turn + 1}`, 1) }]);
}

/**
 * A generation that ended in a refusal ends the run as refused, with the model's explanation (its
 * refusal output, which stays in context): never a "completed" run with an empty answer.
 */
function refusal(state: SessionState, run: RunState, turn: TurnState): RunFailure | undefined {
  if (turn.finishReason !== 'refusal' || (turn.toolCalls?.length ?? 0) > 0) return undefined;
  const outputs = state.context.entries.filter((e) => e.source?.type === 'assistantOutput' && e.source.runId === run.runId && e.source.turnId === turn.turnId && e.kind.type === 'message');
  const explanation = outputs.find((e) => e.providerKind === 'refusal') ?? outputs[outputs.length - 1];
  const said = explanation?.preview ? `: ${explanation.preview}` : ' (no explanation given)';
  return explanation ? { code: 'refused', message: `the model refused${said}`, explanationRef: explanation.contentRef } : { code: 'refused', message: `the model refused${said}` };
}

function planGenerated(state: SessionState, run: RunState, turn: TurnState): Action {
  const limit = limitFailure(state, run, 'after_generation');
  if (limit) return fail(state, run, limit);
  const refused = refusal(state, run, turn);
  if (refused) return fail(state, run, refused);
  const ids = { runId: run.runId, turnId: turn.turnId };
  if (turn.toolCalls && turn.toolCalls.length > 0) {
    const rounds = limitFailure(state, run, 'before_batch');
    if (rounds) return fail(state, run, rounds);
    const { events, blobs } = openBatchEvents(state, run, turn);
    return append(events, blobs);
  }
  // Steering that arrived during the last generation extends the run by another turn.
  if (run.pendingSteering.length > 0) return append([{ kind: 'turn.completed', data: ids }]);
  const completed = run.outputRef === undefined ? { runId: run.runId } : { runId: run.runId, outputRef: run.outputRef };
  return append([
    { kind: 'turn.completed', data: ids },
    { kind: 'run.completed', data: completed },
  ]);
}

function planTools(state: SessionState, run: RunState, turn: TurnState): Action {
  const batch = currentBatch(run);
  if (!batch) return append([{ kind: 'turn.completed', data: { runId: run.runId, turnId: turn.turnId } }]);
  if (openCalls(batch).length === 0) {
    return append([
      { kind: 'tool.batch_completed', data: { runId: run.runId, batchId: batch.batchId } },
      { kind: 'turn.completed', data: { runId: run.runId, turnId: turn.turnId } },
    ]);
  }
  const calls = invocationsOf(state, run, batch);
  if (calls.length > 0) return { type: 'invokeTools', runId: run.runId, turnId: turn.turnId, batchId: batch.batchId, calls };
  const { promiseIds, until } = waitingOn(state, run);
  return until === undefined ? { type: 'wait', promiseIds } : { type: 'wait', until, promiseIds };
}

function planRun(state: SessionState, run: RunState): Action {
  const turn = currentTurn(run);
  if (!turn || turn.status === 'completed') return planBoundary(state, run);
  switch (turn.status) {
    case 'generating':
      // A context/toolset edit since the request makes it stale: request a fresh generation.
      if (turn.contextRevision !== state.context.revision || turn.toolsRevision !== state.tools.revision) {
        return append([{ kind: 'turn.generation_requested', data: requestData(state, run, turn.turnId, turn.attempt + 1) }]);
      }
      return { type: 'generate', runId: run.runId, turnId: turn.turnId, fingerprint: turn.fingerprint, attempt: turn.attempt };
    case 'compacting':
      if (state.compaction?.status === 'requested') return startCompaction(state);
      return append([{ kind: 'turn.generation_requested', data: requestData(state, run, turn.turnId, turn.attempt + 1) }]);
    case 'generated':
      return planGenerated(state, run, turn);
    case 'tools':
      return planTools(state, run, turn);
    default:
      // cancelled/failed turns only exist in terminal runs.
      return planBoundary(state, run);
  }
}

/**
 * The next action for a session: exactly one. Order: deliver messages owed to other sessions,
 * finish cancelling the active run, resolve awaits of children that ended, complete calls whose
 * promise resolved, run a started compaction, advance the active run; with no active
 * run: start a requested compaction, check the watermark, start the next queued run; else idle.
 */
export function plan(state: SessionState): Action {
  // A closed session still delivers what it owes (a force close cancels the active run, which owes
  // its parent a report and its children a cancel): nobody else would, and a parent would wait forever.
  if (state.status === 'closed') return state.outbox && state.outbox.length > 0 ? { type: 'deliver', messages: state.outbox } : { type: 'closed' };
  if (state.status === 'new') return { type: 'idle' };
  if (state.outbox && state.outbox.length > 0) return { type: 'deliver', messages: state.outbox };
  const run = activeRun(state);
  if (run && run.status === 'cancelling') {
    const { events, blobs } = terminateRunEvents(state, run, { type: 'cancelled', reason: 'cancelled by user' });
    return append(events, blobs);
  }
  if (run) {
    const ended = childResolutions(state, run);
    if (ended) return append(ended.events, ended.blobs);
    const resolved = resolvedCallEvents(state, run);
    if (resolved) return append(resolved.events, resolved.blobs);
  }
  const compaction = state.compaction;
  if (compaction?.status === 'started') return { type: 'compact', compactionId: compaction.compactionId, fingerprint: compaction.fingerprint! };
  if (run) return planRun(state, run);
  if (compaction?.status === 'requested') return startCompaction(state);
  if (watermarkReached(state)) {
    const data: CompactionRequestedData = { compactionId: `compact_${state.counters.compact + 1}`, trigger: 'watermark' };
    return append([{ kind: 'compaction.requested', data }]);
  }
  const next = state.queue[0];
  if (next !== undefined) return append([{ kind: 'run.started', data: { runId: next } }]);
  return { type: 'idle' };
}
