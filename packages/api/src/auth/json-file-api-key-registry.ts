import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryApiKeyRegistry, type ApiKeyRecord } from './api-key-registry.js';

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

/**
 * A registry persisted as a small JSON file (hashes and metadata only), written atomically with
 * owner-only permissions. Suited to a single server process; SQL-backed registries can implement
 * the same interface for fleets.
 */
export class JsonFileApiKeyRegistry extends MemoryApiKeyRegistry {
  private constructor(
    private readonly path: string,
    now: () => number,
  ) {
    super(now);
  }

  static async open(path: string, now: () => number = Date.now): Promise<JsonFileApiKeyRegistry> {
    const registry = new JsonFileApiKeyRegistry(path, now);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text !== undefined) {
      const parsed = JSON.parse(text) as KeyFile;
      if (parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error(`${path} is not an API key file (version 1)`);
      for (const record of parsed.keys) registry.records.set(record.keyId, record);
    }
    return registry;
  }

  protected override async persist(): Promise<void> {
    const body: KeyFile = { version: 1, keys: [...this.records.values()] };
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.path);
  }
}
