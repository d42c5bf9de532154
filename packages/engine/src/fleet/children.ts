import { accept, reject, type Admission, type SynthesizedBlob } from '../core/admission.js';
import { cloneState, own, withKey, type SessionState } from '../core/state.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import type { RunState } from '../run/run.js';
import { ZERO_TOTALS, sumTotals, validateUsage, type UsageTotals } from '../run/usage.js';
import type { PromiseResolvedData } from '../session/promises.js';
import { isBlobRef, refOfText, type BlobRef } from '../values/digest.js';
import type { OutboxMessage } from './outbox.js';

/*
 * Sub-agents, from the parent's side. A child is an ordinary session; what the parent keeps is a
 * small record per child (which run of it this session waits for, and how it ended), fed by the
 * fleet tools' results (`agent.run_started` effects) and by the child's own report when its run
 * ends (`child.report`, delivered from the child's outbox). A call awaiting a child is a deferred
 * call whose wait names the child's run; the planner resolves it as soon as both are known, in
 * whichever order they arrived, so an await after the child finished returns at once.
 */

/** How a child session points at the call that spawned it (its config's `parent`). */
export interface ParentLink {
  sessionId: string;
  runId: string;
  callId: string;
  /** 1 for a child of a top-level session, 2 for a grandchild… (checked against the fleet's maxDepth). */
  depth: number;
}

export type ChildStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface ChildState {
  sessionId: string;
  /** The child's run this session started last (spawn or send), the one an await waits for. */
  runId: string;
  /** This session's run whose call started that run: cancelling or failing it cancels the child. */
  parentRunId: string;
  status: ChildStatus;
  outputRef?: BlobRef;
  failure?: { code: string; message: string };
}

/** The effect kind a fleet tool reports when it started a run of a child (`data: {sessionId, runId}`). */
export const CHILD_RUN_EFFECT = 'agent.run_started';

/** A child's run ended: sent by the child's host from the child's outbox. */
export interface ChildReportCommand {
  type: 'child.report';
  childSessionId: string;
  runId: string;
  status: Exclude<ChildStatus, 'running'>;
  outputRef?: BlobRef;
  failure?: { code: string; message: string };
  /** The child run's usage (its own children included): added to this session's totals. */
  usage: UsageTotals;
}

export type ChildReportedData = Omit<ChildReportCommand, 'type'>;

const MAX_FAILURE_MESSAGE = 500;
const STATUSES = new Set(['completed', 'failed', 'cancelled']);

export function isChildSessionOf(parentId: string, childId: string): boolean {
  return childId.startsWith(`${parentId}.`);
}

export function admitChildReport(state: SessionState, command: ChildReportCommand): Admission {
  if (typeof command.childSessionId !== 'string' || typeof command.runId !== 'string') return reject('invalid', 'childSessionId and runId: expected strings');
  const child = own(state.children ?? {}, command.childSessionId);
  if (!child) return reject('not_found', `session ${command.childSessionId} is not a child of ${state.sessionId}`, { childSessionId: command.childSessionId });
  if (!STATUSES.has(command.status)) return reject('invalid', 'status: expected completed, failed or cancelled');
  if (command.outputRef !== undefined && !isBlobRef(command.outputRef)) return reject('invalid', 'outputRef: expected sha256:<64 hex>');
  if (!validateUsage(command.usage) || typeof command.usage.calls !== 'number' || (command.usage.costUsd !== null && typeof command.usage.costUsd !== 'number')) return reject('invalid', 'usage: expected usage totals');
  if (child.runId === command.runId && child.status !== 'running') return reject('duplicate', `run ${command.runId} of ${command.childSessionId} was reported already`, { childSessionId: command.childSessionId });
  const data: ChildReportedData = { childSessionId: command.childSessionId, runId: command.runId, status: command.status, usage: command.usage };
  if (command.outputRef !== undefined) data.outputRef = command.outputRef;
  if (command.failure !== undefined) data.failure = { code: String(command.failure.code).slice(0, 64), message: String(command.failure.message).slice(0, MAX_FAILURE_MESSAGE) };
  return accept([{ kind: 'child.reported', data }]);
}

export function applyChildReported(state: SessionState, entry: LogEntry<'child.reported'>): SessionState {
  const data = entry.data;
  const children = state.children ?? {};
  const child = own(children, data.childSessionId)!;
  const next = cloneState(state);
  // A report of an older run (the child was sent more work since) still brings its usage.
  if (child.runId === data.runId) {
    const ended: ChildState = { sessionId: child.sessionId, runId: child.runId, parentRunId: child.parentRunId, status: data.status };
    if (data.outputRef !== undefined) ended.outputRef = data.outputRef;
    if (data.failure !== undefined) ended.failure = data.failure;
    next.children = withKey(children, child.sessionId, ended);
  }
  next.usage = sumTotals(state.usage, data.usage);
  const run = own(state.runs, child.parentRunId);
  if (run) next.runs = withKey(state.runs, run.runId, { ...run, usage: sumTotals(run.usage, data.usage) });
  return next;
}

