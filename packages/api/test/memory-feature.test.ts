import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

describe('the memory feature (Lightspeed extension) on a server without memory', () => {
  let test: TestHost;
  beforeAll(async () => {
    test = await startTestHost();
  });
  afterAll(async () => test?.stop());

  it('is refused at session start naming the field, and memory/answer is not served', async () => {
    const app = createGateway({ host: test.host, auth: singleUserAuth() });
    const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'session/start', params: { sessionId: 'm0', config: { model, features: { memory: {} } } } });
    expect(json.error).toMatchObject({ data: { kind: 'rejected' } });
    expect(json.error.message).toMatch(/features\.memory is disabled on this server/);
    const unknownTool = await rpc(app, { jsonrpc: '2.0', id: 2, method: 'session/start', params: { sessionId: 'm1', config: { model, features: { memory: { tools: ['memory_delete'] } } } } });
    expect(unknownTool.json.error.message).toMatch(/memory_delete|tools/);
    const answer = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'memory/answer', params: { question: 'anything?' } });
    expect(answer.json.error.code).toBe(-32601);
  });
});
