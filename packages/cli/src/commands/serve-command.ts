import { join, resolve } from 'node:path';
import { AgentDefinitionError, agentProfile, agentsDirOf, loadAgentsDir, type AgentDefinition } from '@lightspeed/agents';
import { apiKeyAuth, DEFAULT_CONNECTION_LIMITS, DEFAULT_UNIVERSE, JsonFileApiKeyRegistry, singleUserAuth, type ConnectionLimitOptions, type GatewayAuth } from '@lightspeed/api';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { RpcClient } from '../client/rpc-client.js';
import { startAgentStack } from '../runtime/agent-stack.js';
import { MEMORY_DATA_DIR, resolveDataDir } from '../runtime/data-dir.js';
import { serveStack } from '../runtime/local-gateway.js';
import { startStackDispatcher } from '../runtime/stack-dispatcher.js';
import { DEFAULT_MAX_IN_FLIGHT } from '@lightspeed/ops';
import { agentFileError } from './agents-command.js';
import { commandServerConfig } from '../server-config/command-config.js';
import { withModelOptions, type CommandContext } from './command-context.js';

interface ServeFlags {
  port: string;
  host: string;
  dataDir?: string;
  engine: string;
  provider?: string;
  model?: string;
  apiKeys?: string;
  allowHostTools?: boolean;
  project?: string;
  config?: string;
  headersTimeout: string;
  requestTimeout: string;
  idleTimeout: string;
  maxConnectionsPerIp: string;
  dispatch: boolean;
  maxTasks?: string;
  maxTasksPerKey?: string;
  /** False with --no-schedules: this server does not run the scheduler (another one does). */
  schedules: boolean;
}

/** A duration flag in seconds (fractions allowed), as whole milliseconds. */
export function parseSeconds(flag: string, text: string): number {
  const seconds = Number(text);
  const ms = Math.round(seconds * 1000);
  if (!/^\d+(\.\d+)?$/.test(text) || ms < 1 || !Number.isSafeInteger(ms)) throw usageError(`${flag} must be a positive number of seconds, got "${text}"`);
  return ms;
}

