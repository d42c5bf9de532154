import { join } from 'node:path';
import type { AgentHost, ToolPortFactory } from '@lightspeed/driver';
import type { ModelSelection } from '@lightspeed/engine';
import { describeRecovery, UniverseEnvironments } from '@lightspeed/environments';
import type { ProfileStore, TaskEventChannel, TaskQueue } from '@lightspeed/ports';
import { startFakeProvider, type FakeProvider } from '@lightspeed/fake-provider';
import { PriceTable, ProviderRouter } from '@lightspeed/llm';
import { createMemory, type Memory } from '@lightspeed/memory';
import { createOperations, type Operations } from '@lightspeed/schedules';
import { profileAgentCatalogs } from '@lightspeed/api';
import { LightspeedError } from '@lightspeed/ports';
import type { McpServerCatalog, McpServerStore } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { createToolPortFactory, describeReap, type CustomTool, MemoryMcpServerStore, reapOrphanedCommands, StoredMcpServerRegistry, withConfiguredMcpServers } from '@lightspeed/tools';
import { Workspaces } from '@lightspeed/vfs';
import { findEngine } from '../engines/index.js';
import { providerRegistryFor, type ServerConfig } from '../server-config/server-config.js';
import { openCliStorage } from './cli-storage.js';
import { MEMORY_DATA_DIR } from './data-dir.js';
import { chooseDefaultModel, type ProviderRequest } from './provider-choice.js';

export interface AgentStackOptions extends ProviderRequest {
  dataDir: string;
  engine: string;
  env: NodeJS.ProcessEnv;
  /** Whether a default model is mandatory (serve/chat) or optional (sessions, vfs, blobs). */
  requireModel: boolean;
  /** Delay between the fake provider's streamed events, so its tokens visibly stream. */
  fakeLatencyMs?: number;
  /** The server config file's providers, default model and MCP servers (prices and host tools are the gateway's). */
  serverConfig?: ServerConfig;
  /** Where start-up notices go (the CLI's stderr), such as orphaned commands it killed. */
  log?: (line: string) => void;
  /** The project whose `.lightspeed/workflows/*.yaml` templates the stack offers (besides the built-in ones). */
  projectDir?: string;
  /** Tools written in TypeScript (`defineCustomTool`), offered to every session of this stack. */
  customTools?: readonly CustomTool[];
}

/** The assembled embedded stack: storage, providers, tools and a host on the chosen engine. */
export interface AgentStack {
  host: AgentHost;
  defaultModel?: ModelSelection;
  /** The in-process scripted provider, when `--provider fake` started one. */
  fake?: FakeProvider;
  storageDescription: string;
  /** The SQL storage (absent in memory mode): the task queue and dispatch controls live there. */
  sql?: Storage;
  /** Agent profiles per universe in the SQL store (absent in memory mode). */
  profiles?: (universe: string) => ProfileStore;
  /** The task queue per universe and its events, in the SQL store (absent in memory mode). */
  tasks?: (universe: string) => TaskQueue;
  taskEvents?: TaskEventChannel;
  /** MCP server registrations per universe (`mcp/servers/*`), the registry the tools read. */
  mcpServers: McpServerCatalog;
  /** Environments and script tasks (`<data-dir>/environments`); absent with `--data-dir :memory:`. */
  environments?: UniverseEnvironments;
  /** The environment MCP credentials are read from (the names in the records). */
  env: NodeJS.ProcessEnv;
  /** Schedules, triggers and sensor events over the SQL store (absent in memory mode); the scheduler is not started. */
  operations?: Operations;
  /** Memory sources, events and provider webhooks over the SQL store (absent in memory mode); the server key is LIGHTSPEED_MEMORY_KEY. */
  memory?: Memory;
  close(): Promise<void>;
}

/**
 * Builds the stack in dependency order and, if a later step fails, closes what the earlier ones
 * opened (the data-dir lock above all) before rethrowing.
 */
