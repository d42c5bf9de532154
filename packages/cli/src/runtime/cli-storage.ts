import { join } from 'node:path';
import type { EmbeddedStores } from '@lightspeed/host-embedded';
import { acquireDataDirLock, memoryStores, type DataDirLock } from '@lightspeed/host-embedded';
import { isLightspeedError, type ProfileStore } from '@lightspeed/ports';
import { openStorage, storageOptionsFromEnv, type Storage } from '@lightspeed/store-sql';
import { CliError } from '../cli-error.js';
import { MEMORY_DATA_DIR } from './data-dir.js';

/** The stores a host runs on, with what they are for messages, and how to let go of them. */
export interface CliStorage {
  stores: EmbeddedStores;
  /** `pglite <dir>`, `postgresql`, or `memory`. */
  describe: string;
  /** The SQL storage, when there is one (hosts other than embedded may need its driver). */
  sql?: Storage;
  /** Agent profiles per universe; absent for in-memory storage (the gateway keeps them in memory). */
  profiles?: (universe: string) => ProfileStore;
  close(): Promise<void>;
}

/**
 * PostgreSQL when LIGHTSPEED_POSTGRES_URL is set (migrations are the explicit `lightspeed migrate`
 * step), else PGlite under the data directory, locked against a second process and migrated on
 * open (embedded mode has one owner, so migrating is safe).
 */
export async function openCliStorage(dataDir: string, env: NodeJS.ProcessEnv): Promise<CliStorage> {
  const url = env.LIGHTSPEED_POSTGRES_URL;
  if (!url && dataDir === MEMORY_DATA_DIR) return { stores: memoryStores(), describe: 'memory (nothing is kept after exit)', close: async () => {} };
  let lock: DataDirLock | undefined;
  let storage: Storage;
  try {
    if (url) {
      storage = await openStorage({ kind: 'postgres', url }, storageOptionsFromEnv(env));
    } else {
      lock = acquireDataDirLock(dataDir);
      storage = await openStorage({ kind: 'pglite', dataDir: join(dataDir, 'pglite') }, storageOptionsFromEnv(env));
    }
  } catch (error) {
    lock?.release();
    // A bad URL or a refused connection: say which setting to check (never echo the URL: it may hold a password).
    if (url && !isLightspeedError(error)) throw new CliError(`cannot open the PostgreSQL database from LIGHTSPEED_POSTGRES_URL: ${(error as Error).message}`);
    throw error;
  }
  return {
    stores: {
      sessions: (universe) => storage.sessions(universe),
      blobs: (universe) => storage.blobs(universe),
      workspaces: (universe) => storage.workspaces(universe),
      activeSessions: () => storage.activeSessions(),
    },
    describe: url ? 'postgresql (LIGHTSPEED_POSTGRES_URL)' : `pglite ${join(dataDir, 'pglite')}`,
    sql: storage,
    profiles: (universe) => storage.profiles(universe),
    async close() {
      try {
        await storage.close();
      } finally {
        lock?.release();
      }
    },
  };
}
