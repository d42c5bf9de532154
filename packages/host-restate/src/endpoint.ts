import './polyfills.js';
import { createServer, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as restate from '@restatedev/restate-sdk';
import { LightspeedError } from '@lightspeed/ports';
import { effectsService } from './effects-service.js';
import { ServiceRuntime, type RestateServiceOptions } from './service-runtime.js';
import { sessionObject } from './session-object.js';

export interface ServeRestateOptions extends RestateServiceOptions {
  /** Port to listen on (0: any free one). Restarting on the same port lets in-flight invocations resume. */
  port?: number;
  host?: string;
  /** When set, the deployment is registered there (`POST /deployments`, forced so restarts re-register). */
  adminUrl?: string;
  /** The URI Restate reaches this endpoint at (default `http://<host>:<port>`). */
  advertisedUrl?: string;
  /** SDK log level; the SDK logs every invocation at INFO. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export interface RestateEndpointHandle {
  readonly url: string;
  readonly port: number;
  readonly runtime: ServiceRuntime;
  /**
   * Stops serving at once, as a crash would: open HTTP/2 sessions are destroyed (Restate retries
   * their invocations on the next endpoint) and effects running here are aborted.
   */
  close(): Promise<void>;
}

const LEVELS = ['error', 'warn', 'info', 'debug'];

/** Serves the session object and the effects service over HTTP/2 and, if asked, registers them. */
export async function serveRestateEndpoint(options: ServeRestateOptions): Promise<RestateEndpointHandle> {
  const runtime = new ServiceRuntime(options);
  const threshold = LEVELS.indexOf(options.logLevel ?? (process.env.RESTATE_LOGGING?.toLowerCase() as ServeRestateOptions['logLevel']) ?? 'warn');
  const logger: restate.LoggerTransport = (params, message, ...rest) => {
    // After a crash-like close the SDK reports writes to destroyed streams; Restate retries those.
    if (runtime.registry.shuttingDown) return;
    // Said once per endpoint; request signing is the deployment's concern, not an event.
    if (String(message).startsWith('Accepting requests without validating request signatures')) return;
    const level = LEVELS.indexOf(String(params.level));
    if (level >= 0 && level <= threshold) console.error(`[restate ${String(params.level)}]`, message, ...rest);
  };
  const endpoint = restate.endpoint().bind(sessionObject(runtime)).bind(effectsService(runtime)).setLogger(logger);
  const server: Http2Server = createServer(endpoint.http2Handler());
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = options.advertisedUrl ?? `http://${host}:${port}`;
  const handle: RestateEndpointHandle = {
    url,
    port,
    runtime,
    async close() {
      for (const session of sessions) session.destroy();
      runtime.registry.shutdown();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  if (options.adminUrl) {
    try {
      await registerDeployment(options.adminUrl, url);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

/** Registers (or re-registers) an endpoint with a Restate server's admin API. */
export async function registerDeployment(adminUrl: string, endpointUrl: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl.replace(/\/$/, '')}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uri: endpointUrl, force: true }),
    });
  } catch (error) {
    throw new LightspeedError('unavailable', `Restate admin API at ${adminUrl} is unreachable: ${(error as Error).message}`);
  }
  if (response.status !== 201 && response.status !== 200) {
    throw new LightspeedError('unavailable', `Restate refused the deployment ${endpointUrl} (${response.status}): ${(await response.text()).slice(0, 500)}`);
  }
}
