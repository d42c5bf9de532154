import { describe, expect, it } from 'vitest';
import type { Embedder, MemoryEventInput, MemorySearchQuery } from '@lightspeed/ports';
import type { Storage } from '@lightspeed/store-sql';
import { extractGraph, FakeEmbedder, MemoryIndexer, MemoryIndexStatusService, MemorySearch, queryEntityKeys, reciprocalRankFusion, type CanonicalEvent } from '../src/index.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';

const SHA = '3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345';

/** A canonical event as a transform would make it, recorded with the graph it asserts. */
function event(over: Partial<CanonicalEvent> & { sourceKey: string; title: string }, extra: { significance?: number; sourceId?: string } = {}): MemoryEventInput {
  const canonical: CanonicalEvent = { provider: 'github', type: 'pull_request', occurredAt: Date.parse('2026-05-01T00:00:00Z'), related: [], attributes: {}, ...over };
  return { ...canonical, sourceId: extra.sourceId ?? 'gh', significance: extra.significance ?? 50, factors: [], graph: extractGraph(canonical) };
}

const repo = { type: 'repository', key: 'github:octo/app', relation: 'repository' };

/** The story: a checkout outage, the PR that fixes it, its deployment, a Linear issue and unrelated noise. */
function story(): MemoryEventInput[] {
  return [
    event({ sourceKey: 'pr-12', type: 'pull_request', action: 'opened', title: 'Retry the payment gateway call on checkout timeout', body: 'Fixes #11. The gateway times out under load.', primary: { type: 'pr', key: 'github:octo/app#12' }, related: [repo, { type: 'person', key: 'github:mona', relation: 'author' }, { type: 'branch', key: 'github:octo/app:fix/checkout-retry', relation: 'head_branch' }, { type: 'commit', key: `github:octo/app@${SHA}`, relation: 'head_commit' }] }, { significance: 70 }),
    event({ sourceKey: 'issue-11', type: 'issues', action: 'opened', title: 'Checkout page hangs', body: 'Customers cannot pay; the spinner never stops.', primary: { type: 'issue', key: 'github:octo/app#11' }, related: [repo, { type: 'person', key: 'github:hubot', relation: 'author' }], occurredAt: Date.parse('2026-04-30T00:00:00Z') }, { significance: 60 }),
    event({ sourceKey: 'lin-42', provider: 'linear', type: 'Issue', action: 'create', title: 'Dark mode for the settings screen', body: 'Users asked for a dark theme.', primary: { type: 'issue', key: 'linear:ENG-42' }, occurredAt: Date.parse('2026-04-01T00:00:00Z') }, { significance: 20, sourceId: 'lin' }),
    event({ sourceKey: 'deploy-1', provider: 'vercel', type: 'deployment.succeeded', title: 'Deployment of octo/app to production', body: `commit ${SHA}`, primary: { type: 'deployment', key: 'vercel:dpl_1' }, related: [{ type: 'commit', key: `github:octo/app@${SHA}`, relation: 'commit' }], occurredAt: Date.parse('2026-05-02T00:00:00Z') }, { significance: 40, sourceId: 'vc' }),
    event({ sourceKey: 'push-1', type: 'push', title: 'Update README badges', body: 'Cosmetic.', primary: { type: 'commit', key: 'github:octo/app@aaaaaaa1111111' }, related: [repo], occurredAt: Date.parse('2026-03-01T00:00:00Z') }, { significance: 5 }),
  ];
}

async function seed(storage: Storage, universe: string, events: MemoryEventInput[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const input of events) ids.set(input.sourceKey, (await storage.memoryEvents(universe).record(input)).event.eventId);
  return ids;
}

/** Embeds everything pending for the embedder's model (all universes of the storage). */
async function indexAll(indexer: MemoryIndexer): Promise<void> {
  for (;;) {
    const step = await indexer.step();
    expect(step.error).toBeUndefined();
    if (step.embedded === 0) return;
  }
}

