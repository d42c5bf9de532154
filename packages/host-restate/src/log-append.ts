import { listStatus, serializeState, type LogEntry, type SessionState } from '@lightspeed/engine';
import type { SessionRef } from '@lightspeed/driver';
import type { BlobStore, SessionStore } from '@lightspeed/ports';

const encoder = new TextEncoder();

export interface AppendOutcome {
  head: number;
  /** Seq of the snapshot written with this append, if one was due. */
  snapshotSeq?: number;
}

/**
 * Appends entries to the authoritative log (an `AppendConflictError` if the head moved: see the
 * step's re-execution rule) and writes a snapshot when one is due.
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
  await store.append(ref.sessionId, before.head, entries, { status: listStatus(after), displayName: after.displayName ?? null });
  const outcome: AppendOutcome = { head: after.head };
  if (after.head - snapshot.lastSeq >= snapshot.every) {
    const stat = await blobs.put(encoder.encode(serializeState(after)), { mediaType: 'application/json' });
    await store.putSnapshot(ref.sessionId, { seq: after.head, stateRef: stat.ref });
    outcome.snapshotSeq = after.head;
  }
  return outcome;
}
