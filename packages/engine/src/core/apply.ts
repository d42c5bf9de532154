import { applyCompactionCancelled, applyCompactionFailed, applyCompactionFinished, applyCompactionRequested, applyCompactionStarted } from '../context/compaction.js';
import { applyContextPut, applyContextRemoved } from '../context/context.js';
import { invariant } from '../log/invariant.js';
import { EVENT_VERSIONS, type EventKind, type LogEntry } from '../log/log.js';
import { applyPromiseResolved } from '../session/promises.js';
import { applyChildReported } from '../fleet/children.js';
import { applyOutboxDelivered } from '../fleet/outbox.js';
import {
  applyCancelRequested,
  applyRunAccepted,
  applyRunCancelled,
  applyRunCompleted,
  applyRunFailed,
  applyRunStarted,
  applyRunSteered,
  applySteeringApplied,
} from '../run/run.js';
import { applyClosed, applyConfigured, applyOpened, applyRenamed } from '../session/session.js';
import { cloneState, initialState, type SessionState } from './state.js';
import { applyApprovalRequested, applyBatchCompleted, applyBatchStarted, applyCallDeferred, applyCallFinished, applyCallStarted } from '../run/tool-batch.js';
import { applyToolsReplaced } from '../session/toolset.js';
import { applyGenerationFailed, applyGenerationFinished, applyGenerationRequested, applyTurnCancelled, applyTurnCompleted, applyTurnStarted } from '../run/turn.js';
import { upcast, type StoredEntry } from '../log/upcast.js';

/** One reducer per kind, each taking only its own kind's entry. */
type Reducers = { [K in EventKind]: (state: SessionState, entry: LogEntry<K>) => SessionState };

const REDUCERS: Reducers = {
  'session.opened': applyOpened,
  'session.configured': applyConfigured,
  'session.renamed': applyRenamed,
  'session.closed': applyClosed,
  'tools.replaced': applyToolsReplaced,
  'context.put': applyContextPut,
  'context.removed': applyContextRemoved,
  'run.accepted': applyRunAccepted,
  'run.started': applyRunStarted,
  'run.steered': applyRunSteered,
  'run.steering_applied': applySteeringApplied,
  'run.cancel_requested': applyCancelRequested,
  'run.cancelled': applyRunCancelled,
  'run.completed': applyRunCompleted,
  'run.failed': applyRunFailed,
  'turn.started': applyTurnStarted,
  'turn.generation_requested': applyGenerationRequested,
  'turn.generation_finished': applyGenerationFinished,
  'turn.generation_failed': applyGenerationFailed,
  'turn.completed': applyTurnCompleted,
  'turn.cancelled': applyTurnCancelled,
  'tool.batch_started': applyBatchStarted,
  'tool.call_started': applyCallStarted,
  'tool.call_finished': applyCallFinished,
  'tool.call_deferred': applyCallDeferred,
  'tool.approval_requested': applyApprovalRequested,
  'tool.batch_completed': applyBatchCompleted,
  'promise.resolved': applyPromiseResolved,
  'child.reported': applyChildReported,
  'outbox.delivered': applyOutboxDelivered,
  'compaction.requested': applyCompactionRequested,
  'compaction.started': applyCompactionStarted,
  'compaction.finished': applyCompactionFinished,
  'compaction.failed': applyCompactionFailed,
  'compaction.cancelled': applyCompactionCancelled,
};

/**
 * The only reducer. Checks the log invariants (seq follows head, the session is open, the event
 * is legal in the current state, ids are the expected ones) and throws InvariantViolation otherwise.
 * Entries at an older version are upcast first.
 */
export function apply(state: SessionState, entry: LogEntry): SessionState {
  const current = entry.version === EVENT_VERSIONS[entry.kind] ? entry : upcast(entry);
  invariant(current.seq === state.head + 1, `entry seq ${current.seq} does not follow head ${state.head}`, { seq: current.seq, head: state.head });
  invariant(typeof current.at === 'number' && Number.isFinite(current.at), 'entry `at` must be a finite number', { seq: current.seq });
  invariant(Object.prototype.hasOwnProperty.call(REDUCERS, current.kind), `unknown event kind ${String(current.kind)}`, { seq: current.seq });
  // Only the acknowledgements of messages a closed session still owes may follow its close.
  invariant(state.status !== 'closed' || current.kind === 'outbox.delivered', 'no event may follow session.closed', { seq: current.seq, kind: current.kind });
  invariant(state.status !== 'new' || current.kind === 'session.opened', 'the first event must be session.opened', { seq: current.seq, kind: current.kind });
  // Reducers return a fresh top-level object (never shared), so stamping head/updatedAt on it in
  // place is safe and saves a second copy of the state per event.
  const next = reduce(state, current);
  const fresh = next === state ? cloneState(state) : next;
  fresh.head = current.seq;
  fresh.updatedAt = current.at;
  return fresh;
}

/** The table lookup, generic over the kind so the entry and its reducer agree without a cast. */
function reduce<K extends EventKind>(state: SessionState, entry: LogEntry<K>): SessionState {
  const reducer: (state: SessionState, entry: LogEntry<K>) => SessionState = REDUCERS[entry.kind];
  return reducer(state, entry);
}

export function applyAll(state: SessionState, entries: readonly LogEntry[]): SessionState {
  let next = state;
  for (const entry of entries) next = apply(next, entry);
  return next;
}

/** Rebuilds a session from its whole log (entries of any known version). */
export function replay(sessionId: string, entries: readonly StoredEntry[]): SessionState {
  let state = initialState(sessionId);
  for (const entry of entries) state = apply(state, upcast(entry));
  return state;
}
