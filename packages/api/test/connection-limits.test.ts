import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { resolveConnectionLimits } from '../src/gateway/gateway-options.js';
import { serveGateway, type ServeOptions, type ServingGateway } from '../src/gateway/serve.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { openSse } from './support/sse-client.js';
import { storageGateway } from './support/storage-gateway.js';

/** A raw client socket: what it received and when the server closed it. */
interface RawClient {
  socket: Socket;
  received(): string;
  /** Milliseconds from connect to the server closing the socket. */
  closed: Promise<number>;
}

function rawClient(port: number, options: { localAddress?: string; send?: string; dribble?: string; everyMs?: number } = {}): RawClient {
  const started = performance.now();
  const socket = connect({ host: '127.0.0.1', port, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  let text = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.once('connect', () => {
    if (options.send) socket.write(options.send);
    if (options.dribble) timer = setInterval(() => socket.write(options.dribble!), options.everyMs ?? 100);
  });
  const closed = new Promise<number>((resolve) => {
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now() - started);
    });
  });
  return { socket, received: () => text, closed };
}

/** Resolves with the close time, or -1 when the socket is still open after `ms`. */
const closedWithin = (client: RawClient, ms: number) => Promise.race([client.closed, new Promise<number>((resolve) => setTimeout(() => resolve(-1), ms))]);

/** One request over a raw socket from `localAddress`; resolves with the status line's code. */
async function statusFrom(port: number, localAddress: string, path = '/health'): Promise<number> {
  const client = rawClient(port, { localAddress, send: `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n` });
  await client.closed;
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(client.received())?.[1] ?? 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('HTTP connection limits', () => {
  const clients: RawClient[] = [];
  let server: ServingGateway | undefined;
  let test: TestHost | undefined;
  const serve = async (options: ServeOptions) => {
    server = await serveGateway(storageGateway().app, options);
    return server;
  };
  const track = (client: RawClient) => (clients.push(client), client);
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await server?.close();
    server = undefined;
    await test?.stop();
    test = undefined;
  });

  it('answers 408 and closes a client that trickles its headers, once the header timeout passes', async () => {
    const { port } = await serve({ headersTimeoutMs: 400, requestTimeoutMs: 5_000 });
    const slow = track(rawClient(port, { send: 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', dribble: 'x', everyMs: 50 }));
    const silent = track(rawClient(port));
    const [slowMs, silentMs] = await Promise.all([closedWithin(slow, 3_000), closedWithin(silent, 3_000)]);
    expect(slowMs).toBeGreaterThanOrEqual(350);
    expect(slowMs).toBeLessThan(1_500);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(silentMs).toBeGreaterThanOrEqual(350);
    expect(silentMs).toBeLessThan(1_500);
  });

  it('closes a client that trickles a body (never stalling long enough for the body timeout) after the request timeout', async () => {
    const { port } = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 800 });
    const slow = track(
      rawClient(port, { send: 'POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n', dribble: ' ', everyMs: 50 }),
    );
    const ms = await closedWithin(slow, 4_000);
    expect(ms).toBeGreaterThanOrEqual(750);
    expect(ms).toBeLessThan(2_500);
  });

  it('closes an idle kept-alive connection after the keep-alive timeout', async () => {
    const { port } = await serve({ keepAliveTimeoutMs: 300 });
    const client = track(rawClient(port, { send: 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' }));
    const ms = await closedWithin(client, 3_000);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
    // Node grants a kept-alive socket one second beyond keepAliveTimeout for the client's next request.
    expect(ms).toBeGreaterThan(250);
    expect(ms).toBeLessThan(2_200);
  });

  it('refuses the connection over the per-IP cap with 503 and Retry-After, admits other addresses, and admits again once one closes', async () => {
    const { port, url } = await serve({ maxConnectionsPerIp: 3, headersTimeoutMs: 10_000 });
    const held = [1, 2, 3].map(() => track(rawClient(port)));
    await Promise.all(held.map((client) => new Promise((resolve) => client.socket.once('connect', resolve))));
    await sleep(50);
    const refused = await fetch(`${url}/health`, { headers: { connection: 'close' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { kind: 'rejected', message: expect.stringContaining('at most 3 at once') } });
    expect(await statusFrom(port, '127.0.0.2')).toBe(200);
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(50);
    expect((await fetch(`${url}/health`, { headers: { connection: 'close' } })).status).toBe(200);
  });

  it('cuts a refused connection that never sends a request after a short grace', async () => {
    const { port } = await serve({ maxConnectionsPerIp: 1, headersTimeoutMs: 10_000 });
    track(rawClient(port));
    await sleep(50);
    const extra = track(rawClient(port));
    const ms = await closedWithin(extra, 4_000);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(3_000);
  });

  it('while 100 slow clients trickle headers from one address, a plain call from another answers fast and every slow one is cut', async () => {
    const { port } = await serve({ headersTimeoutMs: 2_500, requestTimeoutMs: 5_000 });
    const crowd = Array.from({ length: 100 }, () =>
      track(rawClient(port, { localAddress: '127.0.0.2', send: 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n', dribble: 'x', everyMs: 100 })),
    );
    await sleep(300);
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect(await statusFrom(port, '127.0.0.1')).toBe(200);
      latencies.push(performance.now() - started);
    }
    expect(Math.max(...latencies)).toBeLessThan(500);
    const closedAt = await Promise.all(crowd.map((client) => closedWithin(client, 5_000)));
    // The 36 over the default cap of 64 are cut after the refusal grace (1 s), the rest at the header timeout.
    expect(closedAt.filter((ms) => ms >= 0 && ms < 2_000)).toHaveLength(36);
    expect(closedAt.filter((ms) => ms >= 2_400 && ms < 4_500)).toHaveLength(64);
  });

  it('keeps an SSE stream open past the request and idle timeouts (heartbeats are traffic)', async () => {
    test = await startTestHost();
    const gateway = createGateway({ host: test.host, auth: singleUserAuth(), options: { heartbeatMs: 150, onInternalError: () => undefined } });
    server = await serveGateway(gateway, { headersTimeoutMs: 200, requestTimeoutMs: 300, idleTimeoutMs: 500 });
    const started = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session/start', params: { sessionId: 'sse-limits', config: { model: { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' } } } }),
    });
    expect(((await started.json()) as { result?: unknown }).result).toBeDefined();
    const stream = await openSse(`${server.url}/sessions/sse-limits/stream`);
    expect(stream.status).toBe(200);
    await sleep(1_200);
    // A heartbeat that arrived after both timeouts had passed proves the stream is still open.
    await stream.next((event) => event.event === 'heartbeat', 1_000);
    await stream.close();
  });

  it('refuses limits Node would reject or that make no sense, with a typed error', () => {
    expect(resolveConnectionLimits()).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 5_000, idleTimeoutMs: 180_000, maxConnectionsPerIp: 64 });
    for (const bad of [{ headersTimeoutMs: 0 }, { idleTimeoutMs: 1.5 }, { maxConnectionsPerIp: -1 }, { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 }]) {
      expect(() => resolveConnectionLimits(bad)).toThrow(expect.objectContaining({ code: 'invalid' }));
      try {
        resolveConnectionLimits(bad);
      } catch (error) {
        expect(isLightspeedError(error, 'invalid')).toBe(true);
      }
    }
  });

  it('serveGateway rejects invalid limits without binding', async () => {
    await expect(serveGateway(storageGateway().app, { maxConnectionsPerIp: -1 })).rejects.toSatisfy((error: unknown) => isLightspeedError(error, 'invalid'));
  });
});
