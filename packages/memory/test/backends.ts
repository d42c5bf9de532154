import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '@lightspeed/ports';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public t = Date.parse('2026-06-01T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
}

/** One Storage per describe block: PGlite in memory, or a real PostgreSQL migrated explicitly. */
export function useStorage(kind: 'pglite' | 'postgres', clock: Clock): () => Storage {
  let server: PostgresServer | undefined;
  let storage: Storage | undefined;
  beforeAll(async () => {
    if (kind === 'postgres') {
      server = await startPostgres();
      storage = await openStorage({ kind: 'postgres', url: server.url }, { migrate: true, clock });
    } else {
      storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' }, { clock });
    }
  });
  afterAll(async () => {
    await storage?.close();
    await server?.stop();
  });
  return () => storage!;
}

export function freshUniverse(): string {
  return `u-${randomUUID()}`;
}
