import { resolve } from 'node:path';
import { agentProfile } from '@lightspeed/agents';
import { Readable, Writable } from 'node:stream';
import { listenGateway, loadServerConfig, MEMORY_DATA_DIR, openChatSession, RpcClient, stackGateway, startAgentStack, type AgentStack, type CliIo } from '@lightspeed/cli';
import type { ModelSelection } from '@lightspeed/engine';
import type { FakeProvider } from '@lightspeed/fake-provider';
import { LightspeedError } from '@lightspeed/ports';
import type { CustomTool } from '@lightspeed/tools';
import { loadAgentSource, type AgentSource } from './agent-source.js';
import { HarnessSession, type StreamTracker } from './harness-session.js';

export interface HarnessOptions {
  /** Where sessions are kept: `:memory:` (the default: gone when the process ends) or a directory (embedded PGlite). */
  dataDir?: string;
  /** The provider new sessions default to: `fake` (the scripted offline model), `openai`, `anthropic`, or one from providers.json. */
  provider?: string;
  /** The default model id of that provider. */
  model?: string;
  /** `embedded` (the default), `temporal` or `restate`. */
  engine?: string;
  /** Tools written in TypeScript (`defineCustomTool`), offered to every session of this harness. */
  customTools?: readonly CustomTool[];
  /** Folder of agent files (`NAME.md`), so `startSession({agent: 'NAME'})` finds them. */
  agentsDir?: string;
  /** Provider keys and settings are read from here (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Relative paths (agent files, agentsDir, dataDir) resolve against this (default: `process.cwd()`). */
  cwd?: string;
  /** Delay between the fake provider's streamed events, to watch tokens stream. */
  fakeLatencyMs?: number;
  /**
   * Let sessions (agents' `tools.host`) use a directory of this machine with file and shell tools,
   * like `lightspeed serve --allow-host-tools`; also for clients of `serve()`. Default: refused.
   */
  allowHostTools?: boolean;
  /**
   * A server config file (docs/server-config.md): its providers, default model, MCP servers,
   * prices and `allowHostTools` apply as on `lightspeed serve --config FILE`. A file that does not
   * validate throws a `ServerConfigError` naming each problem's line and field.
   */
  config?: string;
  /** Where start-up notices and unexpected server-side errors go (default: nowhere). */
  log?: (line: string) => void;
}

const OPTION_NAMES = ['dataDir', 'provider', 'model', 'engine', 'customTools', 'agentsDir', 'env', 'cwd', 'allowHostTools', 'fakeLatencyMs', 'config', 'log'];
const SESSION_OPTION_NAMES = ['agent', 'mount', 'mcpServers'];
const SERVE_OPTION_NAMES = ['hostname', 'port'];

/** A field this API does not know is refused, naming it, rather than ignored. */
function refuseUnknown(where: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new LightspeedError('invalid', `${where}: unknown option ${JSON.stringify(key)}; the options are ${known.join(', ')}`, { field: key });
  }
}

export interface StartSessionOptions {
  /** Start from this agent (its model, tools, limits and instructions); stored as the profile of its name. */
  agent?: AgentSource;
  /** A local directory, snapshotted into a new writable workspace at /workspace with the file tools (like `chat --mount`). */
  mount?: string;
  /** Registered MCP servers (`mcp/servers/put`) to link, by id (like `chat --mcp`). */
  mcpServers?: string[];
}

export interface ServeOptions {
  /** Default 127.0.0.1; a network address is refused (this server has no API keys). */
  hostname?: string;
  /** Default 0: any free port. */
  port?: number;
}

