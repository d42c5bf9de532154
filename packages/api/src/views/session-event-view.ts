import type { ContextEntry, LogEntry, RunState, SessionState } from '@lightspeed/engine';
import type { EventJoinsView, SessionEventKindView, SessionEventView } from '../schemas/events.js';
import { configDocument } from './config-mapping.js';
import { eventPosition } from '../stream/event-position.js';
import { contextEntryView, inputEntryView } from './context-entry-view.js';

type Kind = SessionEventKindView;

function runOf(state: SessionState, runId: string): RunState | undefined {
  return Object.prototype.hasOwnProperty.call(state.runs, runId) ? state.runs[runId] : state.recentRuns.find((run) => run.runId === runId);
}

function turnOfBatch(state: SessionState, runId: string, batchId: string): string {
  return runOf(state, runId)?.batches.find((batch) => batch.batchId === batchId)?.turnId ?? '';
}

/** Entries present after the event that were not there before (appended by runs, tools, outputs). */
function addedEntries(before: SessionState, after: SessionState): ContextEntry[] {
  const known = new Set(before.context.entries.map((entry) => entry.id));
  return after.context.entries.filter((entry) => !known.has(entry.id));
}

function modelOf(state: SessionState) {
  return configDocument(state.config)?.model ?? null;
}

/**
 * Engine log entry → contract events (zero or more). The state before and after the entry is
 * needed for revisions and for ids the entry does not repeat (a call's turn). Engine kinds with no
 * contract equivalent (session.renamed, run.steering_applied, compaction.started) produce no event of their own; a context change they cause still shows up
 * as `contextEntriesApplied`. See docs/0010-api-gateway.md.
 */
