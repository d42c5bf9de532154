import { accept, reject, type Admission } from '../core/admission.js';
import type { CompactionRequestedData } from '../context/compaction.js';
import type { ContextEntry } from '../context/context-entry.js';
import { appendEntries, isContextKind } from '../context/context.js';
import { isBlobRef, type BlobRef } from '../values/digest.js';
import type { FinishReason, GenerationFacts, GenerationFailure, OutputItemFact, Usage } from '../request/generation.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import { bump, bumpActivity, findRun, type SessionState } from '../core/state.js';
import type { RunFailedData, RunState } from './run.js';
import { cloneRun, liveRun, putRun, withLastTurn } from './run-record.js';
import type { ToolCallFact } from './tool.js';
import { addRetriedUsage, addUsage, checkRetriedUsage, normalizeUsage, promptTokens, validateUsage } from './usage.js';

/**
 * A turn is one LLM generation (re-requested after a mid-run compaction or when the context it was
 * planned on changed) followed by at most one tool batch.
 * - generating: `turn.started`/`turn.generation_requested` recorded, awaiting the runtime result
 * - compacting: the context was full; waiting for a compaction, then the generation is re-requested
 * - generated: result recorded; the planner decides (tool batch, another turn, or completion)
 * - tools: its tool batch is open
 */
export type TurnStatus = 'generating' | 'compacting' | 'generated' | 'tools' | 'completed' | 'cancelled' | 'failed';

export interface TurnState {
  turnId: string;
  status: TurnStatus;
  /** Generation attempts requested for this turn (1-based). */
  attempt: number;
  /** digestOf(generationRequest) of the current attempt. */
  fingerprint: string;
  /** The context and toolset revisions the request was derived from (staleness check). */
  contextRevision: number;
  toolsRevision: number;
  finishReason?: FinishReason;
  responseId?: string;
  /** Tool calls of the generation, until the batch is opened. */
  toolCalls?: ToolCallFact[];
  batchId?: string;
  /** A compaction already ran for this turn: a second context overflow fails the run. */
  compacted?: boolean;
}

export interface GenerationFinishedCommand {
  type: 'generation.finished';
  runId: string;
  turnId: string;
  fingerprint: string;
  facts: GenerationFacts;
  /** Usage of earlier attempts of this generation that failed, reported usage and were retried. */
  retriedUsage?: Usage[];
}

/**
 * The driver already retried transient failures; `usage` counts what the last attempt consumed,
 * `retriedUsage` the earlier attempts that reported usage.
 */
export interface GenerationFailedCommand {
  type: 'generation.failed';
  runId: string;
  turnId: string;
  failure: GenerationFailure;
  fingerprint?: string;
  usage?: Usage;
  retriedUsage?: Usage[];
}

export interface TurnRequestData {
  runId: string;
  turnId: string;
  attempt: number;
  fingerprint: string;
  contextRevision: number;
  toolsRevision: number;
}

export interface TurnGenerationFinishedData {
  runId: string;
  turnId: string;
  attempt: number;
  finishReason: FinishReason;
  usage: Usage;
  outputs: OutputItemFact[];
  toolCalls: ToolCallFact[];
  responseId?: string;
  /** Failed attempts before this one that consumed tokens (counted in the totals, one call each). */
  retriedUsage?: Usage[];
}

export interface TurnGenerationFailedData {
  runId: string;
  turnId: string;
  attempt: number;
  failure: GenerationFailure;
  usage?: Usage;
  retriedUsage?: Usage[];
}

export interface TurnIdData {
  runId: string;
  turnId: string;
}

const FINISH_REASONS = new Set(['stop', 'tool_calls', 'length', 'context_length', 'content_filter', 'refusal', 'other']);
const MAX_OUTPUTS = 1024;
const MAX_MESSAGE = 500;

/** A shallow copy of a turn, field by field (see cloneState for why). */
export function cloneTurn(t: TurnState): TurnState {
  const copy: { [K in keyof Required<TurnState>]: TurnState[K] } = {
    turnId: t.turnId,
    status: t.status,
    attempt: t.attempt,
    fingerprint: t.fingerprint,
    contextRevision: t.contextRevision,
    toolsRevision: t.toolsRevision,
    finishReason: t.finishReason,
    responseId: t.responseId,
    toolCalls: t.toolCalls,
    batchId: t.batchId,
    compacted: t.compacted,
  };
  return copy;
}

