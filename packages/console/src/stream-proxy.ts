import type { Context } from 'hono';
import type { ConsoleAuth } from './console-auth.js';
import type { InProcessFetch } from './gateway-api.js';

/**
 * `GET /console/sessions/:id/events`: the gateway's own SSE stream (`GET /sessions/:id/stream`)
 * for a signed-in browser. EventSource cannot send an Authorization header, so the console asks
 * the gateway in-process with the sign-in's key and hands the stream through unchanged: the same
 * durable events, deltas and positions, and `Last-Event-ID` from a reconnecting EventSource is
 * passed on, so a dropped connection resumes without duplicates or gaps.
 */
export function sessionStreamProxy(auth: ConsoleAuth, gateway: InProcessFetch) {
  return streamProxy(auth, gateway, (c) => `/sessions/${encodeURIComponent(c.req.param('sessionId') ?? '')}/stream`);
}

/** `GET /console/tasks/events`: the gateway's task events (`GET /tasks/stream`), the same way. */
export function taskStreamProxy(auth: ConsoleAuth, gateway: InProcessFetch) {
  return streamProxy(auth, gateway, () => '/tasks/stream');
}

function streamProxy(auth: ConsoleAuth, gateway: InProcessFetch, pathOf: (c: Context) => string) {
  return async (c: Context): Promise<Response> => {
    const caller = auth.caller(c);
    if (!caller) return c.json({ error: { kind: 'rejected', message: 'sign in first' } }, 401);
    const headers: Record<string, string> = {};
    if (caller.key !== undefined) headers.authorization = `Bearer ${caller.key}`;
    const lastEventId = c.req.header('last-event-id');
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const after = c.req.query('after');
    const path = `${pathOf(c)}${after !== undefined ? `?after=${encodeURIComponent(after)}` : ''}`;
    // The browser's disconnect ends the inner stream too (its subscriptions are released).
    return gateway.request(path, { method: 'GET', headers, signal: c.req.raw.signal });
  };
}
