import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

describe('a new PGlite data directory', () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'lightspeed-pglite-init-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('opens after a process was SIGKILLed at any moment of its first initialisation', async () => {
    // PGlite's in-place initdb, interrupted, left a directory whose every later open aborted.
    const delays = [150, 500, 900, 1300, 1700, 2100];
    const child = (dataDir: string) =>
      spawn(process.execPath, ['--conditions=lightspeed-src', '--import', 'tsx', fileURLToPath(new URL('./fixtures/open-pglite.ts', import.meta.url))], {
        env: { ...process.env, DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    let killedBeforeOpen = 0;
    for (const [i, delay] of delays.entries()) {
      const proc = child(join(home, `d${i}`, 'pglite'));
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      await vi.waitUntil(() => out.includes('starting'), { timeout: 30_000, interval: 5 });
      await new Promise((resolve) => setTimeout(resolve, delay));
      proc.kill('SIGKILL');
      await exited;
      if (!out.includes('opened')) killedBeforeOpen++;
    }
    expect(killedBeforeOpen, 'kills that landed during initialisation').toBeGreaterThanOrEqual(3);

    for (const i of delays.keys()) {
      const storage = await openStorage({ kind: 'pglite', dataDir: join(home, `d${i}`, 'pglite') });
      await storage.sessions('local').append('after-crash', 0, entries(1, 2), { status: 'active' });
      expect(await storage.sessions('local').head('after-crash')).toBe(2);
      await storage.close();
      // Staging directories of killed initialisations are cleaned up.
      expect(readdirSync(join(home, `d${i}`))).toEqual(['pglite']);
    }
  }, 120_000);

  it('refuses a non-empty directory that is not a data directory, with a typed error', async () => {
    const dataDir = join(home, 'pglite');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    await expect(openStorage({ kind: 'pglite', dataDir })).rejects.toMatchObject({ code: 'corrupt', message: expect.stringContaining('PG_VERSION') });
    expect(readdirSync(dataDir)).toEqual(['notes.txt']);
  });
});
