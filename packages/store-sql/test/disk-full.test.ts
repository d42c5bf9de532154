import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '@lightspeed/cas';
import { DiskFullError, type LightspeedError } from '@lightspeed/ports';
import { mountSmallFilesystem, type SmallFilesystem } from '@lightspeed/testkit';
import { openStorage, type Storage } from '../src/index.js';

async function failure(promise: Promise<unknown>): Promise<LightspeedError> {
  try {
    await promise;
  } catch (error) {
    return error as LightspeedError;
  }
  throw new Error('expected the write to fail');
}

// Real ENOSPC from a real (tmpfs) file system, not a simulated one.
describe('a full disk', () => {
  it.each([4, 8])('on first start (a %i MiB disk) is a disk-full error naming the directory and the file system', async (mib) => {
    const disk = await mountSmallFilesystem(mib * 1024 * 1024);
    try {
      const dataDir = join(disk.path, 'pglite');
      const error = await failure(openStorage({ kind: 'pglite', dataDir }));
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error.code).toBe('unavailable');
      expect(error.message).toContain(`disk full writing ${dataDir}`);
      expect(error.message).toContain(`free space on ${disk.path}`);
    } finally {
      await disk.unmount();
    }
  }, 60_000);

  describe('while running', () => {
    let disk: SmallFilesystem;
    let storage: Storage;
    let dataDir: string;
    beforeAll(async () => {
      disk = await mountSmallFilesystem(64 * 1024 * 1024);
      dataDir = join(disk.path, 'pglite');
      storage = await openStorage({ kind: 'pglite', dataDir });
    }, 60_000);
    afterAll(async () => {
      await disk?.unfill();
      await storage?.close();
      await disk?.unmount();
    });

    it('fails PGlite writes as unavailable (free space, retry), and the same write succeeds once space is freed', async () => {
      const blobs = storage.blobs('u1');
      await disk.fill(256 * 1024);
      // Incompressible, so the bytes really take space.
      const bytes = randomBytes(96 * 1024);
      let error: LightspeedError | undefined;
      for (let i = 0; i < 64 && !error; i++) error = await blobs.put(randomBytes(96 * 1024)).then(() => undefined, (e: LightspeedError) => e);
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error!.code).toBe('unavailable');
      expect(error!.message).toMatch(new RegExp(`^disk full writing ${dataDir} \\(ENOSPC, no space left on device\\): free space on ${disk.path} \\(.* free of it now\\), then retry$`));
      await disk.unfill();
      const stored = await blobs.put(bytes);
      expect(await blobs.get(stored.ref)).toEqual(new Uint8Array(bytes));
    });

    it('fails file blob store writes the same way', async () => {
      const root = join(disk.path, 'cas');
      const store = new FsBlobStore({ root });
      await store.put(randomBytes(1024));
      await disk.fill(64 * 1024);
      const error = await failure(store.put(randomBytes(256 * 1024)));
      expect(error).toBeInstanceOf(DiskFullError);
      expect(error.message).toContain(`disk full writing ${root}/sha256/`);
      expect(error.message).toContain(`free space on ${disk.path}`);
      await disk.unfill();
      await store.put(randomBytes(256 * 1024));
    });
  });
});
