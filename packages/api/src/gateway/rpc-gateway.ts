import type { BlobStore } from '@lightspeed/ports';
import type { MemoryIngress } from '@lightspeed/memory';
import type { HookIngress } from '@lightspeed/schedules';
import { Hono, type Context } from 'hono';
import { callerOf, authenticate, UnauthorizedError, type GatewayAuth } from '../auth/gateway-auth.js';
import { ApiError, toApiError } from '../rpc/api-error.js';
import { Dispatcher, type MethodHandlers } from '../rpc/dispatcher.js';
import { RpcErrorCode } from '../rpc/error-codes.js';
import { errorResponse } from '../rpc/json-rpc.js';
import { PROTOCOL_VERSION, type AgentApiErrorKind } from '../schemas/protocol.js';
import type { SessionEventFeed } from '../stream/session-event-feed.js';
import { sessionEventStream, streamCursor } from '../stream/sse-session-stream.js';
import { taskEventStream } from '../stream/sse-task-stream.js';
import type { TaskEventFeed } from '../stream/task-event-feed.js';
import { uploadBlob } from './blob-upload-route.js';
import { readBoundedBody, readBoundedBytes } from './bounded-body.js';
import { resolveGatewayOptions, type GatewayOptions } from './gateway-options.js';
import { mcpHttpRoute } from '../mcp/mcp-http-route.js';
import { browserOriginGuard, loopbackHostGuard } from './origin-guard.js';
import { UploadBudget } from './upload-budget.js';

export interface RpcGatewayParts {
  handlers: MethodHandlers;
  auth: GatewayAuth;
  options?: GatewayOptions;
  /** Serves `GET /sessions/:id/stream`; without it the route answers 404. */
  feed?: SessionEventFeed;
  /** Serves `GET /tasks/stream`; without it the route answers 404. */
  taskFeed?: TaskEventFeed;
  /** Serves `PUT /blobs` (raw-body uploads); without it the route answers 404. */
  blobsOf?: (universe: string) => BlobStore;
  /** Serves `POST /hooks/<hookId>` (signed generic webhooks → sensor events); without it the route answers 404. */
  hooks?: HookIngress;
  /** Serves `POST /webhooks/<provider>/<webhookId>` (verified provider webhooks → memory events); without it the route answers 404. */
  memory?: MemoryIngress;
}

function rpcError(c: Context, status: 200 | 400 | 401 | 404 | 408 | 413 | 500, code: number, kind: AgentApiErrorKind, message: string) {
  return c.json(errorResponse(null, { code, message, data: { kind, message } }), status);
}

/**
 * The HTTP surface: `POST /rpc` (JSON-RPC 2.0, single and batch), `GET /health`, the SSE live
 * stream `GET /sessions/:id/stream`, the task events `GET /tasks/stream`, raw blob uploads `PUT /blobs` and the MCP server at `/mcp`
 * (streamable HTTP, over the same handlers). Transport faults become
 * JSON-RPC errors, never crashes.
 */