/** The connection limits of `lightspeed serve` (docs/0010-api-gateway.md, "Connection limits"). */
export function parseConnectionLimits(flags: Pick<ServeFlags, 'headersTimeout' | 'requestTimeout' | 'idleTimeout' | 'maxConnectionsPerIp'>): ConnectionLimitOptions {
  const perIp = Number(flags.maxConnectionsPerIp);
  if (!/^\d+$/.test(flags.maxConnectionsPerIp) || !Number.isSafeInteger(perIp)) {
    throw usageError(`--max-connections-per-ip must be a whole number (0 = no cap), got "${flags.maxConnectionsPerIp}"`);
  }
  const limits = {
    headersTimeoutMs: parseSeconds('--headers-timeout', flags.headersTimeout),
    requestTimeoutMs: parseSeconds('--request-timeout', flags.requestTimeout),
    idleTimeoutMs: parseSeconds('--idle-timeout', flags.idleTimeout),
    maxConnectionsPerIp: perIp,
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw usageError('--headers-timeout must not exceed --request-timeout');
  return limits;
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be an integer from 0 to 65535, got "${text}"`);
  return port;
}

/** The task dispatcher's flags, shared by `serve`, `gateway` and `worker`. */
export function withDispatchOptions(command: Command): Command {
  return command
    .option('--no-dispatch', 'do not run a task dispatcher in this process (API only)')
    .option('--max-tasks <n>', `tasks this process runs at once (default ${DEFAULT_MAX_IN_FLIGHT})`)
    .option('--max-tasks-per-key <n>', 'running tasks allowed per concurrency key, across all dispatchers (default: no limit)');
}

function positiveFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw usageError(`${flag} must be a positive whole number, got "${text}"`);
  return n;
}

/** The dispatcher's limits from its flags (validated before anything starts). */
export function dispatchLimits(flags: { maxTasks?: string; maxTasksPerKey?: string }): { maxInFlight?: number; maxRunningPerKey?: number } {
  const maxInFlight = positiveFlag('--max-tasks', flags.maxTasks);
  const maxRunningPerKey = positiveFlag('--max-tasks-per-key', flags.maxTasksPerKey);
  return { ...(maxInFlight !== undefined ? { maxInFlight } : {}), ...(maxRunningPerKey !== undefined ? { maxRunningPerKey } : {}) };
}

/** The universes a server's dispatcher serves: the single user's, or every universe a live key maps to. */
async function dispatchUniverses(auth: GatewayAuth): Promise<string[]> {
  if (auth.mode === 'single-user') return [auth.universe ?? DEFAULT_UNIVERSE];
  const keys = await auth.registry.list();
  return [...new Set(keys.filter((key) => key.revokedAt === undefined).map((key) => key.universe))].sort();
}

/** API keys from `--api-keys FILE` (or LIGHTSPEED_API_KEYS_FILE); without one, single-user mode. */
async function gatewayAuth(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<{ auth: GatewayAuth; label: string }> {
  const file = flags.apiKeys ?? env.LIGHTSPEED_API_KEYS_FILE;
  if (!file) return { auth: singleUserAuth(), label: 'single-user (no key; loopback only)' };
  const registry = await JsonFileApiKeyRegistry.open(file);
  const keys = await registry.list();
  if (keys.filter((key) => key.revokedAt === undefined).length === 0) throw usageError(`${file} holds no API key`, 'create one with `lightspeed keys create --universe <name> --api-keys FILE`');
  return { auth: apiKeyAuth(registry), label: `API keys (${file})` };
}

/** The options of `serve`, shared by `gateway` (which only changes the default engine). */
function withServeOptions(command: Command, engine: string): Command {
  command
    .option('--port <port>', 'TCP port (0 = any free port)', '7420')
    .option('--host <host>', 'interface to bind; non-loopback needs --api-keys', '127.0.0.1')
    .option('--data-dir <dir>', 'data directory (env LIGHTSPEED_HOME, default ~/.lightspeed; ":memory:" keeps nothing)')
    .option('--engine <name>', 'durable engine', engine)
    .option('--api-keys <file>', 'API key file (env LIGHTSPEED_API_KEYS_FILE): callers must present a key; allows network binds')
    .option('--allow-host-tools', 'let sessions ask for features.host: a host directory with file and shell tools (single-user only)')
    .option('--project <dir>', 'store the agents of DIR/.lightspeed/agents/*.md as profiles at start (single-user; default: the current directory)')
    .option('--config <file>', 'server config file: providers, MCP servers, host tools, prices (env LIGHTSPEED_CONFIG; default DIR/.lightspeed/server.yaml of --project when it exists)')
    .option('--headers-timeout <seconds>', 'longest a client may take to send request headers', String(DEFAULT_CONNECTION_LIMITS.headersTimeoutMs / 1000))
    .option('--request-timeout <seconds>', 'longest a client may take to send a whole request (streams are not cut)', String(DEFAULT_CONNECTION_LIMITS.requestTimeoutMs / 1000))
    .option('--idle-timeout <seconds>', 'close a connection with no traffic for this long', String(DEFAULT_CONNECTION_LIMITS.idleTimeoutMs / 1000))
    .option('--no-schedules', 'do not run the scheduler in this process (schedules still fire from another server on the same store)')
    .option('--max-connections-per-ip <n>', 'connections one address may hold open (0 = no cap; raise behind a proxy)', String(DEFAULT_CONNECTION_LIMITS.maxConnectionsPerIp));
  withDispatchOptions(command);
  return withModelOptions(command);
}

/**
 * `lightspeed serve`: the agent stack and its API server in this process, until interrupted. `env`
 * replaces the process environment for the stack (the gateway sets its engines' roles there).
 */
export async function runServe(flags: ServeFlags, ctx: CommandContext, env: NodeJS.ProcessEnv = ctx.io.env): Promise<void> {
  ctx.handlesInterrupt = true;
  const port = parsePort(flags.port);
  const limits = parseConnectionLimits(flags);
  const taskLimits = dispatchLimits(flags);
  const { auth, label } = await gatewayAuth(flags, env);
  // Validated before anything starts, like the agent files: a bad file stops serve with its lines.
  const config = await commandServerConfig(flags, ctx.io);
  // Host tools run commands as this user: an API-key caller (another tenant) must never get them.
  if (flags.allowHostTools && auth.mode !== 'single-user') throw usageError('--allow-host-tools cannot be combined with API keys', 'host tools are for a single local user; serve without --api-keys');
  if (config?.allowHostTools && auth.mode !== 'single-user') {
    throw usageError(`${config.file}: allowHostTools: true cannot be combined with API keys`, 'host tools are for a single local user; set allowHostTools: false or serve without --api-keys');
  }
  const allowHostTools = flags.allowHostTools === true || config?.allowHostTools === true;
  // Agent files are validated before anything starts: a bad one stops serve with its lines.
  const agentsDir = agentsDirOf(resolve(ctx.io.cwd, flags.project ?? '.'));
  const agents = await loadAgentsDir(agentsDir);
  if (agents.problems.length > 0) throw agentFileError(new AgentDefinitionError(agents.problems));
  const dataDir = resolveDataDir(flags.dataDir, env, ctx.io.cwd);
  const stack = await startAgentStack({
    dataDir,
    engine: flags.engine,
    env,
    requireModel: true,
    ...(flags.provider ? { provider: flags.provider } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    fakeLatencyMs: 5,
    ...(config ? { serverConfig: config } : {}),
    log: (line) => ctx.io.stderr.write(`${line}\n`),
    projectDir: resolve(ctx.io.cwd, flags.project ?? '.'),
    memoryIndexer: true,
  });
  try {
    const log = (line: string) => ctx.io.stderr.write(`${line}\n`);
    const serviceOptions = { auth, ...(allowHostTools ? { allowHostTools: true } : {}), ...(config ? { priceOverrides: config.priceOverrides } : {}) };
    const server = await serveStack(stack, { ...limits, hostname: flags.host, port, ...serviceOptions, log });
    const model = stack.defaultModel ? `${stack.defaultModel.providerId}/${stack.defaultModel.model}` : 'none';
    ctx.io.stderr.write(`engine ${flags.engine} · storage ${stack.storageDescription} · auth ${label} · default model ${model}${stack.fake ? ' (scripted fake provider, not a real LLM)' : ''}\n`);
    if (config) ctx.io.stderr.write(`config ${config.file}: ${config.mcpServers.length} MCP server(s), host tools ${allowHostTools ? 'allowed' : 'not allowed'}, ${Object.keys(config.priceOverrides).length} price override(s)\n`);
    if (agents.agents.length > 0) {
      if (auth.mode === 'single-user') await storeProjectAgents(new RpcClient({ baseUrl: server.url }), agents.agents, agentsDir, ctx);
      else ctx.io.stderr.write(`agent files in ${agentsDir} are not loaded on a multi-user server; store them per universe with profiles/put\n`);
    }
    // After the project's agents are stored: a queued task for one of them can start at once.
    const dispatcher = flags.dispatch && stack.sql ? startStackDispatcher(stack, { universes: await dispatchUniverses(auth), ...taskLimits, ...serviceOptions, log }) : undefined;
    if (dispatcher) ctx.io.stderr.write(`task dispatcher ${dispatcher.id}: at most ${taskLimits.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT} tasks at once\n`);
    else if (flags.dispatch) ctx.io.stderr.write('no task dispatcher: in-memory storage has no task queue\n');
    // At most one scheduler acts across servers sharing a store (a lease), so starting it everywhere is safe.
    const scheduler = flags.schedules !== false ? stack.operations?.scheduler : undefined;
    scheduler?.start();
    // A workflow step's task ending moves its instance at once here; the leader's sweep (each
    // scheduler tick) is the durable path and covers what this process does not see.
    const workflows = stack.operations?.workflows;
    const unsubscribe = stack.sql && workflows
      ? (await dispatchUniverses(auth)).map((universe) => stack.sql!.taskEvents.subscribe(universe, (event) => void workflows.onTaskEvent(universe, event).catch((error: unknown) => log(`workflow move after task ${event.task.id}: ${(error as Error).message}`))))
      : [];
    ctx.io.stdout.write(`lightspeed serving on ${server.url}\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.io.stderr.write('stopping\n');
    for (const stop of unsubscribe) stop();
    await dispatcher?.stop();
    await scheduler?.stop();
    await server.close();
  } finally {
    await stack.close();
  }
}

