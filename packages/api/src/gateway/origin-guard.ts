import type { MiddlewareHandler } from 'hono';
import { isLoopbackHost, type GatewayAuth } from '../auth/gateway-auth.js';
import { RpcErrorCode } from '../rpc/error-codes.js';
import { errorResponse } from '../rpc/json-rpc.js';

/** Whether `origin` (an Origin header value) is a page served from this machine's loopback. */
function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Refuses requests a web browser sends on behalf of another site to a single-user server. Such a
 * server has no credential, so without this any page the user visits could POST to
 * http://127.0.0.1:7420/rpc (a "simple" cross-origin request needs no preflight; DNS rebinding
 * even makes it same-origin) and register a stdio MCP server or grant host tools: a command run as
 * the user. Browsers always send `Origin` on cross-origin POSTs and `Sec-Fetch-Site` on modern
 * engines; command-line and SDK clients send neither. Pages served from loopback stay allowed.
 * API-key servers need no guard: a browser cannot attach the key cross-origin without a preflight.
 */
export function browserOriginGuard(auth: GatewayAuth): MiddlewareHandler {
  return async (c, next) => {
    if (auth.mode !== 'single-user') return next();
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    const allowed = origin !== undefined ? isLoopbackOrigin(origin) : site === undefined || site === 'same-origin' || site === 'none';
    if (allowed) return next();
    const message = `refused a browser request from ${origin ?? 'another site'}: this single-user server accepts requests only from local clients and pages served from loopback`;
    return c.json(errorResponse(null, { code: RpcErrorCode.unauthorized, message, data: { kind: 'rejected', message } }), 403);
  };
}

/** The hostname of a Host header value (`127.0.0.1:7420`, `[::1]:7420`, `localhost`). */
function hostnameOf(host: string): string {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return '';
  }
}

/**
 * Refuses requests to a single-user server whose `Host` is not a loopback name: the DNS rebinding
 * defence MCP asks of local servers. A rebound page talks to 127.0.0.1 under its own hostname, so
 * its `Host` names that site even where the browser sends no `Origin` (GET streams). The origin
 * guard still runs first; API-key servers need neither (a rebound page has no key).
 */
export function loopbackHostGuard(auth: GatewayAuth): MiddlewareHandler {
  return async (c, next) => {
    if (auth.mode !== 'single-user') return next();
    // In-process requests (app.fetch) carry no Host header; their URL names the host instead.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (isLoopbackHost(hostnameOf(host))) return next();
    const message = `refused a request for host ${JSON.stringify(host.slice(0, 100))}: this single-user server answers only to loopback names (127.0.0.1, localhost, [::1])`;
    return c.json(errorResponse(null, { code: RpcErrorCode.unauthorized, message, data: { kind: 'rejected', message } }), 403);
  };
}
