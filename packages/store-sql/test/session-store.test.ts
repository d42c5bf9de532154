import { describe, expect, it } from 'vitest';
import { refOfText } from '@lightspeed/engine';
import { AppendConflictError, isLightspeedError } from '@lightspeed/ports';
import type { SqlDriver } from '../src/index.js';
import { BACKENDS, entries, freshUniverse, useBackend } from './backends.js';

/**
 * A fault inside the database: a row trigger that raises on the event of one universe with kind
 * `explode`. The append's statement has already moved the head row (and inserted the earlier
 * events) when it fires, so this exercises the rollback of a half-done append.
 */
async function installFaultTrigger(driver: SqlDriver, universe: string): Promise<void> {
  await driver.query(`CREATE OR REPLACE FUNCTION ls_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.kind = 'explode' THEN RAISE EXCEPTION 'injected fault at seq %', NEW.seq; END IF;
      RETURN NEW;
    END $$`);
  const table = `ls_test_fault_${universe.replace(/[^a-z0-9]/g, '_')}`;
  await driver.query(`CREATE TRIGGER ${table} BEFORE INSERT ON ls_session_events FOR EACH ROW WHEN (NEW.universe = '${universe}') EXECUTE FUNCTION ls_test_fault()`);
}

describe.each(BACKENDS)('SqlSessionStore on %s', (name) => {
  const backend = useBackend(name);
  const sessions = () => backend.storage().sessions(freshUniverse());

  it('creates a session on the first append and reads entries back in order', async () => {
    const store = sessions();
    expect(await store.head('s1')).toBeUndefined();
    expect(await store.append('s1', 0, entries(1, 3, 1_000, (seq) => ({ seq, text: `é ${seq}`, nested: { ref: refOfText(`${seq}`) } })))).toEqual({ head: 3 });
    expect(await store.append('s1', 3, entries(4, 2, 2_000))).toEqual({ head: 5 });
    expect(await store.head('s1')).toBe(5);
    const all = await store.read('s1');
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all[0]).toEqual({ seq: 1, at: 1_000, kind: 'test.event', version: 1, data: { seq: 1, text: 'é 1', nested: { ref: refOfText('1') } } });
    expect((await store.read('s1', { after: 2, limit: 2 })).map((e) => e.seq)).toEqual([3, 4]);
    expect((await store.read('s1', { after: 5 })).length).toBe(0);
    expect(await store.read('missing')).toEqual([]);
  });

  it('refuses an append whose expectedHead is stale with AppendConflictError, writing nothing', async () => {
    const store = sessions();
    await store.append('s', 0, entries(1, 2));
    const error = await store.append('s', 1, entries(2, 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppendConflictError);
    expect(error).toMatchObject({ code: 'conflict', expectedHead: 1, actualHead: 2 });
    await expect(store.append('s', 0, entries(1, 1))).rejects.toBeInstanceOf(AppendConflictError);
    await expect(store.append('other', 4, entries(5, 1))).rejects.toMatchObject({ actualHead: 0 });
    expect(await store.head('other')).toBeUndefined();
    expect((await store.read('s')).length).toBe(2);
  });

  it('validates entries at the boundary: contiguous seqs, integer times, JSON data', async () => {
    const store = sessions();
    const invalid = (e: unknown) => isLightspeedError(e, 'invalid');
    await expect(store.append('s', 0, [{ seq: 2, at: 1, kind: 'k', version: 1, data: {} }])).rejects.toSatisfy(invalid);
    await expect(store.append('s', 0, [{ seq: 1, at: 1.5, kind: 'k', version: 1, data: {} }])).rejects.toSatisfy(invalid);
    await expect(store.append('s', 0, [{ seq: 1, at: 1, kind: '', version: 1, data: {} }])).rejects.toSatisfy(invalid);
    await expect(store.append('s', 0, [{ seq: 1, at: 1, kind: 'k', version: 1, data: { n: 1n } }])).rejects.toSatisfy(invalid);
    await expect(store.append('bad\u0000id', 0, entries(1, 1))).rejects.toSatisfy(invalid);
    expect(await store.head('s')).toBeUndefined();
  });

  it('an empty append only checks the head', async () => {
    const store = sessions();
    expect(await store.append('s', 0, [])).toEqual({ head: 0 });
    await store.append('s', 0, entries(1, 1));
    expect(await store.append('s', 1, [])).toEqual({ head: 1 });
    await expect(store.append('s', 0, [])).rejects.toBeInstanceOf(AppendConflictError);
  });

  it('8 writers racing on one session: every seq written exactly once, losers get the conflict error, no gaps', async () => {
    const store = sessions();
    await store.append('race', 0, entries(1, 1));
    const rounds = 12;
    let wins = 0;
    let conflicts = 0;
    const writer = async (w: number) => {
      for (let round = 0; round < rounds; round++) {
        const head = (await store.head('race'))!;
        try {
          await store.append('race', head, entries(head + 1, 3, 10_000 + head, (seq) => ({ writer: w, seq })));
          wins++;
        } catch (error) {
          if (!(error instanceof AppendConflictError)) throw error;
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    expect(wins + conflicts).toBe(8 * rounds);
    expect(conflicts).toBeGreaterThan(0);
    const log = await store.read('race');
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 1 + wins * 3 }, (_, i) => i + 1));
    expect(await store.head('race')).toBe(1 + wins * 3);
    // Each batch of three came from one writer: no interleaving of two appends.
    for (let i = 1; i < log.length; i += 3) {
      const batch = log.slice(i, i + 3).map((e) => (e.data as { writer: number }).writer);
      expect(new Set(batch).size).toBe(1);
    }
  });

  it('a failure after the head moved rolls the whole append back (no partial write)', async () => {
    const universe = freshUniverse();
    const store = backend.storage().sessions(universe);
    await store.append('s', 0, entries(1, 2), { status: 'active', displayName: 'before' });
    await installFaultTrigger(backend.storage().driver, universe);
    const batch = entries(3, 4).map((e) => (e.seq === 6 ? { ...e, kind: 'explode' } : e));
    await expect(store.append('s', 2, batch, { status: 'closed', displayName: 'after' })).rejects.toThrow(/injected fault at seq 6/);
    expect(await store.head('s')).toBe(2);
    expect((await store.read('s')).map((e) => e.seq)).toEqual([1, 2]);
    expect(await store.summary('s')).toMatchObject({ head: 2, status: 'active', displayName: 'before' });
    expect(await store.append('s', 2, entries(3, 1))).toEqual({ head: 3 });
    // The same for a session's very first append.
    await expect(store.append('fresh', 0, [{ seq: 1, at: 1, kind: 'explode', version: 1, data: {} }])).rejects.toThrow(/injected fault/);
    expect(await store.summary('fresh')).toBeUndefined();
  });

  it('maintains the list projection in the append and pages it by keyset (updated desc, id)', async () => {
    const universe = freshUniverse();
    const store = backend.storage().sessions(universe);
    expect(await store.list()).toEqual({ sessions: [] });
    for (let i = 0; i < 7; i++) await store.append(`s${i}`, 0, entries(1, 1, 1_000 + (i % 3) * 100), { displayName: `Session ${i}`, status: i % 2 ? 'active' : 'idle' });
    await store.append('s0', 1, entries(2, 1, 5_000), { status: 'closed' });
    expect(await store.summary('s0')).toEqual({ sessionId: 's0', status: 'closed', displayName: 'Session 0', createdAt: 1_000, updatedAt: 5_000, head: 2 });
    await store.append('s1', 1, entries(2, 1, 1_100), { displayName: null });
    expect((await store.summary('s1'))?.displayName).toBeNull();

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.sessions.length).toBeLessThanOrEqual(3);
      seen.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['s0', 's2', 's5', 's1', 's4', 's3', 's6']);
    expect((await store.list({ status: 'active' })).sessions.map((s) => s.sessionId)).toEqual(['s5', 's1', 's3']);
    expect(await store.listActive()).toEqual(['s1', 's3', 's5']);
    const everywhere = await backend.storage().activeSessions();
    expect(everywhere.filter((s) => s.universe === universe)).toEqual(['s1', 's3', 's5'].map((sessionId) => ({ universe, sessionId })));
    await expect(store.list({ cursor: 'not-a-cursor' })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('keeps only the latest snapshot pointer per session', async () => {
    const store = sessions();
    await expect(store.putSnapshot('nope', { seq: 0, stateRef: refOfText('x') })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'not_found'));
    await store.append('s', 0, entries(1, 10));
    expect(await store.latestSnapshot('s')).toBeUndefined();
    await store.putSnapshot('s', { seq: 5, stateRef: refOfText('five') });
    await store.putSnapshot('s', { seq: 8, stateRef: refOfText('eight') });
    await store.putSnapshot('s', { seq: 6, stateRef: refOfText('six (late writer)') });
    expect(await store.latestSnapshot('s')).toEqual({ seq: 8, stateRef: refOfText('eight') });
    await expect(store.putSnapshot('s', { seq: 11, stateRef: refOfText('future') })).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('deletes closed sessions only, with their log and snapshots', async () => {
    const store = sessions();
    await store.append('open', 0, entries(1, 1), { status: 'active' });
    await expect(store.delete('open')).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'conflict'));
    await expect(store.delete('missing')).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'not_found'));
    await store.append('done', 0, entries(1, 2), { status: 'closed' });
    await store.putSnapshot('done', { seq: 2, stateRef: refOfText('state') });
    await store.delete('done');
    expect(await store.head('done')).toBeUndefined();
    expect(await store.read('done')).toEqual([]);
    expect(await store.latestSnapshot('done')).toBeUndefined();
    expect(await store.head('open')).toBe(1);
    // The id is free again: a new session starts from head 0.
    expect(await store.append('done', 0, entries(1, 1))).toEqual({ head: 1 });
  });

  it('a session of universe A is invisible to universe B', async () => {
    const a = backend.storage().sessions(freshUniverse());
    const b = backend.storage().sessions(freshUniverse());
    await a.append('shared-id', 0, entries(1, 2), { status: 'active', displayName: 'A' });
    await a.putSnapshot('shared-id', { seq: 1, stateRef: refOfText('a') });
    expect(await b.head('shared-id')).toBeUndefined();
    expect(await b.read('shared-id')).toEqual([]);
    expect(await b.summary('shared-id')).toBeUndefined();
    expect(await b.latestSnapshot('shared-id')).toBeUndefined();
    expect((await b.list()).sessions).toEqual([]);
    expect(await b.listActive()).toEqual([]);
    // B can use the same id independently, from head 0.
    expect(await b.append('shared-id', 0, entries(1, 1))).toEqual({ head: 1 });
    expect(await a.head('shared-id')).toBe(2);
    expect(() => backend.storage().sessions('../escape')).toThrow(/universe id/);
  });
});
