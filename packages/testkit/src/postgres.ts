import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { findPostgresBinaries } from './postgres-binaries.js';
import { serverUser, type ServerUser } from './server-user.js';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth on loopback only). */
  url: string;
  port: number;
  /** The server's data directory (inside a temp dir removed by `stop`). */
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /**
   * `false` (default) trades crash safety for speed — fsync, synchronous commit and full-page
   * writes off — which is right for a throwaway test cluster. `true` keeps PostgreSQL's defaults.
   */
  durable?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

const NON_DURABLE = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

/** True when another account can reach `dir` (every ancestor searchable by "others"). */
function reachableByOthers(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dirname(current) === current) return true;
  }
}

/** Where the cluster's temp dir goes: the OS temp dir, unless the server account cannot reach it. */
function tempBase(user: ServerUser | undefined): string {
  const base = tmpdir();
  return user === undefined || reachableByOthers(base) ? base : '/tmp';
}

/** Runs a command to completion, keeping its output for the error message. */
function run(command: string, args: string[], user: ServerUser | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnIdentity(user), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

function spawnIdentity(user: ServerUser | undefined): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  // A minimal environment: the server must not inherit the test process's secrets.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
  if (user === undefined) return { env };
  return { uid: user.uid, gid: user.gid, env: { ...env, HOME: '/tmp', USER: user.name } };
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during startup:\n${log().slice(-4000)}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${log().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT'); // "fast shutdown": roll back open transactions, disconnect clients, exit
  });
}

/**
 * Starts a real PostgreSQL server from the distribution's binaries in a fresh temp dir, listening
 * on a free 127.0.0.1 port. As root the server runs as an unprivileged account (see `serverUser`).
 * Throws (never skips) when the binaries are missing.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binaries = findPostgresBinaries();
  const user = serverUser();
  const root = await mkdtemp(join(tempBase(user), 'lightspeed-pg-'));
  const dataDir = join(root, 'data');
  try {
    if (user) await chown(root, user.uid, user.gid);
    await run(binaries.initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], user);
    const settings: Record<string, string | number> = { ...(options.durable ? {} : NON_DURABLE), ...options.settings };
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', root];
      for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
      const child = spawn(binaries.postgres, args, { ...spawnIdentity(user), stdio: ['ignore', 'ignore', 'pipe'] });
      let log = '';
      child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-16_000)));
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      try {
        await waitUntilReady(url, child, () => log, options.startTimeoutMs ?? 30_000);
      } catch (error) {
        lastError = error;
        await stopChild(child);
        process.removeListener('exit', killOnExit);
        if (/could not bind|Address already in use/i.test(log)) continue;
        throw error;
      }
      let stopped = false;
      return {
        url,
        port,
        dataDir,
        async stop() {
          if (stopped) return;
          stopped = true;
          await stopChild(child);
          process.removeListener('exit', killOnExit);
          await rm(root, { recursive: true, force: true });
        },
      };
    }
    throw lastError;
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
