import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  LightspeedError,
  systemClock,
  type BlobStore,
  type Clock,
  type DispatchControls,
  type HookDirectory,
  type McpServerStore,
  type MemoryEventStore,
  type MemoryGraphStore,
  type MemorySearchStore,
  type MemoryVectorIndex,
  type MemorySourceDirectory,
  type MemorySourceStore,
  type ProfileStore,
  type ScheduleLedger,
  type ScheduleStore,
  type SensorEventStore,
  type SessionStore,
  type TaskEventChannel,
  type TaskQueue,
  type TaskSignal,
  type TriggerStore,
  type WorkflowLedger,
  type WorkflowStore,
  type WorkspaceStore,
} from '@lightspeed/ports';
import { MemoryTaskEventChannel } from '@lightspeed/store-memory';
import { BlobCache } from './blob-cache.js';
import { InlinePutBatcher } from './inline-put-batcher.js';
import { collectGarbage, type GcOptions, type GcReport } from './garbage-collector.js';
import { assertSchemaCurrent, migrate, type MigrationReport } from './migrate.js';
import { objectStoreConfigFromEnv, S3ObjectStore, type ObjectStoreConfig } from './object-store.js';
import { openPgliteDriver } from './pglite-driver.js';
import { openPostgresDriver } from './postgres-driver.js';
import { SqlBlobStore } from './sql-blob-store.js';
import { SqlMcpServerStore } from './sql-mcp-server-store.js';
import type { SqlDriver } from './sql-driver.js';
import { SqlSessionStore } from './sql-session-store.js';
import { SqlWorkspaceStore } from './sql-workspace-store.js';
import { SqlProfileStore } from './sql-profile-store.js';
import { SqlTaskQueue, type TaskQueueOptions } from './sql-task-queue.js';
import { SqlDispatchControls } from './sql-dispatch-controls.js';
import { SqlTaskSignal } from './task-signal.js';
import { ObservedTaskQueue } from './observed-task-queue.js';
import { PostgresTaskEvents } from './postgres-task-events.js';
import { SqlScheduleLedger, SqlScheduleStore } from './sql-schedule-store.js';
import { SqlSensorEventStore } from './sql-sensor-event-store.js';
import { SensorEventWriter } from './sql-sensor-event-writer.js';
import { TaskInsertBatcher } from './task-insert-batcher.js';
import { SqlHookDirectory, SqlTriggerStore } from './sql-trigger-store.js';
import { SqlMemoryEventStore, SqlMemorySourceDirectory, SqlMemorySourceStore } from './sql-memory-store.js';
import { SqlWorkflowLedger, SqlWorkflowStore } from './sql-workflow-store.js';
import { SqlMemoryGraphStore } from './sql-memory-graph.js';
import { SqlMemorySearchStore } from './sql-memory-search.js';
import { SqlMemoryVectors } from './sql-memory-vectors.js';

export type StorageBackend =
  /** Embedded PGlite; `dataDir` defaults to `$LIGHTSPEED_HOME/pglite` (`~/.lightspeed/pglite`); `memory://` for none. */
  | { kind: 'pglite'; dataDir?: string; relaxedDurability?: boolean }
  | { kind: 'postgres'; url: string; maxConnections?: number };

export interface StorageOptions {
  /** Large blobs (> 64 KiB) go here; without it every blob is stored inline. */
  objectStore?: ObjectStoreConfig;
  /** Largest blob accepted (default 64 MiB). */
  maxBlobBytes?: number;
  /** Byte bound of the in-process read cache (default 64 MiB; 0 disables it). */
  cacheBytes?: number;
  clock?: Clock;
  /**
   * Run migrations on open. Default: yes for PGlite (embedded, single owner), no for PostgreSQL,
   * where `lightspeed migrate` is an explicit deployment step and opening checks the version.
   */
  migrate?: boolean;
  /** Payload limits, default backoff and jitter source of the task queues. */
  tasks?: TaskQueueOptions;
  /**
   * Where task events go (`storage.taskEvents`). Default: in process on PGlite (one process owns
   * the data directory); on PostgreSQL, LISTEN/NOTIFY on the database, connected on first use, so
   * every process sharing it sees every process's events.
   */
  taskEvents?: TaskEventChannel;
  /** Failures delivering task events (they are best effort and never fail a queue write). */
  onTaskEventError?: (error: unknown) => void;
}

