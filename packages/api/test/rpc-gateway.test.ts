import { describe, expect, it } from 'vitest';
import { serveGateway } from '../src/gateway/serve.js';
import { b64, rpc, storageGateway } from './support/storage-gateway.js';

describe('JSON-RPC gateway', () => {
  it('answers a single request with the AgentApiOutcome envelope', async () => {
    const { app } = storageGateway();
    const { status, json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 't' } } });
    expect(status).toBe(200);
    expect(json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        result: {
          protocolVersion: 'lightspeed.agent.api.v1',
          serverInfo: { name: 'lightspeed-test', version: '0.0.0' },
          capabilities: { notifications: false, historyRead: true, localExecution: false, eventLog: true },
        },
      },
    });
  });

  it('answers a batch in order, runs dependent calls sequentially and omits notifications', async () => {
    const { app } = storageGateway();
    const put = await rpc(app, { jsonrpc: '2.0', id: 'p', method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('hello') }] } });
    const ref = put.json.result.result.blobs[0].blobRef;
    const { json } = await rpc(app, [
      { jsonrpc: '2.0', id: 'a', method: 'blobs/has', params: { blobRefs: [ref, 'sha256:nope'] } },
      { jsonrpc: '2.0', method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('ignored answer') }] } },
      { jsonrpc: '2.0', id: 'b', method: 'blobs/read', params: { blobRef: ref } },
      { jsonrpc: '2.0', id: 'c', method: 'no/such' },
    ]);
    expect(json.map((r: any) => r.id)).toEqual(['a', 'b', 'c']);
    expect(json[0].result.result.blobs).toEqual([
      { blobRef: ref, exists: true },
      { blobRef: 'sha256:nope', exists: false },
    ]);
    expect(Buffer.from(json[1].result.result.bytesBase64, 'base64').toString()).toBe('hello');
    expect(json[2].error.code).toBe(-32601);
  });

  it('sends no body at all when every request was a notification', async () => {
    const { app } = storageGateway();
    const response = await app.request('/rpc', { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', method: 'initialize' }) });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it.each([
    ['malformed JSON', '{"jsonrpc": "2.0", "id": 1, "method": ', -32700, null],
    ['a non-object request', '42', -32600, null],
    ['an empty batch', '[]', -32600, null],
    ['the wrong jsonrpc version', { jsonrpc: '1.0', id: 7, method: 'initialize' }, -32600, 7],
    ['a null jsonrpc member', { jsonrpc: null, id: 8, method: 'initialize' }, -32600, 8],
    ['a numeric jsonrpc member', { jsonrpc: 2, id: 9, method: 'initialize' }, -32600, 9],
    ['a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'initialize' }, -32600, null],
    ['an unknown method', { jsonrpc: '2.0', id: 3, method: 'session/teleport' }, -32601, 3],
    ['positional params', { jsonrpc: '2.0', id: 4, method: 'blobs/read', params: ['sha256:x'] }, -32602, 4],
    ['params of the wrong type', { jsonrpc: '2.0', id: 5, method: 'blobs/read', params: { blobRef: 12 } }, -32602, 5],
    ['a missing required param', { jsonrpc: '2.0', id: 6, method: 'vfs/workspaces/read', params: {} }, -32602, 6],
  ])('answers %s with the matching JSON-RPC error', async (_name, body, code, id) => {
    const { app } = storageGateway();
    const { json } = await rpc(app, body);
    expect(json.error.code).toBe(code);
    expect(json.id).toBe(id);
    expect(json.error.data.kind).toMatch(/invalid_request|not_found/);
    expect(json.error.data.message).toBe(json.error.message);
  });

  it('accepts requests without a jsonrpc member, as the upstream client sends them, and answers in JSON-RPC 2.0', async () => {
    const { app } = storageGateway();
    const { json } = await rpc(app, { id: 1, method: 'initialize', params: { clientInfo: { name: 'upstream' } } });
    expect(json).toMatchObject({ jsonrpc: '2.0', id: 1, result: { result: { protocolVersion: 'lightspeed.agent.api.v1' } } });
    const batch = await rpc(app, [{ id: 'a', method: 'blobs/has', params: { blobRefs: [] } }, { method: 'initialize' }, { id: 'b', method: 'no/such' }]);
    expect(batch.json.map((answer: any) => answer.id)).toEqual(['a', 'b']);
    expect(batch.json[1].error.code).toBe(-32601);
  });

  it('summarises zod issues with their paths in invalid-params errors', async () => {
    const { app } = storageGateway();
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: 'not base64!' }, {}] } });
    expect(json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(json.error.message).toContain('blobs.0.bytesBase64');
    expect(json.error.message).toContain('blobs.1.bytesBase64');
  });

  it('maps application failures onto contract error kinds', async () => {
    const { app } = storageGateway();
    const missing = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'blobs/read', params: { blobRef: `sha256:${'0'.repeat(64)}` } });
    expect(missing.json.error).toMatchObject({ code: -32004, data: { kind: 'not_found' } });
    const malformed = await rpc(app, { jsonrpc: '2.0', id: 2, method: 'blobs/read', params: { blobRef: 'sha256:zz' } });
    expect(malformed.json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    await rpc(app, { jsonrpc: '2.0', id: 3, method: 'vfs/workspaces/create', params: { workspaceId: 'w1' } });
    const duplicate = await rpc(app, { jsonrpc: '2.0', id: 4, method: 'vfs/workspaces/create', params: { workspaceId: 'w1' } });
    expect(duplicate.json.error).toMatchObject({ code: -32009, data: { kind: 'conflict' } });
  });

  it('never leaks internal error details', async () => {
    const { createRpcGateway } = await import('../src/gateway/rpc-gateway.js');
    const seen: unknown[] = [];
    const app = createRpcGateway({
      auth: { mode: 'single-user' },
      options: { onInternalError: (error) => seen.push(error) },
      handlers: {
        'models/list': async () => {
          throw new Error('db password=hunter2 at /srv/secret.ts:12');
        },
      },
    });
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'models/list' });
    expect(json.error).toEqual({ code: -32603, message: 'internal error; the server logged the details', data: { kind: 'internal', message: 'internal error; the server logged the details' } });
    expect(JSON.stringify(json)).not.toContain('hunter2');
    expect(seen).toHaveLength(1);
  });

  it('answers GET /health', async () => {
    const { app } = storageGateway();
    const response = await app.request('/health');
    expect(await response.json()).toMatchObject({ status: 'ok', protocolVersion: 'lightspeed.agent.api.v1' });
  });

  it('refuses an oversized body with a JSON-RPC error over a real socket, declared or chunked', async () => {
    const { app } = storageGateway(undefined, { maxBodyBytes: 1024 });
    const server = await serveGateway(app);
    try {
      const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('x'.repeat(4096)) }] } });
      const declared = await fetch(`${server.url}/rpc`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
      expect(declared.status).toBe(413);
      expect(((await declared.json()) as any).error).toMatchObject({ code: -32013, data: { kind: 'invalid_request' } });
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(big.slice(i * 600, (i + 1) * 600)));
          controller.close();
        },
      });
      const chunked = await fetch(`${server.url}/rpc`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
      expect(chunked.status).toBe(413);
      const after = await fetch(`${server.url}/rpc`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'initialize' }) });
      expect(((await after.json()) as any).result.result.protocolVersion).toBe('lightspeed.agent.api.v1');
    } finally {
      await server.close();
    }
  });
});