export function createRpcGateway(parts: RpcGatewayParts): Hono {
  const options = resolveGatewayOptions(parts.options);
  const dispatcher = new Dispatcher(parts.handlers, {
    maxBatch: options.maxBatch,
    onInternalError: (error, method) => options.onInternalError(error, method),
  });
  const app = new Hono();
  app.use('*', browserOriginGuard(parts.auth));

  // MCP local servers must check Host too (DNS rebinding), not only Origin.
  app.use('/mcp', loopbackHostGuard(parts.auth));
  app.all(
    '/mcp',
    mcpHttpRoute({ dispatcher, auth: parts.auth, serverInfo: options.serverInfo, onInternalError: (error, where) => options.onInternalError(error, where) }),
  );

  app.get('/health', (c) => c.json({ status: 'ok', protocolVersion: PROTOCOL_VERSION, server: options.serverInfo }));

  app.post('/rpc', async (c) => {
    let universe: string;
    try {
      universe = await authenticate(parts.auth, c.req.header('authorization'));
    } catch (error) {
      if (error instanceof UnauthorizedError) return rpcError(c, 401, error.code, error.kind, error.message);
      throw error;
    }
    const body = await readBoundedBody(c.req.raw, { maxBytes: options.maxBodyBytes, idleTimeoutMs: options.bodyIdleTimeoutMs });
    if (!body.ok) {
      if (body.reason === 'too_large') {
        return rpcError(c, 413, RpcErrorCode.payloadTooLarge, 'invalid_request', `request body exceeds ${options.maxBodyBytes} bytes; split the batch, or upload large blobs with PUT /blobs`);
      }
      if (body.reason === 'stalled') return rpcError(c, 408, RpcErrorCode.invalidRequest, 'invalid_request', 'the request body stalled (no bytes for too long); send it again');
      return rpcError(c, 400, RpcErrorCode.parseError, 'invalid_request', 'request body could not be read');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return rpcError(c, 200, RpcErrorCode.parseError, 'invalid_request', 'parse error: the body is not valid JSON');
    }
    const answer = await dispatcher.handle(parsed, { universe, actor: callerOf(parts.auth, c.req.header('authorization')), signal: c.req.raw.signal });
    if (answer === undefined) return c.body(null, 204);
    return c.json(answer);
  });

  /** The caller's universe for the REST routes (raw uploads, streams), or their 401 answer. */
  async function authenticateRest(c: Context): Promise<string | Response> {
    try {
      return await authenticate(parts.auth, c.req.header('authorization'));
    } catch (error) {
      if (error instanceof UnauthorizedError) return c.json({ error: { kind: error.kind, message: error.message } }, 401);
      throw error;
    }
  }

  const uploads = new UploadBudget(options.maxUploadBytesInFlight);
  app.put('/blobs', async (c) => {
    if (!parts.blobsOf) return c.json({ error: { kind: 'not_found', message: 'raw blob uploads are not enabled on this server; use blobs/put' } }, 404);
    const universe = await authenticateRest(c);
    if (universe instanceof Response) return universe;
    return uploadBlob(c, universe, { blobsOf: parts.blobsOf, budget: uploads, options });
  });

  app.get('/sessions/:sessionId/stream', async (c) => {
    if (!parts.feed) return c.json({ error: { kind: 'not_found', message: 'live streams are not enabled on this server' } }, 404);
    const universe = await authenticateRest(c);
    if (universe instanceof Response) return universe;
    const after = streamCursor(c.req.header('last-event-id'), c.req.query('after'));
    if (after === undefined) return c.json({ error: { kind: 'invalid_request', message: 'Last-Event-ID / after must be a non-negative integer seq' } }, 400);
    const sessionId = c.req.param('sessionId');
    try {
      const firstPage = await parts.feed.read(universe, sessionId, after, 200);
      return sessionEventStream(c, { feed: parts.feed, universe, sessionId, after, firstPage, options });
    } catch (error) {
      const apiError = toApiError(error, (cause) => options.onInternalError(cause, 'stream'));
      const status = apiError.kind === 'not_found' ? 404 : apiError.kind === 'internal' ? 500 : 400;
      return c.json({ error: { kind: apiError.kind, message: apiError.message } }, status);
    }
  });

  app.get('/tasks/stream', async (c) => {
    if (!parts.taskFeed) return c.json({ error: { kind: 'not_found', message: 'task events are not enabled on this server (it has no task queue)' } }, 404);
    const universe = await authenticateRest(c);
    if (universe instanceof Response) return universe;
    // Opened before the response starts: events from here on are kept for this stream.
    await parts.taskFeed.open(universe);
    return taskEventStream(c, { feed: parts.taskFeed, universe, lastEventId: c.req.header('last-event-id') ?? c.req.query('after'), options });
  });

  // Webhook senders have no API key: the hook id (unguessable) picks the trigger and its universe,
  // and the delivery's signature is the credential. The browser origin guard above still applies.
  app.post('/hooks/:hookId', async (c) => {
    if (!parts.hooks) return c.json({ error: { kind: 'not_found', message: 'webhooks are not enabled on this server' } }, 404);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const answer = await parts.hooks.handle(c.req.param('hookId'), headers, (maxBytes) => readBoundedBytes(c.req.raw, { maxBytes, idleTimeoutMs: options.bodyIdleTimeoutMs }));
    return c.json(answer.body, answer.status, answer.headers ?? {});
  });

  // Provider webhooks (memory): as with hooks, the unguessable webhook id picks the source and its
  // universe and the provider's signature over the raw body is the credential.
  app.post('/webhooks/:provider/:webhookId', async (c) => {
    if (!parts.memory) return c.json({ error: { kind: 'not_found', message: 'memory webhooks are not enabled on this server' } }, 404);
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key.toLowerCase()] = value;
    });
    const answer = await parts.memory.handle({
      provider: c.req.param('provider'),
      webhookId: c.req.param('webhookId'),
      headers,
      readBody: async (maxBytes) => {
        const read = await readBoundedBytes(c.req.raw, { maxBytes, idleTimeoutMs: options.bodyIdleTimeoutMs });
        return read.ok ? read : { ok: false, reason: read.reason === 'too_large' ? 'too_large' : 'unreadable' };
      },
    });
    return c.json(answer.body, answer.status, answer.headers ?? {});
  });

  app.notFound((c) => c.json({ error: { kind: 'not_found', message: `no route ${c.req.method} ${c.req.path}; JSON-RPC is served at POST /rpc` } }, 404));
  app.onError((error, c) => {
    options.onInternalError(error, `${c.req.method} ${c.req.path}`);
    if (error instanceof ApiError) return rpcError(c, 500, error.code, error.kind, error.message);
    return rpcError(c, 500, RpcErrorCode.internal, 'internal', 'internal error; the server logged the details');
  });
  return app;
}