export interface Storage {
  readonly kind: SqlDriver['kind'];
  readonly driver: SqlDriver;
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
  workspaces(universe: string): WorkspaceStore;
  /** Agent profiles (revisioned documents) of one universe. */
  profiles(universe: string): ProfileStore;
  /** MCP server registrations (`mcp/servers/*`), read by the tool runtime's MCP hub. */
  mcpServers(universe: string): McpServerStore;
  /**
   * The durable task queue of one universe (large payloads go to its blob store). Every transition
   * it makes is published on `taskEvents`.
   */
  tasks(universe: string): TaskQueue;
  /** Pauses of dispatch and the dispatchers-alive registry of one universe. */
  dispatch(universe: string): DispatchControls;
  /** Wake-ups of dispatchers (enqueues, retries): LISTEN/NOTIFY on PostgreSQL, in-process on PGlite. */
  readonly taskSignal: TaskSignal;
  /**
   * Vacuums the task tables on PGlite, which has no autovacuum: claims and settles leave dead row
   * versions at the head of the claim index. A no-op on PostgreSQL (autovacuumed, see migration 5).
   */
  vacuumTasks(): Promise<void>;
  /** Task events of every queue of this storage, and of other processes' on the same PostgreSQL. */
  readonly taskEvents: TaskEventChannel;
  /** Schedules of one universe (issue 15). */
  schedules(universe: string): ScheduleStore;
  /** The scheduler's cross-universe view: the lead and the due scan. */
  scheduleLedger(): ScheduleLedger;
  /** Trigger rules of one universe. */
  triggers(universe: string): TriggerStore;
  /** Sensor events of one universe, recorded once per dedupe key. */
  events(universe: string): SensorEventStore;
  /** `POST /hooks/<hookId>` → trigger and secret, across universes. */
  hooks(): HookDirectory;
  /** Memory sources (connected integrations) of one universe (issue 16). */
  memorySources(universe: string): MemorySourceStore;
  /** `POST /webhooks/<provider>/<webhookId>` → source and stored secret, across universes. */
  memorySourceDirectory(): MemorySourceDirectory;
  /** Canonical memory events of one universe, recorded once per source key. */
  memoryEvents(universe: string): MemoryEventStore;
  /** Goal-loop workflow instances of one universe (issue 15, docs/0023). */
  workflows(universe: string): WorkflowStore;
  /** Running workflow instances whose step ended, across universes (the leader's sweep). */
  workflowLedger(): WorkflowLedger;
  /** The entity graph the memory events of one universe built. */
  memoryGraph(universe: string): MemoryGraphStore;
  /** Memory search's lexical, entity and vector paths over one universe's events (issue 17). */
  memorySearch(universe: string): MemorySearchStore;
  /** The embeddings of every universe: what the background indexer reads and writes. */
  memoryVectors(): MemoryVectorIndex;
  /** Universes holding events whose trigger dispatch did not finish, received at or before `before`. */
  undispatchedEventUniverses(before: number): Promise<string[]>;
  gc(options: GcOptions): Promise<GcReport>;
  /** Every session in every universe whose projection says `active`: what a host resumes on start. */
  activeSessions(): Promise<{ universe: string; sessionId: string }[]>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;

/** `$LIGHTSPEED_HOME` or `~/.lightspeed`. */
export function lightspeedHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.LIGHTSPEED_HOME || join(homedir(), '.lightspeed');
}

/** The backend the environment asks for: PostgreSQL when `LIGHTSPEED_POSTGRES_URL` is set, else embedded PGlite. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): StorageBackend {
  const url = env.LIGHTSPEED_POSTGRES_URL;
  return url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: join(lightspeedHome(env), 'pglite') };
}

export function storageOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StorageOptions {
  const objectStore = objectStoreConfigFromEnv(env);
  return objectStore ? { objectStore } : {};
}

export async function openDriver(backend: StorageBackend): Promise<SqlDriver> {
  if (backend.kind === 'pglite') {
    const options = backend.relaxedDurability === undefined ? {} : { relaxedDurability: backend.relaxedDurability };
    return openPgliteDriver(backend.dataDir ?? join(lightspeedHome(), 'pglite'), options);
  }
  if (!backend.url) throw new LightspeedError('invalid', 'a PostgreSQL backend needs a connection URL (LIGHTSPEED_POSTGRES_URL)');
  return openPostgresDriver(backend.url, { maxConnections: maxConnections(backend) });
}

/** Applies pending migrations to a backend and closes it (what `lightspeed migrate` runs). */
export async function migrateBackend(backend: StorageBackend): Promise<MigrationReport> {
  const driver = await openDriver(backend);
  try {
    return await migrate(driver);
  } finally {
    await driver.close();
  }
}

const DEFAULT_MAX_CONNECTIONS = 10;

function maxConnections(backend: StorageBackend): number {
  return backend.kind === 'postgres' ? (backend.maxConnections ?? DEFAULT_MAX_CONNECTIONS) : 1;
}

