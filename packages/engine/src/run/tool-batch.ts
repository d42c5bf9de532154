import { withDelegatedUsage } from './delegated-usage.js';
import { accept, reject, type Admission, type SynthesizedBlob } from '../core/admission.js';
import { appendEntries } from '../context/context.js';
import type { ContextEntry } from '../context/context-entry.js';
import { isBlobRef, refOfText, type BlobRef } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import { createPromise, settlePromise } from '../session/promises.js';
import { approvalPolicyOf, approvalPromiseId, notAllowedResultText } from '../session/approvals.js';
import { bump, bumpActivity, findRun, own, type SessionState } from '../core/state.js';
import type { RunState } from './run.js';
import { liveRun, putRun, withLastBatch, withLastTurn } from './run-record.js';
import { withChildRuns } from '../fleet/children.js';
import { WAIT_KINDS, type ToolCallOutcome, type ToolCallStatus, type ToolInvocation, type ToolParallelism, type WaitInfo } from './tool.js';
import { cloneTurn, type TurnState } from './turn.js';

/**
 * - requested: observed in the generation, batch opened
 * - running: `tool.call_started` recorded (the durable intent); may be waiting on a promise
 * - succeeded | failed | cancelled | unavailable: has its result (a toolResult context entry)
 */
export type ToolCallState = {
  callId: string;
  name: string;
  argumentsRef: BlobRef;
  parallelism: ToolParallelism;
  status: 'requested' | 'running' | ToolCallStatus;
  isError: boolean;
  resultRef?: BlobRef;
  preview?: string;
  /** Set while the call waits on a promise (a deferred outcome). */
  promiseId?: string;
  effects?: { kind: string; data?: Record<string, string> }[];
};

export interface ToolBatchState {
  batchId: string;
  turnId: string;
  status: 'open' | 'completed' | 'cancelled';
  calls: ToolCallState[];
}

export interface ToolFinishedCommand {
  type: 'tool.finished';
  runId: string;
  batchId: string;
  callId: string;
  outcome: ToolCallOutcome;
}

export interface BatchStartedData {
  runId: string;
  turnId: string;
  batchId: string;
  calls: { callId: string; name: string; argumentsRef: BlobRef; parallelism: ToolParallelism }[];
}

export interface ToolCallRef {
  runId: string;
  batchId: string;
  callId: string;
}

export interface ToolCallFinishedData extends ToolCallRef {
  status: ToolCallStatus;
  resultRef: BlobRef;
  isError: boolean;
  preview?: string;
  effects?: { kind: string; data?: Record<string, string> }[];
}

export interface ToolCallDeferredData extends ToolCallRef {
  promiseId: string;
  deadline?: number;
  /** Absent in entries written before waits were described (a bare timer or promise). */
  wait?: WaitInfo;
}

export interface BatchIdData {
  runId: string;
  batchId: string;
}

const STATUSES = new Set(['succeeded', 'failed', 'cancelled', 'unavailable']);
const MAX_EFFECTS = 64;

/** A shallow copy of a call, field by field (see cloneState for why). */
export function cloneCall(c: ToolCallState): ToolCallState {
  const copy: { [K in keyof Required<ToolCallState>]: ToolCallState[K] } = {
    callId: c.callId,
    name: c.name,
    argumentsRef: c.argumentsRef,
    parallelism: c.parallelism,
    status: c.status,
    isError: c.isError,
    resultRef: c.resultRef,
    preview: c.preview,
    promiseId: c.promiseId,
    effects: c.effects,
  };
  return copy;
}

export function isOpenCall(call: ToolCallState): boolean {
  return call.status === 'requested' || call.status === 'running';
}

export function openCalls(batch: ToolBatchState): ToolCallState[] {
  return batch.calls.filter(isOpenCall);
}

export function currentBatch(run: RunState): ToolBatchState | undefined {
  const batch = run.batches[run.batches.length - 1];
  return batch && batch.status === 'open' ? batch : undefined;
}

