import { accept, reject, type Admission, type SynthesizedBlob } from '../core/admission.js';
import { isBlobRef, refOfText, type BlobRef } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import type { RunState } from '../run/run.js';
import { SETTLED_PROMISES_LIMIT, cloneState, own, withKey, without, type SessionState } from '../core/state.js';
import type { ToolCallDeferredData, ToolCallFinishedData, ToolCallState } from '../run/tool-batch.js';
import { DENIED_RESULT_TEXT } from './approvals.js';
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
  /** An approval approved for the rest of the session: later calls of the same tool run without asking. */
  forSession?: boolean;
  /** Who answered (e.g. the API key's label), recorded in the log for attribution. */
  actor?: string;
}

export interface PromiseResolvedData {
  promiseId: string;
  by: 'timer' | 'external';
  payloadRef?: BlobRef;
  /** Absent = resolved (entries before failures existed have none). */
  outcome?: PromiseFailure;
  forSession?: true;
  actor?: string;
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
  if (command.forSession !== undefined) {
    if (command.forSession !== true && command.forSession !== false) return reject('invalid', 'forSession: expected a boolean');
    if (command.forSession && promise.wait?.kind !== 'approval') return reject('invalid', `forSession: promise ${promise.promiseId} is not a tool approval`, { promiseId: promise.promiseId });
    if (command.forSession && data.outcome !== undefined) return reject('invalid', 'forSession: only an approval can be given for the session, not a denial');
    if (command.forSession) data.forSession = true;
  }
  if (command.actor !== undefined) {
    if (typeof command.actor !== 'string' || command.actor.length === 0 || command.actor.length > 256) return reject('invalid', 'actor: expected a string of 1-256 characters');
    data.actor = command.actor;
  }
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
  if (data.forSession) {
    const name = ownerCall(state, promise)?.name;
    invariant(name !== undefined, 'promise.resolved: the approved call is gone', { promiseId: data.promiseId });
    const approved = state.approvedTools ?? [];
    if (!approved.includes(name)) next.approvedTools = [...approved, name];
  }
  return next;
}

/** The call a promise belongs to (in its run's batches), if the run is still live. */
function ownerCall(state: SessionState, promise: PromiseState): ToolCallState | undefined {
  const run = own(state.runs, promise.owner.runId);
  return run?.batches.find((batch) => batch.batchId === promise.owner.batchId)?.calls.find((call) => call.callId === promise.owner.callId);
}

/**
 * What resolved promises do to their calls: a deferred call completes with the payload (or a
 * synthesized note); an approved call starts (its tool runs now), a denied one finishes with the
 * denial as its result. A call waiting for approval of a tool since approved for the session starts too.
 */
export function resolvedCallEvents(state: SessionState, run: RunState): { events: EventDraft[]; blobs: SynthesizedBlob[] } | undefined {
  const events: EventDraft[] = [];
  const blobs: SynthesizedBlob[] = [];
  const note = (text: string): BlobRef => {
    const ref = refOfText(text);
    if (!blobs.some((b) => b.ref === ref)) blobs.push({ ref, text });
    return ref;
  };
  const approved = state.approvedTools ?? [];
  // Sorted ids: the same state must plan the same events whatever its key order (snapshots sort keys).
  for (const id of Object.keys(state.promises).sort()) {
    const promise = state.promises[id]!;
    if (promise.owner.runId !== run.runId) continue;
    if (promise.wait?.kind === 'approval') {
      const ref = { runId: promise.owner.runId, batchId: promise.owner.batchId, callId: promise.owner.callId };
      const approvedForSession = promise.status === 'pending' && approved.includes(ownerCall(state, promise)?.name ?? '');
      if ((promise.status === 'resolved' && promise.outcome === undefined) || approvedForSession) {
        events.push({ kind: 'tool.call_started', data: ref });
      } else if (promise.status === 'resolved') {
        const resultRef = promise.payloadRef ?? note(DENIED_RESULT_TEXT);
        const data: ToolCallFinishedData = { ...ref, status: 'failed', resultRef, isError: true };
        if (promise.payloadRef === undefined) data.preview = preview(DENIED_RESULT_TEXT);
        events.push({ kind: 'tool.call_finished', data });
      }
      continue;
    }
    if (promise.status !== 'resolved') continue;
    let resultRef = promise.payloadRef;
    let text: string | undefined;
    if (resultRef === undefined) {
      text = promise.resolvedBy === 'timer' ? (promise.wait?.kind === 'question' ? QUESTION_TIMEOUT_TEXT : TIMER_RESULT_TEXT) : promise.outcome === 'failed' ? FAILED_RESULT_TEXT : promise.outcome === 'cancelled' ? CANCELLED_RESULT_TEXT : RESOLVED_RESULT_TEXT;
      resultRef = note(text);
    }
    const status = promise.outcome ?? 'succeeded';
    const data: ToolCallFinishedData = { ...promise.owner, status, resultRef, isError: status !== 'succeeded' };
    if (text !== undefined) data.preview = preview(text);
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
