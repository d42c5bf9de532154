import type { AgentCatalog, MemoryToolAccess, ToolPort, WorkspaceStore, BlobStore, SessionDirectory } from '@lightspeed/ports';
import { customToolSet, type CustomTool } from '../custom/custom-tool.js';
import { CommandLedger } from '../host/command-ledger.js';
import type { McpServerRegistry } from '../mcp/mcp-server-config.js';
import type { WebFetchConfig } from '../web/web-fetch-config.js';
import type { SessionToolContext } from './session-tool-context.js';
import { ToolRuntime } from './tool-runtime.js';

/** The session facts a host can give the tool runtime (read from its state, never from the log's bodies). */
export interface SessionToolFacts {
  apiKind: string;
  features: unknown;
  context?: Omit<SessionToolContext, 'sessionId'>;
}

/**
 * What a host hands the factory: the universe's stores and its own reader of session facts, which
 * answers even while the host is still starting (recovery resumes tool calls before `start`
 * returns, so a reader bound to the host afterwards would find nothing).
 */
export interface ToolPortFactoryContext {
  universe: string;
  sessionId: string;
  blobs: BlobStore;
  workspaces: WorkspaceStore;
  sessionFacts(sessionId: string): Promise<SessionToolFacts | undefined>;
  /** The universe's sessions through the host (sub-agent tools); without it they are refused as unavailable. */
  sessions?: SessionDirectory;
}

export interface ToolPortFactoryOptions {
  /** One registry for every universe (embedded use); `mcpServersOf` wins when both are given. */
  mcpServers?: McpServerRegistry;
  /** The registry of each universe, e.g. `StoredMcpServerRegistry` over its `mcp/servers/*` records. */
  mcpServersOf?: (universe: string) => McpServerRegistry;
  web?: WebFetchConfig;
  /**
   * Directory where host commands are recorded while they run. A process that starts on it must
   * `reapOrphanedCommands(dir)` before resuming sessions, so no call re-runs beside its orphan.
   */
  runningCommandsDir?: string;
  /**
   * Tools written in TypeScript (`defineCustomTool`). Every session of every universe this factory
   * serves is offered them, beside its built-in and MCP tools; names must be distinct.
   */
  customTools?: readonly CustomTool[];
  /** Agent definitions of each universe that sub-agents may be spawned from (`spawn_agent {agent}`). */
  agentsOf?: (universe: string) => AgentCatalog;
  /** Each universe's memory, read by the memory tools; without it they answer unavailable. */
  memoryOf?: (universe: string) => MemoryToolAccess;
}

/**
 * One ToolRuntime per universe (its CAS and workspaces), shared by the universe's sessions, that
 * loads a session's features on demand, so a host that restarted serves tool calls without a
 * resolve. Returns the factory hosts take and a `close` for shutdown (MCP connections, sockets).
 */
export function createToolPortFactory(options: ToolPortFactoryOptions = {}): {
  factory: (context: ToolPortFactoryContext) => ToolPort;
  close(): Promise<void>;
} {
  // Checked here, at registration, not when the first session resolves its tools.
  customToolSet(options.customTools);
  const runtimes = new Map<string, ToolRuntime>();
  const commandLedger = options.runningCommandsDir !== undefined ? new CommandLedger(options.runningCommandsDir) : undefined;
  return {
    factory(context) {
      let runtime = runtimes.get(context.universe);
      if (!runtime) {
        const mcpServers = options.mcpServersOf?.(context.universe) ?? options.mcpServers;
        runtime = new ToolRuntime({
          blobs: context.blobs,
          workspaces: context.workspaces,
          ...(mcpServers ? { mcpServers } : {}),
          ...(options.web ? { web: options.web } : {}),
          ...(commandLedger ? { commandLedger } : {}),
          ...(options.customTools?.length ? { customTools: options.customTools } : {}),
          ...(context.sessions ? { directory: context.sessions } : {}),
          ...(options.agentsOf ? { agents: options.agentsOf(context.universe) } : {}),
          ...(options.memoryOf ? { memory: options.memoryOf(context.universe) } : {}),
          sessions: {
            load: async (sessionId) => {
              const facts = await context.sessionFacts(sessionId);
              if (!facts) return undefined;
              return { context: { sessionId, ...facts.context }, apiKind: facts.apiKind, features: facts.features };
            },
          },
        });
        runtimes.set(context.universe, runtime);
      }
      return runtime;
    },
    async close() {
      await Promise.all([...runtimes.values()].map((runtime) => runtime.close()));
      runtimes.clear();
    },
  };
}
