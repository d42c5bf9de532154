import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export interface ServeOptions {
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

/** Listens with @hono/node-server and resolves once the socket is bound. */
export function serveGateway(app: Hono, options: ServeOptions = {}): Promise<ServingGateway> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (error: Error) => reject(error);
    server = serve({ fetch: app.fetch, hostname, port: options.port ?? 0 }, (info) => {
      server!.off('error', onError);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            // SSE and long-poll connections would otherwise keep close() waiting.
            const s = server as unknown as { closeAllConnections?: () => void; close(cb: (err?: Error) => void): void };
            s.close((err) => (err ? fail(err) : done()));
            s.closeAllConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}