export function unavailableResultText(name: string): string {
  return `Tool ${name} is unavailable in this session; no such tool was offered. Choose one of the offered tools.`;
}

/**
 * Opens the batch for a generated turn's tool calls, in one append: the batch, an immediate
 * "unavailable" result for every call naming a tool outside the toolset the turn was planned with,
 * and `tool.call_started` (the durable intent to invoke) for the others.
 */
/** A result the engine writes itself (a fixed text, shared in CAS by identical results). */
export function synthesizedResult(ref: ToolCallRef, status: 'failed' | 'cancelled' | 'unavailable', text: string, blobs: SynthesizedBlob[]): EventDraft {
  const resultRef = refOfText(text);
  if (!blobs.some((b) => b.ref === resultRef)) blobs.push({ ref: resultRef, text });
  const data: ToolCallFinishedData = { ...ref, status, resultRef, isError: true, preview: preview(text) };
  return { kind: 'tool.call_finished', data };
}

export function openBatchEvents(state: SessionState, run: RunState, turn: TurnState): { events: EventDraft[]; blobs: SynthesizedBlob[] } {
  const calls = turn.toolCalls ?? [];
  const tools = new Map(state.tools.tools.map((tool) => [tool.name, tool]));
  const batchId = `batch_${state.counters.batch + 1}`;
  const started: BatchStartedData = {
    runId: run.runId,
    turnId: turn.turnId,
    batchId,
    calls: calls.map((call) => ({ callId: call.callId, name: call.name, argumentsRef: call.argumentsRef, parallelism: tools.get(call.name)?.parallelism ?? 'exclusive' })),
  };
  const events: EventDraft[] = [{ kind: 'tool.batch_started', data: started }];
  const blobs: SynthesizedBlob[] = [];
  const approvals = state.config?.approvals;
  for (const [index, call] of calls.entries()) {
    if (tools.has(call.name)) {
      const ref: ToolCallRef = { runId: run.runId, batchId, callId: call.callId };
      const policy = approvalPolicyOf(approvals, call.name);
      if (policy === 'never') {
        events.push(synthesizedResult(ref, 'failed', notAllowedResultText(call.name), blobs));
      } else if (policy === 'ask' && !(state.approvedTools ?? []).includes(call.name)) {
        // The arguments are the detail an approver reviews (bounded previews are the API's job).
        const data: ToolCallDeferredData = { ...ref, promiseId: approvalPromiseId(batchId, index), wait: { kind: 'approval', preview: preview(call.name), detailRef: call.argumentsRef } };
        events.push({ kind: 'tool.approval_requested', data });
      } else {
        events.push({ kind: 'tool.call_started', data: ref });
      }
      continue;
    }
    const text = unavailableResultText(call.name);
    const ref = refOfText(text);
    if (!blobs.some((b) => b.ref === ref)) blobs.push({ ref, text });
    const data: ToolCallFinishedData = { runId: run.runId, batchId, callId: call.callId, status: 'unavailable', resultRef: ref, isError: true, preview: preview(text) };
    events.push({ kind: 'tool.call_finished', data });
  }
  return { events, blobs };
}

/** Calls to run now: started, not finished, not waiting on a promise. */
export function invocationsOf(state: SessionState, run: RunState, batch: ToolBatchState): ToolInvocation[] {
  return batch.calls
    .filter((call) => call.status === 'running' && call.promiseId === undefined)
    .map((call) => ({ sessionId: state.sessionId, runId: run.runId, turnId: batch.turnId, batchId: batch.batchId, callId: call.callId, name: call.name, argumentsRef: call.argumentsRef, parallelism: call.parallelism }));
}

function shortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256;
}

