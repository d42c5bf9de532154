import { accept, reject, type Admission, type SynthesizedBlob } from '../core/admission.js';
import { isBlobRef, refOfText, type BlobRef } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import type { RunState } from '../run/run.js';
import { SETTLED_PROMISES_LIMIT, cloneState, own, withKey, without, type SessionState } from '../core/state.js';
import type { ToolCallDeferredData, ToolCallFinishedData } from '../run/tool-batch.js';
import type { WaitInfo } from '../run/tool.js';

/**
 * A promise a deferred tool call waits on: a timer (`deadline`, fired by the host's clock as
 * `timer.fired`) and/or an external resolution (`promise.resolve`: approvals, sub-agents).
 * Resolution is first-writer-wins; the call is then completed by the planner with the payload.
 */
export interface PromiseState {
  promiseId: string;
  status: 'pending' | 'resolved';
  deadline?: number;
  owner: { runId: string; batchId: string; callId: string };
  createdAt: number;
  resolvedBy?: 'timer' | 'external';
  /** How an external resolution ended the wait; absent = resolved (answered, approved, done). */
  outcome?: PromiseFailure;
  payloadRef?: BlobRef;
  /** What the wait is for, as the deferring tool described it. */
  wait?: WaitInfo;
}

/** A wait ended without its answer: failed (with a reason) or cancelled (nobody will answer). */
export type PromiseFailure = 'failed' | 'cancelled';

export interface TimerFiredCommand {
  type: 'timer.fired';
  promiseId: string;
}

export interface PromiseResolveCommand {
  type: 'promise.resolve';
  promiseId: string;
  /** The answer, or with `outcome` failed/cancelled the reason (text), shown to the model as the call's result. */
  payloadRef?: BlobRef;
  outcome?: 'resolved' | PromiseFailure;
}

export interface PromiseResolvedData {
  promiseId: string;
  by: 'timer' | 'external';
  payloadRef?: BlobRef;
  /** Absent = resolved (entries before failures existed have none). */
  outcome?: PromiseFailure;
}

export const TIMER_RESULT_TEXT = 'The wait is over: the timer fired at its deadline.';
export const RESOLVED_RESULT_TEXT = 'The awaited promise was resolved without a payload.';
export const QUESTION_TIMEOUT_TEXT = 'No answer came before the deadline; continue without it.';
export const FAILED_RESULT_TEXT = 'The wait failed; no reason was given.';
export const CANCELLED_RESULT_TEXT = 'The wait was cancelled; no answer will come.';

function settled(state: SessionState, promiseId: string): Admission | undefined {
  if (state.settledPromises.includes(promiseId)) return reject('duplicate', `promise ${promiseId} was already resolved (first writer wins)`, { promiseId });
  return undefined;
}

function pendingPromise(state: SessionState, promiseId: unknown): PromiseState | Admission {
  if (typeof promiseId !== 'string') return reject('invalid', 'promiseId: expected a string');
  const promise = own(state.promises, promiseId);
  if (!promise) return settled(state, promiseId) ?? reject('not_found', `promise ${promiseId} does not exist`, { promiseId });
  if (promise.status !== 'pending') return reject('duplicate', `promise ${promiseId} was already resolved by ${promise.resolvedBy} (first writer wins)`, { promiseId, resolvedBy: promise.resolvedBy });
  return promise;
}

export function admitTimerFired(state: SessionState, command: TimerFiredCommand): Admission {
  const promise = pendingPromise(state, command.promiseId);
  if (!('promiseId' in promise)) return promise;
  if (promise.deadline === undefined) return reject('invalid', `promise ${promise.promiseId} has no timer`, { promiseId: promise.promiseId });
  return accept([{ kind: 'promise.resolved', data: { promiseId: promise.promiseId, by: 'timer' } satisfies PromiseResolvedData }], { promiseId: promise.promiseId });
}

export function admitPromiseResolve(state: SessionState, command: PromiseResolveCommand): Admission {
  if (command.payloadRef !== undefined && !isBlobRef(command.payloadRef)) return reject('invalid', 'payloadRef: expected sha256:<64 hex>');
  if (command.outcome !== undefined && command.outcome !== 'resolved' && command.outcome !== 'failed' && command.outcome !== 'cancelled') {
    return reject('invalid', 'outcome: expected resolved, failed or cancelled');
  }
  const promise = pendingPromise(state, command.promiseId);
  if (!('promiseId' in promise)) return promise;
  const data: PromiseResolvedData = { promiseId: promise.promiseId, by: 'external' };
  if (command.payloadRef !== undefined) data.payloadRef = command.payloadRef;
  if (command.outcome === 'failed' || command.outcome === 'cancelled') data.outcome = command.outcome;
  return accept([{ kind: 'promise.resolved', data }], { promiseId: promise.promiseId });
}

