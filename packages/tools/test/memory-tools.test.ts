import type { MemoryEventInput, MemorySearchQuery, MemorySearchResult } from '@lightspeed/ports';
import { openStorage, type Storage } from '@lightspeed/store-sql';
import { startPostgres, type PostgresServer } from '@lightspeed/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citableIds, citationMarks, MEMORY_TOOL_NAMES, parseToolFeatures, withoutCitations } from '../src/index.js';
import { harness } from './harness.js';

const pr7: MemoryEventInput = {
  sourceId: 'gh',
  provider: 'github',
  type: 'pull_request',
  action: 'merged',
  occurredAt: Date.parse('2026-06-01T10:00:00Z'),
  sourceKey: 'github:pr:octo/app#7:merged',
  primary: { type: 'pr', key: 'github:octo/app#7' },
  related: [{ type: 'issue', key: 'linear:ENG-1', relation: 'fixes' }],
  title: 'PR #7 merged: Fix the login outage',
  body: 'fixes ENG-1',
  attributes: { merged: true },
  significance: 45,
  factors: [{ rule: 'type:pr-merged', points: 45 }],
  graph: {
    entities: [
      { type: 'pr', key: 'github:octo/app#7', title: 'Fix the login outage' },
      { type: 'issue', key: 'linear:ENG-1', title: 'Login is down' },
    ],
    edges: [{ type: 'fixes', from: { type: 'pr', key: 'github:octo/app#7' }, to: { type: 'issue', key: 'linear:ENG-1' }, settled: true }],
    invalidate: [],
  },
};

