import { canonicalJson, listStatus, serializeState, type LogEntry, type SessionState } from '@lightspeed/engine';
import type { SessionRef } from '@lightspeed/driver';
import { AppendConflictError, LightspeedError, type BlobStore, type SessionStore } from '@lightspeed/ports';

const encoder = new TextEncoder();

export interface AppendOutcome {
  head: number;
  /** Seq of the snapshot written with this append, if one was due. */
  snapshotSeq?: number;
}

/**
 * Appends the entries of one step to the authoritative log. Runs inside `ctx.run`, so after a crash
 * between the store's commit and Restate's journal write it runs again with the very same entries
 * (the handler derives them deterministically): finding them already there is success, not a
 * conflict. Anything else at those seqs means a second writer, which the object model rules out.
 */
export async function appendStep(
  ref: SessionRef,
  store: SessionStore,
  blobs: BlobStore,
  before: SessionState,
  entries: readonly LogEntry[],
  after: SessionState,
  snapshot: { every: number; lastSeq: number },
): Promise<AppendOutcome> {
  try {
    await store.append(ref.sessionId, before.head, entries, { status: listStatus(after), displayName: after.displayName ?? null });
  } catch (error) {
    if (!(error instanceof AppendConflictError)) throw error;
    const existing = await store.read(ref.sessionId, { after: before.head, limit: entries.length });
    const same = existing.length === entries.length && existing.every((entry, i) => canonicalJson(entry) === canonicalJson(entries[i]));
    if (!same) throw new LightspeedError('conflict', `session ${ref.sessionId}: another writer appended after seq ${before.head}`);
  }
  const outcome: AppendOutcome = { head: after.head };
  if (after.head - snapshot.lastSeq >= snapshot.every) {
    const stat = await blobs.put(encoder.encode(serializeState(after)), { mediaType: 'application/json' });
    await store.putSnapshot(ref.sessionId, { seq: after.head, stateRef: stat.ref });
    outcome.snapshotSeq = after.head;
  }
  return outcome;
}
