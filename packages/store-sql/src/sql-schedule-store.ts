import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, type Clock, type ScheduleDefinition, type ScheduleLedger, type ScheduleRecord, type ScheduleState, type ScheduleStore } from '@lightspeed/ports';
import { checkId, checkUniverse } from './identifiers.js';
import { checkExpectedRevision, keysetPage } from './record-table.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/*
 * Schedules in the SQL store (migration 8): the per-universe records and the scheduler's
 * cross-universe ledger (the lead and the due scan). What to fire and when is decided by
 * `@lightspeed/schedules`; this only keeps it, behind compare-and-set guards.
 */

const COLUMNS = 'universe, schedule_id, definition, revision, paused, next_at, buffered_at, state, state_version, created_at, updated_at';
/** Definitions are a spec and a task template; a larger one is a mistake. */
export const MAX_SCHEDULE_DEFINITION_BYTES = 256 * 1024;
/** The one role the lease table holds today. */
const SCHEDULER_ROLE = 'scheduler';

interface ScheduleRow {
  universe: string;
  schedule_id: string;
  definition: string;
  revision: unknown;
  paused: boolean;
  next_at: unknown;
  buffered_at: unknown;
  state: string;
  state_version: unknown;
  created_at: unknown;
  updated_at: unknown;
}

/** The JSON half of the state (the rest are columns). */
type StoredState = Omit<ScheduleState, 'paused' | 'nextAt' | 'bufferedAt'>;

