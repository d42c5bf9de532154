import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import { MemoryApiKeyRegistry, type ApiKeyRecord, type CreateApiKeyOptions, type CreatedApiKey } from './api-key-registry.js';

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

/** What identifies one version of the file: every write is a rename, so a new inode and times. */
type FileStamp = string;

/** A writer holds the write lock for milliseconds; one this old was left by a killed command. */
const STALE_WRITE_LOCK_MS = 30_000;
const WRITE_LOCK_WAIT_MS = 10_000;

/**
 * A registry persisted as a small JSON file (hashes and metadata only), written atomically with
 * owner-only permissions. Suited to a single server process; SQL-backed registries can implement
 * the same interface for fleets.
 *
 * The file is the truth, not this process's copy: every lookup first checks the file's stamp (one
 * `stat`) and re-reads it when it changed, so a key created or revoked by `lightspeed keys` in
 * another process counts from the next request, without a restart. Writers re-read under a write
 * lock before changing anything, so two commands cannot undo each other (a lost revocation would
 * bring a key back). A file that cannot be parsed is an error, never "no change": failing closed.
 */
export class JsonFileApiKeyRegistry extends MemoryApiKeyRegistry {
  private stamp: FileStamp | undefined;
  private refreshing: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    now: () => number,
  ) {
    super(now);
  }

  static async open(path: string, now: () => number = Date.now): Promise<JsonFileApiKeyRegistry> {
    const registry = new JsonFileApiKeyRegistry(path, now);
    await registry.refresh();
    return registry;
  }

  override async resolve(key: string): Promise<string | undefined> {
    await this.refresh();
    return super.resolve(key);
  }

  override async list(universe?: string): Promise<ApiKeyRecord[]> {
    await this.refresh();
    return super.list(universe);
  }

  override async createApiKey(universe: string, options: CreateApiKeyOptions = {}): Promise<CreatedApiKey> {
    return this.underWriteLock(() => super.createApiKey(universe, options));
  }

  override async revoke(keyId: string): Promise<boolean> {
    return this.underWriteLock(() => super.revoke(keyId));
  }

  protected override async persist(): Promise<void> {
    const body: KeyFile = { version: 1, keys: [...this.records.values()] };
    const temp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`);
        // The mode given to open is masked by the umask; the file holds hashes, so owner-only regardless.
        await handle.chmod(0o600);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } finally {
      await rm(temp, { force: true });
    }
    this.stamp = undefined;
  }

  /**
   * Brings the records up to date with the file if its stamp changed. Checks run one at a time and
   * each caller gets its own, never one that began before it was called: a request that starts
   * after a revocation was written must see it.
   */
  private async refresh(force = false): Promise<void> {
    while (this.refreshing) await this.refreshing.catch(() => undefined);
    if (force) this.stamp = undefined;
    const reload = this.reload().finally(() => {
      this.refreshing = undefined;
    });
    this.refreshing = reload;
    return reload;
  }

  private async reload(): Promise<void> {
    let current: BigIntStats;
    try {
      current = await stat(this.path, { bigint: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.records.clear();
      this.stamp = 'absent';
      return;
    }
    const stamp = `${current.dev}:${current.ino}:${current.size}:${current.mtimeNs}:${current.ctimeNs}`;
    if (stamp === this.stamp) return;
    // Stamp first, then read: if the file is replaced in between, the next check sees a new stamp and reads again.
    const records = parseKeyFile(this.path, await readFile(this.path, 'utf8'));
    this.records.clear();
    for (const record of records) this.records.set(record.keyId, record);
    this.stamp = stamp;
  }

  /** Runs a change against the file's current content with no other writer in between. */
  private async underWriteLock<T>(change: () => Promise<T>): Promise<T> {
    await mkdir(dirname(this.path), { recursive: true });
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + WRITE_LOCK_WAIT_MS;
    for (;;) {
      try {
        await (await open(lockPath, 'wx', 0o600)).close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const age = await stat(lockPath).then(
        (stats) => Date.now() - stats.mtimeMs,
        () => 0,
      );
      if (age > STALE_WRITE_LOCK_MS) await rm(lockPath, { force: true });
      else if (Date.now() > deadline) {
        throw new LightspeedError('locked', `${lockPath} is held by another command changing API keys; retry, or delete it if none is running`, { path: lockPath });
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    try {
      await this.refresh(true);
      return await change();
    } finally {
      await rm(lockPath, { force: true });
    }
  }
}

function parseKeyFile(path: string, text: string): ApiKeyRecord[] {
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new LightspeedError('corrupt', `${path} is not valid JSON; restore it from a backup or recreate the keys with \`lightspeed keys create\``, { path });
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new LightspeedError('corrupt', `${path} is not an API key file (version 1)`, { path });
  for (const record of parsed.keys as Partial<ApiKeyRecord>[]) {
    if (typeof record.keyId !== 'string' || typeof record.universe !== 'string' || typeof record.hash !== 'string' || typeof record.createdAt !== 'number') {
      throw new LightspeedError('corrupt', `${path} holds a key record without keyId, universe, hash and createdAt`, { path });
    }
  }
  return parsed.keys;
}
