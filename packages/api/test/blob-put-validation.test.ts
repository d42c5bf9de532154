import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../src/rpc/dispatcher.js';
import { isPaddedBase64 } from '../src/schemas/padded-base64.js';
import { rpc, storageGateway } from './support/storage-gateway.js';

const MiB = 1024 * 1024;
const refOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('blobs/put validation', () => {
  it('stores a 5 MiB blob sent as base64 and answers with the request id', async () => {
    const { app } = storageGateway();
    const bytes = randomBytes(5 * MiB);
    const { status, json } = await rpc(app, { jsonrpc: '2.0', id: 'put-5mib', method: 'blobs/put', params: { blobs: [{ bytesBase64: bytes.toString('base64') }] } });
    expect(status).toBe(200);
    expect(json.id).toBe('put-5mib');
    expect(json.result.result.blobs).toEqual([{ blobRef: refOf(bytes), bytes: 5 * MiB }]);
  });

  it('refuses what is not padded standard base64, naming the item', async () => {
    const { app } = storageGateway();
    // Long enough that a per-group backtracking check would have overflowed before deciding.
    const valid = randomBytes(4 * MiB).toString('base64');
    for (const bad of [`${valid}A`, `${valid.slice(0, -4)}A===`, `${valid.slice(0, 100)} ${valid.slice(101)}`, `${valid.slice(0, -4)}-_AA`, 'QQ=A']) {
      const { status, json } = await rpc(app, { jsonrpc: '2.0', id: 9, method: 'blobs/put', params: { blobs: [{ bytesBase64: 'QUJD' }, { bytesBase64: bad }] } });
      expect(status).toBe(200);
      expect(json.id).toBe(9);
      expect(json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
      expect(json.error.message).toContain('blobs.1.bytesBase64');
    }
  });

  it('accepts exactly the RFC 4648 padded forms', () => {
    for (const good of ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA==', '+/+/']) expect(isPaddedBase64(good)).toBe(true);
    for (const bad of ['Q', 'QQ=', 'Q===', '====', 'QQ==QUJD', 'QU\nJD', 'QUJ\u00e9', 'QU-_']) expect(isPaddedBase64(bad)).toBe(false);
  });

  it('a throw while params are validated becomes an internal error answered with the request id', async () => {
    const logged: unknown[] = [];
    const dispatcher = new Dispatcher({ 'blobs/has': async () => ({ result: { blobs: [] } }) }, { onInternalError: (error) => logged.push(error) });
    // A getter stands in for any fault inside schema parsing (the stack overflow this replaced).
    const params = {
      get blobRefs(): string[] {
        throw new RangeError('Maximum call stack size exceeded');
      },
    };
    const answer = await dispatcher.handle({ jsonrpc: '2.0', id: 41, method: 'blobs/has', params }, { universe: 'u', signal: new AbortController().signal });
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 41,
      error: { code: -32603, message: 'internal error; the server logged the details', data: { kind: 'internal', message: 'internal error; the server logged the details' } },
    });
    expect(logged).toHaveLength(1);
  });
});
