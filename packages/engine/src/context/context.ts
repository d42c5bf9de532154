import { accept, reject, type Admission, type ContextKeyResult } from '../core/admission.js';
import { canonicalJson } from '../values/canonical-json.js';
import { sectionOf, type ContextEntry, type ContextEntryKind, type ContextEntrySource } from './context-entry.js';
import { isBlobRef } from '../values/digest.js';
import { invariant } from '../log/invariant.js';
import type { LogEntry } from '../log/log.js';
import { preview } from '../values/preview.js';
import { bump, cloneState, type SessionState } from '../core/state.js';

/**
 * The context slice: entries in insertion order (a replaced keyed entry keeps its place). Prompt
 * order (instructions, catalogs, conversation) is derived from kinds by `promptOrder`, so pinned
 * sections stay a stable prefix for provider caches. `revision` increments on every change and is
 * what a planned generation is pinned to.
 */
export interface ContextSlice {
  revision: number;
  entries: ContextEntry[];
}

/** One entry of `context.put` as a caller supplies it (body already in CAS). */
export interface ContextPutEntry {
  key: string;
  kind: ContextEntryKind;
  contentRef: ContextEntry['contentRef'];
  preview?: string;
  mediaType?: string;
  tokenEstimate?: number;
  source?: ContextEntrySource;
  /** `run`: the entry lasts until the end of the active run (or the next one, put while idle). */
  scope?: 'run';
}

export interface ContextPutCommand {
  type: 'context.put';
  entries: ContextPutEntry[];
  /** Compare-and-set per key: 0 = the key must not exist; n = its current revision must be n. */
  expectedRevisions?: Record<string, number>;
}

export interface ContextRemoveCommand {
  type: 'context.remove';
  keys: string[];
  expectedRevisions?: Record<string, number>;
}

/** `context.put`: the applied entries as they now stand (id, key and new revision included). */
export interface ContextPutData {
  entries: ContextEntry[];
}

export interface ContextRemovedData {
  keys: string[];
}

/** Keys under `run.` are written by the engine itself (none today) and refused from callers. */
export const RESERVED_KEY_PREFIX = 'run.';
const KIND_TYPES = new Set(['message', 'instructions', 'vfsCatalog', 'skillCatalog', 'skillActivation', 'toolCall', 'toolResult', 'reasoningState', 'providerOpaque']);
const ROLES = new Set(['user', 'assistant', 'system', 'developer']);

export function isContextKind(kind: unknown): kind is ContextEntryKind {
  if (typeof kind !== 'object' || kind === null) return false;
  const k = kind as Record<string, unknown>;
  if (!KIND_TYPES.has(k.type as string)) return false;
  switch (k.type) {
    case 'message':
      return ROLES.has(k.role as string);
    case 'skillActivation':
      return typeof k.catalogId === 'string' && typeof k.skillId === 'string';
    case 'toolCall':
      return typeof k.callId === 'string' && typeof k.name === 'string';
    case 'toolResult':
      return typeof k.callId === 'string' && typeof k.isError === 'boolean';
    default:
      return true;
  }
}

export function keyIndex(context: ContextSlice, key: string): number {
  const entries = context.entries;
  for (let i = 0; i < entries.length; i++) if (entries[i]!.key === key) return i;
  return -1;
}

function currentRevision(context: ContextSlice, key: string): number {
  const index = keyIndex(context, key);
  return index < 0 ? 0 : (context.entries[index]!.revision ?? 1);
}

/** Context edits are refused while a compaction is running: its request is pinned to the entries. */
function busyCompacting(state: SessionState): Admission | undefined {
  if (state.compaction?.status === 'started') return reject('busy', 'a compaction is running; retry the context edit when it finishes');
  return undefined;
}

function checkExpected(state: SessionState, expected: Record<string, number> | undefined): Admission | undefined {
  if (expected === undefined) return undefined;
  if (typeof expected !== 'object' || expected === null) return reject('invalid', 'expectedRevisions: expected an object of key → revision');
  for (const key of Object.keys(expected)) {
    const want = expected[key];
    if (typeof want !== 'number' || !Number.isInteger(want) || want < 0) return reject('invalid', `expectedRevisions.${key}: expected a non-negative integer`, { key });
    const actual = currentRevision(state.context, key);
    if (actual !== want) {
      return reject('conflict', `context key ${key} is at revision ${actual}, not ${want}; re-read the context and retry`, { key, expected: want, actual });
    }
  }
  return undefined;
}

