import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import { authenticate, callerOf, UnauthorizedError, type GatewayAuth } from '../auth/gateway-auth.js';
import type { Dispatcher } from '../rpc/dispatcher.js';
import { RpcErrorCode } from '../rpc/error-codes.js';
import { errorResponse } from '../rpc/json-rpc.js';
import type { AgentApiErrorKind } from '../schemas/protocol.js';
import { dispatcherApi } from './agent-api.js';
import { createLightspeedMcpServer } from './lightspeed-mcp-server.js';
import { McpEventStore } from './mcp-event-store.js';

/** MCP sessions one gateway holds; past it the least recently used one is closed. */
export const DEFAULT_MAX_MCP_SESSIONS = 100;

export interface McpRouteParts {
  dispatcher: Dispatcher;
  auth: GatewayAuth;
  serverInfo: { name: string; version: string };
  onInternalError: (error: unknown, where: string) => void;
  maxSessions?: number;
}

interface McpSession {
  transport: WebStandardStreamableHTTPServerTransport;
  /** The universe of the credential that opened it: every later request must present the same. */
  universe: string;
}

function refusal(status: 401 | 404, code: number, kind: AgentApiErrorKind, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(errorResponse(null, { code, message, data: { kind, message } })), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/**
 * `/mcp`: the MCP server over streamable HTTP (POST, GET streams, DELETE), with sessions and
 * resumability as the SDK provides them. Each request authenticates as `POST /rpc` does; an MCP
 * session is bound to the universe that opened it, and its tools call the gateway's own
 * dispatcher, so MCP and JSON-RPC callers see the same sessions and errors.
 */
export function mcpHttpRoute(parts: McpRouteParts): (c: Context) => Promise<Response> {
  const sessions = new Map<string, McpSession>();
  const maxSessions = parts.maxSessions ?? DEFAULT_MAX_MCP_SESSIONS;

  async function open(universe: string, actor: string): Promise<WebStandardStreamableHTTPServerTransport> {
    const server = createLightspeedMcpServer(dispatcherApi(parts.dispatcher, { universe, actor }), {
      serverInfo: parts.serverInfo,
      onInternalError: (error) => parts.onInternalError(error, 'mcp'),
    });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new McpEventStore(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, universe });
        // Map order is use order (see touch): the first key is the least recently used session.
        while (sessions.size > maxSessions) {
          const [oldest, session] = sessions.entries().next().value!;
          sessions.delete(oldest);
          void session.transport.close();
        }
      },
      onsessionclosed: (sessionId) => {
        sessions.delete(sessionId);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    return transport;
  }

  return async (c) => {
    const authorization = c.req.header('authorization');
    let universe: string;
    try {
      universe = await authenticate(parts.auth, authorization);
    } catch (error) {
      if (error instanceof UnauthorizedError) return refusal(401, error.code, error.kind, error.message, { 'www-authenticate': 'Bearer' });
      throw error;
    }
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      // Another universe's session is answered like an unknown one: ids are not to be probed.
      if (!session || session.universe !== universe) return refusal(404, RpcErrorCode.invalidRequest, 'not_found', 'unknown or expired MCP session: initialize a new one');
      sessions.delete(sessionId);
      sessions.set(sessionId, session);
      return session.transport.handleRequest(c.req.raw);
    }
    // No session yet: only an initialize request opens one; the transport answers anything else 400.
    const transport = await open(universe, callerOf(parts.auth, authorization));
    const response = await transport.handleRequest(c.req.raw);
    if (transport.sessionId === undefined) await transport.close();
    return response;
  };
}
