import { describe, expect, it } from 'vitest';
import { refOfBytes } from '@lightspeed/engine';
import { InlinePutBatcher, SqlBlobStore, type SqlDriver } from '../src/index.js';
import { BACKENDS, freshUniverse, useBackend } from './backends.js';

function counting(driver: SqlDriver): SqlDriver & { statements: number } {
  const counted = {
    ...driver,
    statements: 0,
    query(text: string, params?: readonly unknown[]) {
      if (text.startsWith('INSERT INTO ls_blobs')) counted.statements++;
      return driver.query(text, params);
    },
  } as SqlDriver & { statements: number };
  return counted;
}

describe.each(BACKENDS)('coalesced inline puts on %s', (name) => {
  const backend = useBackend(name);

  it('many concurrent puts share statements, and each put has landed when it resolves', async () => {
    const driver = counting(backend.storage().driver);
    const universe = freshUniverse();
    const store = new SqlBlobStore(driver, universe, { inline: new InlinePutBatcher(driver, () => 1, 2), maxBlobBytes: 1 << 20, clock: { now: () => 1 } });
    const payloads = Array.from({ length: 60 }, (_, i) => new TextEncoder().encode(`blob ${i % 40}`));
    const stats = await Promise.all(payloads.map(async (bytes) => {
      const stat = await store.put(bytes);
      expect(await store.get(stat.ref)).toEqual(bytes); // visible as soon as the put resolved
      return stat;
    }));
    expect(stats.map((s) => s.ref)).toEqual(payloads.map((bytes) => refOfBytes(bytes)));
    expect(driver.statements).toBeLessThan(60);
    const { rows } = await backend.storage().driver.query<{ n: number }>('SELECT count(*)::int AS n FROM ls_blobs WHERE universe = $1', [universe]);
    expect(rows[0]!.n).toBe(40);
  });

  it('a failed statement fails every put that rode in it', async () => {
    const universe = freshUniverse();
    const driver = backend.storage().driver;
    await driver.query(`CREATE OR REPLACE FUNCTION ls_test_blob_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected blob fault'; END $$`);
    await driver.query(`CREATE TRIGGER ls_test_blob_fault_${universe.replace(/[^a-z0-9]/g, '_')} BEFORE INSERT ON ls_blobs FOR EACH ROW WHEN (NEW.universe = '${universe}') EXECUTE FUNCTION ls_test_blob_fault()`);
    const store = backend.storage().blobs(universe);
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.put(new TextEncoder().encode(`doomed ${i}`))));
    expect(results.every((r) => r.status === 'rejected' && /injected blob fault/.test(String(r.reason)))).toBe(true);
    expect(await store.has(refOfBytes(new TextEncoder().encode('doomed 0')))).toBe(false);
  });
});