export interface Harness {
  /** The model new sessions get when neither the agent nor the config names one. */
  readonly defaultModel?: ModelSelection;
  /** The scripted provider, when `provider: 'fake'` (queue replies with `fake.enqueue(...)`). */
  readonly fake?: FakeProvider;
  /** The JSON-RPC client the harness itself uses (for the v1 methods it has no shortcut for). */
  readonly client: RpcClient;
  /** The in-process stack (host, stores), for what the client cannot do. */
  readonly stack: AgentStack;
  startSession(options?: StartSessionOptions): Promise<HarnessSession>;
  /** An existing session of this harness (e.g. one kept in `dataDir` by an earlier process). */
  session(sessionId: string): HarnessSession;
  /** Serves the same gateway (same sessions, profiles and live streams) on a loopback port for other clients. */
  serve(options?: ServeOptions): Promise<{ url: string; port: number; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Runs the harness inside this process: storage, providers, the tool runtime (with the custom
 * tools) and a host on the chosen engine, behind the v1 gateway. The harness talks to its gateway
 * over a loopback socket with the CLI's own client and stream follower, so an embedded app and a
 * remote client see one protocol. Throws a typed `invalid` error for an option it does not know.
 */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  refuseUnknown('createHarness', options, OPTION_NAMES);
  const cwd = options.cwd ?? process.cwd();
  const dataDir = options.dataDir === undefined || options.dataDir === MEMORY_DATA_DIR ? MEMORY_DATA_DIR : resolve(cwd, options.dataDir);
  const config = options.config !== undefined ? await loadServerConfig(resolve(cwd, options.config)) : undefined;
  const stack = await startAgentStack({
    dataDir,
    engine: options.engine ?? 'embedded',
    env: options.env ?? process.env,
    // An agent may bring its own model, so the harness starts without a default one.
    requireModel: false,
    ...(options.provider !== undefined ? { provider: options.provider } : {}),
    ...(options.model !== undefined ? { model: options.model } : {}),
    ...(options.fakeLatencyMs !== undefined ? { fakeLatencyMs: options.fakeLatencyMs } : {}),
    ...(options.customTools ? { customTools: options.customTools } : {}),
    ...(config ? { serverConfig: config } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  // The opener's progress output goes to a TTY only; an embedded app has none, so nothing is written.
  const quietIo: CliIo = { stdout: nullSink(), stderr: nullSink(), stdin: Readable.from([]), env: options.env ?? process.env, cwd };
  const listeners: { close(): Promise<void> }[] = [];
  const streams: StreamTracker = new Set();
  let client: RpcClient;
  const app = stackGateway(stack, {
    ...(options.log ? { log: options.log } : {}),
    ...(options.allowHostTools === true || config?.allowHostTools ? { allowHostTools: true } : {}),
    ...(config ? { priceOverrides: config.priceOverrides } : {}),
  });
  try {
    const internal = await listenGateway(app);
    listeners.push(internal);
    client = new RpcClient({ baseUrl: internal.url });
  } catch (error) {
    await stack.close();
    throw error;
  }
  let closed: Promise<void> | undefined;

  return {
    ...(stack.defaultModel ? { defaultModel: stack.defaultModel } : {}),
    ...(stack.fake ? { fake: stack.fake } : {}),
    client,
    stack,
    async startSession(request = {}) {
      refuseUnknown('startSession', request, SESSION_OPTION_NAMES);
      let agentName: string | undefined;
      if (request.agent !== undefined) {
        // Validated before anything is stored: an invalid file is an AgentDefinitionError naming file, line and field.
        const agent = await loadAgentSource(request.agent, { cwd, ...(options.agentsDir !== undefined ? { agentsDir: options.agentsDir } : {}) });
        // Stored as the profile of its name (an unchanged definition keeps its revision), so the log pins what the session started from.
        await client.call('profiles/put', { profile: agentProfile(agent) });
        agentName = agent.name;
      }
      // The CLI's own session opener: the same agent, mount and MCP semantics as `lightspeed chat`.
      const opened = await openChatSession(
        client,
        {
          ...(agentName !== undefined ? { agent: agentName } : {}),
          ...(stack.defaultModel ? { model: stack.defaultModel } : {}),
          ...(request.mount !== undefined ? { mount: request.mount } : {}),
          ...(request.mcpServers?.length ? { mcpServers: request.mcpServers } : {}),
        },
        quietIo,
      );
      return new HarnessSession(opened.sessionId, client, streams);
    },
    session(sessionId) {
      return new HarnessSession(sessionId, client, streams);
    },
    async serve(serveOptions = {}) {
      refuseUnknown('serve', serveOptions, SERVE_OPTION_NAMES);
      const served = await listenGateway(app, serveOptions);
      listeners.push(served);
      return served;
    },
    close() {
      closed ??= (async () => {
        for (const stream of streams) stream.abort();
        for (const listener of listeners.reverse()) await listener.close().catch(() => undefined);
        await stack.close();
      })();
      return closed;
    },
  };
}

function nullSink(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
