import { putText } from '@lightspeed/cas';
import { isBlobRef, preview, RESERVED_KEY_PREFIX, type ContextPutEntry } from '@lightspeed/engine';
import { invalidRequest, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { ContextAppendResult, ContextRemoveResult } from '../schemas/context.js';
import { entryKindView } from '../views/context-entry-view.js';
import { sessionView } from '../views/session-view.js';
import type { SessionAccess } from './session-access.js';

export interface ContextMethodOptions {
  /** How long session/context/compact waits for the compaction to finish (default 120 s). */
  compactTimeoutMs?: number;
}

/** session/context/append, remove, compact. */
export function contextMethods(access: SessionAccess, options: ContextMethodOptions = {}): MethodHandlers {
  const host = access.host;
  const compactTimeoutMs = options.compactTimeoutMs ?? 120_000;
  return {
    'session/context/append': async ({ sessionId, entries }, { universe }) => {
      const ref = { universe, sessionId };
      const before = await access.read(ref);
      const blobs = host.blobs(universe);
      const results: ContextAppendResult[] = [];
      const puts: { index: number; entry: ContextPutEntry }[] = [];
      const seen = new Set<string>();
      for (const [index, { key, item }] of entries.entries()) {
        if (seen.has(key)) throw invalidRequest(`entries[${index}].key ${key} appears twice in one request`);
        seen.add(key);
        if (key.startsWith(RESERVED_KEY_PREFIX)) {
          results.push({ key, status: 'failed', failure: { kind: 'admissionRejected', message: `keys under ${RESERVED_KEY_PREFIX} are reserved for runs` } });
          continue;
        }
        let entry: ContextPutEntry;
        if (item.type === 'text') {
          entry = { key, kind: { type: 'message', role: 'user' }, contentRef: await putText(blobs, item.text), preview: preview(item.text), mediaType: 'text/plain', source: { type: 'contextEdit' } };
        } else {
          if (!isBlobRef(item.blobRef) || !(await blobs.has(item.blobRef))) {
            results.push({ key, status: 'failed', failure: { kind: 'blobMissing', message: `blob ${item.blobRef} is not stored; upload it with blobs/put first` } });
            continue;
          }
          entry = { key, kind: { type: 'message', role: 'user' }, contentRef: item.blobRef, source: { type: 'contextEdit' } };
          if (item.type === 'media') {
            entry.mediaType = item.mime;
            entry.preview = preview(`[${item.kind}${item.name ? `: ${item.name}` : ''}]`);
          }
        }
        results.push({ key, status: 'applied' });
        puts.push({ index: results.length - 1, entry });
      }
      if (puts.length === 0) return { result: { contextRevision: before.context.revision, results } };
      const { result } = await access.submit(ref, { type: 'context.put', entries: puts.map((put) => put.entry) });
      const byKey = new Map((result.entries ?? []).map((entry) => [entry.key, entry]));
      for (const { index, entry } of puts) {
        const outcome = byKey.get(entry.key);
        const view: ContextAppendResult = { key: entry.key, status: outcome?.status ?? 'applied', entry: { kind: entryKindView(entry.kind), contentRef: entry.contentRef } };
        if (entry.mediaType) view.entry!.mediaType = entry.mediaType;
        if (entry.preview) view.entry!.preview = entry.preview;
        results[index] = view;
      }
      return { result: { contextRevision: result.contextRevision ?? before.context.revision, results } };
    },

    'session/context/remove': async ({ sessionId, keys }, { universe }) => {
      const reserved = keys.find((key) => key.startsWith(RESERVED_KEY_PREFIX));
      if (reserved !== undefined) throw rejected(`key ${reserved} is under the reserved ${RESERVED_KEY_PREFIX} namespace and cannot be removed`);
      const ref = { universe, sessionId };
      const before = await access.read(ref);
      if (keys.length === 0) return { result: { contextRevision: before.context.revision, results: [] } };
      const { result } = await access.submit(ref, { type: 'context.remove', keys: [...new Set(keys)] });
      const byKey = new Map((result.entries ?? []).map((entry) => [entry.key, entry.status]));
      const results: ContextRemoveResult[] = keys.map((key) => ({ key, status: byKey.get(key) === 'applied' ? 'removed' : 'absent' }));
      return { result: { contextRevision: result.contextRevision ?? before.context.revision, results } };
    },

    'session/context/compact': async ({ sessionId }, { universe, signal }) => {
      const ref = { universe, sessionId };
      await access.read(ref);
      const { result, head } = await access.submit(ref, { type: 'context.compact' });
      const compactionId = result.compactionId;
      const deadline = Date.now() + compactTimeoutMs;
      let after = head;
      for (;;) {
        const state = await access.read(ref);
        after = Math.max(after, state.head);
        if (compactionId === undefined || (state.compaction?.compactionId !== compactionId && state.lastCompaction?.compactionId === compactionId)) {
          const last = state.lastCompaction;
          if (last !== undefined && last.compactionId === compactionId && last.outcome !== 'finished') {
            throw rejected(`compaction ${compactionId} ${last.outcome}; the context is unchanged (see session events for the reason)`);
          }
          return { result: { session: sessionView(state) } };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || signal.aborted) throw rejected(`compaction ${compactionId} is still running; follow session events for its outcome`);
        await host.waitForEvents(ref, after, Math.min(remaining, 5_000), signal);
      }
    },
  };
}