function sameContent(entry: ContextEntry, put: ContextPutEntry): boolean {
  return (
    entry.contentRef === put.contentRef &&
    canonicalJson(entry.kind) === canonicalJson(put.kind) &&
    entry.mediaType === put.mediaType &&
    entry.preview === (put.preview === undefined ? undefined : preview(put.preview)) &&
    entry.tokenEstimate === put.tokenEstimate &&
    entry.scope === put.scope &&
    canonicalJson(entry.source ?? { type: 'contextEdit' }) === canonicalJson(put.source ?? { type: 'contextEdit' })
  );
}

export function admitContextPut(state: SessionState, command: ContextPutCommand): Admission {
  if (!Array.isArray(command.entries) || command.entries.length === 0) return reject('invalid', 'entries: expected a non-empty array');
  const seen = new Set<string>();
  for (const [i, entry] of command.entries.entries()) {
    if (typeof entry !== 'object' || entry === null) return reject('invalid', `entries[${i}]: expected an object`);
    if (typeof entry.key !== 'string' || entry.key.length === 0 || entry.key.length > 256) return reject('invalid', `entries[${i}].key: expected a non-empty string (≤ 256 chars)`);
    if (entry.key.startsWith(RESERVED_KEY_PREFIX)) return reject('invalid', `entries[${i}].key: keys starting with "${RESERVED_KEY_PREFIX}" are reserved`, { key: entry.key });
    if (seen.has(entry.key)) return reject('invalid', `entries[${i}].key: ${entry.key} appears twice`, { key: entry.key });
    seen.add(entry.key);
    if (!isContextKind(entry.kind)) return reject('invalid', `entries[${i}].kind: not a context entry kind`);
    if (!isBlobRef(entry.contentRef)) return reject('invalid', `entries[${i}].contentRef: expected sha256:<64 hex>`);
    if (entry.tokenEstimate !== undefined && (!Number.isInteger(entry.tokenEstimate) || entry.tokenEstimate < 0)) return reject('invalid', `entries[${i}].tokenEstimate: expected a non-negative integer`);
    if (entry.preview !== undefined && typeof entry.preview !== 'string') return reject('invalid', `entries[${i}].preview: expected a string`);
    if (entry.mediaType !== undefined && (typeof entry.mediaType !== 'string' || entry.mediaType.length > 256)) return reject('invalid', `entries[${i}].mediaType: expected a string`);
    if (entry.scope !== undefined && entry.scope !== 'run') return reject('invalid', `entries[${i}].scope: expected "run" (or absent for the session)`);
  }
  const busy = busyCompacting(state);
  if (busy) return busy;
  const conflict = checkExpected(state, command.expectedRevisions);
  if (conflict) return conflict;

  let counter = state.counters.ctx;
  const applied: ContextEntry[] = [];
  const results: ContextKeyResult[] = [];
  for (const put of command.entries) {
    const index = keyIndex(state.context, put.key);
    const existing = index < 0 ? undefined : state.context.entries[index]!;
    if (existing && sameContent(existing, put)) {
      results.push({ key: put.key, status: 'unchanged', entryId: existing.id, revision: existing.revision ?? 1 });
      continue;
    }
    const entry: ContextEntry = {
      id: existing ? existing.id : `ctx_${++counter}`,
      key: put.key,
      kind: put.kind,
      contentRef: put.contentRef,
      revision: existing ? (existing.revision ?? 1) + 1 : 1,
      source: put.source ?? { type: 'contextEdit' },
    };
    if (put.preview !== undefined) entry.preview = preview(put.preview);
    if (put.mediaType !== undefined) entry.mediaType = put.mediaType;
    if (put.tokenEstimate !== undefined) entry.tokenEstimate = put.tokenEstimate;
    if (put.scope !== undefined) entry.scope = put.scope;
    applied.push(entry);
    results.push({ key: put.key, status: 'applied', entryId: entry.id, revision: entry.revision! });
  }
  const revision = state.context.revision + (applied.length > 0 ? 1 : 0);
  const events = applied.length > 0 ? [{ kind: 'context.put' as const, data: { entries: applied } satisfies ContextPutData }] : [];
  return accept(events, { entries: results, contextRevision: revision });
}

