import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { isLightspeedError } from '@lightspeed/ports';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrateBackend, openStorage, schemaVersion, type Storage } from '../src/index.js';
import { entries, freshUniverse } from './backends.js';

describe('PostgreSQL: migrations and dropped connections', () => {
  let server: PostgresServer;
  let storage: Storage;
  let admin: pg.Client;

  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });
  afterAll(async () => {
    await storage?.close();
    await admin?.end();
    await server?.stop();
  });

  it('does not migrate implicitly: opening an empty database says to run `lightspeed migrate`', async () => {
    const error = await openStorage({ kind: 'postgres', url: server.url }).catch((e: unknown) => e);
    expect(isLightspeedError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).toMatch(/lightspeed migrate/);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'ls_%'`);
    expect(rows[0].n).toBe(0);
  });

  it('migrate applies the schema once and is idempotent, also when run concurrently', async () => {
    const reports = await Promise.all([migrateBackend({ kind: 'postgres', url: server.url }), migrateBackend({ kind: 'postgres', url: server.url })]);
    expect(reports.map((r) => r.applied.length).sort()).toEqual([0, MIGRATIONS.length]);
    expect((await migrateBackend({ kind: 'postgres', url: server.url })).applied).toEqual([]);
    storage = await openStorage({ kind: 'postgres', url: server.url });
    expect(await schemaVersion(storage.driver)).toBe(LATEST_SCHEMA_VERSION);
  });

  it('a connection terminated mid-transaction leaves no partial append', async () => {
    const universe = freshUniverse();
    const sessions = storage.sessions(universe);
    await sessions.append('s', 0, entries(1, 2), { status: 'active', displayName: 'before' });

    // A second transaction holds an uncommitted row with the *last* seq of the coming batch, so the
    // append moves the head, inserts its first events, then blocks on that row's unique check.
    const blocker = new pg.Client({ connectionString: server.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`INSERT INTO ls_session_events (universe, session_id, seq, at, kind, version, data) VALUES ($1, 's', 6, 0, 'blocker', 1, '{}')`, [universe]);

    const append = sessions.append('s', 2, entries(3, 4), { status: 'closed', displayName: 'after' }).then(
      () => 'committed',
      (error: unknown) => error,
    );
    let victim: number | undefined;
    for (let i = 0; i < 200 && victim === undefined; i++) {
      const { rows } = await admin.query(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO ls_session_events%'`);
      victim = rows[0]?.pid;
      if (victim === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(victim).toBeDefined();
    // Mid-transaction: the victim has already moved the head (uncommitted).
    await admin.query('SELECT pg_terminate_backend($1)', [victim]);
    const outcome = await append;
    expect(isLightspeedError(outcome, 'unavailable')).toBe(true);
    await blocker.query('ROLLBACK');
    await blocker.end();

    expect(await sessions.head('s')).toBe(2);
    expect((await sessions.read('s')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await sessions.summary('s')).toMatchObject({ head: 2, status: 'active', displayName: 'before' });
    // The pool replaced the dead connection: the store keeps working.
    expect(await sessions.append('s', 2, entries(3, 4))).toEqual({ head: 6 });
    expect((await sessions.read('s')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a server that is gone is reported as unavailable, not as a raw driver error', async () => {
    const gone = await startPostgres();
    const url = gone.url;
    await migrateBackend({ kind: 'postgres', url });
    const doomed = await openStorage({ kind: 'postgres', url });
    await gone.stop();
    const error = await doomed.sessions(freshUniverse()).head('s').catch((e: unknown) => e);
    expect(isLightspeedError(error, 'unavailable')).toBe(true);
    expect((error as Error).message).not.toContain(url);
    await doomed.close();
  });
});