export function isTerminalTurn(turn: TurnState): boolean {
  return turn.status === 'completed' || turn.status === 'cancelled' || turn.status === 'failed';
}

export function currentTurn(run: RunState): TurnState | undefined {
  return run.turns[run.turns.length - 1];
}

/** Finds the turn a runtime result is for, or the rejection that tells the driver to discard it. */
function awaitedTurn(state: SessionState, runId: string, turnId: string): { run: RunState; turn: TurnState } | Admission {
  const run = typeof runId === 'string' ? findRun(state, runId) : undefined;
  if (!run) return reject('not_found', `run ${String(runId)} does not exist`, { runId });
  if (state.activeRunId !== run.runId || run.status !== 'running') return reject('conflict', `run ${run.runId} is ${run.status}; the result is discarded`, { runId, status: run.status });
  const turn = currentTurn(run);
  if (!turn || turn.turnId !== turnId) return reject('not_found', `turn ${String(turnId)} is not the current turn of run ${run.runId}`, { runId, turnId });
  if (turn.status !== 'generating') return reject('conflict', `turn ${turnId} is ${turn.status}, not awaiting a generation`, { runId, turnId, status: turn.status });
  if (turn.contextRevision !== state.context.revision || turn.toolsRevision !== state.tools.revision) {
    return reject('conflict', `the context or toolset changed while turn ${turnId} was generating; the planner requests a fresh generation`, { runId, turnId });
  }
  return { run, turn };
}

function validateOutputs(outputs: unknown): OutputItemFact[] | Admission {
  if (!Array.isArray(outputs) || outputs.length > MAX_OUTPUTS) return reject('invalid', 'facts.outputs: expected an array');
  const out: OutputItemFact[] = [];
  for (const [i, item] of outputs.entries()) {
    const o = item as OutputItemFact;
    if (typeof o !== 'object' || o === null || !isContextKind(o.kind) || !isBlobRef(o.contentRef)) return reject('invalid', `facts.outputs[${i}]: expected {kind, contentRef}`);
    const fact: OutputItemFact = { kind: o.kind, contentRef: o.contentRef };
    if (typeof o.preview === 'string') fact.preview = preview(o.preview);
    if (typeof o.providerKind === 'string') fact.providerKind = o.providerKind;
    if (typeof o.providerItemId === 'string') fact.providerItemId = o.providerItemId;
    if (typeof o.mediaType === 'string') fact.mediaType = o.mediaType;
    out.push(fact);
  }
  return out;
}

function validateToolCalls(calls: unknown): ToolCallFact[] | Admission {
  if (!Array.isArray(calls) || calls.length > MAX_OUTPUTS) return reject('invalid', 'facts.toolCalls: expected an array');
  const seen = new Set<string>();
  const out: ToolCallFact[] = [];
  for (const [i, call] of calls.entries()) {
    const c = call as ToolCallFact;
    if (typeof c !== 'object' || c === null || typeof c.callId !== 'string' || c.callId.length === 0 || typeof c.name !== 'string' || !isBlobRef(c.argumentsRef)) {
      return reject('invalid', `facts.toolCalls[${i}]: expected {callId, name, argumentsRef}`);
    }
    if (seen.has(c.callId)) return reject('invalid', `facts.toolCalls[${i}].callId: ${c.callId} appears twice`);
    seen.add(c.callId);
    const fact: ToolCallFact = { callId: c.callId, name: c.name, argumentsRef: c.argumentsRef };
    if (typeof c.providerItemId === 'string') fact.providerItemId = c.providerItemId;
    out.push(fact);
  }
  return out;
}