describe.each(['pglite', 'postgres'] as const)('memory tools (memory_search, memory_get, memory_related) over %s', (kind) => {
  let storage: Storage;
  let server: PostgresServer | undefined;
  let eventA: string;
  let eventB: string;

  beforeAll(async () => {
    if (kind === 'postgres') {
      server = await startPostgres();
      storage = await openStorage({ kind: 'postgres', url: server.url }, { migrate: true });
    } else {
      storage = await openStorage({ kind: 'pglite', dataDir: 'memory://' });
    }
    eventA = (await storage.memoryEvents('uni-a').record(pr7)).event.eventId;
    // Universe B holds the same story under its own id, and one event A must never see.
    eventB = (await storage.memoryEvents('uni-b').record({ ...pr7, title: 'PR #7 merged in B', sourceKey: 'b-only' })).event.eventId;
  }, 60_000);
  afterAll(async () => {
    await storage?.close();
    await server?.stop();
  });

  const unexpectedSearch = (): Promise<MemorySearchResult> => Promise.reject(new Error('this test does not search'));
  const memoryOf = (universe: string, search: (q: MemorySearchQuery) => Promise<MemorySearchResult> = unexpectedSearch) => ({
    events: storage.memoryEvents(universe),
    graph: storage.memoryGraph(universe),
    search,
  });

  it('are granted by features.memory (all three, or the ones listed) and refuse unknown names with a typed error', async () => {
    const all = await harness({ features: { memory: {} }, runtime: { memory: memoryOf('uni-a') } });
    expect(all.descriptors.map((d) => d.name).filter((n) => n.startsWith('memory_'))).toEqual([...MEMORY_TOOL_NAMES]);
    expect(all.descriptors.every((d) => !d.name.startsWith('memory_') || d.parallelism === 'parallelSafe')).toBe(true);
    const some = await harness({ features: { memory: { tools: ['memory_get'] } }, runtime: { memory: memoryOf('uni-a') } });
    expect(some.descriptors.map((d) => d.name)).toEqual(['memory_get']);
    const none = await harness({ features: {} });
    expect(none.descriptors.some((d) => d.name.startsWith('memory_'))).toBe(false);
    expect(() => parseToolFeatures({ memory: { tools: ['memory_get', 'memory_delete'] } })).toThrow(expect.objectContaining({ code: 'invalid', details: { field: 'memory.tools[1]' } }));
  });

  it('memory_get reads an event or an entity of the session universe only', async () => {
    const a = await harness({ features: { memory: {} }, runtime: { memory: memoryOf('uni-a') } });
    const event = await a.call('memory_get', { id: eventA });
    expect(event.isError).toBe(false);
    const view = JSON.parse(event.text).event;
    expect(view).toMatchObject({ id: eventA, title: 'PR #7 merged: Fix the login outage', primary: 'pr:github:octo/app#7', related: [{ id: 'issue:linear:ENG-1', relation: 'fixes' }] });
    expect(citableIds(JSON.parse(event.text))).toEqual(new Set([eventA, 'pr:github:octo/app#7', 'issue:linear:ENG-1']));
    const entity = await a.call('memory_get', { id: 'issue:linear:ENG-1' });
    expect(JSON.parse(entity.text).entity).toMatchObject({ id: 'issue:linear:ENG-1', title: 'Login is down', eventCount: 1 });

    // B's event id from A's session: not found, with nothing of B in the answer.
    const foreign = await a.call('memory_get', { id: eventB });
    expect(foreign.isError).toBe(true);
    expect(JSON.parse(foreign.text)).toEqual({ error: { code: 'not_found', message: `no memory event ${eventB}` } });
    const b = await harness({ features: { memory: {} }, runtime: { memory: memoryOf('uni-b') } });
    expect((await b.call('memory_get', { id: eventA })).isError).toBe(true);
    expect(JSON.parse((await b.call('memory_get', { id: eventB })).text).event.title).toBe('PR #7 merged in B');

    const bad = await a.call('memory_get', { id: 'not an id' });
    expect(bad).toMatchObject({ isError: true, text: expect.stringContaining('`id` must be an event id') });
  });

  it('memory_related walks the graph with the evidence ids of each edge', async () => {
    const a = await harness({ features: { memory: {} }, runtime: { memory: memoryOf('uni-a') } });
    const related = JSON.parse((await a.call('memory_related', { id: 'issue:linear:ENG-1', depth: 1, edge_types: ['fixes'] })).text);
    expect(related.root.id).toBe('issue:linear:ENG-1');
    expect(related.entities).toEqual([{ id: 'pr:github:octo/app#7', title: 'Fix the login outage' }]);
    expect(related.edges).toEqual([{ type: 'fixes', from: 'pr:github:octo/app#7', to: 'issue:linear:ENG-1', evidence: [eventA], confidence: 1, valid: true }]);
    expect(citableIds(related).has(eventA)).toBe(true);
    expect((await a.call('memory_related', { id: 'issue:linear:ENG-404' })).text).toContain('not_found');
    expect((await a.call('memory_related', { id: eventA })).text).toContain('must be an entity id');
  });

  it('memory_search calls the injected search with the parsed filters and answers compact hits; without a memory store it is unavailable', async () => {
    const seen: MemorySearchQuery[] = [];
    const search = async (query: MemorySearchQuery): Promise<MemorySearchResult> => {
      seen.push(query);
      const event = (await storage.memoryEvents('uni-a').get(eventA))!;
      return { hits: [{ eventId: eventA, event, score: 1 / 61, paths: { lexical: { rank: 1, score: 0.3 } } }], explanation: { lexical: 'tsvector', vector: 'off: no embedder', entity: 'none named' }, entityKeys: [], latencyMs: { total: 1 } };
    };
    const a = await harness({ features: { memory: {} }, runtime: { memory: memoryOf('uni-a', search) } });
    const result = await a.call('memory_search', { query: 'login outage', filters: { providers: ['github'], after: '2026-01-01T00:00:00Z', min_significance: 40 }, limit: 5 });
    expect(seen).toEqual([{ query: 'login outage', filters: { providers: ['github'], after: Date.parse('2026-01-01T00:00:00Z'), minSignificance: 40 }, limit: 5 }]);
    const hits = JSON.parse(result.text).hits;
    expect(hits).toEqual([expect.objectContaining({ id: eventA, type: 'pull_request.merged', primary: 'pr:github:octo/app#7', paths: { lexical: 1 } })]);
    expect((await a.call('memory_search', { query: 'x', filters: { colour: 'red' } })).text).toContain('`filters.colour` is not a filter');
    const noMemory = await harness({ features: { memory: {} } });
    expect(JSON.parse((await noMemory.call('memory_get', { id: eventA })).text).error.code).toBe('unavailable');
  });

  it('citations are [id] groups; withoutCitations drops refused ids and keeps the rest', async () => {
    const text = 'Fixed by PR #7 [mev_abc, pr:github:octo/app#7] and deployed [mev_fake]. See [the docs](https://x) or [1].';
    expect(citationMarks(text).map((m) => m.id)).toEqual(['mev_abc', 'pr:github:octo/app#7', 'mev_fake']);
    expect(withoutCitations(text, (id) => id !== 'mev_fake' && id !== 'mev_abc')).toBe('Fixed by PR #7 [pr:github:octo/app#7] and deployed. See [the docs](https://x) or [1].');
    expect(citationMarks('[https://example.com] [a b]')).toEqual([]);
  });
});
