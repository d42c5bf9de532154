import { refOfText } from '@lightspeed/engine';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecentBlobs, recentBlobStore } from '../src/recent-blobs.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('the host’s blob store view (recent blobs over the SQL store)', () => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await storage?.close();
  });

  it('hasMany answers recent blobs from memory and asks the store about the rest in one statement', async () => {
    const inner = storage.blobs('u');
    const view = recentBlobStore(inner, 'u', new RecentBlobs(1024 * 1024));
    const recent = await view.put(text('just written'));
    const stored = await inner.put(text('written by another process'));
    const statements: string[] = [];
    const query = storage.driver.query;
    storage.driver.query = ((...args: Parameters<typeof query>) => (statements.push(args[0]), query.apply(storage.driver, args))) as typeof query;
    try {
      expect(await view.hasMany!([recent.ref, refOfText('absent'), stored.ref])).toEqual([true, false, true]);
      expect(statements).toHaveLength(1);
      expect(await view.hasMany!([recent.ref])).toEqual([true]);
      expect(statements).toHaveLength(1);
    } finally {
      storage.driver.query = query;
    }
  });
});