export function registerServe(program: Command, ctx: CommandContext): void {
  const serve = program.command('serve').description('run the agent server (JSON-RPC at /rpc, live streams, GET /health, MCP at /mcp, the web console at /)');
  withServeOptions(serve, 'embedded').action((flags: ServeFlags) => runServe(flags, ctx));
}

/**
 * `lightspeed gateway`: `serve` with no Temporal worker or Restate endpoint in the process — the
 * API server of a split deployment, in front of workers (Temporal, the default) or endpoints
 * (`--engine restate`) that run elsewhere on the shared store.
 */
export function registerGateway(program: Command, ctx: CommandContext): void {
  const gateway = program
    .command('gateway')
    .description('run the API server with no worker or endpoint in this process: temporal by default, --engine restate (options as for serve; needs LIGHTSPEED_POSTGRES_URL)');
  withServeOptions(gateway, 'temporal').action((flags: ServeFlags) => runServe(flags, ctx, { ...ctx.io.env, LIGHTSPEED_TEMPORAL_ROLE: 'gateway', LIGHTSPEED_RESTATE_ROLE: 'gateway' }));
}

/**
 * A single-user server stores the project's agents as profiles (an unchanged file keeps its
 * revision); `serve` and `mcp serve` do it at start. A multi-user server has one catalog per
 * universe and no project of its own.
 */
export async function storeProjectAgents(client: RpcClient, agents: readonly AgentDefinition[], dir: string, ctx: CommandContext): Promise<void> {
  const stored: string[] = [];
  for (const agent of agents) {
    const { profile } = await client.call<{ profile: { revision: number } }>('profiles/put', { profile: agentProfile(agent) });
    stored.push(`${agent.name} (revision ${profile.revision})`);
  }
  ctx.io.stderr.write(`agents from ${dir}: ${stored.join(', ')}\n`);
}

/** Where `keys create` keeps keys by default: beside the data. */
export function defaultApiKeysFile(dataDir: string): string {
  if (dataDir === MEMORY_DATA_DIR) throw usageError('--api-keys FILE is required with --data-dir :memory:');
  return join(dataDir, 'api-keys.json');
}
