import { randomBytes } from 'node:crypto';
import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, type Clock, type HookDirectory, type TriggerDefinition, type TriggerRecord, type TriggerStore } from '@lightspeed/ports';
import { checkId, checkUniverse } from './identifiers.js';
import { checkExpectedRevision, keysetPage } from './record-table.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/*
 * Triggers in the SQL store (migration 8). The webhook secret lives in its own column and is read
 * only by `HookDirectory.resolve` (the verifier); no record returned here carries it.
 */

const COLUMNS = 'universe, trigger_id, definition, hook_id, secret IS NOT NULL AS has_secret, revision, created_at, updated_at';
export const MAX_TRIGGER_DEFINITION_BYTES = 256 * 1024;

interface TriggerRow {
  universe: string;
  trigger_id: string;
  definition: string;
  hook_id: string | null;
  has_secret: boolean;
  revision: unknown;
  created_at: unknown;
  updated_at: unknown;
}

function recordOf(row: TriggerRow): TriggerRecord {
  return {
    universe: row.universe,
    definition: JSON.parse(row.definition) as TriggerDefinition,
    ...(row.hook_id ? { hookId: row.hook_id } : {}),
    hasSecret: row.has_secret,
    revision: numberOf(row.revision),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
}

/** An unguessable path segment: knowing a trigger's id is not enough to find its hook. */
function newHookId(): string {
  return `hk_${randomBytes(18).toString('base64url')}`;
}

export class SqlTriggerStore implements TriggerStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async put(definition: TriggerDefinition, options: { secret?: string; expectedRevision?: number } = {}): Promise<TriggerRecord> {
    const id = checkId('trigger', definition.triggerId);
    const { expectedRevision } = options;
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    const text = canonicalJson(definition);
    if (Buffer.byteLength(text) > MAX_TRIGGER_DEFINITION_BYTES) throw new LightspeedError('too_large', `a trigger definition may hold at most ${MAX_TRIGGER_DEFINITION_BYTES} bytes`, { field: 'trigger' });
    const now = this.clock.now();
    const hook = definition.webhook ? newHookId() : null;
    const { rows } = await this.driver.query<TriggerRow>(
      // A webhook trigger keeps its hook id (senders are configured with the URL); one that stops
      // being a webhook trigger loses it, and its secret.
      `INSERT INTO ls_triggers AS t (universe, trigger_id, definition, source, enabled, hook_id, secret, revision, created_at, updated_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, 1, $8, $8 WHERE $9::bigint IS NULL OR $9::bigint = 0 OR EXISTS (SELECT 1 FROM ls_triggers WHERE universe = $1 AND trigger_id = $2)
       ON CONFLICT (universe, trigger_id) DO UPDATE SET definition = EXCLUDED.definition, source = EXCLUDED.source, enabled = EXCLUDED.enabled,
         hook_id = CASE WHEN EXCLUDED.hook_id IS NULL THEN NULL ELSE COALESCE(t.hook_id, EXCLUDED.hook_id) END,
         secret = CASE WHEN EXCLUDED.hook_id IS NULL THEN NULL ELSE COALESCE(EXCLUDED.secret, t.secret) END,
         revision = t.revision + 1, updated_at = EXCLUDED.updated_at
       WHERE $9::bigint IS NULL OR t.revision = $9::bigint
       RETURNING ${COLUMNS}`,
      [this.universe, id, text, definition.match.source, definition.enabled, hook, options.secret ?? null, now, expectedRevision ?? null],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(id);
    throw new LightspeedError('conflict', current ? `trigger ${id} is at revision ${current.revision}, not ${expectedRevision}; read it again and retry` : `trigger ${id} does not exist (expectedRevision ${expectedRevision})`, {
      triggerId: id,
      expectedRevision,
      actualRevision: current?.revision ?? 0,
    });
  }

  async get(triggerId: string): Promise<TriggerRecord | undefined> {
    const { rows } = await this.driver.query<TriggerRow>(`SELECT ${COLUMNS} FROM ls_triggers WHERE universe = $1 AND trigger_id = $2`, [this.universe, checkId('trigger', triggerId)]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ triggers: TriggerRecord[]; nextCursor?: string }> {
    const page = await keysetPage(
      this.driver,
      { table: 'ls_triggers', keyColumn: 'trigger_id', columns: COLUMNS, universe: this.universe, what: 'trigger list', map: recordOf, keyOf: (r: TriggerRecord) => r.definition.triggerId },
      options,
    );
    return page.nextCursor ? { triggers: page.items, nextCursor: page.nextCursor } : { triggers: page.items };
  }

  async delete(triggerId: string): Promise<TriggerRecord> {
    const { rows } = await this.driver.query<TriggerRow>(`DELETE FROM ls_triggers WHERE universe = $1 AND trigger_id = $2 RETURNING ${COLUMNS}`, [this.universe, checkId('trigger', triggerId)]);
    if (!rows[0]) throw new LightspeedError('not_found', `trigger ${triggerId} does not exist; list them with triggers/list`, { triggerId });
    return recordOf(rows[0]);
  }

  async matching(source: string): Promise<TriggerRecord[]> {
    const { rows } = await this.driver.query<TriggerRow>(`SELECT ${COLUMNS} FROM ls_triggers WHERE universe = $1 AND source = $2 AND enabled ORDER BY trigger_id`, [this.universe, source]);
    return rows.map(recordOf);
  }
}

/** `POST /hooks/<hookId>` → the trigger (any universe) and its secret. */
export class SqlHookDirectory implements HookDirectory {
  constructor(private readonly driver: SqlDriver) {}

  async resolve(hookId: string): Promise<{ trigger: TriggerRecord; secret: string } | undefined> {
    if (!/^hk_[A-Za-z0-9_-]{1,64}$/.test(hookId)) return undefined;
    const { rows } = await this.driver.query<TriggerRow & { secret: string | null }>(`SELECT ${COLUMNS}, secret FROM ls_triggers WHERE hook_id = $1`, [hookId]);
    const row = rows[0];
    if (!row || row.secret === null) return undefined;
    return { trigger: recordOf(row), secret: row.secret };
  }
}
