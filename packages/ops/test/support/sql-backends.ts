// The two SQL backends the dispatch tests run on: PGlite in memory, and one real PostgreSQL server
// per test file (started from the local binaries on first use, stopped after the file).
import type { StorageBackend } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll } from 'vitest';

let postgres: PostgresServer | undefined;

/** The file's PostgreSQL server, started on first use. */
export async function sharedPostgres(): Promise<PostgresServer> {
  postgres ??= await startPostgres();
  return postgres;
}

/** `describe.each` rows: a name and a backend factory. Call at the top of a test file. */
export function sqlBackends(): readonly (readonly [string, () => Promise<StorageBackend>])[] {
  afterAll(async () => postgres?.stop());
  return [
    ['PGlite', async () => ({ kind: 'pglite', dataDir: 'memory://' })],
    ['PostgreSQL', async () => ({ kind: 'postgres', url: (await sharedPostgres()).url })],
  ];
}