/** Records the child runs a finished fleet call started (its `agent.run_started` effects). */
export function withChildRuns(state: SessionState, parentRunId: string, effects: readonly { kind: string; data?: Record<string, string> }[] | undefined): SessionState {
  let children = state.children;
  for (const effect of effects ?? []) {
    const sessionId = effect.data?.sessionId;
    const runId = effect.data?.runId;
    if (effect.kind !== CHILD_RUN_EFFECT || sessionId === undefined || runId === undefined) continue;
    children = withKey(children ?? {}, sessionId, { sessionId, runId, parentRunId, status: 'running' });
  }
  if (children === state.children) return state;
  const next = cloneState(state);
  next.children = children;
  return next;
}

export const CHILD_NO_ANSWER_TEXT = 'The sub-agent finished without an answer.';

/** The text an await of a child that did not complete returns (as a failed result). */
export function childFailureText(child: ChildState): string {
  const why = child.failure ? ` (${child.failure.code}): ${child.failure.message}` : '';
  return child.status === 'cancelled' ? `The sub-agent ${child.sessionId} was cancelled${why}.` : `The sub-agent ${child.sessionId} failed${why}.`;
}

/**
 * Resolutions of the run's awaits whose child run has ended: the child's answer (its output in
 * CAS) for a completed run, a failed result naming why for a failed or cancelled one. Sorted ids:
 * the same state plans the same events whatever its key order.
 */
export function childResolutions(state: SessionState, run: RunState): { events: EventDraft[]; blobs: SynthesizedBlob[] } | undefined {
  const children = state.children;
  if (!children) return undefined;
  const events: EventDraft[] = [];
  const blobs: SynthesizedBlob[] = [];
  for (const id of Object.keys(state.promises).sort()) {
    const promise = state.promises[id]!;
    const awaited = promise.wait?.child;
    if (promise.status !== 'pending' || promise.owner.runId !== run.runId || promise.wait?.kind !== 'child' || !awaited) continue;
    const child = own(children, awaited.sessionId);
    if (!child || child.runId !== awaited.runId || child.status === 'running') continue;
    const data: PromiseResolvedData = { promiseId: id, by: 'external', actor: `agent ${child.sessionId}` };
    if (child.status === 'completed' && child.outputRef !== undefined) {
      data.payloadRef = child.outputRef;
    } else {
      const text = child.status === 'completed' ? CHILD_NO_ANSWER_TEXT : childFailureText(child);
      const ref = refOfText(text);
      if (!blobs.some((b) => b.ref === ref)) blobs.push({ ref, text });
      data.payloadRef = ref;
      if (child.status !== 'completed') data.outcome = 'failed';
    }
    events.push({ kind: 'promise.resolved', data });
  }
  return events.length > 0 ? { events, blobs } : undefined;
}

/**
 * What a run that just ended owes other sessions: its parent the report (when this session is a
 * child), and its running children a cancel (when the run was cancelled or failed: nobody is left
 * to use their answers).
 */
export function runEndMessages(state: SessionState, run: RunState): OutboxMessage[] {
  const messages: OutboxMessage[] = [];
  const parent = state.config?.parent;
  if (parent) {
    const command: ChildReportCommand = { type: 'child.report', childSessionId: state.sessionId, runId: run.runId, status: run.status === 'completed' ? 'completed' : run.status === 'cancelled' ? 'cancelled' : 'failed', usage: run.usage ?? ZERO_TOTALS };
    if (run.outputRef !== undefined) command.outputRef = run.outputRef;
    if (run.failure) command.failure = { code: run.failure.code, message: run.failure.message.slice(0, MAX_FAILURE_MESSAGE) };
    else if (run.status === 'cancelled') command.failure = { code: 'cancelled', message: (run.cancelReason ?? 'cancelled').slice(0, MAX_FAILURE_MESSAGE) };
    messages.push({ messageId: `notify_${run.runId}`, to: parent.sessionId, command });
  }
  if (run.status === 'cancelled' || run.status === 'failed') {
    for (const id of Object.keys(state.children ?? {}).sort()) {
      const child = state.children![id]!;
      if (child.parentRunId !== run.runId || child.status !== 'running') continue;
      messages.push({ messageId: `cancel_${child.sessionId}_${child.runId}`, to: child.sessionId, command: { type: 'run.cancel', runId: child.runId } });
    }
  }
  return messages;
}
