import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses' as const, model: 'fake-echo' };
const nope = { ...model, providerId: 'nope' };
const text = { type: 'input' as const, items: [{ type: 'text' as const, text: 'hi' }] };

/** Issue 23: a bad provider or provider param is refused at submit, not at the first generation. */
describe('model and provider params are checked at admission', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;
  const expectInvalid = (answer: any, field: string) => {
    expect(answer.result).toBeUndefined();
    expect(answer.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(answer.error.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  };

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth(), options: { defaultModel: model } });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it('session/start with an unknown provider names the field and creates no session', async () => {
    const answer = await call('session/start', { sessionId: 'bad-provider', config: { model: nope } });
    expectInvalid(answer, 'config.model.providerId');
    expect(answer.error.message).toContain('unknown provider "nope"; configured providers: openai, anthropic, fake');
    expect((await call('session/read', { sessionId: 'bad-provider' })).error.data.kind).toBe('not_found');
    expect(await test.host.state({ universe: 'local', sessionId: 'bad-provider' })).toBeUndefined();
  });

  it('session/config/put with an unknown provider names the field and keeps the config', async () => {
    await call('session/start', { sessionId: 'reconfig', config: { model } });
    const answer = await call('session/config/put', { sessionId: 'reconfig', config: { model: nope } });
    expectInvalid(answer, 'config.model.providerId');
    const session = (await call('session/read', { sessionId: 'reconfig' })).result.result.session;
    expect(session.config.model).toEqual(model);
  });

  it('session/runs/start with an unknown provider override names the field and starts no run', async () => {
    await call('session/start', { sessionId: 'override', config: { model } });
    const answer = await call('session/runs/start', { sessionId: 'override', source: text, config: { model: nope } });
    expectInvalid(answer, 'config.model.providerId');
    const state = await test.host.state({ universe: 'local', sessionId: 'override' });
    expect(state?.counters.run).toBe(0);
    expect(state?.queue).toEqual([]);
  });

  it('host submit refuses bad native params on open, configure and run overrides, naming the param', async () => {
    const ref = { universe: 'local', sessionId: 'native' };
    const badOpen = await test.host.submit(ref, { type: 'session.open', sessionId: 'native', config: { model, generation: { native: { reasoning: { effort: 'extreme' } } } } });
    expect(badOpen).toMatchObject({ ok: false, rejection: { code: 'invalid', details: { path: 'config.generation.native.reasoning.effort' } } });
    expect(await test.host.state(ref)).toBeUndefined();
    expect(await test.host.submit(ref, { type: 'session.open', sessionId: 'native', config: { model } })).toMatchObject({ ok: true });
    const badConfigure = await test.host.submit(ref, { type: 'session.configure', config: { model, generation: { native: { store: true } } } });
    expect(badConfigure).toMatchObject({ ok: false, rejection: { code: 'invalid', message: expect.stringMatching(/^config\.generation\.native: .*store/) } });
    const { ref: textRef } = await test.host.blobs('local').put(new TextEncoder().encode('hi'));
    const badRun = await test.host.submit(ref, { type: 'run.start', source: { type: 'input', items: [{ type: 'text', ref: textRef }] }, config: { generation: { native: { top_p: 2 } } } });
    expect(badRun).toMatchObject({ ok: false, rejection: { code: 'invalid', details: { path: 'config.generation.native.top_p' } } });
    expect((await test.host.state(ref))?.counters.run).toBe(0);
  });
});