/** A deferred outcome's wait description, copied field by field (preview bounded), or what is wrong with it. */
function waitInfo(wait: WaitInfo): WaitInfo | string {
  if (typeof wait !== 'object' || wait === null) return 'expected {kind, preview?, detailRef?}';
  if (!(WAIT_KINDS as readonly string[]).includes(wait.kind)) return `kind: expected one of ${WAIT_KINDS.join(', ')}`;
  const out: WaitInfo = { kind: wait.kind };
  if (wait.preview !== undefined) {
    if (typeof wait.preview !== 'string') return 'preview: expected a string';
    out.preview = preview(wait.preview);
  }
  if (wait.detailRef !== undefined) {
    if (!isBlobRef(wait.detailRef)) return 'detailRef: expected sha256:<64 hex>';
    out.detailRef = wait.detailRef;
  }
  if (wait.child !== undefined) {
    const child = wait.child as { sessionId?: unknown; runId?: unknown };
    if (wait.kind !== 'child' || !shortString(child.sessionId) || !shortString(child.runId)) return 'child: expected {sessionId, runId} on a wait of kind child';
    out.child = { sessionId: child.sessionId, runId: child.runId };
  }
  return out;
}

export function admitToolFinished(state: SessionState, command: ToolFinishedCommand): Admission {
  const run = typeof command.runId === 'string' ? findRun(state, command.runId) : undefined;
  if (!run) return reject('not_found', `run ${String(command.runId)} does not exist`, { runId: command.runId });
  if (state.activeRunId !== run.runId || run.status !== 'running') return reject('conflict', `run ${run.runId} is ${run.status}; the tool result is discarded`, { runId: run.runId, status: run.status });
  const batch = currentBatch(run);
  if (!batch || batch.batchId !== command.batchId) return reject('not_found', `batch ${String(command.batchId)} is not the open batch of run ${run.runId}`, { runId: run.runId, batchId: command.batchId });
  const call = batch.calls.find((c) => c.callId === command.callId);
  if (!call) return reject('not_found', `call ${String(command.callId)} is not in batch ${batch.batchId}`, { callId: command.callId });
  if (!isOpenCall(call)) return reject('conflict', `call ${call.callId} already has a result (${call.status})`, { callId: call.callId, status: call.status });
  if (call.promiseId !== undefined) return reject('conflict', `call ${call.callId} waits on promise ${call.promiseId}; resolve the promise instead`, { callId: call.callId, promiseId: call.promiseId });
  const outcome = command.outcome;
  if (typeof outcome !== 'object' || outcome === null) return reject('invalid', 'outcome: expected a ToolCallOutcome');
  const ref: ToolCallRef = { runId: run.runId, batchId: batch.batchId, callId: call.callId };
  if (outcome.status === 'deferred') {
    if (typeof outcome.promiseId !== 'string' || outcome.promiseId.length === 0 || outcome.promiseId.length > 256) return reject('invalid', 'outcome.promiseId: expected a non-empty string');
    if (own(state.promises, outcome.promiseId) !== undefined || state.settledPromises.includes(outcome.promiseId)) return reject('duplicate', `promise ${outcome.promiseId} already exists`, { promiseId: outcome.promiseId });
    if (outcome.deadline !== undefined && (typeof outcome.deadline !== 'number' || !Number.isFinite(outcome.deadline))) return reject('invalid', 'outcome.deadline: expected a time in ms');
    const data: ToolCallDeferredData = { ...ref, promiseId: outcome.promiseId };
    if (outcome.deadline !== undefined) data.deadline = outcome.deadline;
    if (outcome.wait !== undefined) {
      const wait = waitInfo(outcome.wait);
      if (typeof wait === 'string') return reject('invalid', `outcome.wait: ${wait}`);
      data.wait = wait;
    }
    return accept([{ kind: 'tool.call_deferred', data }], { runId: run.runId, promiseId: outcome.promiseId });
  }
  if (!STATUSES.has(outcome.status)) return reject('invalid', 'outcome.status: expected succeeded | failed | cancelled | unavailable | deferred');
  if (!isBlobRef(outcome.resultRef)) return reject('invalid', 'outcome.resultRef: expected sha256:<64 hex>');
  if (typeof outcome.isError !== 'boolean') return reject('invalid', 'outcome.isError: expected a boolean');
  const data: ToolCallFinishedData = { ...ref, status: outcome.status, resultRef: outcome.resultRef, isError: outcome.isError };
  if (typeof outcome.preview === 'string') data.preview = preview(outcome.preview);
  if (Array.isArray(outcome.effects) && outcome.effects.length > 0) data.effects = outcome.effects.slice(0, MAX_EFFECTS);
  return accept([{ kind: 'tool.call_finished', data }], { runId: run.runId });
}

