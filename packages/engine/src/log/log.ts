import type { CompactionCancelledData, CompactionFailedData, CompactionFinishedData, CompactionRequestedData, CompactionStartedData } from '../context/compaction.js';
import type { ContextPutData, ContextRemovedData } from '../context/context.js';
import { invariant } from './invariant.js';
import type { PromiseResolvedData } from '../session/promises.js';
import type { ChildReportedData } from '../fleet/children.js';
import type { OutboxDeliveredData } from '../fleet/outbox.js';
import type { RunAcceptedData, RunCancelledData, RunCompletedData, RunFailedData, RunIdData, RunSteeredData, RunSteeringAppliedData } from '../run/run.js';
import type { SessionClosedData, SessionConfiguredData, SessionOpenedData, SessionRenamedData } from '../session/session.js';
import type { SessionState } from '../core/state.js';
import type { BatchIdData, BatchStartedData, ToolCallDeferredData, ToolCallFinishedData, ToolCallRef } from '../run/tool-batch.js';
import type { ToolsReplacedData } from '../session/toolset.js';
import type { TurnGenerationFailedData, TurnGenerationFinishedData, TurnIdData, TurnRequestData } from '../run/turn.js';

/**
 * Every event kind with its current schema version. Bump a version only together with an upcast
 * in `upcast.ts` that turns the previous version's data into the current one.
 */
export const EVENT_VERSIONS = {
  'session.opened': 1,
  'session.configured': 1,
  'session.renamed': 1,
  'session.closed': 1,
  'tools.replaced': 1,
  'context.put': 1,
  'context.removed': 1,
  'run.accepted': 2,
  'run.started': 1,
  'run.steered': 1,
  'run.steering_applied': 1,
  'run.cancel_requested': 1,
  'run.cancelled': 1,
  'run.completed': 1,
  'run.failed': 1,
  'turn.started': 1,
  'turn.generation_requested': 1,
  'turn.generation_finished': 1,
  'turn.generation_failed': 1,
  'turn.completed': 1,
  'turn.cancelled': 1,
  'tool.batch_started': 1,
  'tool.call_started': 1,
  'tool.call_finished': 1,
  'tool.call_deferred': 1,
  'tool.approval_requested': 1,
  'tool.batch_completed': 1,
  'promise.resolved': 1,
  'child.reported': 1,
  'outbox.delivered': 1,
  'compaction.requested': 1,
  'compaction.started': 1,
  'compaction.finished': 1,
  'compaction.failed': 1,
  'compaction.cancelled': 1,
} as const;

export type EventKind = keyof typeof EVENT_VERSIONS;

/** The data each event kind carries, at its current version (older versions are upcast first). */
export interface EventDataMap {
  'session.opened': SessionOpenedData;
  'session.configured': SessionConfiguredData;
  'session.renamed': SessionRenamedData;
  'session.closed': SessionClosedData;
  'tools.replaced': ToolsReplacedData;
  'context.put': ContextPutData;
  'context.removed': ContextRemovedData;
  'run.accepted': RunAcceptedData;
  'run.started': RunIdData;
  'run.steered': RunSteeredData;
  'run.steering_applied': RunSteeringAppliedData;
  'run.cancel_requested': RunIdData;
  'run.cancelled': RunCancelledData;
  'run.completed': RunCompletedData;
  'run.failed': RunFailedData;
  'turn.started': TurnRequestData;
  'turn.generation_requested': TurnRequestData;
  'turn.generation_finished': TurnGenerationFinishedData;
  'turn.generation_failed': TurnGenerationFailedData;
  'turn.completed': TurnIdData;
  'turn.cancelled': TurnIdData;
  'tool.batch_started': BatchStartedData;
  'tool.call_started': ToolCallRef;
  'tool.call_finished': ToolCallFinishedData;
  'tool.call_deferred': ToolCallDeferredData;
  'tool.approval_requested': ToolCallDeferredData;
  'tool.batch_completed': BatchIdData;
  'promise.resolved': PromiseResolvedData;
  'child.reported': ChildReportedData;
  'outbox.delivered': OutboxDeliveredData;
  'compaction.requested': CompactionRequestedData;
  'compaction.started': CompactionStartedData;
  'compaction.finished': CompactionFinishedData;
  'compaction.failed': CompactionFailedData;
  'compaction.cancelled': CompactionCancelledData;
}

// The map and the version table name exactly the same kinds; either one missing a kind fails here.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
const _kindsMatch: SameKeys<EventDataMap, typeof EVENT_VERSIONS> = true;
void _kindsMatch;

export const EVENT_KINDS = Object.keys(EVENT_VERSIONS) as EventKind[];

export function isEventKind(kind: unknown): kind is EventKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(EVENT_VERSIONS, kind);
}

/**
 * One entry of a session log. `seq` starts at 1 with no gaps; `at` is the host's clock (ms).
 * A union over kinds: checking `kind` narrows `data`. `LogEntry<'run.started'>` is one kind's entry.
 */
export type LogEntry<K extends EventKind = EventKind> = {
  [P in K]: { seq: number; at: number; kind: P; version: number; data: EventDataMap[P] };
}[K];

/** An event before it is stamped with seq/at; the current version is implied. Narrows on `kind` too. */
export type EventDraft<K extends EventKind = EventKind> = {
  [P in K]: { kind: P; data: EventDataMap[P] };
}[K];

/** Stamps drafts as the entries following the state's head, at the current versions. */
export function stamp(state: SessionState, drafts: EventDraft[], at: number): LogEntry[] {
  invariant(Number.isFinite(at), 'stamp: `at` must be a finite number');
  return drafts.map((draft, i) => stampOne(draft, state.head + 1 + i, at));
}

function stampOne<K extends EventKind>(draft: EventDraft<K>, seq: number, at: number): LogEntry<K> {
  return { seq, at, kind: draft.kind, version: EVENT_VERSIONS[draft.kind], data: draft.data } as LogEntry<K>;
}
