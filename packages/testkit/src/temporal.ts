// A real Temporal server for tests and benchmarks: the official Temporal CLI's dev server
// (`temporal server start-dev`, the full server with an in-memory SQLite store), built from the
// Go module proxy by scripts/setup.d/temporal.sh, started on free loopback ports.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, spawnServer, waitForReady, type ProcessExit } from './server-process.js';

/** Keep in sync with TEMPORAL_CLI_VERSION in scripts/setup.d/temporal.sh. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export interface TemporalServer {
  /** gRPC frontend, `127.0.0.1:<port>`, as `@temporalio/client` and `@temporalio/worker` expect it. */
  readonly address: string;
  readonly namespace: string;
  /** Temporal's HTTP API (`/api/v1/...`), e.g. for reading history sizes without gRPC. */
  readonly httpUrl: string;
  readonly pid: number;
  /** Kills the server's process group and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface StartTemporalOptions {
  /** Namespace to create and wait for; `default` always exists. */
  namespace?: string;
  /**
   * Dynamic config, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 200 }` (values JSON-encoded),
   * on top of `RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG`.
   */
  dynamicConfig?: Record<string, unknown>;
  /** Persist to a SQLite file in the server's temp dir instead of memory. */
  persistent?: boolean;
  startupTimeoutMs?: number;
}

/**
 * The server settings Lightspeed is tested and measured with (docs/0018-temporal-host.md). Eager
 * activity execution lets the server hand an activity the workflow just scheduled straight back to
 * the worker that completed the workflow task, instead of through the matching service: on the dev
 * server that cuts a generation → tool → generation step from ~180 ms to ~50 ms. Off by default in
 * the open-source server; set it in production too.
 */
export const RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'system.enableActivityEagerExecution': true,
};

/** Path of the Temporal CLI: `TEMPORAL_CLI_BIN` if set, else the binary the setup script cached. */
export function temporalCliBinary(): string {
  const path =
    process.env.TEMPORAL_CLI_BIN ??
    join(process.env.LIGHTSPEED_CACHE ?? join(homedir(), '.cache', 'lightspeed'), 'temporal', TEMPORAL_CLI_VERSION, 'temporal');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} not found at ${path}. Run \`bash scripts/setup.d/temporal.sh\` ` +
        '(builds it from the Go module proxy, a few minutes once), or set TEMPORAL_CLI_BIN.',
    );
  }
  return path;
}

/** Starts a fresh Temporal dev server and waits until its namespace answers over gRPC. */
export async function startTemporal(options: StartTemporalOptions = {}): Promise<TemporalServer> {
  const binary = temporalCliBinary();
  let lastError: unknown;
  // A free port can be taken by another process before the server binds it: retry with new ones.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (error) {
      lastError = error;
      if (!/address already in use|bind:/i.test(String(error))) throw error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, options: StartTemporalOptions): Promise<TemporalServer> {
  const namespace = options.namespace ?? 'default';
  const dir = mkdtempSync(join(tmpdir(), 'lightspeed-temporal-'));
  const [port, uiPort, httpPort, metricsPort] = (await freePorts(4)) as [number, number, number, number];
  const args = [
    'server', 'start-dev',
    '--headless',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort),
    '--log-level', 'error',
    '--log-format', 'json',
  ];
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (options.persistent) args.push('--db-filename', join(dir, 'temporal.sqlite'));
  for (const [key, value] of Object.entries({ ...RECOMMENDED_TEMPORAL_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }

  const server = spawnServer({
    command: binary,
    args,
    env: { ...process.env, TEMPORAL_CLI_SHOW_UPDATE_NOTICE: 'false' },
    cwd: dir,
    logFile: join(dir, 'temporal.log'),
    processGroup: true,
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= server.stop().then((_exit: ProcessExit) => {
      rmSync(dir, { recursive: true, force: true });
    });
    return stopped;
  };

  const address = `127.0.0.1:${port}`;
  try {
    await waitForReady(server, () => namespaceAnswers(address, namespace), {
      what: `temporal dev server (pid ${server.pid}, ${dir})`,
      timeoutMs: options.startupTimeoutMs ?? 60_000,
      intervalMs: 200,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { address, namespace, httpUrl: `http://127.0.0.1:${httpPort}`, pid: server.pid, stop };
}

async function namespaceAnswers(address: string, namespace: string): Promise<boolean> {
  // Loaded on first use: the client (gRPC + protobuf definitions) costs ~0.7 s to import, which
  // every other user of the testkit (PostgreSQL, S3 tests) would otherwise pay.
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address, connectTimeout: '2s' });
  try {
    const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace });
    return namespaceInfo?.name === namespace;
  } finally {
    await connection.close();
  }
}