function activeBatch(state: SessionState, data: BatchIdData, kind: string): { run: RunState; batch: ToolBatchState } {
  const run = liveRun(state, data.runId, kind);
  invariant(state.activeRunId === run.runId, `${kind}: run is not active`);
  const batch = currentBatch(run);
  invariant(batch !== undefined && batch.batchId === data.batchId, `${kind}: not the open batch`, { batchId: data.batchId });
  return { run, batch };
}

function withCall(batch: ToolBatchState, callId: string, kind: string, update: (call: ToolCallState) => ToolCallState): ToolBatchState {
  const index = batch.calls.findIndex((c) => c.callId === callId);
  invariant(index >= 0, `${kind}: unknown call`, { callId });
  const calls = batch.calls.slice();
  calls[index] = update(calls[index]!);
  return { batchId: batch.batchId, turnId: batch.turnId, status: batch.status, calls };
}

export function applyBatchStarted(state: SessionState, entry: LogEntry<'tool.batch_started'>): SessionState {
  const data = entry.data;
  invariant(data.batchId === `batch_${state.counters.batch + 1}`, 'tool.batch_started: unexpected batch id', { batchId: data.batchId });
  const run = liveRun(state, data.runId, 'tool.batch_started');
  invariant(state.activeRunId === run.runId && run.status === 'running', 'tool.batch_started: the run is not running');
  const turn = run.turns[run.turns.length - 1];
  invariant(turn !== undefined && turn.turnId === data.turnId && turn.status === 'generated', 'tool.batch_started: the turn is not generated');
  invariant(data.calls.length > 0 && data.calls.length === (turn.toolCalls?.length ?? 0), 'tool.batch_started: the batch must hold exactly the turn\'s tool calls');
  const batch: ToolBatchState = {
    batchId: data.batchId,
    turnId: data.turnId,
    status: 'open',
    calls: data.calls.map((c) => ({ callId: c.callId, name: c.name, argumentsRef: c.argumentsRef, parallelism: c.parallelism, status: 'requested', isError: false })),
  };
  const nextTurn = cloneTurn(turn);
  nextTurn.status = 'tools';
  nextTurn.batchId = data.batchId;
  nextTurn.toolCalls = undefined;
  const opened = withLastTurn(run, nextTurn);
  opened.batches = [...run.batches, batch];
  const next = putRun(state, opened);
  next.counters = bump(state.counters, 'batch');
  next.activity = bumpActivity(state.activity, 'toolRounds');
  return next;
}

export function applyCallStarted(state: SessionState, entry: LogEntry<'tool.call_started'>): SessionState {
  const data = entry.data;
  const { run, batch } = activeBatch(state, data, 'tool.call_started');
  let approved: string | undefined;
  const updated = withCall(batch, data.callId, 'tool.call_started', (call) => {
    invariant(call.status === 'requested', 'tool.call_started: the call is not requested', { callId: call.callId, status: call.status });
    approved = call.promiseId;
    const running = cloneCall(call);
    running.status = 'running';
    running.promiseId = undefined;
    return running;
  });
  const next = putRun(state, withLastBatch(run, updated));
  // A call that waited for approval starts once approved: its approval promise is settled.
  return approved === undefined ? next : settlePromise(next, approved);
}

/** A call waiting for approval: not started yet, parked on its approval promise. */
export function applyApprovalRequested(state: SessionState, entry: LogEntry<'tool.approval_requested'>): SessionState {
  return parkCall(state, entry, 'requested');
}

