import { applyAll, canonicalJson, deserializeState, initialState, listStatus, serializeState, upcast, type BlobRef, type LogEntry, type SessionState, type Staged, type SynthesizedBlob } from '@lightspeed/engine';
import { AppendConflictError, LightspeedError, type BlobStore, type SessionProjectionUpdate, type SessionStore, type StoredEntry } from '@lightspeed/ports';
import { persistActionBlobs } from './effects.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Rehydrated {
  state: SessionState;
  /** Seq of the snapshot the state was built from (0 without one). */
  snapshotSeq: number;
}

export interface Committed {
  /** The state after the append (with the store's timestamps if a retried append had landed already). */
  state: SessionState;
  /** Set when a snapshot was written with this commit. */
  snapshotSeq?: number;
  /** True when the entries were found already committed (the answer of an earlier attempt was lost). */
  adopted?: boolean;
}

/**
 * One session's log in the store, as every host reads and writes it: rehydrate from the latest
 * snapshot plus the tail, commit a staged step (synthesized blobs first, so no committed event points
 * at a missing blob; the append with the list projection; a snapshot when due), and on a head
 * conflict read back what is there — the same entries mean an earlier attempt of this very commit
 * landed and its answer was lost, anything else is another writer.
 */
export class SessionLog {
  constructor(
    private readonly store: SessionStore,
    private readonly blobs: BlobStore,
    readonly sessionId: string,
  ) {}

  /** The state exactly at `head` (the latest when undefined): a snapshot at or below it, then the tail. */
  async rehydrate(head?: number): Promise<Rehydrated> {
    const pointer = await this.store.latestSnapshot(this.sessionId);
    if (pointer && (head === undefined || pointer.seq <= head)) {
      const bytes = await this.blobs.get(pointer.stateRef);
      if (bytes) return { state: await this.advance(deserializeState(decoder.decode(bytes)), head), snapshotSeq: pointer.seq };
    }
    return { state: await this.advance(initialState(this.sessionId), head), snapshotSeq: 0 };
  }

  /** Applies the entries after `state.head` (up to `head`, exactly, when given). */
  async advance(state: SessionState, head?: number): Promise<SessionState> {
    if (head !== undefined && state.head === head) return state;
    const tail = await this.store.read(this.sessionId, head === undefined ? { after: state.head } : { after: state.head, limit: head - state.head });
    const next = applyAll(state, tail.map(upcast));
    if (head !== undefined && next.head !== head) {
      throw new LightspeedError('unavailable', `session ${this.sessionId}: the log ends at ${next.head}, expected head ${head}`);
    }
    return next;
  }

  /**
   * Commits a staged step, with a snapshot of the resulting state when `snapshotDue` (the host keeps
   * its own cadence). Throws AppendConflictError when another writer advanced the log.
   */
  async commitStaged(step: Staged, snapshotDue: boolean): Promise<Committed> {
    if (step.entries.length === 0) return { state: step.state };
    let state = step.state;
    const written = await this.commit(
      { expectedHead: step.base.head, entries: step.entries, blobs: step.blobs, projection: { status: listStatus(state), displayName: state.displayName ?? null } },
      snapshotDue ? (entries) => (state = entries === step.entries ? step.state : applyAll(step.base, entries)) : undefined,
    );
    if (written.adopted && !written.snapshot) state = applyAll(step.base, written.adopted);
    const committed: Committed = { state };
    if (written.adopted) committed.adopted = true;
    if (written.snapshot) committed.snapshotSeq = written.snapshot.seq;
    return committed;
  }

  /**
   * Commits entries after `expectedHead`: synthesized blobs first (no committed event may point at
   * a missing blob), then the append with the list projection, then — when `snapshotOf` is given —
   * a snapshot of the state it returns for the committed entries. On a head conflict the stored
   * entries are read back: the same entries (timestamps aside) are adopted, with the store's times.
   */
  async commit(
    step: { expectedHead: number; entries: readonly LogEntry[]; blobs?: readonly SynthesizedBlob[]; projection: SessionProjectionUpdate },
    snapshotOf?: (committed: readonly LogEntry[]) => SessionState | Promise<SessionState>,
  ): Promise<{ adopted?: LogEntry[]; snapshot?: { seq: number; ref: BlobRef } }> {
    if (step.blobs?.length) await persistActionBlobs(this.blobs, { type: 'append', events: [], blobs: [...step.blobs] });
    const result: { adopted?: LogEntry[]; snapshot?: { seq: number; ref: BlobRef } } = {};
    let committed = step.entries;
    try {
      await this.store.append(this.sessionId, step.expectedHead, step.entries, step.projection);
    } catch (error) {
      if (!(error instanceof AppendConflictError)) throw error;
      // A retry of an append whose first attempt committed (its answer was lost with a crashed process).
      const stored = await this.store.read(this.sessionId, { after: step.expectedHead, limit: step.entries.length });
      if (stored.length !== step.entries.length || !stored.every((s, i) => sameEntry(s, step.entries[i]!))) throw error;
      committed = result.adopted = step.entries.map((entry, i) => ({ ...entry, at: stored[i]!.at }));
    }
    if (snapshotOf) result.snapshot = await this.snapshot(await snapshotOf(committed));
    return result;
  }

  /** Writes a snapshot of `state` and points the session at it (Temporal hands the ref to continue-as-new). */
  async snapshot(state: SessionState): Promise<{ seq: number; ref: BlobRef }> {
    const stat = await this.blobs.put(encoder.encode(serializeState(state)), { mediaType: 'application/json' });
    await this.store.putSnapshot(this.sessionId, { seq: state.head, stateRef: stat.ref });
    return { seq: state.head, ref: stat.ref };
  }
}

function sameEntry(stored: StoredEntry, entry: LogEntry): boolean {
  return stored.seq === entry.seq && stored.kind === entry.kind && stored.version === entry.version && canonicalJson(stored.data) === canonicalJson(entry.data);
}