describe('search inputs', () => {
  it('reads #12, ENG-42, SHAs, people and branches out of a query with the events reference reader', () => {
    const keys = queryEntityKeys('did @mona ship #12 or ENG-42 on branch fix/checkout-retry at 3f2a9c1 (ops@example.com)');
    expect(keys).toEqual(
      expect.arrayContaining([
        { type: 'issue', key: 'github:%#12', like: true },
        { type: 'pr', key: 'github:%#12', like: true },
        { type: 'issue', key: 'linear:ENG-42' },
        { type: 'commit', key: 'sha:3f2a9c1%', like: true },
        { type: 'person', key: 'github:mona' },
        { type: 'person', key: 'email:ops@example.com' },
        { type: 'branch', key: 'github:%:fix/checkout-retry', like: true },
      ]),
    );
    // LIKE's own wildcards in a name are literal.
    expect(queryEntityKeys('branch my_branch')).toContainEqual({ type: 'branch', key: 'github:%:my\\_branch', like: true });
  });

  it('fuses by reciprocal rank: agreement beats one strong path, weights scale, weight 0 drops a path', () => {
    const lists = { lexical: [{ eventId: 'a', score: 9 }, { eventId: 'b', score: 5 }], vector: [{ eventId: 'b', score: 0.9 }, { eventId: 'c', score: 0.8 }] };
    const fused = reciprocalRankFusion(lists, { lexical: 1, vector: 1, entity: 1 });
    expect(fused.map((h) => h.eventId)).toEqual(['b', 'a', 'c']);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0]!.paths).toEqual({ lexical: { rank: 2, score: 5 }, vector: { rank: 1, score: 0.9 } });
    expect(reciprocalRankFusion(lists, { lexical: 1, vector: 3, entity: 1 }).map((h) => h.eventId)).toEqual(['b', 'c', 'a']);
    expect(reciprocalRankFusion(lists, { lexical: 0, vector: 1, entity: 1 }).map((h) => h.eventId)).toEqual(['b', 'c']);
  });
});

