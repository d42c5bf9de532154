import { assertBindAllowed, createGateway, serveGateway, singleUserAuth, type ConnectionLimitOptions, type GatewayAuth, type GatewayServiceOptions, type ServingGateway } from '@lightspeed/api';
import { agentProfile, shippedAgent } from '@lightspeed/agents';
import { mountConsole } from '@lightspeed/console';
import { PriceTable, type PriceOverrides } from '@lightspeed/llm';
import { CliError } from '../cli-error.js';
import type { AgentStack } from './agent-stack.js';

export interface LocalGatewayOptions extends ConnectionLimitOptions {
  hostname?: string;
  port?: number;
  auth?: GatewayAuth;
  /** Accept `features.host` (a host directory with file and shell tools); single-user auth only. */
  allowHostTools?: boolean;
  /** Where unexpected server-side failures are logged (never sent to clients). */
  log?: (line: string) => void;
  /** Prices over the shipped table (`providerId/model` → prices, or null for unpriced). */
  priceOverrides?: PriceOverrides;
}

/** A gateway app (Hono) over a stack's host. */
export type StackGateway = ReturnType<typeof createGateway>;

/** Serves the stack's host over JSON-RPC + SSE (loopback, ephemeral port unless told otherwise). */
export async function serveStack(stack: AgentStack, options: LocalGatewayOptions = {}): Promise<ServingGateway> {
  const auth = options.auth ?? singleUserAuth();
  // Refused before the gateway is built: binding a network address needs API keys.
  const { hostname = '127.0.0.1', port, log: _log, priceOverrides: _prices, allowHostTools: _host, ...limits } = options;
  assertStackBind(hostname, auth);
  return listenGateway(stackGateway(stack, options), { ...limits, hostname, auth, ...(port !== undefined ? { port } : {}) });
}

/**
 * The stack's gateway app (JSON-RPC + SSE routes, and the web console at `/`), not yet listening:
 * one app may be served on several sockets, or called in-process through `app.fetch`, sharing its
 * profiles and event feed.
 */
export function stackGateway(stack: AgentStack, options: StackServiceOptions = {}): StackGateway {
  const auth = options.auth ?? singleUserAuth();
  const app = createGateway({ host: stack.host, auth, options: stackServiceOptions(stack, options) });
  mountConsole(app, auth);
  return app;
}

export type StackServiceOptions = Pick<LocalGatewayOptions, 'auth' | 'allowHostTools' | 'log' | 'priceOverrides'>;

/** The gateway's service options over a stack; the task dispatcher opens its sessions with the same ones. */
export function stackServiceOptions(stack: AgentStack, options: StackServiceOptions = {}): GatewayServiceOptions {
  const sql = stack.sql;
  return {
    ...(stack.defaultModel ? { defaultModel: stack.defaultModel } : {}),
    serverInfo: { name: 'lightspeed', version: '0.1.0' },
    // The shipped list prices: sessions on a listed model get a known cost and may set a cost budget.
    prices: new PriceTable(options.priceOverrides ? { overrides: options.priceOverrides } : {}).lookup,
    ...(options.allowHostTools ? { allowHostFeature: true } : {}),
    ...(stack.profiles ? { profiles: stack.profiles } : {}),
    ...(stack.tasks ? { tasks: stack.tasks } : {}),
    ...(stack.taskEvents ? { taskEvents: stack.taskEvents } : {}),
    // Stdio servers and env var credentials are trusted only on a single-user server (createGateway decides).
    mcpServers: { catalog: stack.mcpServers, env: stack.env },
    // The task queue lives in the SQL store: with in-memory storage there is nothing to dispatch.
    ...(sql ? { dispatch: { tasks: (universe: string) => sql.tasks(universe), controls: (universe: string) => sql.dispatch(universe) } } : {}),
    ...(stack.operations ? { operations: stack.operations } : {}),
    ...(stack.memory ? { memory: stack.memory, answerAgent: shippedAnswerAgent() } : {}),
    // The same environments the task dispatcher runs script tasks in (one command queue per environment).
    // Trusted (commands outside bubblewrap, the server's variables) only on a single-user server (createGateway decides).
    ...(stack.environments ? { environments: { environments: stack.environments } } : {}),
    onInternalError: (error, where) => options.log?.(`[lightspeed] internal error in ${where}: ${(error as Error)?.message ?? String(error)}`),
  };
}

/** Serves a gateway app on `hostname:port`, with bind errors as CLI errors that say what to do. */
export async function listenGateway(app: StackGateway, options: ConnectionLimitOptions & { hostname?: string; port?: number; auth?: GatewayAuth } = {}): Promise<ServingGateway> {
  const { hostname = '127.0.0.1', port = 0, auth = singleUserAuth(), ...limits } = options;
  // The app's own auth decides who may call; this only refuses a network bind without API keys.
  assertStackBind(hostname, auth);
  try {
    return await serveGateway(app, { ...limits, hostname, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${hostname} is already in use`, 1, 'pick another with --port, or --port 0 for any free port');
    if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot bind ${hostname}: no such local address`, 2);
    throw error;
  }
}

function assertStackBind(hostname: string, auth: GatewayAuth): void {
  try {
    assertBindAllowed(hostname, auth);
  } catch (error) {
    throw new CliError((error as Error).message, 2, 'create keys with `lightspeed keys create` and pass --api-keys FILE to serve on the network');
  }
}

/** The shipped answer agent as the inline profile memory/answer starts from (a stored `answer` profile wins). */
function shippedAnswerAgent(): NonNullable<GatewayServiceOptions['answerAgent']> {
  const { profileId: _id, task: _task, ...profile } = agentProfile(shippedAgent('answer'));
  void _id;
  void _task;
  return profile;
}