export function createPromise(state: SessionState, data: ToolCallDeferredData, at: number): SessionState {
  invariant(own(state.promises, data.promiseId) === undefined && !state.settledPromises.includes(data.promiseId), 'tool.call_deferred: the promise id is taken', { promiseId: data.promiseId });
  const promise: PromiseState = { promiseId: data.promiseId, status: 'pending', owner: { runId: data.runId, batchId: data.batchId, callId: data.callId }, createdAt: at };
  if (data.deadline !== undefined) promise.deadline = data.deadline;
  if (data.wait !== undefined) promise.wait = data.wait;
  const next = cloneState(state);
  next.promises = withKey(state.promises, data.promiseId, promise);
  return next;
}

/** Drops a promise whose call got its result, remembering its id for first-writer-wins answers. */
export function settlePromise(state: SessionState, promiseId: string): SessionState {
  const promises = without(state.promises, promiseId);
  const list = state.settledPromises.length >= SETTLED_PROMISES_LIMIT ? state.settledPromises.slice(1) : state.settledPromises.slice();
  list.push(promiseId);
  const next = cloneState(state);
  next.promises = promises;
  next.settledPromises = list;
  return next;
}

export function applyPromiseResolved(state: SessionState, entry: LogEntry<'promise.resolved'>): SessionState {
  const data = entry.data;
  const promise = own(state.promises, data.promiseId);
  invariant(promise !== undefined && promise.status === 'pending', 'promise.resolved: the promise is not pending', { promiseId: data.promiseId });
  const resolved: PromiseState = { ...promise, status: 'resolved', resolvedBy: data.by };
  if (data.payloadRef !== undefined) resolved.payloadRef = data.payloadRef;
  if (data.outcome !== undefined) resolved.outcome = data.outcome;
  const next = cloneState(state);
  next.promises = withKey(state.promises, data.promiseId, resolved);
  return next;
}

/** Completes the calls of resolved promises with their payload (or a synthesized note). */
export function resolvedCallEvents(state: SessionState, run: RunState): { events: EventDraft[]; blobs: SynthesizedBlob[] } | undefined {
  const events: EventDraft[] = [];
  const blobs: SynthesizedBlob[] = [];
  // Sorted ids: the same state must plan the same events whatever its key order (snapshots sort keys).
  for (const id of Object.keys(state.promises).sort()) {
    const promise = state.promises[id]!;
    if (promise.status !== 'resolved' || promise.owner.runId !== run.runId) continue;
    let resultRef = promise.payloadRef;
    let note: string | undefined;
    if (resultRef === undefined) {
      note = promise.resolvedBy === 'timer' ? (promise.wait?.kind === 'question' ? QUESTION_TIMEOUT_TEXT : TIMER_RESULT_TEXT) : promise.outcome === 'failed' ? FAILED_RESULT_TEXT : promise.outcome === 'cancelled' ? CANCELLED_RESULT_TEXT : RESOLVED_RESULT_TEXT;
      resultRef = refOfText(note);
      if (!blobs.some((b) => b.ref === resultRef)) blobs.push({ ref: resultRef, text: note });
    }
    const status = promise.outcome ?? 'succeeded';
    const data: ToolCallFinishedData = { ...promise.owner, status, resultRef, isError: status !== 'succeeded' };
    if (note !== undefined) data.preview = preview(note);
    events.push({ kind: 'tool.call_finished', data });
  }
  return events.length > 0 ? { events, blobs } : undefined;
}

/** Pending promises the run waits on, and the earliest deadline among them. */
export function waitingOn(state: SessionState, run: RunState): { promiseIds: string[]; until?: number } {
  const promiseIds: string[] = [];
  let until: number | undefined;
  for (const id in state.promises) {
    const promise = state.promises[id]!;
    if (promise.status !== 'pending' || promise.owner.runId !== run.runId) continue;
    promiseIds.push(id);
    if (promise.deadline !== undefined && (until === undefined || promise.deadline < until)) until = promise.deadline;
  }
  promiseIds.sort();
  return until === undefined ? { promiseIds } : { promiseIds, until };
}
