import { LightspeedError } from '@lightspeed/ports';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './schema.js';
import { numberOf, type SqlDriver, type SqlExecutor } from './sql-driver.js';

// Serialises concurrent `migrate()` calls (two servers starting at once) on PostgreSQL.
const MIGRATION_LOCK_KEY = 7_311_042_518;

const LEDGER = `CREATE TABLE IF NOT EXISTS ls_schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at bigint NOT NULL
)`;

export interface MigrationReport {
  applied: { version: number; name: string }[];
  version: number;
}

async function appliedVersions(tx: SqlExecutor): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: unknown }>('SELECT version FROM ls_schema_migrations');
  return new Set(rows.map((row) => numberOf(row.version)));
}

/**
 * Brings the schema to the latest version inside one transaction (PostgreSQL DDL is
 * transactional, so a failed migration leaves the previous version intact). Idempotent.
 */
export async function migrate(driver: SqlDriver, now: () => number = Date.now): Promise<MigrationReport> {
  return driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(LEDGER);
    const done = await appliedVersions(tx);
    const applied: Migration[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO ls_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, now()]);
      applied.push(migration);
    }
    return { applied: applied.map(({ version, name }) => ({ version, name })), version: LATEST_SCHEMA_VERSION };
  });
}

/** The highest applied migration, 0 for an empty database. */
export async function schemaVersion(driver: SqlExecutor): Promise<number> {
  const { rows } = await driver.query<{ exists: boolean }>(`SELECT to_regclass('ls_schema_migrations') IS NOT NULL AS exists`);
  if (!rows[0]?.exists) return 0;
  const versions = await appliedVersions(driver);
  return versions.size === 0 ? 0 : Math.max(...versions);
}

/** Refuses to run against a database whose schema is behind (or ahead of) this code. */
export async function assertSchemaCurrent(driver: SqlExecutor): Promise<void> {
  const version = await schemaVersion(driver);
  if (version < LATEST_SCHEMA_VERSION) {
    throw new LightspeedError('unavailable', `the database schema is at version ${version} but this build needs ${LATEST_SCHEMA_VERSION}; run \`lightspeed migrate\``, {
      version,
      required: LATEST_SCHEMA_VERSION,
    });
  }
  if (version > LATEST_SCHEMA_VERSION) {
    throw new LightspeedError('unavailable', `the database schema (version ${version}) is newer than this build understands (${LATEST_SCHEMA_VERSION}); upgrade Lightspeed`, {
      version,
      required: LATEST_SCHEMA_VERSION,
    });
  }
}
