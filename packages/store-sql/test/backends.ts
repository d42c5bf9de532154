import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startPostgres, startS3, type PostgresServer, type S3Server } from '@lightspeed/testkit';
import { openStorage, type Storage, type StorageBackend, type StorageOptions } from '../src/index.js';

export type BackendName = 'pglite' | 'postgres';
export const BACKENDS: BackendName[] = ['pglite', 'postgres'];

export interface BackendHandle {
  readonly name: BackendName;
  /** The backend descriptor (for opening extra Storage instances on the same database). */
  backend(): StorageBackend;
  /** A Storage opened once for the whole describe block. */
  storage(): Storage;
  /** Opens another Storage on the same database; closed automatically after the block. */
  open(options?: StorageOptions): Promise<Storage>;
  /** The PostgreSQL server (postgres backend only). */
  server(): PostgresServer | undefined;
}

/**
 * Registers beforeAll/afterAll that start the backend: PGlite in memory, or a real PostgreSQL
 * server (migrated explicitly, as in production). Tests isolate themselves with a fresh universe.
 */
export function useBackend(name: BackendName, lazyOptions: StorageOptions | (() => StorageOptions) = {}): BackendHandle {
  let options: StorageOptions = {};
  let server: PostgresServer | undefined;
  let backend: StorageBackend;
  let storage: Storage | undefined;
  const extra: Storage[] = [];
  beforeAll(async () => {
    options = typeof lazyOptions === 'function' ? lazyOptions() : lazyOptions;
    if (name === 'postgres') {
      server = await startPostgres();
      backend = { kind: 'postgres', url: server.url };
      storage = await openStorage(backend, { ...options, migrate: true });
    } else {
      backend = { kind: 'pglite', dataDir: 'memory://' };
      storage = await openStorage(backend, options);
    }
  });
  afterAll(async () => {
    for (const s of extra) await s.close();
    await storage?.close();
    await server?.stop();
  });
  return {
    name,
    backend: () => backend,
    storage: () => storage!,
    async open(more: StorageOptions = {}) {
      // PGlite in memory is one database per instance, so "another Storage" shares the driver.
      if (name === 'pglite') throw new Error('open() on the same database needs the postgres backend');
      const s = await openStorage(backend, { ...options, ...more });
      extra.push(s);
      return s;
    },
    server: () => server,
  };
}

export function objectStoreOf(s3: S3Server) {
  return { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, keyPrefix: 'test/' };
}

export function useS3(): () => S3Server {
  let s3: S3Server | undefined;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
  });
  return () => s3!;
}

export function freshUniverse(): string {
  return `u-${randomUUID()}`;
}

export function entries(from: number, count: number, at = 1_000, data: (seq: number) => unknown = (seq) => ({ n: seq })) {
  return Array.from({ length: count }, (_, i) => ({ seq: from + i, at: at + i, kind: 'test.event', version: 1, data: data(from + i) }));
}
