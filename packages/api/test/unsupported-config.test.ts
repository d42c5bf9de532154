// Config members the v1 contract defines but this server does not act on are refused by name
// (never stored and ignored): issue 21, "every config field either works or is refused".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createGateway } from '../src/gateway/create-gateway.js';
import { startTestHost, type TestHost } from './support/embedded-host.js';
import { rpc } from './support/storage-gateway.js';

const model = { providerId: 'fake', apiKind: 'openai:responses', model: 'fake-echo' };

const cases: [string, Record<string, unknown>][] = [
  ['features.fleet.profiles.inline', { features: { fleet: { version: 1, profiles: { inline: true } } } }],
  ['features.fleet.spawn.bases', { features: { fleet: { version: 1, spawn: { bases: ['self', 'session'] } } } }],
  ['features.environments', { features: { environments: { version: 1 } } }],
  ['features.web.search', { features: { web: { version: 1, fetch: {}, search: { allowedDomains: ['example.com'] } } } }],
  ['features.mcp.servers[0].approval', { features: { mcp: { version: 1, servers: [{ serverId: 'docs', approval: 'always' }] } } }],
  ['features.mcp.servers[0].deferLoading', { features: { mcp: { version: 1, servers: [{ serverId: 'docs', deferLoading: true }] } } }],
  ['generation.processingTier', { generation: { processingTier: 'flex' } }],
];

describe('config members this server does not act on', () => {
  let test: TestHost;
  let app: ReturnType<typeof createGateway>;
  let id = 0;
  const call = async (method: string, params: unknown) => (await rpc(app, { jsonrpc: '2.0', id: ++id, method, params })).json;

  beforeAll(async () => {
    test = await startTestHost();
    app = createGateway({ host: test.host, auth: singleUserAuth() });
  });
  afterAll(async () => {
    await test?.stop();
  });

  it.each(cases)('session/start refuses %s by name, and no session is created', async (path, extra) => {
    const sessionId = `refused-${id}`;
    const reply = await call('session/start', { sessionId, config: { model, ...extra } });
    expect(reply.error).toMatchObject({ code: -32602 });
    expect(reply.error.message).toContain(`config.${path}:`);
    const read = await call('session/read', { sessionId });
    expect(read.error).toBeDefined();
  });

  it('session/config/put refuses them too and leaves the config as it was', async () => {
    const started = await call('session/start', { sessionId: 'kept', config: { model } });
    expect(started.error).toBeUndefined();
    const reply = await call('session/config/put', { sessionId: 'kept', config: { model, features: { environments: { version: 1 } } } });
    expect(reply.error.message).toContain('config.features.environments:');
    const read = await call('session/read', { sessionId: 'kept' });
    expect(read.result.result.session.configRevision).toBe(1);
  });

  it('refuses a reasoning effort no adapter knows, naming the field, instead of sending it to fail later', async () => {
    const reply = await call('session/start', { sessionId: 'effort', config: { model, generation: { reasoningEffort: 'extreme' } } });
    expect(reply.error).toMatchObject({ code: -32602 });
    expect(reply.error.message).toContain('config.generation.reasoningEffort');
    expect(reply.error.message).toContain('none, minimal, low, medium, high, xhigh');
  });

  it('session/runs/start refuses a processing tier for the run', async () => {
    await call('session/start', { sessionId: 'tier', config: { model } });
    const reply = await call('session/runs/start', { sessionId: 'tier', source: { type: 'input', items: [{ type: 'text', text: 'hi' }] }, config: { generation: { processingTier: 'fast' } } });
    expect(reply.error).toMatchObject({ code: -32602 });
    expect(reply.error.message).toContain('config.generation.processingTier:');
  });

  it('accepts the members that work, including null for an unset one', async () => {
    const config = { model, generation: { processingTier: null, maxOutputTokens: 64 }, features: { web: { version: 1, fetch: {} }, fleet: { profiles: { deny: ['x'] }, spawn: { bases: ['self'] }, maxChildren: 2 } } };
    const reply = await call('session/start', { sessionId: 'fine', config });
    expect(reply.error).toBeUndefined();
  });
});