export function applyCallFinished(state: SessionState, entry: LogEntry<'tool.call_finished'>): SessionState {
  const data = entry.data;
  const { run, batch } = activeBatch(state, data, 'tool.call_finished');
  let promiseId: string | undefined;
  const updated = withCall(batch, data.callId, 'tool.call_finished', (call) => {
    invariant(isOpenCall(call), 'tool.call_finished: the call already has a result', { callId: call.callId, status: call.status });
    promiseId = call.promiseId;
    const done = cloneCall(call);
    done.status = data.status;
    done.resultRef = data.resultRef;
    done.isError = data.isError;
    done.promiseId = undefined;
    if (data.preview !== undefined) done.preview = data.preview;
    if (data.effects !== undefined) done.effects = data.effects;
    return done;
  });
  let next = withDelegatedUsage(withChildRuns(putRun(state, withLastBatch(run, updated)), run.runId, data.effects), run.runId, data.effects);
  if (promiseId !== undefined) next = settlePromise(next, promiseId);
  const result = { kind: { type: 'toolResult' as const, callId: data.callId, isError: data.isError }, contentRef: data.resultRef, source: { type: 'tool' as const, runId: run.runId, turnId: batch.turnId, batchId: batch.batchId } };
  return appendEntries(next, [data.preview === undefined ? result : { ...result, preview: data.preview }], true);
}

/** A started call whose tool deferred its result to a promise (a timer, a question…). */
export function applyCallDeferred(state: SessionState, entry: LogEntry<'tool.call_deferred'>): SessionState {
  return parkCall(state, entry, 'running');
}

/** Parks a call (in the status it must have) on the entry's promise, and creates the promise. */
function parkCall(state: SessionState, entry: LogEntry<'tool.call_deferred' | 'tool.approval_requested'>, status: 'requested' | 'running'): SessionState {
  const data = entry.data;
  const { run, batch } = activeBatch(state, data, entry.kind);
  const updated = withCall(batch, data.callId, entry.kind, (call) => {
    invariant(call.status === status && call.promiseId === undefined, `${entry.kind}: the call is not ${status}`, { callId: call.callId });
    const parked = cloneCall(call);
    parked.promiseId = data.promiseId;
    return parked;
  });
  return createPromise(putRun(state, withLastBatch(run, updated)), data, entry.at);
}

export function applyBatchCompleted(state: SessionState, entry: LogEntry<'tool.batch_completed'>): SessionState {
  const data = entry.data;
  const { run, batch } = activeBatch(state, data, 'tool.batch_completed');
  invariant(openCalls(batch).length === 0, 'tool.batch_completed with calls left without a result', { batchId: batch.batchId });
  return orderBatchResults(putRun(state, withLastBatch(run, { ...batch, status: 'completed' })), batch);
}

/**
 * Results enter context as calls finish, in whatever order that was; once the batch is complete
 * they are put back in call order (in the same slots), so the next request — and its cache
 * prefix — does not depend on which parallel call happened to finish first.
 */
function orderBatchResults(state: SessionState, batch: ToolBatchState): SessionState {
  const entries = state.context.entries;
  const slots: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const source = entries[i]!.source;
    if (entries[i]!.kind.type === 'toolResult' && source?.type === 'tool' && source.batchId === batch.batchId) slots.push(i);
  }
  if (slots.length < 2) return state;
  const rank = new Map(batch.calls.map((call, index) => [call.callId, index]));
  const callIndex = (entry: ContextEntry) => rank.get((entry.kind as { callId: string }).callId) ?? Number.MAX_SAFE_INTEGER;
  const ordered = slots.map((i) => entries[i]!).sort((a, b) => callIndex(a) - callIndex(b));
  if (ordered.every((entry, k) => entry === entries[slots[k]!])) return state;
  const reordered = entries.slice();
  slots.forEach((slot, k) => (reordered[slot] = ordered[k]!));
  return { ...state, context: { revision: state.context.revision + 1, entries: reordered } };
}