describe.each(['pglite', 'postgres'] as const)('memory search on %s', (kind) => {
  const clock = new ManualClock(Date.parse('2026-06-01T00:00:00Z'));
  const storage = useStorage(kind, clock);
  const embedder = new FakeEmbedder();
  const search = (withEmbedder: Embedder | null = embedder) => new MemorySearch({ stores: (u) => storage().memorySearch(u), ...(withEmbedder ? { embedder: withEmbedder } : {}) });
  const indexer = (e: Embedder = embedder) => new MemoryIndexer({ index: storage().memoryVectors(), embedder: e, clock, batchSize: 500 });
  const ids = (result: { hits: { eventId: string }[] }) => result.hits.map((h) => h.eventId);

  it('finds by words, by entity key and by meaning, explaining each path and its latency', async () => {
    const universe = freshUniverse();
    const id = await seed(storage(), universe, story());
    await indexAll(indexer());
    const s = search();

    const lexical = await s.search(universe, { query: 'payment gateway timeouts' });
    expect(ids(lexical)[0]).toBe(id.get('pr-12'));
    expect(lexical.hits[0]!.paths.lexical?.rank).toBe(1);
    expect(lexical.explanation.lexical).toMatch(/tsvector/);
    expect(lexical.explanation.entity).toMatch(/^no entity the query names exists/);
    expect(lexical.explanation.vector).toMatch(kind === 'pglite' ? /^hnsw \(pgvector, cosine\) over fake:64/ : /hnsw|exact cosine \(no pgvector/);
    for (const stage of ['lexical', 'embed', 'vector', 'fuse', 'read', 'total']) expect(lexical.latencyMs[stage]).toBeGreaterThanOrEqual(0);

    // #12 is the PR (GitHub numbers issues and PRs alike): its own event first, then the events that are evidence of edges to it.
    const byNumber = await s.search(universe, { query: '#12', weights: { lexical: 0, vector: 0 } });
    expect(byNumber.entityKeys).toEqual([{ type: 'pr', key: 'github:octo/app#12' }]);
    expect(ids(byNumber)[0]).toBe(id.get('pr-12'));
    expect(byNumber.hits[0]!.matchedEntities).toEqual([{ type: 'pr', key: 'github:octo/app#12' }]);
    expect(byNumber.explanation.lexical).toBe('off: weight 0');

    // "Fixes #11" in the PR's body: the events are its own and the PR that fixes it.
    // A second hop, through the PR to what it is linked to (the deployment that shipped it), ranks below both.
    const about11 = await s.search(universe, { query: 'what happened to #11', weights: { lexical: 0, vector: 0 } });
    expect(new Set(ids(about11).slice(0, 2))).toEqual(new Set([id.get('issue-11'), id.get('pr-12')]));
    expect(ids(about11).slice(2)).toEqual([id.get('deploy-1')]);
    expect(about11.hits[2]!.paths.entity!.score).toBeLessThan(about11.hits[1]!.paths.entity!.score);
    expect(about11.hits[2]!.matchedEntities).toEqual([{ type: 'issue', key: 'github:octo/app#11' }]);
    expect(ids(await s.search(universe, { query: 'ENG-42', weights: { lexical: 0, vector: 0 } }))).toEqual([id.get('lin-42')]);
    // A short SHA reaches the PR made of it and the deployment that shipped it.
    expect(new Set(ids(await s.search(universe, { query: 'what shipped 3f2a9c1', weights: { lexical: 0, vector: 0 } })))).toEqual(new Set([id.get('pr-12'), id.get('deploy-1')]));
    expect(ids(await s.search(universe, { query: '@mona', weights: { lexical: 0, vector: 0 } }))).toEqual([id.get('pr-12')]);
    expect(ids(await s.search(universe, { query: 'hubot', weights: { lexical: 0, vector: 0 } }))).toEqual([id.get('issue-11')]);
    expect(ids(await s.search(universe, { query: 'branch fix/checkout-retry', weights: { lexical: 0, vector: 0 } }))).toEqual([id.get('pr-12')]);

    // The fake embedder is a bag of words: the Linear issue's own words bring it first on the vector path alone.
    const vector = await s.search(universe, { query: 'settings screen dark theme', weights: { lexical: 0, entity: 0 } });
    expect(ids(vector)[0]).toBe(id.get('lin-42'));
    expect(vector.hits[0]!.paths).toEqual({ vector: { rank: 1, score: expect.any(Number) } });
  });

  it('ranks an event two paths agree on above events one path found', async () => {
    const universe = freshUniverse();
    const id = await seed(storage(), universe, story());
    // The title has the words (the PR's has one), and #11 names it: both paths rank it first.
    const result = await search(null).search(universe, { query: 'checkout page hangs #11' });
    expect(result.hits[0]!.eventId).toBe(id.get('issue-11'));
    expect(Object.keys(result.hits[0]!.paths).sort()).toEqual(['entity', 'lexical']);
    expect(result.hits[0]!.paths).toMatchObject({ lexical: { rank: 1 }, entity: { rank: 1 } });
    expect(result.explanation.vector).toBe('off: no embedder configured (lexical + entity only)');
    expect(result.latencyMs.embed).toBeUndefined();
  });

  it('filters by source, provider, type, time, entity type and significance on every path', async () => {
    const universe = freshUniverse();
    const id = await seed(storage(), universe, story());
    await indexAll(indexer());
    const s = search();
    const q = (filters: MemorySearchQuery['filters']) => s.search(universe, { query: 'checkout deployment dark README octo app 3f2a9c1', filters, limit: 100 }).then(ids);
    expect(await q({ providers: ['linear'] })).toEqual([id.get('lin-42')]);
    expect(await q({ sourceIds: ['vc'] })).toEqual([id.get('deploy-1')]);
    expect(await q({ types: ['push'] })).toEqual([id.get('push-1')]);
    expect(new Set(await q({ after: Date.parse('2026-04-30T00:00:00Z'), before: Date.parse('2026-05-02T00:00:00Z') }))).toEqual(new Set([id.get('issue-11'), id.get('pr-12')]));
    expect(await q({ entityTypes: ['deployment'] })).toEqual([id.get('deploy-1')]);
    expect(new Set(await q({ minSignificance: 60 }))).toEqual(new Set([id.get('issue-11'), id.get('pr-12')]));
    await expect(q({ minSignificance: 101 })).rejects.toMatchObject({ code: 'invalid', details: { field: 'filters.minSignificance' } });
  });

  it('pages with a cursor bound to its query', async () => {
    const universe = freshUniverse();
    const events = Array.from({ length: 25 }, (_, i) => event({ sourceKey: `flaky-${i}`, type: 'workflow_run', title: `Flaky test run ${i} failed`, occurredAt: Date.parse('2026-05-01T00:00:00Z') + i }));
    const id = await seed(storage(), universe, events);
    const s = search(null);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await s.search(universe, { query: 'flaky test', limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(new Set(id.values()));
    expect(seen).toHaveLength(25);
    const first = await s.search(universe, { query: 'flaky test', limit: 10 });
    await expect(s.search(universe, { query: 'other words', limit: 10, cursor: first.nextCursor! })).rejects.toMatchObject({ code: 'invalid', details: { field: 'cursor' } });
  });

  it('never returns another universe\'s events, on any path', async () => {
    const mine = freshUniverse();
    const theirs = freshUniverse();
    const id = await seed(storage(), mine, story().slice(2, 3));
    const their = await seed(storage(), theirs, story());
    await indexAll(indexer());
    const result = await search().search(mine, { query: 'checkout payment gateway #12 ENG-42 @mona 3f2a9c1 settings dark', limit: 100 });
    expect(ids(result)).toEqual([id.get('lin-42')]);
    expect([...their.values()].some((e) => ids(result).includes(e))).toBe(false);
    expect(result.entityKeys).toEqual([{ type: 'issue', key: 'linear:ENG-42' }]);
  });

  it('retries the batch an embedder failed after a backoff, the failure kept in SQL for the status', async () => {
    const universe = freshUniverse();
    await seed(storage(), universe, story());
    let failing = true;
    const flaky: Embedder = {
      model: `flaky-${kind}:64`,
      dimensions: 64,
      embed: (texts) => (failing ? Promise.reject(new Error('embedding endpoint answered 503')) : embedder.embed(texts)),
    };
    const first = new MemoryIndexer({ index: storage().memoryVectors(), embedder: flaky, clock, batchSize: 500, backoffMs: 60_000 });
    expect(await first.step()).toEqual({ embedded: 0, error: 'embedding endpoint answered 503' });
    const status = new MemoryIndexStatusService(storage().memoryVectors(), flaky);
    expect(await status.status(universe)).toMatchObject({ model: flaky.model, events: 5, embedded: 0, pending: 5, failures: 1, lastError: 'embedding endpoint answered 503', retryAt: clock.now() + 60_000 });
    failing = false;
    // A new indexer (a restarted server) reads the backoff from SQL and waits it out.
    const restarted = new MemoryIndexer({ index: storage().memoryVectors(), embedder: flaky, clock, batchSize: 500, backoffMs: 60_000 });
    expect(await restarted.step()).toEqual({ embedded: 0, waitingUntil: clock.now() + 60_000 });
    clock.t += 60_000;
    expect((await restarted.step()).embedded).toBeGreaterThanOrEqual(5);
    expect(await status.status(universe)).toMatchObject({ events: 5, embedded: 5, pending: 0, failures: 0 });
  });

  it('re-indexes for a new model while search serves the old paths, reading only the current model\'s vectors', async () => {
    const universe = freshUniverse();
    const id = await seed(storage(), universe, story());
    await indexAll(indexer());
    const next = new FakeEmbedder(32);
    // Before the new model's vectors exist: the vector path finds nothing, lexical still answers.
    const prepared = await indexer(next).prepare();
    const before = await search(next).search(universe, { query: 'settings screen dark theme' });
    expect(ids(before)[0]).toBe(id.get('lin-42'));
    expect(before.hits[0]!.paths.vector).toBeUndefined();
    expect(before.hits[0]!.paths.lexical?.rank).toBe(1);
    expect(prepared).toBe(kind === 'pglite' ? 'hnsw' : prepared);
    await indexAll(indexer(next));
    const after = await search(next).search(universe, { query: 'settings screen dark theme', weights: { lexical: 0, entity: 0 } });
    expect(ids(after)[0]).toBe(id.get('lin-42'));
    expect(after.explanation.vector).toMatch(/over fake:32 vectors/);
    expect(await new MemoryIndexStatusService(storage().memoryVectors(), next).status(universe)).toMatchObject({ model: 'fake:32', embedded: 5, pending: 0 });
    // The old model's vectors are untouched: switching back needs no re-index.
    expect(await new MemoryIndexStatusService(storage().memoryVectors(), embedder).status(universe)).toMatchObject({ model: 'fake:64', embedded: 5, pending: 0 });
  });

  it('runs in the background: recorded events get vectors without anyone stepping the indexer', async () => {
    const universe = freshUniverse();
    const loop = new MemoryIndexer({ index: storage().memoryVectors(), embedder, idleMs: 20, batchSize: 500 });
    loop.start();
    try {
      await seed(storage(), universe, story().slice(0, 2));
      const status = new MemoryIndexStatusService(storage().memoryVectors(), embedder);
      await expect.poll(() => status.status(universe), { timeout: 20_000 }).toMatchObject({ embedded: 2, pending: 0 });
    } finally {
      await loop.close();
    }
  });
});
