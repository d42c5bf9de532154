import { LightspeedError, type Clock, type DispatchControls, type DispatcherBeat, type DispatcherRecord, type DispatchPause } from '@lightspeed/ports';
import { checkUniverse } from './identifiers.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/** `agent` '' is the universe-wide pause (a primary key cannot hold NULL). */
const UNIVERSE_WIDE = '';
const MAX_REASON = 1024;
const MAX_ERROR = 2048;

interface PauseRow {
  agent: string;
  reason: string | null;
  paused_by: string | null;
  paused_at: unknown;
}

interface DispatcherRow {
  dispatcher_id: string;
  started_at: unknown;
  heartbeat_at: unknown;
  in_flight: unknown;
  last_error: string | null;
  last_error_at: unknown;
}

function pauseOf(row: PauseRow): DispatchPause {
  return {
    ...(row.agent !== UNIVERSE_WIDE ? { agent: row.agent } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.paused_by !== null ? { by: row.paused_by } : {}),
    pausedAt: numberOf(row.paused_at),
  };
}

function agentKey(agent: string | undefined): string {
  if (agent === undefined) return UNIVERSE_WIDE;
  if (typeof agent !== 'string' || agent.length === 0 || agent.length > 256) throw new LightspeedError('invalid', 'agent must be 1-256 characters', { field: 'agent' });
  return agent;
}

/** Pauses and dispatcher heartbeats of one universe (migration 6). */
export class SqlDispatchControls implements DispatchControls {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async pause(options: { agent?: string; reason?: string; by?: string }): Promise<DispatchPause> {
    const { rows } = await this.driver.query<PauseRow>(
      `INSERT INTO ls_dispatch_pauses (universe, agent, reason, paused_by, paused_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (universe, agent) DO UPDATE SET reason = EXCLUDED.reason, paused_by = EXCLUDED.paused_by
       RETURNING agent, reason, paused_by, paused_at`,
      [this.universe, agentKey(options.agent), options.reason?.slice(0, MAX_REASON) ?? null, options.by ?? null, this.clock.now()],
    );
    return pauseOf(rows[0]!);
  }

  async resume(options: { agent?: string }): Promise<{ resumed: boolean }> {
    const { rowCount } = await this.driver.query(`DELETE FROM ls_dispatch_pauses WHERE universe = $1 AND agent = $2`, [this.universe, agentKey(options.agent)]);
    return { resumed: rowCount > 0 };
  }

  async pauses(): Promise<DispatchPause[]> {
    const { rows } = await this.driver.query<PauseRow>(`SELECT agent, reason, paused_by, paused_at FROM ls_dispatch_pauses WHERE universe = $1 ORDER BY agent`, [this.universe]);
    return rows.map(pauseOf);
  }

  async heartbeat(beat: DispatcherBeat): Promise<void> {
    await this.driver.query(
      `INSERT INTO ls_dispatchers (universe, dispatcher_id, started_at, heartbeat_at, in_flight, last_error, last_error_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (universe, dispatcher_id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, in_flight = EXCLUDED.in_flight,
         last_error = COALESCE(EXCLUDED.last_error, ls_dispatchers.last_error), last_error_at = COALESCE(EXCLUDED.last_error_at, ls_dispatchers.last_error_at)`,
      [this.universe, beat.id, beat.startedAt, this.clock.now(), beat.inFlight, beat.lastError?.message.slice(0, MAX_ERROR) ?? null, beat.lastError?.at ?? null],
    );
  }

  async dispatchers(aliveWithinMs: number): Promise<DispatcherRecord[]> {
    const since = this.clock.now() - aliveWithinMs;
    // Rows of dispatchers long gone (10× the window) are pruned here: nobody else deletes them after a crash.
    await this.driver.query(`DELETE FROM ls_dispatchers WHERE universe = $1 AND heartbeat_at < $2`, [this.universe, this.clock.now() - 10 * aliveWithinMs]);
    const { rows } = await this.driver.query<DispatcherRow>(
      `SELECT dispatcher_id, started_at, heartbeat_at, in_flight, last_error, last_error_at FROM ls_dispatchers WHERE universe = $1 AND heartbeat_at >= $2 ORDER BY dispatcher_id`,
      [this.universe, since],
    );
    return rows.map((row) => ({
      id: row.dispatcher_id,
      startedAt: numberOf(row.started_at),
      heartbeatAt: numberOf(row.heartbeat_at),
      inFlight: numberOf(row.in_flight),
      ...(row.last_error !== null ? { lastError: { message: row.last_error, at: numberOf(row.last_error_at) } } : {}),
    }));
  }

  async leave(dispatcherId: string): Promise<void> {
    await this.driver.query(`DELETE FROM ls_dispatchers WHERE universe = $1 AND dispatcher_id = $2`, [this.universe, dispatcherId]);
  }
}
