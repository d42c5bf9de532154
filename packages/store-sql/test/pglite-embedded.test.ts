import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFromEnv, LATEST_SCHEMA_VERSION, openStorage, schemaVersion } from '../src/index.js';
import { entries } from './backends.js';

describe('embedded PGlite storage', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'lightspeed-home-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('migrates on open and keeps sessions and blobs across a reopen of the data directory', async () => {
    const backend = backendFromEnv({ LIGHTSPEED_HOME: home });
    expect(backend).toEqual({ kind: 'pglite', dataDir: join(home, 'pglite') });
    const first = await openStorage(backend);
    expect(await schemaVersion(first.driver)).toBe(LATEST_SCHEMA_VERSION);
    await first.sessions('local').append('s', 0, entries(1, 3), { status: 'active' });
    const ref = (await first.blobs('local').put(new TextEncoder().encode('kept'))).ref;
    await first.close();

    const second = await openStorage(backend);
    expect(await second.sessions('local').head('s')).toBe(3);
    expect(await second.sessions('local').listActive()).toEqual(['s']);
    expect(new TextDecoder().decode(await second.blobs('local').get(ref))).toBe('kept');
    await second.close();
  }, 90_000); // two PGlite cold starts

  it('chooses PostgreSQL when LIGHTSPEED_POSTGRES_URL is set', () => {
    expect(backendFromEnv({ LIGHTSPEED_POSTGRES_URL: 'postgres://db/x', LIGHTSPEED_HOME: home })).toEqual({ kind: 'postgres', url: 'postgres://db/x' });
  });
});
