import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const usage = (input: number, output: number) => ({ input, cachedInput: 0, cacheWrite: 0, output, reasoning: 0 });

describe('usage in session/read and run views (Lightspeed extension)', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const contract = new ContractValidator();
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  async function settled(sessionId: string) {
    for (let i = 0; i < 200; i++) {
      const session = (await call('session/read', { sessionId })).result.result.session;
      if (session.status === 'idle') return session;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`session ${sessionId} did not become idle`);
  }

  it('counts a 429, a failed attempt that reported usage and the answer; an unpriced model has cost null', async () => {
    await call('session/start', { sessionId: 'usage-1' });
    const before = (await call('session/read', { sessionId: 'usage-1' })).result.result.session;
    expect(before.usage).toEqual({ inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, reasoningTokens: 0, calls: 0, costUsd: null });

    test.fake.enqueue(
      { fault: { kind: 'rate_limit', retryAfterMs: 10 } },
      { usage: usage(30, 2), text: 'cut', fault: { kind: 'server' }, faultAfterEvents: 2 },
      { usage: usage(40, 6), text: 'the answer' },
    );
    const started = await call('session/runs/start', { sessionId: 'usage-1', source: { type: 'input', items: [{ type: 'text', text: 'hello' }] } });
    expect(started.result.result.run.usage).toMatchObject({ calls: 0 });
    const session = await settled('usage-1');
    expect(contract.check('#/definitions/SessionView', session)).toEqual([]);
    const expected = { inputTokens: 70, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 8, reasoningTokens: 0, calls: 2, costUsd: null };
    expect(session.runs[0]).toMatchObject({ status: 'completed', usage: expected });
    expect(session.usage).toEqual(expected);
  });
});