export function admitContextRemove(state: SessionState, command: ContextRemoveCommand): Admission {
  if (!Array.isArray(command.keys) || command.keys.length === 0 || command.keys.some((k) => typeof k !== 'string')) return reject('invalid', 'keys: expected a non-empty array of strings');
  const busy = busyCompacting(state);
  if (busy) return busy;
  const conflict = checkExpected(state, command.expectedRevisions);
  if (conflict) return conflict;
  const present = [...new Set(command.keys)].filter((key) => keyIndex(state.context, key) >= 0);
  const results: ContextKeyResult[] = command.keys.map((key) => ({ key, status: present.includes(key) ? 'applied' : 'unchanged' }));
  const revision = state.context.revision + (present.length > 0 ? 1 : 0);
  const events = present.length > 0 ? [{ kind: 'context.removed' as const, data: { keys: present } satisfies ContextRemovedData }] : [];
  return accept(events, { entries: results, contextRevision: revision });
}

export function applyContextPut(state: SessionState, entry: LogEntry<'context.put'>): SessionState {
  const data = entry.data;
  const entries = state.context.entries.slice();
  let counter = state.counters.ctx;
  for (const put of data.entries) {
    invariant(put.key !== undefined, 'context.put entry without key');
    const index = entries.findIndex((e) => e.key === put.key);
    if (index >= 0) {
      const old = entries[index]!;
      invariant(old.id === put.id && put.revision === (old.revision ?? 1) + 1, 'context.put: replaced entry must keep its id and bump its revision', { key: put.key });
      entries[index] = put;
    } else {
      counter += 1;
      invariant(put.id === `ctx_${counter}` && put.revision === 1, 'context.put: unexpected id or revision for a new key', { key: put.key, id: put.id });
      entries.push(put);
    }
  }
  return { ...state, context: { revision: state.context.revision + 1, entries }, counters: { ...state.counters, ctx: counter } };
}

export function applyContextRemoved(state: SessionState, entry: LogEntry<'context.removed'>): SessionState {
  const { keys } = entry.data;
  const drop = new Set(keys);
  const entries = state.context.entries.filter((e) => e.key === undefined || !drop.has(e.key));
  invariant(entries.length === state.context.entries.length - drop.size, 'context.removed: every removed key must exist', { keys });
  return { ...state, context: { revision: state.context.revision + 1, entries } };
}

/** Drops the run-scoped entries: called as the active run ends (a new context revision if any). */
export function dropRunScoped(state: SessionState): SessionState {
  if (!state.context.entries.some((e) => e.scope === 'run')) return state;
  return { ...state, context: { revision: state.context.revision + 1, entries: state.context.entries.filter((e) => e.scope !== 'run') } };
}

/**
 * Appends engine-produced entries (run input, outputs, tool results…), assigning `ctx_<n>` ids.
 * With `fresh`, `state` is a copy the calling reducer just made and is updated in place.
 */
export function appendEntries(state: SessionState, drafts: Omit<ContextEntry, 'id'>[], fresh = false): SessionState {
  if (drafts.length === 0) return state;
  let counter = state.counters.ctx;
  const added = drafts.map((draft) => ({ id: `ctx_${++counter}`, ...draft }) as ContextEntry);
  const next = fresh ? state : cloneState(state);
  next.context = { revision: state.context.revision + 1, entries: state.context.entries.concat(added) };
  const counters = bump(state.counters, 'ctx');
  counters.ctx = counter;
  next.counters = counters;
  return next;
}

/** Prompt order: instructions, then catalogs, then the conversation, each in insertion order. */
export function promptOrder(entries: readonly ContextEntry[]): { items: ContextEntry[]; pinned: number } {
  const instructions: ContextEntry[] = [];
  const catalogs: ContextEntry[] = [];
  const conversation: ContextEntry[] = [];
  for (const entry of entries) {
    const section = sectionOf(entry.kind);
    if (section === 'instructions') instructions.push(entry);
    else if (section === 'catalog') catalogs.push(entry);
    else conversation.push(entry);
  }
  return { items: [...instructions, ...catalogs, ...conversation], pinned: instructions.length + catalogs.length };
}

export function conversationOf(entries: readonly ContextEntry[]): ContextEntry[] {
  return entries.filter((entry) => sectionOf(entry.kind) === 'conversation');
}