export function eventKindViews(before: SessionState, after: SessionState, entry: LogEntry): { kind: Kind; joins: EventJoinsView }[] {
  // Destructured together so that switching on the kind narrows the data.
  const { kind: eventKind, data: d } = entry;
  const out: { kind: Kind; joins: EventJoinsView }[] = [];
  const push = (kind: Kind, joins: EventJoinsView = {}) => out.push({ kind, joins });
  const run = (runId: string, extra: EventJoinsView = {}): EventJoinsView => ({ runId, ...extra });
  let contextHandled = false;

  switch (eventKind) {
    case 'session.opened':
      push({ type: 'sessionOpened', model: modelOf(after) });
      break;
    case 'session.configured':
      push({ type: 'sessionConfigChanged', revision: d.revision, model: modelOf(after) });
      break;
    case 'session.closed':
      push({ type: 'sessionClosed' });
      break;
    case 'tools.replaced':
      push({ type: 'toolsReplaced', baseRevision: before.tools.revision, revision: after.tools.revision });
      break;
    case 'context.put':
      contextHandled = true;
      push({ type: 'contextEntriesApplied', baseRevision: before.context.revision, revision: after.context.revision, entries: d.entries.map(contextEntryView) });
      break;
    case 'context.removed':
      contextHandled = true;
      push({ type: 'contextKeysRemoved', baseRevision: before.context.revision, revision: after.context.revision, keys: [...d.keys] });
      break;
    case 'run.accepted': {
      const source =
        d.source.type === 'input'
          ? { type: 'input' as const, entries: d.source.items.map(inputEntryView) }
          : { type: 'context' as const, keys: [...d.source.keys] };
      const joins = run(d.runId, d.submissionId === undefined ? {} : { submissionId: d.submissionId });
      push({ type: 'runAccepted', runId: d.runId, source, submissionId: d.submissionId ?? null }, joins);
      break;
    }
    case 'run.started':
      push({ type: 'runStarted', runId: d.runId }, run(d.runId));
      break;
    case 'run.steered':
      push({ type: 'runSteeringAccepted', runId: d.runId, steeringId: d.steeringId, input: d.input.map(inputEntryView) }, run(d.runId));
      break;
    case 'run.cancel_requested':
      push({ type: 'runCancellationRequested', runId: d.runId }, run(d.runId));
      break;
    case 'run.cancelled':
      push({ type: 'runCancelled', runId: d.runId }, run(d.runId));
      break;
    case 'run.completed':
      push({ type: 'runCompleted', runId: d.runId, outputRef: d.outputRef ?? null }, run(d.runId));
      break;
    case 'run.failed':
      push({ type: 'runFailed', runId: d.runId, message: String(d.failure?.message ?? 'run failed') }, run(d.runId));
      break;
    case 'turn.started':
      push({ type: 'turnStarted', runId: d.runId, turnId: d.turnId }, run(d.runId, { turnId: d.turnId }));
      push({ type: 'turnGenerationRequested', runId: d.runId, turnId: d.turnId }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'turn.generation_requested':
      push({ type: 'turnGenerationRequested', runId: d.runId, turnId: d.turnId }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'turn.generation_finished':
      push({ type: 'turnGenerationCompleted', runId: d.runId, turnId: d.turnId, status: String(d.finishReason) }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'turn.generation_failed':
      push({ type: 'turnGenerationCompleted', runId: d.runId, turnId: d.turnId, status: 'failed' }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'turn.completed':
      push({ type: 'turnCompleted', turnId: d.turnId }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'turn.cancelled':
      push({ type: 'turnCancelled', runId: d.runId, turnId: d.turnId }, run(d.runId, { turnId: d.turnId }));
      break;
    case 'tool.batch_started':
      push(
        {
          type: 'toolBatchStarted',
          runId: d.runId,
          turnId: d.turnId,
          batchId: d.batchId,
          calls: d.calls.map((call) => ({ callId: call.callId, toolName: call.name, argumentsRef: call.argumentsRef })),
        },
        run(d.runId, { turnId: d.turnId, toolBatchId: d.batchId }),
      );
      break;
    case 'tool.call_started': {
      const turnId = turnOfBatch(after, d.runId, d.batchId);
      push({ type: 'toolCallStarted', runId: d.runId, turnId, batchId: d.batchId, callId: d.callId }, run(d.runId, { turnId, toolBatchId: d.batchId, toolCallId: d.callId }));
      break;
    }
    case 'tool.call_finished': {
      const turnId = turnOfBatch(after, d.runId, d.batchId);
      const kind: Kind = { type: 'toolCallCompleted', runId: d.runId, turnId, batchId: d.batchId, callId: d.callId, status: d.status };
      if (Array.isArray(d.effects)) kind.effects = d.effects;
      push(kind, run(d.runId, { turnId, toolBatchId: d.batchId, toolCallId: d.callId }));
      break;
    }
    case 'tool.call_deferred':
    case 'tool.approval_requested': {
      const turnId = turnOfBatch(after, d.runId, d.batchId);
      const toolName = runOf(after, d.runId)?.batches.find((batch) => batch.batchId === d.batchId)?.calls.find((call) => call.callId === d.callId)?.name;
      const kind: Kind = { type: 'promiseCreated', promiseId: d.promiseId, source: toolName ? `tool:${toolName}` : 'tool', waitKind: d.wait?.kind ?? (d.deadline !== undefined ? 'timer' : 'promise'), runId: d.runId, callId: d.callId };
      if (d.wait?.preview !== undefined) kind.preview = d.wait.preview;
      if (d.deadline !== undefined) kind.deadlineMs = Math.max(0, Math.trunc(d.deadline));
      push(kind, run(d.runId, { turnId, toolBatchId: d.batchId, toolCallId: d.callId, correlationId: d.promiseId }));
      break;
    }
    case 'promise.resolved': {
      const joins: EventJoinsView = { correlationId: d.promiseId };
      const actor = d.actor === undefined ? {} : { actor: d.actor };
      if (d.outcome === 'failed') push({ type: 'promiseFailed', promiseId: d.promiseId, errorRef: d.payloadRef ?? null, ...actor }, joins);
      else if (d.outcome === 'cancelled') push({ type: 'promiseCancelled', promiseId: d.promiseId, ...actor }, joins);
      else push({ type: 'promiseResolved', promiseId: d.promiseId, payloadRef: d.payloadRef ?? null, by: d.by, ...actor, ...(d.forSession ? { forSession: true } : {}) }, joins);
      break;
    }
    case 'tool.batch_completed': {
      const turnId = turnOfBatch(after, d.runId, d.batchId);
      push({ type: 'toolBatchCompleted', runId: d.runId, turnId, batchId: d.batchId }, run(d.runId, { turnId, toolBatchId: d.batchId }));
      break;
    }
    case 'compaction.requested':
      push(
        { type: 'contextCompactionRequested', baseRevision: before.context.revision, revision: after.context.revision, trigger: String(d.trigger) },
        d.runId === undefined ? { correlationId: d.compactionId } : run(d.runId, { correlationId: d.compactionId }),
      );
      break;
    case 'compaction.finished':
      contextHandled = true;
      push({ type: 'contextStateReplaced', baseRevision: before.context.revision, revision: after.context.revision, entries: after.context.entries.map(contextEntryView), reason: 'compaction' }, { correlationId: d.compactionId });
      push({ type: 'contextCompactionFinished', baseRevision: before.context.revision, revision: after.context.revision, status: 'finished' }, { correlationId: d.compactionId });
      break;
    case 'compaction.failed':
    case 'compaction.cancelled':
      push(
        { type: 'contextCompactionFinished', baseRevision: before.context.revision, revision: after.context.revision, status: entry.kind === 'compaction.failed' ? 'failed' : 'cancelled' },
        { correlationId: d.compactionId },
      );
      break;
    default:
      break;
  }

  if (!contextHandled && after.context.revision !== before.context.revision) {
    const joins = 'runId' in d && typeof d.runId === 'string' ? run(d.runId) : {};
    const added = addedEntries(before, after);
    // A run's end drops its run-scoped entries (e.g. a skill activated for one run).
    const kept = new Set(after.context.entries.map((entry) => entry.id));
    const removed = before.context.entries.filter((entry) => !kept.has(entry.id) && entry.key !== undefined).map((entry) => entry.key!);
    if (added.length > 0 || removed.length === 0) push({ type: 'contextEntriesApplied', baseRevision: before.context.revision, revision: after.context.revision, entries: added.map(contextEntryView) }, joins);
    else push({ type: 'contextKeysRemoved', baseRevision: before.context.revision, revision: after.context.revision, keys: removed }, joins);
  }
  return out;
}

/** The contract events of one log entry, each at its own position (see stream/event-position.ts). */
export function sessionEventViews(sessionId: string, before: SessionState, after: SessionState, entry: LogEntry): SessionEventView[] {
  return eventKindViews(before, after, entry).map(({ kind, joins }, index) => ({ cursor: { seq: eventPosition(entry.seq, index) }, sessionId, observedAtMs: entry.at, joins, kind }));
}
