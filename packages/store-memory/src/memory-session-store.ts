import { AppendConflictError, LightspeedError, type SessionListPage, type SessionListStatus, type SessionProjectionUpdate, type SessionStore, type SessionSummary, type SnapshotPointer, type StoredEntry } from '@lightspeed/ports';

interface MemorySession {
  entries: StoredEntry[];
  summary: SessionSummary;
  snapshot?: SnapshotPointer;
}

/**
 * An in-process SessionStore (ephemeral embedded mode and tests). Same contract as the SQL stores:
 * all-or-nothing appends guarded by expectedHead, a list projection updated with the append.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, MemorySession>();

  async append(sessionId: string, expectedHead: number, entries: readonly StoredEntry[], projection?: SessionProjectionUpdate): Promise<{ head: number }> {
    const session = this.sessions.get(sessionId);
    const head = session?.summary.head ?? 0;
    if (head !== expectedHead) throw new AppendConflictError(sessionId, expectedHead, head);
    entries.forEach((entry, i) => {
      if (entry.seq !== expectedHead + i + 1) throw new LightspeedError('invalid', `entry ${i} has seq ${entry.seq}, expected ${expectedHead + i + 1}`);
    });
    if (entries.length === 0) return { head };
    const last = entries[entries.length - 1]!;
    const target: MemorySession = session ?? {
      entries: [],
      summary: { sessionId, status: 'idle', displayName: null, createdAt: entries[0]!.at, updatedAt: last.at, head: 0 },
    };
    target.entries.push(...entries.map((e) => structuredClone(e)));
    target.summary = {
      ...target.summary,
      head: last.seq,
      updatedAt: last.at,
      ...(projection?.status !== undefined ? { status: projection.status } : {}),
      ...(projection?.displayName !== undefined ? { displayName: projection.displayName } : {}),
    };
    this.sessions.set(sessionId, target);
    return { head: last.seq };
  }

  async head(sessionId: string): Promise<number | undefined> {
    return this.sessions.get(sessionId)?.summary.head;
  }

  async read(sessionId: string, options: { after?: number; limit?: number } = {}): Promise<StoredEntry[]> {
    const session = this.sessions.get(sessionId);
    if (!session) return [];
    const after = options.after ?? 0;
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    // seq = index + 1, so the tail starts at index `after`.
    return session.entries.slice(after, after + limit).map((e) => structuredClone(e));
  }

  async summary(sessionId: string): Promise<SessionSummary | undefined> {
    const s = this.sessions.get(sessionId)?.summary;
    return s ? { ...s } : undefined;
  }

  async list(options: { limit?: number; cursor?: string; status?: SessionListStatus } = {}): Promise<SessionListPage> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 500));
    const all = [...this.sessions.values()]
      .map((s) => s.summary)
      .filter((s) => options.status === undefined || s.status === options.status)
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
    let start = 0;
    if (options.cursor) {
      const [updated, id] = decodeCursor(options.cursor);
      start = all.findIndex((s) => s.updatedAt < updated || (s.updatedAt === updated && s.sessionId > id));
      if (start < 0) start = all.length;
    }
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    const last = page[page.length - 1];
    return { sessions: page.map((s) => ({ ...s })), ...(more && last ? { nextCursor: encodeCursor(last.updatedAt, last.sessionId) } : {}) };
  }

  async listActive(): Promise<string[]> {
    return [...this.sessions.values()].filter((s) => s.summary.status === 'active').map((s) => s.summary.sessionId);
  }

  async putSnapshot(sessionId: string, pointer: SnapshotPointer): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new LightspeedError('not_found', `session ${sessionId} does not exist`);
    if (!session.snapshot || session.snapshot.seq < pointer.seq) session.snapshot = { ...pointer };
  }

  async latestSnapshot(sessionId: string): Promise<SnapshotPointer | undefined> {
    const p = this.sessions.get(sessionId)?.snapshot;
    return p ? { ...p } : undefined;
  }

  async delete(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) throw new LightspeedError('not_found', `session ${sessionId} does not exist`);
    if (session.summary.status !== 'closed') throw new LightspeedError('conflict', `session ${sessionId} is not closed; close it before deleting`);
    this.sessions.delete(sessionId);
  }
}

function encodeCursor(updatedAt: number, sessionId: string): string {
  return Buffer.from(JSON.stringify([updatedAt, sessionId])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through to the typed error
  }
  throw new LightspeedError('invalid', 'invalid session list cursor');
}
