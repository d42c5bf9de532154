// Shared test plumbing: one Temporal runtime and one workflow bundle per test process (vitest forks
// give every file its own process), a real Temporal dev server per host, and the store on a fresh
// PostgreSQL database or PGlite.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type WorkflowBundle } from '@temporalio/worker';
import type { RetryPolicy, ToolPortFactory } from '@lightspeed/driver';
import { MemoryHeadSignal, MemoryLiveChannel } from '@lightspeed/store-memory';
import type { HostUnderTest } from '@lightspeed/testkit/host-harness';
import type { LiveChannel, LlmPort } from '@lightspeed/ports';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, startTemporal, type PostgresServer, type TemporalServer } from '@lightspeed/testkit';
import pg from 'pg';
import { bundleSessionWorkflow, startTemporalWorker, TemporalAgentHost, type TemporalWorker } from '../../src/index.js';

let bundle: Promise<WorkflowBundle> | undefined;

/** Installs the SDK runtime (once per process) and bundles the session workflow (once per process). */
export function workflowBundle(): Promise<WorkflowBundle> {
  if (!bundle) {
    const logger = new DefaultLogger('WARN');
    Runtime.install({ logger });
    bundle = bundleSessionWorkflow(logger);
  }
  return bundle;
}

let postgres: Promise<PostgresServer> | undefined;
let databases = 0;

export function sharedPostgres(): Promise<PostgresServer> {
  postgres ??= startPostgres();
  return postgres;
}

export async function stopSharedPostgres(): Promise<void> {
  if (postgres) await (await postgres).stop();
  postgres = undefined;
}

/** A fresh, migrated database on the shared PostgreSQL server. */
export async function freshPostgresStorage(): Promise<{ storage: Storage; url: string }> {
  const server = await sharedPostgres();
  const name = `lightspeed_t${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = server.url.replace(/\/[^/]*$/, `/${name}`);
  return { storage: await openStorage({ kind: 'postgres', url }, { migrate: true }), url };
}

export interface TemporalHostOptions {
  llm: LlmPort;
  tools: ToolPortFactory;
  retry: RetryPolicy;
  backend: 'postgres' | 'pglite';
  /** Options of new session workflows (continue-as-new threshold, snapshot interval). */
  workflow?: { maxHistoryEvents?: number; snapshotEvery?: number };
}

export interface TemporalTestHost extends HostUnderTest {
  readonly host: TemporalAgentHost;
  readonly server: TemporalServer;
  readonly client: Client;
  readonly storage: Storage;
  readonly taskQueue: string;
}

/** A Temporal dev server, a worker and a TemporalAgentHost sharing one store and one live channel. */
export async function startTemporalTestHost(options: TemporalHostOptions): Promise<TemporalTestHost> {
  const workflowBundleReady = workflowBundle();
  const [server, { storage }] = await Promise.all([
    startTemporal(),
    options.backend === 'postgres' ? freshPostgresStorage() : openStorage({ kind: 'pglite', dataDir: 'memory://' }).then((storage) => ({ storage })),
  ]);
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace });
  const live: LiveChannel = new MemoryLiveChannel();
  const heads = new MemoryHeadSignal();
  const taskQueue = 'lightspeed-sessions';
  const startWorker = async (): Promise<TemporalWorker> =>
    startTemporalWorker({
      connection: nativeConnection,
      namespace: server.namespace,
      taskQueue,
      workflowBundle: await workflowBundleReady,
      stores: storage,
      llm: options.llm,
      tools: options.tools,
      retry: options.retry,
      live,
      heads,
      client,
    });
  let worker = await startWorker();
  const host = new TemporalAgentHost({ client, taskQueue, stores: storage, live, heads, llm: options.llm, ...(options.workflow ? { workflow: options.workflow } : {}) });
  return {
    host,
    server,
    client,
    storage,
    taskQueue,
    async restart() {
      await worker.shutdown();
      worker = await startWorker();
    },
    async close() {
      await host.close();
      await worker.shutdown();
      await connection.close();
      await nativeConnection.close();
      await server.stop();
      await storage.close();
    },
  };
}
