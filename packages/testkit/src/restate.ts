// A real Restate server for tests and benchmarks: the binary shipped in npm
// (`@restatedev/restate-server` → its platform package), on free loopback ports, in a temp dir.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, spawnServer, waitForReady, type ProcessExit } from './server-process.js';

export interface RestateServer {
  /** Where clients invoke handlers, e.g. `http://127.0.0.1:41234`. */
  readonly ingressUrl: string;
  /** Where deployments are registered, e.g. `http://127.0.0.1:41235`. */
  readonly adminUrl: string;
  readonly pid: number;
  /** The server's base dir (data + `restate.log`); removed by `stop()`. */
  readonly baseDir: string;
  /** Kills the server by its own process id and removes its base dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRestateOptions {
  /** Partitions of the fresh cluster; few keep startup and memory small on a 2-core machine. */
  partitions?: number;
  /** Extra server configuration as `RESTATE_*` environment variables (e.g. `RESTATE_LOG_FILTER`). */
  env?: Record<string, string>;
  startupTimeoutMs?: number;
}

/**
 * Path of the restate-server binary: `RESTATE_SERVER_BIN` if set, else the binary inside the
 * installed platform package, resolved the way `@restatedev/restate-server`'s own launcher does.
 */
export function restateServerBinary(): string {
  const override = process.env.RESTATE_SERVER_BIN;
  if (override) return checkExecutable(override, 'fix RESTATE_SERVER_BIN or unset it');
  const platformPackage = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  const fromHere = createRequire(import.meta.url);
  let binary: string;
  try {
    // Resolve through the launcher package, whose optional dependency is the platform package.
    const launcher = fromHere.resolve('@restatedev/restate-server/package.json');
    binary = createRequire(launcher).resolve(`${platformPackage}/bin/restate-server`);
  } catch (error) {
    throw new Error(
      `restate-server binary not found (${platformPackage} is not installed: ${(error as Error).message}). ` +
        'Run `npm ci` (optional dependencies must not be omitted) or set RESTATE_SERVER_BIN; see docs/0004-temporal-restate-servers.md.',
    );
  }
  return checkExecutable(binary, 'run `npm ci` again');
}

function checkExecutable(path: string, fix: string): string {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`restate-server at ${path} is missing or not executable; ${fix}.`);
  }
  return path;
}

/** Starts a fresh single-node Restate server and waits until admin and ingress answer. */
export async function startRestate(options: StartRestateOptions = {}): Promise<RestateServer> {
  const binary = restateServerBinary();
  let lastError: unknown;
  // A free port can be taken by another process before the server binds it: retry with new ones.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
      if (!/address already in use|AddrInUse/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, options: StartRestateOptions): Promise<RestateServer> {
  const baseDir = mkdtempSync(join(tmpdir(), 'lightspeed-restate-'));
  const [ingressPort, adminPort, fabricPort] = (await freePorts(3)) as [number, number, number];
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;

  // The parent's RESTATE_* variables (e.g. our own RESTATE_ADMIN_URL) would be read as server
  // configuration, so none are inherited.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('RESTATE_')) env[key] = value;
  }
  Object.assign(env, {
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
    RESTATE_BIND_ADDRESS: `127.0.0.1:${fabricPort}`,
    RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabricPort}`,
    RESTATE_DEFAULT_NUM_PARTITIONS: String(options.partitions ?? 4),
    RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: '512 MiB',
    RESTATE_DISABLE_TELEMETRY: 'true',
    RESTATE_LOG_FILTER: 'warn',
    RESTATE_LOG_DISABLE_ANSI_CODES: 'true',
    ...options.env,
  });

  const server = spawnServer({
    command: binary,
    args: ['--base-dir', baseDir, '--node-name', 'lightspeed-test', '--listen-mode', 'tcp', '--no-logo'],
    env,
    cwd: baseDir,
    logFile: join(baseDir, 'restate.log'),
    processGroup: false,
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= server.stop().then((_exit: ProcessExit) => {
      rmSync(baseDir, { recursive: true, force: true });
    });
    return stopped;
  };

  try {
    await waitForReady(
      server,
      async () => (await ok(`${adminUrl}/health`)) && (await ok(`${ingressUrl}/restate/health`)),
      { what: `restate-server (pid ${server.pid}, ${baseDir})`, timeoutMs: options.startupTimeoutMs ?? 30_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { ingressUrl, adminUrl, pid: server.pid, baseDir, stop };
}

async function ok(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}
