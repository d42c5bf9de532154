// The workflow's public surface: names, argument and result shapes shared by the workflow, the
// activities and the client. Imports only the workflow SDK's definition helpers and engine types,
// so the workflow bundle and the client agree on one definition.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AdmitResult, Command, Rejection } from '@lightspeed/engine';

export const SESSION_WORKFLOW = 'sessionWorkflow';

/** A session snapshot in CAS: what a continued-as-new execution rehydrates from. */
export interface SnapshotRef {
  seq: number;
  ref: string;
}

/** Workflow arguments: constant size, whatever the session's length. */
export interface SessionWorkflowInput {
  universe: string;
  sessionId: string;
  snapshot?: SnapshotRef;
  /** Continue-as-new once history holds this many events (besides Temporal's own suggestion). */
  maxHistoryEvents?: number;
  /** Snapshot the state every this many events. */
  snapshotEvery?: number;
}

/** What an accepted admission answers. The caller reads the state from the store at `head` or later. */
export interface AdmitReply {
  head: number;
  result?: AdmitResult;
}

export interface SessionStatus {
  head: number;
  status: 'new' | 'open' | 'closed';
  listStatus: 'idle' | 'active' | 'closed';
  activeRunId?: string;
  inflight: string[];
}

export const admitUpdate = defineUpdate<AdmitReply, [Command]>('admit');
export const statusQuery = defineQuery<SessionStatus>('status');

/** ApplicationFailure type carrying an engine Rejection (`details[0]`) back to the client. */
export const REJECTION_FAILURE = 'LightspeedRejection';

export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && typeof (value as Rejection).code === 'string' && typeof (value as Rejection).message === 'string';
}

/** Workflow id of a session; both parts are percent-encoded so no two (universe, session) pairs collide. */
export function sessionWorkflowId(universe: string, sessionId: string): string {
  return `lightspeed/${encodeURIComponent(universe)}/${encodeURIComponent(sessionId)}`;
}
