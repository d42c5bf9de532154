// Environments over real SQL storage (PGlite in memory, or a real PostgreSQL server): the
// universe's CAS and workspaces, and a temp directory holding the environments.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage, type StorageBackend } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { importDirectory, readFile, Workspaces } from '@lightspeed/vfs';
import { Environments, type EnvironmentsOptions } from '../../src/index.js';

export const UNIVERSE = 'u-env';

let postgres: PostgresServer | undefined;

/** One PostgreSQL server for the test file, started on first use. */
export async function sharedPostgres(): Promise<PostgresServer> {
  return (postgres ??= await startPostgres());
}

/** The two SQL backends every environment test runs on (the PostgreSQL server starts on first use). */
export const storageBackends = [
  ['PGlite', async (): Promise<StorageBackend> => ({ kind: 'pglite', dataDir: 'memory://' })],
  ['PostgreSQL', async (): Promise<StorageBackend> => ({ kind: 'postgres', url: (await sharedPostgres()).url })],
] as const;

/** Stops the PostgreSQL server `storageBackends` started, if any (call in a file's afterAll). */
export async function stopStorageBackends(): Promise<void> {
  await postgres?.stop();
  postgres = undefined;
}

export interface EnvironmentStack {
  storage: Storage;
  workspaces: Workspaces;
  root: string;
  environments(options?: Partial<EnvironmentsOptions>): Environments;
  /** A workspace holding these files (path → text). */
  workspace(id: string, files: Record<string, string>): Promise<void>;
  readFile(workspaceId: string, path: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startEnvironmentStack(backend: StorageBackend): Promise<EnvironmentStack> {
  const storage = await openStorage(backend, { migrate: true });
  const blobs = storage.blobs(UNIVERSE);
  const workspaces = new Workspaces(storage.workspaces(UNIVERSE), blobs);
  const root = await mkdtemp(join(tmpdir(), 'ls-env-'));
  return {
    storage,
    workspaces,
    root,
    environments: (options = {}) => new Environments({ root: join(root, 'environments'), blobs, workspaces, ...options }),
    async workspace(id, files) {
      const { mkdir, writeFile } = await import('node:fs/promises');
      const dir = await mkdtemp(join(root, 'seed-'));
      for (const [path, text] of Object.entries(files)) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const { rootRef } = await importDirectory(blobs, dir);
      await workspaces.create(id, rootRef);
    },
    async readFile(workspaceId, path) {
      const head = await workspaces.head(workspaceId);
      try {
        return new TextDecoder().decode(await readFile(workspaces.nodes, head.headRef, path));
      } catch {
        return undefined;
      }
    },
    async close() {
      await storage.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