export async function startAgentStack(options: AgentStackOptions): Promise<AgentStack> {
  const engine = await findEngine(options.engine);
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    let env: NodeJS.ProcessEnv = { ...options.env };
    // providers.json lives in the data directory.
    if (options.dataDir !== MEMORY_DATA_DIR) env.LIGHTSPEED_HOME = options.dataDir;
    let fake: FakeProvider | undefined;
    // A fake provider run elsewhere (LIGHTSPEED_FAKE_PROVIDER_URL: its own scripts and timing, its
    // side observable to whoever runs it) is used as it is; otherwise one runs in this process.
    if (options.provider === 'fake' && !env.LIGHTSPEED_FAKE_PROVIDER_URL) {
      fake = await startFakeProvider({ port: 0, latencyMs: options.fakeLatencyMs ?? 0 });
      cleanups.push(() => fake!.stop());
      env = { ...env, LIGHTSPEED_FAKE_PROVIDER_URL: fake.url };
    }
    const registry = await providerRegistryFor(env, options.serverConfig);
    const defaultModel = chooseDefaultModel(options, registry, env, options.requireModel, options.serverConfig?.defaultModel);
    const storage = await openCliStorage(options.dataDir, options.env);
    cleanups.push(() => storage.close());

    // The host hands the factory its own reader of session facts: resume begins inside startHost.
    const runningCommandsDir = options.dataDir !== MEMORY_DATA_DIR ? join(options.dataDir, 'running-commands') : undefined;
    const sql = storage.sql;
    const memoryMcp = new Map<string, McpServerStore>();
    const storedMcp: McpServerCatalog = sql
      ? (universe) => sql.mcpServers(universe)
      : (universe) => memoryMcp.get(universe) ?? memoryMcp.set(universe, new MemoryMcpServerStore()).get(universe)!;
    const config = options.serverConfig;
    const mcpServers = config ? withConfiguredMcpServers(storedMcp, config.mcpServers, config.file, Date.now()) : storedMcp;
    // Sub-agents start from the universe's stored profiles, resolved as session/start does.
    const prices = new PriceTable(config?.priceOverrides ? { overrides: config.priceOverrides } : {}).lookup;
    const agentsOf = storage.profiles
      ? profileAgentCatalogs({
          profilesOf: storage.profiles,
          blobsOf: (universe) => storage.stores.blobs(universe),
          defaultsOf: async () => {
            if (!defaultModel) throw new LightspeedError('invalid', 'the agent names no model and this server has no default model');
            return { model: defaultModel, prices };
          },
        })
      : undefined;
    const toolRuntime = createToolPortFactory({
      ...(runningCommandsDir ? { runningCommandsDir } : {}),
      ...(agentsOf ? { agentsOf } : {}),
      mcpServersOf: (universe) => new StoredMcpServerRegistry(mcpServers(universe), options.env),
      ...(options.customTools ? { customTools: options.customTools } : {}),
    });
    cleanups.push(() => toolRuntime.close());
    const tools: ToolPortFactory = (context) => toolRuntime.factory(context);
    // What a killed predecessor left running must be dead before startHost resumes (re-runs) its calls.
    const reaped = runningCommandsDir ? describeReap(await reapOrphanedCommands(runningCommandsDir)) : undefined;
    if (reaped) options.log?.(reaped);
    // Likewise environment commands: killed, and their directories put back, before a task re-runs them.
    const environments =
      options.dataDir !== MEMORY_DATA_DIR
        ? new UniverseEnvironments({
            base: join(options.dataDir, 'environments'),
            blobsOf: (universe) => storage.stores.blobs(universe),
            workspacesOf: (universe) => new Workspaces(storage.stores.workspaces(universe), storage.stores.blobs(universe)),
            hidden: [options.dataDir],
            env: options.env,
          })
        : undefined;
    const recovered = environments ? await environments.recoverAll() : undefined;
    const recoveredText = recovered && describeRecovery(recovered);
    if (recoveredText) options.log?.(recoveredText);
    const running = await engine.startHost({ storage, llm: new ProviderRouter(registry), tools, dataDir: options.dataDir, env });
    cleanups.push(() => running.close());
    // Memory events are also sensor events: the trigger intake is memory's sensor sink.
    const operations = sql ? createOperations(sql, { ...(options.log ? { log: options.log } : {}), ...(options.projectDir ? { projectDir: options.projectDir } : {}) }) : undefined;
    return {
      host: running.host,
      ...(defaultModel ? { defaultModel } : {}),
      ...(fake ? { fake } : {}),
      storageDescription: storage.describe,
      ...(storage.profiles ? { profiles: storage.profiles } : {}),
      ...(storage.sql ? { sql: storage.sql } : {}),
      ...(sql ? { tasks: (universe: string) => sql.tasks(universe), taskEvents: sql.taskEvents } : {}),
      mcpServers,
      ...(environments ? { environments } : {}),
      env: options.env,
      ...(operations ? { operations } : {}),
      ...(operations && sql ? { memory: createMemory(sql, { env: options.env, sensors: operations.intake }) } : {}),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
