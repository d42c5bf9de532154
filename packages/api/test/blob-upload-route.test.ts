import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { MemoryBlobStore } from '@lightspeed/cas';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryApiKeyRegistry } from '../src/auth/api-key-registry.js';
import { apiKeyAuth } from '../src/auth/gateway-auth.js';
import type { GatewayOptions } from '../src/gateway/gateway-options.js';
import { serveGateway, type ServingGateway } from '../src/gateway/serve.js';
import { storageGateway } from './support/storage-gateway.js';

const MiB = 1024 * 1024;
const refOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Opens a raw socket and sends `head`; the rest of the body is up to the test. */
function rawRequest(url: string, head: string): { socket: Socket; response: Promise<string> } {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  socket.write(head);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const response = new Promise<string>((resolve) => {
    socket.on('data', () => {
      if (/\r\n\r\n[\s\S]*\}/.test(text)) resolve(text);
    });
    socket.on('close', () => resolve(text));
  });
  return { socket, response };
}

describe('PUT /blobs (raw-body uploads)', () => {
  let server: ServingGateway | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await server?.close();
    server = undefined;
  });

  async function serve(options: GatewayOptions = {}) {
    const gateway = storageGateway(undefined, options);
    server = await serveGateway(gateway.app);
    return { url: server.url, blobs: gateway.blobs };
  }

  it('stores a 20 MiB body as one blob and blobs/has and blobs/read see it', async () => {
    const { url } = await serve();
    const bytes = randomBytes(20 * MiB);
    const response = await fetch(`${url}/blobs`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ blobRef: refOf(bytes), bytes: 20 * MiB });
    const call = async (method: string, params: unknown) =>
      ((await (await fetch(`${url}/rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as any).result.result;
    expect((await call('blobs/has', { blobRefs: [refOf(bytes)] })).blobs).toEqual([{ blobRef: refOf(bytes), exists: true }]);
    expect(Buffer.from((await call('blobs/read', { blobRef: refOf(bytes) })).bytesBase64, 'base64').equals(bytes)).toBe(true);
  });

  it('refuses a body over the upload limit, declared or chunked, and stores nothing', async () => {
    const { url, blobs } = await serve({ maxBlobUploadBytes: 1 * MiB });
    const declared = await fetch(`${url}/blobs`, { method: 'PUT', body: randomBytes(MiB + 1) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { kind: 'invalid_request', message: `the blob exceeds this server's upload limit of ${MiB} bytes` } });
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(randomBytes(MiB / 4));
        controller.close();
      },
    });
    const chunked = await fetch(`${url}/blobs`, { method: 'PUT', body: chunks, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((blobs.get('local') as MemoryBlobStore | undefined)?.size ?? 0).toBe(0);
  });

  it('answers 408 when the body stalls, on PUT /blobs and on POST /rpc', async () => {
    const { url } = await serve({ bodyIdleTimeoutMs: 300 });
    for (const head of [
      'PUT /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc',
      'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":',
    ]) {
      const started = Date.now();
      const request = rawRequest(url, head);
      sockets.push(request.socket);
      const text = await request.response;
      expect(text).toMatch(/^HTTP\/1\.1 408/);
      expect(text).toContain('stalled');
      expect(Date.now() - started).toBeLessThan(3_000);
    }
  });

  it('refuses an upload that would exceed the in-flight budget with 503 and Retry-After, then accepts it once the budget frees', async () => {
    const { url } = await serve({ maxUploadBytesInFlight: 3 * MiB, bodyIdleTimeoutMs: 60_000 });
    // Holds 2 MiB of the budget: its body is declared but never finished.
    const holder = rawRequest(url, `PUT /blobs HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * MiB}\r\n\r\nabc`);
    sockets.push(holder.socket);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await fetch(`${url}/blobs`, { method: 'PUT', body: randomBytes(2 * MiB) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).error.kind).toBe('rejected');
    holder.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const accepted = await fetch(`${url}/blobs`, { method: 'PUT', body: randomBytes(2 * MiB) });
    expect(accepted.status).toBe(200);
  });

  it('needs the same credential as /rpc and stores in the caller\'s universe', async () => {
    const registry = new MemoryApiKeyRegistry();
    const { key } = await registry.createApiKey('u-upload');
    const gateway = storageGateway(apiKeyAuth(registry));
    server = await serveGateway(gateway.app);
    const anonymous = await fetch(`${server.url}/blobs`, { method: 'PUT', body: 'hello' });
    expect(anonymous.status).toBe(401);
    const stored = await fetch(`${server.url}/blobs`, { method: 'PUT', body: 'hello', headers: { authorization: `Bearer ${key}` } });
    expect(stored.status).toBe(200);
    expect(await gateway.blobs.get('u-upload')!.has(refOf(Buffer.from('hello')) as never)).toBe(true);
  });
});
