import {
  AppendConflictError,
  LightspeedError,
  type SessionListPage,
  type SessionListStatus,
  type SessionProjectionUpdate,
  type SessionStore,
  type SessionSummary,
  type SnapshotPointer,
  type StoredEntry,
  type Clock,
} from '@lightspeed/ports';
import { checkId, checkRef, checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

const MAX_ENTRY_DATA_BYTES = 1024 * 1024;
const MAX_KIND_LENGTH = 200;
const STATUSES: readonly SessionListStatus[] = ['idle', 'active', 'closed'];

// One statement, hence one transaction and one round trip. The head row is the append's lock: a
// new session is inserted, an existing one is moved from exactly `expectedHead`. Under READ
// COMMITTED a racing writer blocks on that row, re-checks the WHERE against the winner's head and
// matches nothing — so its events are never inserted and it loses cleanly. If anything fails after
// the head moved (a lost connection, a constraint), the whole statement rolls back.
const INSERT_EVENTS = `INSERT INTO ls_session_events (universe, session_id, seq, at, kind, version, data)
  SELECT $1, $2, e.seq, e.at, e.kind, e.version, e.data
  FROM unnest($9::bigint[], $10::bigint[], $11::text[], $12::integer[], $13::text[]) AS e(seq, at, kind, version, data)
  WHERE EXISTS (SELECT 1 FROM moved)
  RETURNING 1`;
const CREATE_AND_APPEND = `WITH moved AS (
  INSERT INTO ls_sessions (universe, session_id, status, display_name, created_at, updated_at, head)
  SELECT $1, $2, COALESCE($3, 'idle'), CASE WHEN $5 THEN $4 END, ($10::bigint[])[1], $6, $7 WHERE $8::bigint = 0
  ON CONFLICT (universe, session_id) DO NOTHING
  RETURNING head
), inserted AS (${INSERT_EVENTS})
SELECT (SELECT head FROM moved) AS head`;
const MOVE_AND_APPEND = `WITH moved AS (
  UPDATE ls_sessions SET head = $7, updated_at = $6,
    status = COALESCE($3, status),
    display_name = CASE WHEN $5 THEN $4 ELSE display_name END
  WHERE universe = $1 AND session_id = $2 AND head = $8
  RETURNING head
), inserted AS (${INSERT_EVENTS})
SELECT (SELECT head FROM moved) AS head`;
const HEAD = `SELECT head FROM ls_sessions WHERE universe = $1 AND session_id = $2`;
const READ = `SELECT seq, at, kind, version, data FROM ls_session_events
WHERE universe = $1 AND session_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`;
const SUMMARY_COLUMNS = `session_id, status, display_name, created_at, updated_at, head`;

interface SummaryRow {
  session_id: string;
  status: SessionListStatus;
  display_name: string | null;
  created_at: unknown;
  updated_at: unknown;
  head: unknown;
}

function summaryOf(row: SummaryRow): SessionSummary {
  return {
    sessionId: row.session_id,
    status: row.status,
    displayName: row.display_name,
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
    head: numberOf(row.head),
  };
}

interface EncodedEntries {
  seqs: number[];
  ats: number[];
  kinds: string[];
  versions: number[];
  datas: string[];
}

function encodeEntries(sessionId: string, expectedHead: number, entries: readonly StoredEntry[]): EncodedEntries {
  const out: EncodedEntries = { seqs: [], ats: [], kinds: [], versions: [], datas: [] };
  entries.forEach((entry, i) => {
    const where = `session ${sessionId} entry ${i}`;
    if (entry.seq !== expectedHead + i + 1) throw new LightspeedError('invalid', `${where} has seq ${entry.seq}, expected ${expectedHead + i + 1}: seqs continue the head without gaps`);
    if (!Number.isSafeInteger(entry.at) || entry.at < 0) throw new LightspeedError('invalid', `${where}: at must be a non-negative integer (epoch ms)`);
    if (typeof entry.kind !== 'string' || entry.kind.length === 0 || entry.kind.length > MAX_KIND_LENGTH) throw new LightspeedError('invalid', `${where}: kind must be a 1-${MAX_KIND_LENGTH} character string`);
    if (!Number.isInteger(entry.version) || entry.version < 1 || entry.version > 2_147_483_647) throw new LightspeedError('invalid', `${where}: version must be a positive integer`);
    let data: string | undefined;
    try {
      data = JSON.stringify(entry.data);
    } catch {
      data = undefined;
    }
    if (data === undefined) throw new LightspeedError('invalid', `${where}: data must be JSON-serialisable`);
    if (data.length > MAX_ENTRY_DATA_BYTES) throw new LightspeedError('invalid', `${where}: data is over ${MAX_ENTRY_DATA_BYTES} bytes; put bulky content in CAS and log its ref`);
    out.seqs.push(entry.seq);
    out.ats.push(entry.at);
    out.kinds.push(entry.kind);
    out.versions.push(entry.version);
    out.datas.push(data);
  });
  return out;
}

/** The session log, its list projection and snapshot pointers for one universe. */
export class SqlSessionStore implements SessionStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async append(sessionId: string, expectedHead: number, entries: readonly StoredEntry[], projection: SessionProjectionUpdate = {}): Promise<{ head: number }> {
    checkId('session', sessionId);
    if (!Number.isSafeInteger(expectedHead) || expectedHead < 0) throw new LightspeedError('invalid', 'expectedHead must be a non-negative integer');
    if (projection.status !== undefined && !STATUSES.includes(projection.status)) throw new LightspeedError('invalid', `status must be one of ${STATUSES.join(', ')}`);
    if (entries.length === 0) {
      const head = (await this.head(sessionId)) ?? 0;
      if (head !== expectedHead) throw new AppendConflictError(sessionId, expectedHead, head);
      return { head };
    }
    const encoded = encodeEntries(sessionId, expectedHead, entries);
    const newHead = expectedHead + entries.length;
    const updatedAt = entries[entries.length - 1]!.at;
    const status = projection.status ?? null;
    const displayName = projection.displayName ?? null;
    const { rows } = await this.driver.query<{ head: unknown }>(expectedHead === 0 ? CREATE_AND_APPEND : MOVE_AND_APPEND, [
      this.universe,
      sessionId,
      status,
      displayName,
      projection.displayName !== undefined,
      updatedAt,
      newHead,
      expectedHead,
      encoded.seqs,
      encoded.ats,
      encoded.kinds,
      encoded.versions,
      encoded.datas,
    ]);
    const moved = rows[0]?.head !== null && rows[0]?.head !== undefined;
    if (!moved) throw new AppendConflictError(sessionId, expectedHead, (await this.head(sessionId)) ?? 0);
    return { head: newHead };
  }

  async head(sessionId: string): Promise<number | undefined> {
    const { rows } = await this.driver.query<{ head: unknown }>(HEAD, [this.universe, checkId('session', sessionId)]);
    return rows[0] ? numberOf(rows[0].head) : undefined;
  }

  async read(sessionId: string, options: { after?: number; limit?: number } = {}): Promise<StoredEntry[]> {
    const after = options.after ?? 0;
    if (!Number.isSafeInteger(after) || after < 0) throw new LightspeedError('invalid', 'after must be a non-negative integer');
    const limit = options.limit ?? null;
    if (limit !== null && (!Number.isSafeInteger(limit) || limit < 0)) throw new LightspeedError('invalid', 'limit must be a non-negative integer');
    const { rows } = await this.driver.query<{ seq: unknown; at: unknown; kind: string; version: number; data: string }>(READ, [this.universe, checkId('session', sessionId), after, limit]);
    return rows.map((row) => ({ seq: numberOf(row.seq), at: numberOf(row.at), kind: row.kind, version: row.version, data: JSON.parse(row.data) as unknown }));
  }

  async summary(sessionId: string): Promise<SessionSummary | undefined> {
    const { rows } = await this.driver.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM ls_sessions WHERE universe = $1 AND session_id = $2`, [this.universe, checkId('session', sessionId)]);
    return rows[0] ? summaryOf(rows[0]) : undefined;
  }

  async list(options: { limit?: number; cursor?: string; status?: SessionListStatus } = {}): Promise<SessionListPage> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 50), 500));
    if (options.status !== undefined && !STATUSES.includes(options.status)) throw new LightspeedError('invalid', `status must be one of ${STATUSES.join(', ')}`);
    const [afterUpdated, afterId] = options.cursor === undefined ? [null, null] : (decodeCursor(options.cursor, ['number', 'string'] as const, 'session list') as [number, string]);
    // Newest first; ties broken by id ascending. The row-comparison form keeps it one index range.
    const { rows } = await this.driver.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM ls_sessions
       WHERE universe = $1 AND ($2::text IS NULL OR status = $2)
         AND ($3::bigint IS NULL OR updated_at < $3 OR (updated_at = $3 AND session_id > $4))
       ORDER BY updated_at DESC, session_id LIMIT $5`,
      [this.universe, options.status ?? null, afterUpdated, afterId, limit + 1],
    );
    const sessions = rows.slice(0, limit).map(summaryOf);
    const last = sessions[sessions.length - 1];
    return rows.length > limit && last ? { sessions, nextCursor: encodeCursor([last.updatedAt, last.sessionId]) } : { sessions };
  }

  async listActive(): Promise<string[]> {
    const { rows } = await this.driver.query<{ session_id: string }>(`SELECT session_id FROM ls_sessions WHERE universe = $1 AND status = 'active' ORDER BY session_id`, [this.universe]);
    return rows.map((row) => row.session_id);
  }

  async putSnapshot(sessionId: string, pointer: SnapshotPointer): Promise<void> {
    checkId('session', sessionId);
    checkRef(pointer.stateRef);
    if (!Number.isSafeInteger(pointer.seq) || pointer.seq < 0) throw new LightspeedError('invalid', 'snapshot seq must be a non-negative integer');
    // One statement, holding a share lock on the session row: the session must exist with
    // head >= seq, and a concurrent delete either finishes first (we see no row) or waits for us
    // (and then deletes our snapshot too). Only ever moves forward: a late writer of an
    // older snapshot does not replace a newer one.
    const { rowCount } = await this.driver.query(
      `INSERT INTO ls_snapshots (universe, session_id, seq, state_ref, created_at)
       SELECT universe, session_id, $3, $4, $5 FROM ls_sessions WHERE universe = $1 AND session_id = $2 AND head >= $3 FOR SHARE
       ON CONFLICT (universe, session_id) DO UPDATE SET seq = EXCLUDED.seq, state_ref = EXCLUDED.state_ref, created_at = EXCLUDED.created_at
       WHERE ls_snapshots.seq < EXCLUDED.seq`,
      [this.universe, sessionId, pointer.seq, pointer.stateRef, this.clock.now()],
    );
    if (rowCount > 0) return;
    const head = await this.head(sessionId);
    if (head === undefined) throw new LightspeedError('not_found', `session ${sessionId} does not exist`, { sessionId });
    if (pointer.seq > head) throw new LightspeedError('invalid', `snapshot seq ${pointer.seq} is past the session head ${head}`, { sessionId });
  }

  async latestSnapshot(sessionId: string): Promise<SnapshotPointer | undefined> {
    const { rows } = await this.driver.query<{ seq: unknown; state_ref: string }>(`SELECT seq, state_ref FROM ls_snapshots WHERE universe = $1 AND session_id = $2`, [this.universe, checkId('session', sessionId)]);
    return rows[0] ? { seq: numberOf(rows[0].seq), stateRef: checkRef(rows[0].state_ref) } : undefined;
  }

  async delete(sessionId: string): Promise<void> {
    checkId('session', sessionId);
    await this.driver.transaction(async (tx) => {
      // Locks the row, so an append racing the delete either lands first (and we see it) or fails.
      const { rows } = await tx.query<{ status: string }>(`SELECT status FROM ls_sessions WHERE universe = $1 AND session_id = $2 FOR UPDATE`, [this.universe, sessionId]);
      if (!rows[0]) throw new LightspeedError('not_found', `session ${sessionId} does not exist`, { sessionId });
      if (rows[0].status !== 'closed') throw new LightspeedError('conflict', `session ${sessionId} is not closed; close it before deleting`, { sessionId });
      await tx.query(`DELETE FROM ls_session_events WHERE universe = $1 AND session_id = $2`, [this.universe, sessionId]);
      await tx.query(`DELETE FROM ls_snapshots WHERE universe = $1 AND session_id = $2`, [this.universe, sessionId]);
      await tx.query(`DELETE FROM ls_sessions WHERE universe = $1 AND session_id = $2`, [this.universe, sessionId]);
    });
  }
}
