import type { BlobRef } from '@lightspeed/engine';

/** One durable log entry as stored. `data` is the event payload (small: refs and facts only). */
export interface StoredEntry {
  seq: number;
  at: number;
  kind: string;
  version: number;
  data: unknown;
}

export type SessionListStatus = 'idle' | 'active' | 'closed';

/** The session list projection, maintained in the append transaction. */
export interface SessionSummary {
  sessionId: string;
  status: SessionListStatus;
  displayName: string | null;
  createdAt: number;
  updatedAt: number;
  head: number;
}

/** Projection fields an append may update alongside the entries (computed by the caller from state). */
export interface SessionProjectionUpdate {
  status?: SessionListStatus;
  displayName?: string | null;
}

export interface SnapshotPointer {
  seq: number;
  stateRef: BlobRef;
}

export interface SessionListPage {
  sessions: SessionSummary[];
  /** Opaque keyset cursor for the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * The session log store, scoped to one universe. `append` writes all entries or none, and only if
 * the current head equals `expectedHead` (otherwise `AppendConflictError`). The first append to a
 * session that does not exist creates it (expectedHead 0).
 */
export interface SessionStore {
  append(sessionId: string, expectedHead: number, entries: readonly StoredEntry[], projection?: SessionProjectionUpdate): Promise<{ head: number }>;
  head(sessionId: string): Promise<number | undefined>;
  /** Entries with `seq > after`, ascending, at most `limit`. */
  read(sessionId: string, options?: { after?: number; limit?: number }): Promise<StoredEntry[]>;
  summary(sessionId: string): Promise<SessionSummary | undefined>;
  list(options?: { limit?: number; cursor?: string; status?: SessionListStatus }): Promise<SessionListPage>;
  /** Sessions whose projection says they may have unfinished work (status `active`). */
  listActive(): Promise<string[]>;
  putSnapshot(sessionId: string, pointer: SnapshotPointer): Promise<void>;
  latestSnapshot(sessionId: string): Promise<SnapshotPointer | undefined>;
  /** Deletes a closed session's log, projection and snapshots; refuses an open one (`conflict`). */
  delete(sessionId: string): Promise<void>;
}
