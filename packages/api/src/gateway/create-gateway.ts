import type { AgentHost } from '@lightspeed/driver';
import type { ModelPrices, ModelSelection } from '@lightspeed/engine';
import type { ProfileStore, TaskEventChannel, TaskQueue } from '@lightspeed/ports';
import type { Hono } from 'hono';
import type { GatewayAuth } from '../auth/gateway-auth.js';
import { blobMethods } from '../handlers/blob-methods.js';
import { contextMethods } from '../handlers/context-methods.js';
import { waitMethods } from '../handlers/wait-methods.js';
import { eventMethods } from '../handlers/event-methods.js';
import { dispatchMethods, type DispatchMethodDeps } from '../handlers/dispatch-methods.js';
import { environmentMethods } from '../handlers/environment-methods.js';
import type { UniverseEnvironments } from '@lightspeed/environments';
import { checkMcpLinks } from '../handlers/mcp-links.js';
import { taskSessionOpener } from '../handlers/task-session-opener.js';
import type { TaskSessionOpener } from '@lightspeed/ops';
import { mcpServerMethods, type McpServerRegistryOptions } from '../handlers/mcp-server-methods.js';
import { operationsMethods, type OperationsOptions } from '../handlers/operations-methods.js';
import { memoryMethods, type MemoryOptions } from '../handlers/memory-methods.js';
import { memoryAnswerMethods, type MemoryAnswerDeps } from '../handlers/memory-answer-methods.js';
import { modelMethods } from '../handlers/model-methods.js';
import { protocolMethods } from '../handlers/protocol-methods.js';
import { runMethods } from '../handlers/run-methods.js';
import { SessionAccess } from '../handlers/session-access.js';
import { sessionMethods } from '../handlers/session-methods.js';
import { skillMethods } from '../handlers/skill-methods.js';
import { taskMethods } from '../handlers/task-methods.js';
import { vfsMethods } from '../handlers/vfs-methods.js';
import { memoryProfileStores } from '../profiles/memory-profile-store.js';
import { ProfileCatalog } from '../profiles/profile-catalog.js';
import { profileApplyMethods, profileMethods } from '../profiles/profile-methods.js';
import { invalidRequest, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { SessionConfig } from '../schemas/config.js';
import { HostEventFeed } from '../stream/host-event-feed.js';
import { TaskEventFeed } from '../stream/task-event-feed.js';
import type { ConfigDefaults } from '../views/config-mapping.js';
import { resolveGatewayOptions, type GatewayOptions } from './gateway-options.js';
import { createRpcGateway } from './rpc-gateway.js';

export interface GatewayServiceOptions extends GatewayOptions {
  /** Model for sessions whose config omits one; default: the first model the host lists. */
  defaultModel?: ModelSelection;
  /** Threshold for provider-driven compaction policies that give none (default 100,000 tokens). */
  compactionThresholdTokens?: number;
  /** How long session/context/compact waits for the compaction (default 120 s). */
  compactTimeoutMs?: number;
  /**
   * Let session configs grant `features.host` (a host directory plus command execution). Only for
   * single-user servers: createGateway refuses it with API-key auth, where callers are remote.
   */
  allowHostFeature?: boolean;
  /**
   * Prices of a model, pinned into a session's config when it is started or configured (e.g. the
   * llm package's `new PriceTable({ overrides }).lookup`). Without it every cost is unknown.
   */
  prices?: (model: ModelSelection) => ModelPrices | undefined;
  /**
   * Agent profiles per universe (`profiles/*`, named profiles in session/start and
   * session/profiles/apply). Default: in memory, gone when the process ends; pass the SQL store's.
   */
  profiles?: (universe: string) => ProfileStore;
  /**
   * MCP server registrations (`mcp/servers/*`); sessions may link only registered servers. Without
   * it the methods are not served and every link is refused. `trusted` (stdio servers, env var
   * credentials) defaults to whether auth is single-user and is refused with API keys.
   */
  mcpServers?: McpServerRegistryOptions;
  /** Task dispatch controls and health (`dispatch/*`); without them the methods are not served. */
  dispatch?: DispatchMethodDeps;
  /**
   * The task queue per universe (`tasks/*`; the SQL storage's `tasks`). Without it the methods are
   * not served. Agents are the profiles above.
   */
  tasks?: (universe: string) => TaskQueue;
  /** Task events (the storage's `taskEvents`) for `GET /tasks/stream`; without it the route answers 404. */
  taskEvents?: TaskEventChannel;
  /** Task events kept per universe for clients resuming with Last-Event-ID (default 1,000). */
  taskEventReplay?: number;
  /**
   * Schedules, triggers and sensor events (`schedules/*`, `triggers/*`, `events/*`, and
   * `POST /hooks/<hookId>` when `hooks` is given). Without it those methods are not served.
   */
  operations?: OperationsOptions;
  /**
   * Memory sources and events (`memory/*`, and `POST /webhooks/<provider>/<webhookId>`). Without it
   * those methods are not served and the route answers 404.
   */
  memory?: MemoryOptions;
  /**
   * The shipped answer agent (`memory/answer` without `agent`, when the universe stores no
   * `answer` profile): a profile document, as `agentProfile` of the shipped file makes it.
   */
  answerAgent?: MemoryAnswerDeps['shipped'];
  /**
   * Local sandbox environments per universe (`environments/*`, `session/environments/*`; the ones
   * `lightspeed serve` builds for the dispatcher). Without them those methods are not served.
   * `trusted` (commands outside bubblewrap, network, the server's variables) defaults to whether
   * auth is single-user and is refused with API keys.
   */
  environments?: { environments: UniverseEnvironments; trusted?: boolean };
}

export interface GatewayParts {
  host: AgentHost;
  auth: GatewayAuth;
  options?: GatewayServiceOptions;
}

/** Every method handler of the v1 session core, served over an AgentHost. */
export function createMethodHandlers(
  host: AgentHost,
  options: GatewayServiceOptions = {},
): { handlers: MethodHandlers; feed: HostEventFeed; taskSessions: TaskSessionOpener } {
  const resolved = resolveGatewayOptions(options);
  const access = new SessionAccess(host);
  const feed = new HostEventFeed(host);
  let defaultModel = options.defaultModel;
  const defaultsOf = async (): Promise<ConfigDefaults> => {
    if (!defaultModel) {
      const first = (await host.listModels())[0];
      if (!first) throw invalidRequest('config.model is required: this server has no default model configured');
      defaultModel = { providerId: first.providerId, apiKind: first.apiKind, model: first.model };
    }
    return {
      model: defaultModel,
      ...(options.compactionThresholdTokens !== undefined ? { compactionThresholdTokens: options.compactionThresholdTokens } : {}),
      ...(options.prices ? { prices: options.prices } : {}),
    };
  };
  const allowHostFeature = options.allowHostFeature === true;
  const catalog = new ProfileCatalog({ profilesOf: options.profiles ?? memoryProfileStores(), blobsOf: (universe) => host.blobs(universe), allowHostFeature, ...(options.prices ? { prices: options.prices } : {}) });
  const checkMcp = async (config: SessionConfig | null | undefined, universe: string) => {
    // The memory tools would answer "unavailable" to every call on a server without memory.
    if (config?.features?.memory != null && !options.memory) throw rejected('features.memory is disabled on this server: it has no memory store (a --data-dir :memory: server keeps none)');
    await checkMcpLinks(options.mcpServers?.catalog, universe, config);
  };
  const handlers: MethodHandlers = {
    ...protocolMethods(resolved.serverInfo),
    ...sessionMethods(access, catalog, defaultsOf, { allowHostFeature, checkConfig: checkMcp }),
    ...profileMethods(catalog),
    ...profileApplyMethods(access, catalog, defaultsOf, checkMcp),
    ...(options.mcpServers ? mcpServerMethods(options.mcpServers) : {}),
    ...(options.operations ? operationsMethods(options.operations) : {}),
    ...(options.memory ? memoryMethods(options.memory) : {}),
    ...eventMethods(feed, { longPollCapMs: resolved.longPollCapMs }),
    ...contextMethods(access, options.compactTimeoutMs !== undefined ? { compactTimeoutMs: options.compactTimeoutMs } : {}),
    ...runMethods(access),
    ...waitMethods(access),
    ...skillMethods(access),
    ...(options.tasks ? taskMethods({ tasksOf: options.tasks, catalog }) : {}),
    ...modelMethods(() => host.listModels()),
    ...blobMethods((universe) => host.blobs(universe)),
    ...vfsMethods({ blobsOf: (universe) => host.blobs(universe), workspacesOf: (universe) => host.workspaces(universe) }),
    ...(options.dispatch ? dispatchMethods(options.dispatch) : {}),
    ...(options.environments ? environmentMethods({ environments: options.environments.environments, access, trusted: options.environments.trusted === true }) : {}),
  };
  // An answer is an ordinary session and run, started through these same handlers.
  if (options.memory) Object.assign(handlers, memoryAnswerMethods({ host, memory: options.memory, catalog, handlers, ...(options.answerAgent ? { shipped: options.answerAgent } : {}) }));
  // The task dispatcher opens its sessions through these same handlers (and this profile catalog).
  return { handlers, feed, taskSessions: taskSessionOpener(handlers, catalog) };
}

/** The Hono app serving the Lightspeed agent API v1 (JSON-RPC), health and live streams over `host`. */
export function createGateway(parts: GatewayParts): Hono {
  if (parts.options?.allowHostFeature && parts.auth.mode !== 'single-user') {
    throw new Error('allowHostFeature needs single-user auth: API-key callers must never get host directory or command access');
  }
  const mcp = parts.options?.mcpServers;
  if (mcp?.trusted && parts.auth.mode !== 'single-user') {
    throw new Error('trusted MCP registrations need single-user auth: API-key callers must never start commands here or read its environment');
  }
  const environments = parts.options?.environments;
  if (environments?.trusted && parts.auth.mode !== 'single-user') {
    throw new Error('trusted environments need single-user auth: API-key callers must never start commands outside a sandbox or read its environment');
  }
  const withMcp = mcp ? { ...parts.options, mcpServers: { ...mcp, trusted: mcp.trusted ?? parts.auth.mode === 'single-user' } } : parts.options;
  const options = environments ? { ...withMcp, environments: { ...environments, trusted: environments.trusted ?? parts.auth.mode === 'single-user' } } : withMcp;
  const { handlers, feed } = createMethodHandlers(parts.host, options);
  const taskEvents = parts.options?.taskEvents;
  const taskFeed = taskEvents ? new TaskEventFeed(taskEvents, parts.options?.taskEventReplay) : undefined;
  const hooks = parts.options?.operations?.hooks;
  return createRpcGateway({
    handlers,
    feed,
    ...(taskFeed ? { taskFeed } : {}),
    ...(hooks ? { hooks } : {}),
    ...(parts.options?.memory ? { memory: parts.options.memory.ingress } : {}),
    blobsOf: (universe) => parts.host.blobs(universe),
    auth: parts.auth,
    ...(parts.options ? { options: parts.options } : {}),
  });
}
