import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemory, FakeEmbedder, signDelivery, type Memory } from '@lightspeed/memory';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import type { Hono } from 'hono';
import { singleUserAuth } from '../src/auth/gateway-auth.js';
import { createRpcGateway } from '../src/gateway/rpc-gateway.js';
import { memoryMethods } from '../src/handlers/memory-methods.js';
import { inProcessRpc } from './support/in-process-rpc.js';

describe('memory/* and POST /webhooks/<provider>/<webhookId> through the gateway', () => {
  let storage: Storage;
  let memory: Memory;
  let app: Hono;
  const logged: unknown[] = [];

  beforeAll(async () => {
    storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    memory = createMemory(storage, { env: { LIGHTSPEED_MEMORY_KEY: '11'.repeat(32), VERCEL_SECRET: 'vercel-env-secret' }, maxBodyBytes: 64 * 1024 });
    app = createRpcGateway({ auth: singleUserAuth(), handlers: memoryMethods(memory), memory: memory.ingress, options: { onInternalError: (error) => logged.push(error) } });
  });
  afterAll(async () => {
    await storage?.close();
  });

  const { rpc, call } = inProcessRpc(() => app);
  const post = (path: string, headers: Record<string, string>, body: Uint8Array) => app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('connects a source with a generated secret shown once, then takes its signed webhooks (202, 200 deduped, 401, 413)', async () => {
    const put = await call('memory/sources/put', { sourceId: 'gh', provider: 'github', displayName: 'octo org' });
    expect(put.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(put.source).toMatchObject({ sourceId: 'gh', provider: 'github', secretKind: 'sealed', revision: 1, webhookPath: expect.stringMatching(/^\/webhooks\/github\/mw_/) });
    const read = await call('memory/sources/read', { sourceId: 'gh' });
    expect(JSON.stringify(read)).not.toContain(put.secret);
    expect((await call('memory/sources/list', {})).sources.map((s: any) => s.sourceId)).toEqual(['gh']);

    const body = new TextEncoder().encode(
      JSON.stringify({ action: 'opened', number: 7, pull_request: { number: 7, title: 'Fix the login outage', body: 'fixes #3', updated_at: '2026-06-01T00:00:00Z', user: { login: 'ana' }, head: { ref: 'fix' }, base: { ref: 'main' } }, repository: { full_name: 'octo/app' }, sender: { login: 'ana' } }),
    );
    const headers = await signDelivery('github', put.secret, body, { eventType: 'pull_request', deliveryId: 'g-1' });
    const first = await post(put.source.webhookPath, headers, body);
    expect(first.status).toBe(202);
    const answer = (await first.json()) as { eventId: string };
    expect(JSON.stringify(answer)).not.toContain(put.secret);
    expect((await post(put.source.webhookPath, headers, body)).status).toBe(200);
    expect((await post(put.source.webhookPath, { ...headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body)).status).toBe(401);
    expect((await post(put.source.webhookPath, headers, new Uint8Array(64 * 1024 + 1).fill(32))).status).toBe(413);
    expect((await post('/webhooks/github/mw_unknown', headers, body)).status).toBe(404);

    const listed = await call('memory/events/list', { provider: 'github' });
    expect(listed.events).toHaveLength(1);
    expect(listed.events[0]).toMatchObject({ eventId: answer.eventId, type: 'pull_request', action: 'opened', primary: { type: 'pr', key: 'github:octo/app#7' }, deliveryId: 'g-1' });
    expect(listed.events[0].factors.map((f: any) => f.rule)).toEqual(expect.arrayContaining(['type:pr-opened', 'signal:incident', 'references']));
    expect((await call('memory/events/read', { eventId: answer.eventId })).event.title).toBe('PR #7 opened: Fix the login outage');
    expect((await rpc('memory/events/read', { eventId: 'mev_missing' })).error.data.kind).toBe('not_found');
    expect((await call('memory/events/list', { minSignificance: 100 })).events).toHaveLength(0);

    expect((await call('memory/sources/delete', { sourceId: 'gh' })).source.sourceId).toBe('gh');
    expect((await post(put.source.webhookPath, headers, body)).status).toBe(404);
    expect(logged).toEqual([]);
  });

  it('serves the graph the first test\'s PR built: memory/entities/{list, read}, memory/graph/neighbours; unknown entity 404, depth 4 refused', async () => {
    const [event] = (await call('memory/events/list', { provider: 'github' })).events;
    const prs = await call('memory/entities/list', { type: 'pr' });
    expect(prs.entities).toEqual([expect.objectContaining({ type: 'pr', key: 'github:octo/app#7', eventCount: 1, aliases: [] })]);
    expect((await call('memory/entities/read', { type: 'issue', key: 'github:octo/app#3' })).entity).toMatchObject({ type: 'issue', key: 'github:octo/app#3' });
    const around = await call('memory/graph/neighbours', { type: 'pr', key: 'github:octo/app#7', edgeTypes: ['fixes', 'authored_by'] });
    expect(around.root.key).toBe('github:octo/app#7');
    expect(around.edges).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'fixes', to: { type: 'issue', key: 'github:octo/app#3' }, evidence: [event.eventId], confidence: 0.7, invalidAtMs: null }),
        expect.objectContaining({ type: 'authored_by', to: { type: 'person', key: 'github:ana' }, evidence: [event.eventId], confidence: 1 }),
      ]),
    );
    expect(around.edges).toHaveLength(2);
    expect((await call('memory/graph/neighbours', { type: 'pr', key: 'github:octo/app#7', asOfMs: event.occurredAtMs - 1 })).edges).toEqual([]);
    expect((await rpc('memory/entities/read', { type: 'pr', key: 'github:octo/app#99' })).error.message).toMatch(/does not exist/);
    expect((await rpc('memory/graph/neighbours', { type: 'pr', key: 'github:octo/app#7', depth: 4 })).error).toBeDefined();
  });

  it('memory/search finds the first test\'s PR by words and by #7, each hit with its paths; memory/index/status says no embedder', async () => {
    const found = await call('memory/search', { query: 'login outage', providers: ['github'] });
    expect(found.hits).toHaveLength(1);
    expect(found.hits[0]).toMatchObject({ event: { primary: { type: 'pr', key: 'github:octo/app#7' } }, paths: { lexical: { rank: 1 } } });
    expect(found.explanation.vector).toBe('off: no embedder configured (lexical + entity only)');
    expect(found.latencyMs.total).toBeGreaterThanOrEqual(0);
    const byKey = await call('memory/search', { query: '#7', weights: { lexical: 0 } });
    expect(byKey.entityKeys).toContainEqual({ type: 'pr', key: 'github:octo/app#7' });
    expect(byKey.hits[0].matchedEntities).toContainEqual({ type: 'pr', key: 'github:octo/app#7' });
    expect((await call('memory/search', { query: 'login outage', providers: ['linear'] })).hits).toEqual([]);
    const badCursor = await rpc('memory/search', { query: 'x', cursor: 'nonsense' });
    expect(badCursor.error.data.kind).toBe('invalid_request');
    expect(badCursor.error.message).toMatch(/^cursor: /);
    expect(await call('memory/index/status', {})).toMatchObject({ model: null, events: 1, embedded: 0 });
  });

  it('an env-referenced Vercel secret verifies HMAC-SHA1; updating a sealed source without its secret is refused', async () => {
    const put = await call('memory/sources/put', { sourceId: 'vc', provider: 'vercel', secretEnv: 'VERCEL_SECRET' });
    expect(put.secret).toBeNull();
    expect(put.source).toMatchObject({ secretKind: 'env', secretEnv: 'VERCEL_SECRET' });
    const body = new TextEncoder().encode(JSON.stringify({ id: 'evt_1', type: 'deployment.succeeded', createdAt: 1_780_000_000_000, payload: { deployment: { url: 'app.vercel.app' } } }));
    const response = await post(put.source.webhookPath, await signDelivery('vercel', 'vercel-env-secret', body), body);
    expect(response.status).toBe(202);
    expect((await call('memory/events/list', { provider: 'vercel' })).events[0]).toMatchObject({ type: 'deployment.succeeded', sourceKey: 'vercel:delivery:evt_1' });
    await call('memory/sources/put', { sourceId: 'sealed', provider: 'sentry', secret: 'client-secret' });
    expect((await rpc('memory/sources/put', { sourceId: 'sealed', provider: 'sentry' })).error.message).toMatch(/pass its secret/);
    expect((await rpc('memory/sources/put', { sourceId: 'bad id!', provider: 'sentry' })).error.data.kind).toBe('invalid_request');
  });

  it('a source carries explicit people mappings: validated (field named), read back, applied to its events', async () => {
    const refused = await rpc('memory/sources/put', { sourceId: 'gh-people', provider: 'github', secret: 'people-secret', people: [{ github: 'octocat' }] });
    expect(refused.error.message).toMatch(/people\[0\]: a mapping links at least two identities/);
    expect(refused.error.data.kind).toBe('invalid_request');
    const twice = await rpc('memory/sources/put', { sourceId: 'gh-people', provider: 'github', secret: 'people-secret', people: [{ github: 'octocat', email: 'a@example.com' }, { github: 'octocat', linear: 'u-1' }] });
    expect(twice.error.message).toMatch(/people\[1\]: github:octocat is also in people\[0\]/);
    expect((await rpc('memory/sources/put', { sourceId: 'gh-people', provider: 'github', secret: 'people-secret', people: [{ github: 'octocat', nickname: 'cat' }] })).error.data.kind).toBe('invalid_request');
    const put = await call('memory/sources/put', { sourceId: 'gh-people', provider: 'github', secret: 'people-secret', people: [{ github: 'octocat', linear: 'lin-ana', email: 'Ana@Example.com' }] });
    expect(put.source.people).toEqual([{ github: 'octocat', linear: 'lin-ana', email: 'Ana@Example.com' }]);
    expect((await call('memory/sources/read', { sourceId: 'gh-people' })).source.people).toEqual(put.source.people);
    const body = new TextEncoder().encode(JSON.stringify({ action: 'opened', issue: { number: 3, title: 'People', user: { login: 'octocat' }, updated_at: '2026-06-01T00:00:00Z' }, repository: { full_name: 'octo/people' } }));
    expect((await post(put.source.webhookPath, await signDelivery('github', 'people-secret', body, { eventType: 'issues', deliveryId: 'p-1' }), body)).status).toBe(202);
    // The login reads the one person the mapping names, keyed by the email.
    expect((await call('memory/entities/read', { type: 'person', key: 'github:octocat' })).entity).toMatchObject({ key: 'email:ana@example.com', aliases: ['github:octocat', 'linear:user:lin-ana'] });
  });

  it('answers 429 with Retry-After past the universe rate, before reading the body', async () => {
    const clock = { t: Date.now(), now() { return this.t; } };
    const limited = createMemory(storage, { clock, env: { LIGHTSPEED_MEMORY_KEY: '11'.repeat(32) }, ratePerSecond: 2, burst: 2 });
    const put = await limited.sources.put('u-limited', { sourceId: 'gh', provider: 'github', secret: 's3cret' });
    const limitedApp = createRpcGateway({ auth: singleUserAuth(), handlers: memoryMethods(limited), memory: limited.ingress, options: { onInternalError: (error) => logged.push(error) } });
    const path = `/webhooks/github/${put.source.webhookId}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const body = new TextEncoder().encode(JSON.stringify({ zen: `keep it ${i}` }));
      const response = await limitedApp.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(await signDelivery('github', 's3cret', body, { eventType: 'ping', deliveryId: `p${i}` })) }, body });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(statuses).toEqual([202, 202, 429]);
    expect(retryAfter).toBe('1');
    clock.t += 1_000;
    const body = new TextEncoder().encode(JSON.stringify({ zen: 'later' }));
    expect((await limitedApp.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(await signDelivery('github', 's3cret', body, { eventType: 'ping', deliveryId: 'p9' })) }, body })).status).toBe(202);
  });
});

describe('memory/search with an embedder: the background indexer fills the vector path', () => {
  let storage: Storage;
  let memory: Memory;
  let app: Hono;

  beforeAll(async () => {
    storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    memory = createMemory(storage, { env: { LIGHTSPEED_MEMORY_KEY: '11'.repeat(32) }, embedder: new FakeEmbedder(), indexer: { idleMs: 20 } });
    app = createRpcGateway({ auth: singleUserAuth(), handlers: memoryMethods(memory), memory: memory.ingress });
  });
  afterAll(async () => {
    await memory?.close();
    await storage?.close();
  });
  const { call } = inProcessRpc(() => app);

  it('embeds recorded events in the background, then searches them by vector too', async () => {
    await storage.memoryEvents('local').record({ sourceId: 's', provider: 'sentry', type: 'issue', sourceKey: 'e-1', occurredAt: 1, related: [], title: 'TypeError in checkout handler', attributes: {}, significance: 50, factors: [] });
    await expect.poll(() => call('memory/index/status', {}), { timeout: 20_000 }).toMatchObject({ model: 'fake:64', dimensions: 64, events: 1, embedded: 1, pending: 0, failures: 0 });
    const found = await call('memory/search', { query: 'checkout handler TypeError' });
    expect(found.explanation.vector).toBe('hnsw (pgvector, cosine) over fake:64 vectors');
    expect(Object.keys(found.hits[0].paths).sort()).toEqual(['lexical', 'vector']);
  });
});