/** What follows a context overflow: a compaction (once per turn), or failing the run. */
function overflowEvents(state: SessionState, run: RunState, turn: TurnState): EventDraft[] {
  if (turn.compacted) {
    const data: RunFailedData = { runId: run.runId, failure: { code: 'context_length', message: 'the context is still too long for the model after compacting it; remove context or use a model with a larger window' } };
    return [{ kind: 'run.failed', data }];
  }
  if (state.compaction) return [];
  const data: CompactionRequestedData = { compactionId: `compact_${state.counters.compact + 1}`, trigger: 'context_length', runId: run.runId, turnId: turn.turnId };
  return [{ kind: 'compaction.requested', data }];
}

export function admitGenerationFinished(state: SessionState, command: GenerationFinishedCommand): Admission {
  const found = awaitedTurn(state, command.runId, command.turnId);
  if (!('turn' in found)) return found;
  const { run, turn } = found;
  if (command.fingerprint !== turn.fingerprint) {
    return reject('conflict', `fingerprint does not match turn ${turn.turnId} attempt ${turn.attempt}; the result is for another request`, { runId: run.runId, turnId: turn.turnId });
  }
  const facts = command.facts;
  if (typeof facts !== 'object' || facts === null) return reject('invalid', 'facts: expected GenerationFacts');
  if (!FINISH_REASONS.has(facts.finishReason)) return reject('invalid', 'facts.finishReason: unknown finish reason');
  if (!validateUsage(facts.usage)) return reject('invalid', 'facts.usage: expected non-negative integer token counts');
  const outputs = validateOutputs(facts.outputs);
  if (!Array.isArray(outputs)) return outputs;
  const toolCalls = validateToolCalls(facts.toolCalls ?? []);
  if (!Array.isArray(toolCalls)) return toolCalls;
  const retried = checkRetriedUsage(command.retriedUsage);
  if (typeof retried === 'string') return reject('invalid', retried);
  const data: TurnGenerationFinishedData = { runId: run.runId, turnId: turn.turnId, attempt: turn.attempt, finishReason: facts.finishReason, usage: normalizeUsage(facts.usage), outputs, toolCalls };
  if (typeof facts.responseId === 'string') data.responseId = facts.responseId;
  if (retried) data.retriedUsage = retried;
  const events: EventDraft[] = [{ kind: 'turn.generation_finished', data }];
  if (facts.finishReason === 'context_length') events.push(...overflowEvents(state, run, turn));
  return accept(events, { runId: run.runId });
}

export function admitGenerationFailed(state: SessionState, command: GenerationFailedCommand): Admission {
  const found = awaitedTurn(state, command.runId, command.turnId);
  if (!('turn' in found)) return found;
  const { run, turn } = found;
  if (command.fingerprint !== undefined && command.fingerprint !== turn.fingerprint) return reject('conflict', 'fingerprint does not match the current generation request', { runId: run.runId, turnId: turn.turnId });
  const failure = command.failure;
  if (typeof failure !== 'object' || failure === null || typeof failure.errorClass !== 'string' || typeof failure.message !== 'string') return reject('invalid', 'failure: expected GenerationFailure');
  if (command.usage !== undefined && !validateUsage(command.usage)) return reject('invalid', 'usage: expected non-negative integer token counts');
  const retried = checkRetriedUsage(command.retriedUsage);
  if (typeof retried === 'string') return reject('invalid', retried);
  const bounded: GenerationFailure = { errorClass: failure.errorClass, message: failure.message.slice(0, MAX_MESSAGE), retryable: failure.retryable === true };
  if (typeof failure.status === 'number') bounded.status = failure.status;
  if (typeof failure.retryAfterMs === 'number') bounded.retryAfterMs = failure.retryAfterMs;
  const data: TurnGenerationFailedData = { runId: run.runId, turnId: turn.turnId, attempt: turn.attempt, failure: bounded };
  if (command.usage !== undefined) data.usage = normalizeUsage(command.usage);
  if (retried) data.retriedUsage = retried;
  const events: EventDraft[] = [{ kind: 'turn.generation_failed', data }];
  if (failure.errorClass === 'context_length') events.push(...overflowEvents(state, run, turn));
  else {
    const failed: RunFailedData = { runId: run.runId, failure: { code: 'provider_error', errorClass: failure.errorClass, message: bounded.message } };
    events.push({ kind: 'run.failed', data: failed });
  }
  return accept(events, { runId: run.runId });
}

