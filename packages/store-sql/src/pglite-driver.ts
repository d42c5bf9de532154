import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlExecutor, SqlResult } from './sql-driver.js';

function executor(db: Pick<PGlite, 'query'>): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await db.query<R>(text, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
  };
}

/**
 * PGlite in-process. One connection: PGlite runs transactions one at a time (its own mutex), so
 * racing appenders serialise and the losers see the winner's head, exactly as on PostgreSQL.
 * `dataDir` `memory://` keeps everything in memory.
 */
export async function openPgliteDriver(dataDir: string, options: { relaxedDurability?: boolean } = {}): Promise<SqlDriver> {
  const db = await PGlite.create(dataDir, { relaxedDurability: options.relaxedDurability ?? false });
  const base = executor(db);
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    close: () => db.close(),
  };
}
