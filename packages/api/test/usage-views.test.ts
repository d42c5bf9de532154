import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { PriceTable } from '@lightspeed/llm';
import { ContractValidator } from './support/contract-validator.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const usage = (input: number, output: number) => ({ input, cachedInput: 0, cacheWrite: 0, output, reasoning: 0 });

describe('usage in session/read and run views (Lightspeed extension)', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let priced: ReturnType<typeof createGateway>;
  let id = 0;
  const contract = new ContractValidator();
  const call = async (method: string, params: unknown, gateway = app) => (await rpc(gateway, { jsonrpc: '2.0', id: ++id, method, params })).json;

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
    // The fake is in no shipped price list: an override prices it ($1 in, $2 out per million tokens).
    const table = new PriceTable({ overrides: { 'fake/fake-echo': { inputPerMTok: 1, outputPerMTok: 2 } } });
    priced = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model, prices: table.lookup } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  async function settled(sessionId: string) {
    for (let i = 0; i < 200; i++) {
      const session = (await call('session/read', { sessionId }, priced)).result.result.session;
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

  it('prices a priced model: the cost is known and pinned in the session config', async () => {
    await call('session/start', { sessionId: 'usage-priced' }, priced);
    test.fake.enqueue({ usage: usage(40, 6), text: 'priced answer' });
    await call('session/runs/start', { sessionId: 'usage-priced', source: { type: 'input', items: [{ type: 'text', text: 'hi' }] } }, priced);
    const session = await settled('usage-priced');
    expect(session.usage.costUsd).toBeCloseTo((40 * 1 + 6 * 2) / 1e6, 12);
    expect(session.runs[0].usage.costUsd).toBeCloseTo(52e-6, 12);
  });

  it('refuses a cost budget on an unpriced model, per session and per run, with a typed error naming the field', async () => {
    const start = await call('session/start', { sessionId: 'usage-budget', config: { limits: { costBudgetUsd: 1 } } });
    expect(start.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(start.error.message).toMatch(/^config\.limits\.costBudgetUsd: model fake\/fake-echo has no price/);
    const session = await call('session/start', { sessionId: 'usage-budget', config: { limits: { session: { costBudgetUsd: 1 } } } });
    expect(session.error.message).toMatch(/^config\.limits\.session\.costBudgetUsd: /);
    await call('session/start', { sessionId: 'usage-budget' });
    const run = await call('session/runs/start', { sessionId: 'usage-budget', config: { limits: { costBudgetUsd: 0.5 } }, source: { type: 'input', items: [{ type: 'text', text: 'x' }] } });
    expect(run.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(run.error.message).toMatch(/^config\.limits\.costBudgetUsd: model fake\/fake-echo has no price/);
    // Priced, the same budget is accepted.
    expect((await call('session/start', { sessionId: 'usage-budget-ok', config: { limits: { costBudgetUsd: 1 } } }, priced)).result).toBeDefined();
  });

  it.each([
    ['token budget per run', { tokenBudget: 30 }, { limit: 'token_budget', scope: 'run', max: 30, used: 46 }],
    ['output tokens per run', { maxOutputTokens: 5 }, { limit: 'output_tokens', scope: 'run', max: 5, used: 6 }],
    ['cost budget per run', { costBudgetUsd: 0.00005 }, { limit: 'cost_budget', scope: 'run', max: 0.00005 }],
    ['token budget per session', { session: { tokenBudget: 40 } }, { limit: 'token_budget', scope: 'session', max: 40, used: 46 }],
  ])('a run stopped by its %s says which limit, with the figures', async (_name, limits, failure) => {
    const sessionId = `limits-${++id}`;
    const started = await call('session/start', { sessionId, config: { limits } }, priced);
    expect(started.result.result.session.config.limits).toEqual(limits);
    test.fake.enqueue({ usage: usage(40, 6), text: 'over budget' });
    await call('session/runs/start', { sessionId, source: { type: 'input', items: [{ type: 'text', text: 'go' }] } }, priced);
    const session = await settled(sessionId);
    // The config echoes the extension limits the client put (the v1 LimitsConfig is strict); the rest conforms.
    expect(contract.check('#/definitions/SessionView', { ...session, config: null })).toEqual([]);
    expect(session.runs[0]).toMatchObject({ status: 'failed', failure: { code: 'limit_exceeded', ...failure } });
    expect(session.runs[0].failure.message).toMatch(/reached its \w+ limit: used [\d.e-]+ of limits\./);
  });
});