/** Opens the stores over one database (and optional bucket); stores are per universe. */
export async function openStorage(backend: StorageBackend, options: StorageOptions = {}): Promise<Storage> {
  const driver = await openDriver(backend);
  const clock = options.clock ?? systemClock;
  try {
    if (options.migrate ?? backend.kind === 'pglite') await migrate(driver, () => clock.now());
    else await assertSchemaCurrent(driver);
  } catch (error) {
    await driver.close();
    throw error;
  }
  const objects = options.objectStore ? new S3ObjectStore(options.objectStore) : undefined;
  const cacheBytes = options.cacheBytes ?? DEFAULT_CACHE_BYTES;
  const cache = cacheBytes > 0 ? new BlobCache(cacheBytes) : undefined;
  const maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  // PGlite is one session, so one statement at a time; on PostgreSQL leave pool room for reads.
  const inline = new InlinePutBatcher(driver, () => clock.now(), driver.kind === 'pglite' ? 1 : Math.max(1, Math.floor(maxConnections(backend) / 2)));
  const taskSignal = new SqlTaskSignal(driver, backend.kind === 'postgres' ? backend.url : undefined);
  const taskOptions = { ...options.tasks, signal: options.tasks?.signal ?? taskSignal };
  // Statements of each write batcher in flight at once (one per key at most: a key's calls gather
  // while its statement runs): a quarter of the pool, the rest serves everything else.
  const batchesInFlight = driver.kind === 'pglite' ? 1 : Math.max(1, Math.floor(maxConnections(backend) / 4));
  // Batch inserts wake dispatchers themselves unless the tasks were given another signal to use.
  const taskInserts = new TaskInsertBatcher(driver, () => clock.now(), batchesInFlight, taskOptions.signal === taskSignal ? taskSignal : undefined);
  // Webhook bursts: concurrent event records (with their raw bodies) and dispatch marks share statements.
  const eventWriter = new SensorEventWriter(driver, () => clock.now(), batchesInFlight);
  const blobOptions = { inline, maxBlobBytes, clock, ...(objects ? { objects } : {}), ...(cache ? { cache } : {}) };
  const ownTaskEvents = options.taskEvents ? undefined : backend.kind === 'postgres' ? new PostgresTaskEvents(backend.url, options.onTaskEventError) : undefined;
  const taskEvents = options.taskEvents ?? ownTaskEvents ?? new MemoryTaskEventChannel();
  const memoryVectors = new SqlMemoryVectors(driver, () => clock.now());
  return {
    kind: driver.kind,
    driver,
    sessions: (universe) => new SqlSessionStore(driver, universe, clock),
    blobs: (universe) => new SqlBlobStore(driver, universe, blobOptions),
    workspaces: (universe) => new SqlWorkspaceStore(driver, universe, clock),
    profiles: (universe) => new SqlProfileStore(driver, universe, clock),
    mcpServers: (universe) => new SqlMcpServerStore(driver, universe, clock),
    tasks: (universe) => new ObservedTaskQueue(new SqlTaskQueue(driver, universe, new SqlBlobStore(driver, universe, blobOptions), clock, taskOptions, taskInserts), universe, taskEvents),
    taskEvents,
    dispatch: (universe) => new SqlDispatchControls(driver, universe, clock),
    taskSignal,
    async vacuumTasks() {
      if (driver.kind === 'pglite') await driver.query('VACUUM (ANALYZE) ls_tasks, ls_task_attempts');
    },
    schedules: (universe) => new SqlScheduleStore(driver, universe, clock),
    scheduleLedger: () => new SqlScheduleLedger(driver, clock),
    triggers: (universe) => new SqlTriggerStore(driver, universe, clock),
    events: (universe) => new SqlSensorEventStore(driver, universe, clock, eventWriter, new SqlBlobStore(driver, universe, blobOptions)),
    hooks: () => new SqlHookDirectory(driver),
    memorySources: (universe) => new SqlMemorySourceStore(driver, universe, clock),
    memorySourceDirectory: () => new SqlMemorySourceDirectory(driver),
    memoryEvents: (universe) => new SqlMemoryEventStore(driver, universe, clock),
    workflows: (universe) => new SqlWorkflowStore(driver, universe, clock),
    workflowLedger: () => new SqlWorkflowLedger(driver),
    memoryGraph: (universe) => new SqlMemoryGraphStore(driver, universe),
    memorySearch: (universe) => new SqlMemorySearchStore(driver, universe, memoryVectors),
    memoryVectors: () => memoryVectors,
    async undispatchedEventUniverses(before) {
      const { rows } = await driver.query<{ universe: string }>(`SELECT DISTINCT universe FROM ls_sensor_events WHERE dispatched_at IS NULL AND received_at <= $1 ORDER BY universe LIMIT 100`, [before]);
      return rows.map((row) => row.universe);
    },
    gc: (gcOptions) => collectGarbage({ driver, now: () => clock.now(), ...(objects ? { objects } : {}), ...(cache ? { cache } : {}) }, gcOptions),
    async activeSessions() {
      const { rows } = await driver.query<{ universe: string; session_id: string }>(`SELECT universe, session_id FROM ls_sessions WHERE status = 'active' ORDER BY universe, session_id`);
      return rows.map((row) => ({ universe: row.universe, sessionId: row.session_id }));
    },
    async close() {
      await taskSignal.close();
      objects?.close();
      await ownTaskEvents?.close();
      await driver.close();
    },
  };
}
