import { invariant } from './invariant.js';
import type { SessionState } from './state.js';

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
  'tool.batch_completed': 1,
  'promise.resolved': 1,
  'compaction.requested': 1,
  'compaction.started': 1,
  'compaction.finished': 1,
  'compaction.failed': 1,
  'compaction.cancelled': 1,
} as const;

export type EventKind = keyof typeof EVENT_VERSIONS;

export const EVENT_KINDS = Object.keys(EVENT_VERSIONS) as EventKind[];

export function isEventKind(kind: unknown): kind is EventKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(EVENT_VERSIONS, kind);
}

/** One entry of a session log. `seq` starts at 1 with no gaps; `at` is the host's clock (ms). */
export interface LogEntry {
  seq: number;
  at: number;
  kind: EventKind;
  version: number;
  data: any;
}

/** An event before it is stamped with seq/at; the current version is implied. */
export interface EventDraft {
  kind: EventKind;
  data: unknown;
}

/** Stamps drafts as the entries following the state's head, at the current versions. */
export function stamp(state: SessionState, drafts: EventDraft[], at: number): LogEntry[] {
  invariant(Number.isFinite(at), 'stamp: `at` must be a finite number');
  return drafts.map((draft, i) => ({ seq: state.head + 1 + i, at, kind: draft.kind, version: EVENT_VERSIONS[draft.kind], data: draft.data }));
}