function recordOf(row: ScheduleRow): ScheduleRecord {
  const stored = JSON.parse(row.state) as StoredState;
  const state: ScheduleState = { ...stored, paused: row.paused, nextAt: row.next_at === null ? null : numberOf(row.next_at) };
  if (row.buffered_at !== null) state.bufferedAt = numberOf(row.buffered_at);
  return {
    universe: row.universe,
    definition: JSON.parse(row.definition) as ScheduleDefinition,
    revision: numberOf(row.revision),
    state,
    stateVersion: numberOf(row.state_version),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
}

function storedState(state: ScheduleState): string {
  const { paused: _paused, nextAt: _nextAt, bufferedAt: _buffered, ...rest } = state;
  return JSON.stringify(rest);
}

function definitionText(definition: ScheduleDefinition): string {
  const text = canonicalJson(definition);
  if (Buffer.byteLength(text) > MAX_SCHEDULE_DEFINITION_BYTES) {
    throw new LightspeedError('too_large', `a schedule definition may hold at most ${MAX_SCHEDULE_DEFINITION_BYTES} bytes; keep large task inputs in a blob and pass its ref`, { field: 'schedule' });
  }
  return text;
}

export const INITIAL_SCHEDULE_STATE: Omit<ScheduleState, 'nextAt'> = { paused: false, fired: 0, missed: 0, skipped: 0 };

export class SqlScheduleStore implements ScheduleStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async put(definition: ScheduleDefinition, nextAt: number | null, expectedRevision?: number): Promise<ScheduleRecord> {
    const id = checkId('schedule', definition.scheduleId);
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    const text = definitionText(definition);
    const now = this.clock.now();
    const initial = storedState({ ...INITIAL_SCHEDULE_STATE, nextAt });
    // One statement: insert, or replace the definition (keeping counters and pause) when the
    // expected revision matches. A buffered fire belongs to the old definition and is dropped.
    const { rows } = await this.driver.query<ScheduleRow>(
      `INSERT INTO ls_schedules AS s (${COLUMNS})
       SELECT $1, $2, $3, 1, false, $4, NULL, $5, 1, $6, $6 WHERE $7::bigint IS NULL OR $7::bigint = 0 OR EXISTS (SELECT 1 FROM ls_schedules WHERE universe = $1 AND schedule_id = $2)
       ON CONFLICT (universe, schedule_id) DO UPDATE SET definition = EXCLUDED.definition, revision = s.revision + 1, next_at = EXCLUDED.next_at,
         buffered_at = NULL, state_version = s.state_version + 1, updated_at = EXCLUDED.updated_at
       WHERE $7::bigint IS NULL OR s.revision = $7::bigint
       RETURNING ${COLUMNS}`,
      [this.universe, id, text, nextAt, initial, now, expectedRevision ?? null],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(id);
    throw new LightspeedError('conflict', current ? `schedule ${id} is at revision ${current.revision}, not ${expectedRevision}; read it again and retry` : `schedule ${id} does not exist (expectedRevision ${expectedRevision})`, {
      scheduleId: id,
      expectedRevision,
      actualRevision: current?.revision ?? 0,
    });
  }

  async get(scheduleId: string): Promise<ScheduleRecord | undefined> {
    const { rows } = await this.driver.query<ScheduleRow>(`SELECT ${COLUMNS} FROM ls_schedules WHERE universe = $1 AND schedule_id = $2`, [this.universe, checkId('schedule', scheduleId)]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ schedules: ScheduleRecord[]; nextCursor?: string }> {
    const page = await keysetPage(
      this.driver,
      { table: 'ls_schedules', keyColumn: 'schedule_id', columns: COLUMNS, universe: this.universe, what: 'schedule list', map: recordOf, keyOf: (r: ScheduleRecord) => r.definition.scheduleId },
      options,
    );
    return page.nextCursor ? { schedules: page.items, nextCursor: page.nextCursor } : { schedules: page.items };
  }

  async delete(scheduleId: string): Promise<ScheduleRecord> {
    const { rows } = await this.driver.query<ScheduleRow>(`DELETE FROM ls_schedules WHERE universe = $1 AND schedule_id = $2 RETURNING ${COLUMNS}`, [this.universe, checkId('schedule', scheduleId)]);
    if (!rows[0]) throw new LightspeedError('not_found', `schedule ${scheduleId} does not exist; list them with schedules/list`, { scheduleId });
    return recordOf(rows[0]);
  }

  async updateState(scheduleId: string, expectedVersion: number, state: ScheduleState, fence?: { owner: string }): Promise<ScheduleRecord | undefined> {
    const now = this.clock.now();
    // The fence makes a scheduler that lost its lead (a long pause, a partition) unable to write,
    // so the new leader's view of the schedule is never overwritten by a stale one.
    const { rows } = await this.driver.query<ScheduleRow>(
      `UPDATE ls_schedules SET paused = $4, next_at = $5, buffered_at = $6, state = $7, state_version = state_version + 1, updated_at = $8
       WHERE universe = $1 AND schedule_id = $2 AND state_version = $3
         AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM ls_scheduler_leases WHERE name = '${SCHEDULER_ROLE}' AND owner = $9 AND expires_at > $8))
       RETURNING ${COLUMNS}`,
      [this.universe, checkId('schedule', scheduleId), expectedVersion, state.paused, state.nextAt, state.bufferedAt ?? null, storedState(state), now, fence?.owner ?? null],
    );
    return rows[0] ? recordOf(rows[0]) : undefined;
  }
}

/** The scheduler's cross-universe view: the lead (a lease row) and the due scan. */
export class SqlScheduleLedger implements ScheduleLedger {
  constructor(
    private readonly driver: SqlDriver,
    private readonly clock: Clock,
  ) {}

  async lead(owner: string, leaseMs: number): Promise<boolean> {
    const now = this.clock.now();
    // Compare-and-set on the lease row: taken when absent, ours, or run out. Works the same on
    // PGlite (one process) and PostgreSQL (many), unlike a session advisory lock on a pooled client.
    const { rows } = await this.driver.query<{ owner: string }>(
      `INSERT INTO ls_scheduler_leases AS l (name, owner, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
       WHERE l.owner = EXCLUDED.owner OR l.expires_at <= $4
       RETURNING owner`,
      [SCHEDULER_ROLE, owner, now + leaseMs, now],
    );
    return rows[0]?.owner === owner;
  }

  async resign(owner: string): Promise<void> {
    await this.driver.query(`DELETE FROM ls_scheduler_leases WHERE name = $1 AND owner = $2`, [SCHEDULER_ROLE, owner]);
  }

  async due(now: number, limit: number): Promise<ScheduleRecord[]> {
    const bound = Math.max(1, Math.min(Math.trunc(limit), 10_000));
    // Two index scans (due by time, holding a buffered fire), merged: never a scan of all schedules.
    const { rows } = await this.driver.query<ScheduleRow>(
      `SELECT ${COLUMNS} FROM (
         (SELECT ${COLUMNS} FROM ls_schedules WHERE NOT paused AND next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at LIMIT $2)
         UNION
         (SELECT ${COLUMNS} FROM ls_schedules WHERE NOT paused AND buffered_at IS NOT NULL ORDER BY buffered_at LIMIT $2)
       ) d ORDER BY COALESCE(next_at, buffered_at), universe, schedule_id LIMIT $2`,
      [now, bound],
    );
    return rows.map(recordOf);
  }
}