function activeTurn(state: SessionState, data: { runId: string; turnId: string }, kind: string): { run: RunState; turn: TurnState } {
  const run = liveRun(state, data.runId, kind);
  invariant(state.activeRunId === run.runId, `${kind}: run is not active`, { runId: run.runId });
  const turn = currentTurn(run);
  invariant(turn !== undefined && turn.turnId === data.turnId, `${kind}: not the current turn`, { turnId: data.turnId });
  return { run, turn };
}

export function applyTurnStarted(state: SessionState, entry: LogEntry<'turn.started'>): SessionState {
  const data = entry.data;
  invariant(data.turnId === `turn_${state.counters.turn + 1}` && data.attempt === 1, 'turn.started: unexpected turn id or attempt', { turnId: data.turnId });
  const run = liveRun(state, data.runId, 'turn.started');
  invariant(state.activeRunId === run.runId && run.status === 'running', 'turn.started: the run is not running');
  const last = currentTurn(run);
  invariant(last === undefined || last.status === 'completed', 'turn.started before the previous turn completed');
  invariant(run.pendingSteering.length === 0, 'turn.started with steering not yet applied');
  const turn: TurnState = { turnId: data.turnId, status: 'generating', attempt: 1, fingerprint: data.fingerprint, contextRevision: data.contextRevision, toolsRevision: data.toolsRevision };
  const withTurn = cloneRun(run);
  withTurn.turns = [...run.turns, turn];
  const next = putRun(state, withTurn);
  next.counters = bump(state.counters, 'turn');
  next.activity = bumpActivity(state.activity, 'turns');
  return next;
}

export function applyGenerationRequested(state: SessionState, entry: LogEntry<'turn.generation_requested'>): SessionState {
  const data = entry.data;
  const { run, turn } = activeTurn(state, data, 'turn.generation_requested');
  invariant(run.status === 'running', 'turn.generation_requested: the run is not running');
  invariant(turn.status === 'generating' || turn.status === 'compacting', 'turn.generation_requested: the turn is not awaiting a generation', { status: turn.status });
  invariant(data.attempt === turn.attempt + 1, 'turn.generation_requested: attempts must follow each other', { attempt: data.attempt });
  const next = cloneTurn(turn);
  next.status = 'generating';
  next.attempt = data.attempt;
  next.fingerprint = data.fingerprint;
  next.contextRevision = data.contextRevision;
  next.toolsRevision = data.toolsRevision;
  return putRun(state, withLastTurn(run, next));
}

/** toolCall entries the outputs did not already carry, so every call has its call entry in context. */
function missingCallEntries(outputs: OutputItemFact[], calls: ToolCallFact[]): OutputItemFact[] {
  const present = new Set<string>();
  for (const o of outputs) if (o.kind.type === 'toolCall') present.add(o.kind.callId);
  const out: OutputItemFact[] = [];
  for (const call of calls) {
    if (present.has(call.callId)) continue;
    const fact: OutputItemFact = { kind: { type: 'toolCall', callId: call.callId, name: call.name }, contentRef: call.argumentsRef, preview: preview(call.name) };
    if (call.providerItemId !== undefined) fact.providerItemId = call.providerItemId;
    out.push(fact);
  }
  return out;
}

function outputEntry(fact: OutputItemFact, runId: string, turnId: string, apiKind: string | undefined): Omit<ContextEntry, 'id'> {
  const entry: Omit<ContextEntry, 'id'> = { kind: fact.kind, contentRef: fact.contentRef };
  if (fact.preview !== undefined) entry.preview = fact.preview;
  if (fact.mediaType !== undefined) entry.mediaType = fact.mediaType;
  if (fact.providerKind !== undefined) entry.providerKind = fact.providerKind;
  if (fact.providerItemId !== undefined) entry.providerItemId = fact.providerItemId;
  if (apiKind !== undefined && (fact.providerKind !== undefined || fact.providerItemId !== undefined)) entry.apiKind = apiKind;
  const kind = fact.kind.type;
  entry.source = kind === 'reasoningState' ? { type: 'reasoning', runId, turnId } : { type: 'assistantOutput', runId, turnId };
  return entry;
}

