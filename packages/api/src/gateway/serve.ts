import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConnectionGuard } from './connection-guard.js';
import { resolveConnectionLimits, type ConnectionLimitOptions } from './gateway-options.js';

export interface ServeOptions extends ConnectionLimitOptions {
  /** Interface to bind (default 127.0.0.1). Apply `assertBindAllowed` before choosing another. */
  hostname?: string;
  /** Port (default 0: an ephemeral port). */
  port?: number;
}

export interface ServingGateway {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `app` over node:http (through @hono/node-server's request listener) with the connection
 * limits applied, and resolves once the socket is bound. Rejects invalid limits with a typed error.
 */
export async function serveGateway(app: Hono, options: ServeOptions = {}): Promise<ServingGateway> {
  const hostname = options.hostname ?? '127.0.0.1';
  const limits = resolveConnectionLimits(options);
  const guard = new ConnectionGuard(limits.maxConnectionsPerIp);
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the header and request deadlines on this interval (default 30 s, which let a
      // slow client overstay a 60 s header timeout by half again).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    guard.guard(getRequestListener(app.fetch, { hostname })),
  );
  // Without a 'timeout' listener, Node destroys a socket idle for this long.
  server.setTimeout(limits.idleTimeoutMs);
  server.on('connection', (socket) => guard.admit(socket));
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', onError);
      const info = server.address() as AddressInfo;
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // SSE and long-poll connections would otherwise keep close() waiting.
            server.closeAllConnections();
          }),
      });
    });
  });
}
