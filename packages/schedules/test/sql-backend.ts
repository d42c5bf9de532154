import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '@lightspeed/ports';
import { openPostgresDriver, openStorage, type Storage, type StorageBackend } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';

/** A clock the test moves by hand; every store and scheduler of a test shares one. */
export class ManualClock implements Clock {
  constructor(public t = Date.parse('2026-06-01T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
}

export interface SqlBackend {
  /**
   * Opens a Storage with this clock (closed after the block). On PostgreSQL each call without
   * `database` creates a new database (the scheduler's lead and due scan span universes, so tests
   * must not share one); pass `storage.database` back to open a second Storage on the same one.
   */
  open(clock: Clock, database?: string): Promise<Storage & { database: string }>;
  /** For PostgreSQL: several Storage instances (separate pools, as separate servers would have). */
  readonly shared: boolean;
}

/** PGlite in memory (one Storage per test) or a real PostgreSQL server started from the local binaries. */
export function useSqlBackend(kind: 'pglite' | 'postgres'): SqlBackend {
  let server: PostgresServer | undefined;
  let backend: StorageBackend;
  const opened: Storage[] = [];
  beforeAll(async () => {
    if (kind === 'postgres') {
      server = await startPostgres();
      backend = { kind: 'postgres', url: server.url };
    }
  });
  afterAll(async () => {
    for (const storage of opened) await storage.close();
    await server?.stop();
  });
  return {
    shared: kind === 'postgres',
    async open(clock, database) {
      if (kind === 'pglite') {
        const storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' }, { clock });
        opened.push(storage);
        return Object.assign(storage, { database: 'memory' });
      }
      const name = database ?? `t_${randomUUID().replace(/-/g, '')}`;
      if (!database) {
        const driver = await openPostgresDriver(backend.kind === 'postgres' ? backend.url : '', { maxConnections: 1 });
        await driver.query(`CREATE DATABASE ${name}`);
        await driver.close();
      }
      const url = new URL(backend.kind === 'postgres' ? backend.url : '');
      url.pathname = `/${name}`;
      const storage = await openStorage({ kind: 'postgres', url: url.toString() }, { clock, migrate: true });
      opened.push(storage);
      return Object.assign(storage, { database: name });
    },
  };
}

export function freshUniverse(): string {
  return `u-${randomUUID()}`;
}