export function applyGenerationFinished(state: SessionState, entry: LogEntry<'turn.generation_finished'>): SessionState {
  const data = entry.data;
  const { run, turn } = activeTurn(state, data, 'turn.generation_finished');
  invariant(turn.status === 'generating' && data.attempt === turn.attempt, 'turn.generation_finished: the turn is not awaiting this attempt', { status: turn.status });
  const overflow = data.finishReason === 'context_length';
  const nextTurn = cloneTurn(turn);
  nextTurn.status = overflow ? 'compacting' : 'generated';
  nextTurn.finishReason = data.finishReason;
  if (data.responseId !== undefined) nextTurn.responseId = data.responseId;
  if (!overflow && data.toolCalls.length > 0) nextTurn.toolCalls = data.toolCalls;
  const prices = state.config?.prices;
  const updated = withLastTurn(run, nextTurn);
  updated.usage = addUsage(addRetriedUsage(run.usage, data.retriedUsage, prices), data.usage, prices);
  let answer: BlobRef | undefined;
  for (const o of data.outputs) if (o.kind.type === 'message' && o.kind.role === 'assistant') answer = o.contentRef;
  if (answer !== undefined) updated.outputRef = answer;
  const next = putRun(state, updated);
  next.usage = addUsage(addRetriedUsage(state.usage, data.retriedUsage, prices), data.usage, prices);
  next.lastPromptTokens = promptTokens(data.usage);
  const apiKind = (run.config?.model ?? state.config?.model)?.apiKind;
  const facts = overflow ? data.outputs : data.outputs.concat(missingCallEntries(data.outputs, data.toolCalls));
  return appendEntries(next, facts.map((fact) => outputEntry(fact, run.runId, turn.turnId, apiKind)), true);
}

export function applyGenerationFailed(state: SessionState, entry: LogEntry<'turn.generation_failed'>): SessionState {
  const data = entry.data;
  const { run, turn } = activeTurn(state, data, 'turn.generation_failed');
  invariant(turn.status === 'generating' && data.attempt === turn.attempt, 'turn.generation_failed: the turn is not awaiting this attempt');
  const overflow = data.failure.errorClass === 'context_length' && !turn.compacted;
  const prices = state.config?.prices;
  const failed = cloneTurn(turn);
  failed.status = overflow ? 'compacting' : 'failed';
  const updated = withLastTurn(run, failed);
  updated.usage = addRetriedUsage(run.usage, data.retriedUsage, prices);
  if (data.usage) updated.usage = addUsage(updated.usage, data.usage, prices);
  const next = putRun(state, updated);
  next.usage = addRetriedUsage(state.usage, data.retriedUsage, prices);
  if (data.usage) next.usage = addUsage(next.usage, data.usage, prices);
  return next;
}

export function applyTurnCompleted(state: SessionState, entry: LogEntry<'turn.completed'>): SessionState {
  const data = entry.data;
  const { run, turn } = activeTurn(state, data, 'turn.completed');
  const batch = run.batches[run.batches.length - 1];
  const generatedWithoutCalls = turn.status === 'generated' && (turn.toolCalls === undefined || turn.toolCalls.length === 0);
  const toolsDone = turn.status === 'tools' && batch !== undefined && batch.batchId === turn.batchId && batch.status === 'completed';
  invariant(generatedWithoutCalls || toolsDone, 'turn.completed: the turn still has work (tool calls or an open batch)', { status: turn.status });
  const done = cloneTurn(turn);
  done.status = 'completed';
  done.toolCalls = undefined;
  return putRun(state, withLastTurn(run, done));
}

export function applyTurnCancelled(state: SessionState, entry: LogEntry<'turn.cancelled'>): SessionState {
  const data = entry.data;
  const { run, turn } = activeTurn(state, data, 'turn.cancelled');
  invariant(!isTerminalTurn(turn), 'turn.cancelled: the turn already ended');
  const done = cloneTurn(turn);
  done.status = 'cancelled';
  done.toolCalls = undefined;
  return putRun(state, withLastTurn(run, done));
}
