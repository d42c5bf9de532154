import { accept, reject, type Admission } from '../core/admission.js';
import type { ContextEntry } from './context-entry.js';
import { conversationOf } from './context.js';
import { sectionOf } from './context-entry.js';
import type { CompactionFacts, GenerationFailure, OutputItemFact, Usage } from '../request/generation.js';
import { invariant } from '../log/invariant.js';
import type { EventDraft, LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import type { RunFailedData } from '../run/run.js';
import { putRun, withLastTurn } from '../run/run-record.js';
import { activeRun, own, type SessionState } from '../core/state.js';
import { addRetriedUsage, addUsage, checkRetriedUsage, normalizeUsage, validateUsage, type UsageTotals } from '../run/usage.js';
import { isBlobRef } from '../values/digest.js';
import { isContextKind } from './context.js';

/**
 * Compaction replaces the conversation before a boundary with the compaction outputs (a summary,
 * or a provider-native compaction item); instructions and catalogs are kept.
 * requested (manual, watermark or context overflow) → started (boundary and fingerprint fixed,
 * the durable intent of the `compact` effect) → finished (prune + insert outputs) | failed | cancelled.
 */
export type CompactionTrigger = 'manual' | 'watermark' | 'context_length';

export interface CompactionState {
  compactionId: string;
  trigger: CompactionTrigger;
  status: 'requested' | 'started';
  requestedAt: number;
  runId?: string;
  turnId?: string;
  fingerprint?: string;
  /** Last conversation entry covered (inclusive) and how many entries are compacted. */
  upToEntryId?: string;
  itemCount?: number;
}

export interface CompactionRecord {
  compactionId: string;
  trigger: CompactionTrigger;
  outcome: 'finished' | 'failed' | 'cancelled';
  at: number;
  itemCount?: number;
}

export interface ContextCompactCommand {
  type: 'context.compact';
}

export interface CompactionFinishedCommand {
  type: 'compaction.finished';
  compactionId: string;
  facts: CompactionFacts;
  fingerprint?: string;
  /** Usage of earlier attempts that failed, reported usage and were retried. */
  retriedUsage?: Usage[];
}

export interface CompactionFailedCommand {
  type: 'compaction.failed';
  compactionId: string;
  failure: GenerationFailure;
  usage?: Usage;
  retriedUsage?: Usage[];
}

export interface CompactionRequestedData {
  compactionId: string;
  trigger: CompactionTrigger;
  runId?: string;
  turnId?: string;
}

export interface CompactionStartedData {
  compactionId: string;
  fingerprint: string;
  upToEntryId: string;
  itemCount: number;
}

export interface CompactionFinishedData {
  compactionId: string;
  outputs: OutputItemFact[];
  usage: Usage;
  retriedUsage?: Usage[];
}

export interface CompactionFailedData {
  compactionId: string;
  errorClass: string;
  message: string;
  usage?: Usage;
  retriedUsage?: Usage[];
}

export interface CompactionCancelledData {
  compactionId: string;
  reason: string;
}

/** Conversation entries a started compaction covers (stable: context edits are refused meanwhile). */
export function compactedEntries(entries: readonly ContextEntry[], upToEntryId: string | undefined): ContextEntry[] {
  const conversation = conversationOf(entries);
  if (upToEntryId === undefined) return conversation;
  const end = conversation.findIndex((e) => e.id === upToEntryId);
  return end < 0 ? [] : conversation.slice(0, end + 1);
}

export function admitContextCompact(state: SessionState, _command: ContextCompactCommand): Admission {
  if (state.compaction) return accept([], { compactionId: state.compaction.compactionId });
  if (state.activeRunId === undefined && conversationOf(state.context.entries).length === 0) return accept([], {});
  const compactionId = `compact_${state.counters.compact + 1}`;
  return accept([{ kind: 'compaction.requested', data: { compactionId, trigger: 'manual' } satisfies CompactionRequestedData }], { compactionId });
}

function startedCompaction(state: SessionState, compactionId: unknown): CompactionState | Admission {
  const compaction = state.compaction;
  if (!compaction || compaction.compactionId !== compactionId) return reject('not_found', `compaction ${String(compactionId)} is not pending; the result is discarded`, { compactionId });
  if (compaction.status !== 'started') return reject('conflict', `compaction ${compaction.compactionId} has not started`, { compactionId });
  return compaction;
}

export function admitCompactionFinished(state: SessionState, command: CompactionFinishedCommand): Admission {
  const compaction = startedCompaction(state, command.compactionId);
  if (!('trigger' in compaction)) return compaction;
  if (command.fingerprint !== undefined && command.fingerprint !== compaction.fingerprint) return reject('conflict', 'fingerprint does not match the compaction request', { compactionId: compaction.compactionId });
  const facts = command.facts;
  if (typeof facts !== 'object' || facts === null || !Array.isArray(facts.outputs)) return reject('invalid', 'facts: expected CompactionFacts');
  if (!validateUsage(facts.usage)) return reject('invalid', 'facts.usage: expected non-negative integer token counts');
  const retried = checkRetriedUsage(command.retriedUsage);
  if (typeof retried === 'string') return reject('invalid', retried);
  const outputs: OutputItemFact[] = [];
  for (const [i, o] of facts.outputs.entries()) {
    if (typeof o !== 'object' || o === null || !isContextKind(o.kind) || !isBlobRef(o.contentRef)) return reject('invalid', `facts.outputs[${i}]: expected {kind, contentRef}`);
    if (sectionOf(o.kind) !== 'conversation') return reject('invalid', `facts.outputs[${i}].kind: compaction outputs belong to the conversation`);
    const fact: OutputItemFact = { kind: o.kind, contentRef: o.contentRef };
    if (typeof o.preview === 'string') fact.preview = preview(o.preview);
    if (typeof o.providerKind === 'string') fact.providerKind = o.providerKind;
    if (typeof o.providerItemId === 'string') fact.providerItemId = o.providerItemId;
    if (typeof o.mediaType === 'string') fact.mediaType = o.mediaType;
    outputs.push(fact);
  }
  const data: CompactionFinishedData = { compactionId: compaction.compactionId, outputs, usage: normalizeUsage(facts.usage) };
  if (retried) data.retriedUsage = retried;
  return accept([{ kind: 'compaction.finished', data }], { compactionId: compaction.compactionId });
}

export function admitCompactionFailed(state: SessionState, command: CompactionFailedCommand): Admission {
  const compaction = startedCompaction(state, command.compactionId);
  if (!('trigger' in compaction)) return compaction;
  const failure = command.failure;
  if (typeof failure !== 'object' || failure === null || typeof failure.message !== 'string') return reject('invalid', 'failure: expected GenerationFailure');
  if (command.usage !== undefined && !validateUsage(command.usage)) return reject('invalid', 'usage: expected non-negative integer token counts');
  const retried = checkRetriedUsage(command.retriedUsage);
  if (typeof retried === 'string') return reject('invalid', retried);
  const data: CompactionFailedData = { compactionId: compaction.compactionId, errorClass: String(failure.errorClass), message: failure.message.slice(0, 500) };
  if (command.usage !== undefined) data.usage = normalizeUsage(command.usage);
  if (retried) data.retriedUsage = retried;
  const events: EventDraft[] = [{ kind: 'compaction.failed', data }];
  const run = activeRun(state);
  const turn = run?.turns[run.turns.length - 1];
  if (run && run.status === 'running' && turn?.status === 'compacting') {
    const failed: RunFailedData = { runId: run.runId, failure: { code: 'compaction_failed', message: `the context is full and compacting it failed: ${data.message}` } };
    events.push({ kind: 'run.failed', data: failed });
  }
  return accept(events, { compactionId: compaction.compactionId });
}

export function applyCompactionRequested(state: SessionState, entry: LogEntry<'compaction.requested'>): SessionState {
  const data = entry.data;
  invariant(state.compaction === undefined, 'compaction.requested while another compaction is pending');
  invariant(data.compactionId === `compact_${state.counters.compact + 1}`, 'compaction.requested: unexpected id', { compactionId: data.compactionId });
  const compaction: CompactionState = { compactionId: data.compactionId, trigger: data.trigger, status: 'requested', requestedAt: entry.at };
  if (data.runId !== undefined) compaction.runId = data.runId;
  if (data.turnId !== undefined) compaction.turnId = data.turnId;
  return { ...state, compaction, counters: { ...state.counters, compact: state.counters.compact + 1 } };
}

export function applyCompactionStarted(state: SessionState, entry: LogEntry<'compaction.started'>): SessionState {
  const data = entry.data;
  const compaction = state.compaction;
  invariant(compaction !== undefined && compaction.compactionId === data.compactionId && compaction.status === 'requested', 'compaction.started: not the requested compaction');
  invariant(data.itemCount > 0 && compactedEntries(state.context.entries, data.upToEntryId).length === data.itemCount, 'compaction.started: boundary does not match the conversation');
  return { ...state, compaction: { ...compaction, status: 'started', fingerprint: data.fingerprint, upToEntryId: data.upToEntryId, itemCount: data.itemCount } };
}

/** Marks the active run's compacting turn as compacted so it re-requests its generation (once). */
function releaseCompactingTurn(state: SessionState): SessionState {
  const run = activeRun(state);
  const turn = run?.turns[run.turns.length - 1];
  if (!run || !turn || turn.status !== 'compacting') return state;
  return putRun(state, withLastTurn(run, { ...turn, compacted: true }));
}

function ended(state: SessionState, outcome: CompactionRecord['outcome'], at: number): SessionState {
  const compaction = state.compaction!;
  const record: CompactionRecord = { compactionId: compaction.compactionId, trigger: compaction.trigger, outcome, at };
  if (compaction.itemCount !== undefined) record.itemCount = compaction.itemCount;
  // Whatever the outcome, the last prompt size no longer describes the context (and a failed
  // watermark compaction must not re-trigger itself forever). Fields are cleared with `undefined`
  // rather than `delete` so the state keeps one object shape (fast spreads).
  const next: SessionState = { ...state, lastCompaction: record, compaction: undefined, lastPromptTokens: undefined };
  return releaseCompactingTurn(next);
}

export function applyCompactionFinished(state: SessionState, entry: LogEntry<'compaction.finished'>): SessionState {
  const data = entry.data;
  const compaction = state.compaction;
  invariant(compaction !== undefined && compaction.compactionId === data.compactionId && compaction.status === 'started', 'compaction.finished: not the started compaction');
  const covered = new Set(compactedEntries(state.context.entries, compaction.upToEntryId).map((e) => e.id));
  invariant(covered.size === compaction.itemCount, 'compaction.finished: the compacted entries changed while compacting');
  // Prune: the outputs take the place of the first compacted entry; everything else covered goes.
  let counter = state.counters.ctx;
  const replacements: ContextEntry[] = data.outputs.map((o) => {
    const e: ContextEntry = { id: `ctx_${++counter}`, kind: o.kind, contentRef: o.contentRef, source: { type: 'runtime', label: `compaction:${compaction.compactionId}` } };
    if (o.preview !== undefined) e.preview = o.preview;
    if (o.mediaType !== undefined) e.mediaType = o.mediaType;
    if (o.providerKind !== undefined) e.providerKind = o.providerKind;
    if (o.providerItemId !== undefined) e.providerItemId = o.providerItemId;
    return e;
  });
  const entries: ContextEntry[] = [];
  let placed = false;
  for (const e of state.context.entries) {
    if (!covered.has(e.id)) {
      entries.push(e);
      continue;
    }
    if (!placed) {
      entries.push(...replacements);
      placed = true;
    }
  }
  const prices = state.config?.prices;
  const total = (usage: UsageTotals): UsageTotals => addUsage(addRetriedUsage(usage, data.retriedUsage, prices), data.usage, prices);
  let next: SessionState = { ...state, context: { revision: state.context.revision + 1, entries }, counters: { ...state.counters, ctx: counter }, usage: total(state.usage) };
  const run = compaction.runId === undefined ? undefined : own(state.runs, compaction.runId);
  if (run) next = putRun(next, { ...run, usage: total(run.usage) });
  return ended(next, 'finished', entry.at);
}

export function applyCompactionFailed(state: SessionState, entry: LogEntry<'compaction.failed'>): SessionState {
  const data = entry.data;
  const compaction = state.compaction;
  invariant(compaction !== undefined && compaction.compactionId === data.compactionId && compaction.status === 'started', 'compaction.failed: not the started compaction');
  let next = state;
  if (data.usage || data.retriedUsage) {
    const prices = state.config?.prices;
    const total = (usage: UsageTotals): UsageTotals => {
      const retried = addRetriedUsage(usage, data.retriedUsage, prices);
      return data.usage ? addUsage(retried, data.usage, prices) : retried;
    };
    next = { ...next, usage: total(next.usage) };
    const run = compaction.runId === undefined ? undefined : own(next.runs, compaction.runId);
    if (run) next = putRun(next, { ...run, usage: total(run.usage) });
  }
  return ended(next, 'failed', entry.at);
}

export function applyCompactionCancelled(state: SessionState, entry: LogEntry<'compaction.cancelled'>): SessionState {
  const data = entry.data;
  invariant(state.compaction !== undefined && state.compaction.compactionId === data.compactionId, 'compaction.cancelled: not the pending compaction');
  return ended(state, 'cancelled', entry.at);
}

/** The high-watermark trigger: auto mode and the last prompt reached the threshold. */
export function watermarkReached(state: SessionState): boolean {
  const config = state.config?.compaction;
  if (!config || config.mode !== 'auto' || config.thresholdTokens === undefined) return false;
  return state.lastPromptTokens !== undefined && state.lastPromptTokens >= config.thresholdTokens && conversationOf(state.context.entries).length > 0;
}
