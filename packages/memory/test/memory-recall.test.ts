import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMemory, LocalEmbedder, MemoryIndexer, MemorySearch, SecretBox, embeddingText } from '../src/index.js';
import { freshUniverse, ManualClock, useStorage } from './backends.js';
import { ingestCorpus } from './recall/ingest.js';
import { measureRecall, type LabelledQuery } from './recall/recall.js';

const queries = (JSON.parse(readFileSync(new URL('./recall/queries.json', import.meta.url), 'utf8')) as { queries: LabelledQuery[] }).queries;
const box = SecretBox.fromKey(new Uint8Array(32).fill(5));
/** Issue 17's acceptance goal for hybrid recall@10 with the local model: NOT met yet (README.md here, "Figures"). */
const ISSUE_GOAL = 0.9;
/**
 * What this gate holds today, so a regression fails: hybrid measured 0.881 on 5 December 2026
 * (0.866 before the entity path's second hop, 0.808 before the lexical path's partial matches had
 * to hold at least half the query's terms). Every query hybrid still misses is missed by all three
 * paths: five semantic queries whose events rank 41-94th with all-MiniLM-L6-v2, two near misses.
 */
const REGRESSION_FLOOR = 0.88;
const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []);

describe('memory search recall@10 over the labelled query set (local all-MiniLM-L6-v2, PGlite HNSW)', () => {
  const storage = useStorage('pglite', new ManualClock(Date.parse('2026-06-02T00:00:00Z')));

  it(`hybrid ≥ every single path and ≥ ${REGRESSION_FLOOR} (the issue's goal, ${ISSUE_GOAL}, is not met yet)`, async () => {
    const universe = freshUniverse();
    const s = storage();
    const memory = createMemory(s, { box });
    await ingestCorpus(s, memory, universe, box);

    // The set's own promises: ≥ 40 queries of every kind, each relevant key an event of the corpus,
    // and a semantic query shares no word (of 4+ letters) with any of its events.
    expect(queries.length).toBeGreaterThanOrEqual(40);
    for (const kind of ['entity', 'lexical', 'semantic']) expect(queries.filter((q) => q.kind === kind).length, kind).toBeGreaterThanOrEqual(8);
    const bySourceKey = new Map<string, { type: string; title: string; body?: string }>();
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await s.memoryEvents(universe).list({ limit: 500, ...(cursor ? { cursor } : {}) });
      for (const event of page.events) bySourceKey.set(event.sourceKey, event);
      cursor = page.nextCursor;
    }
    const unknown = queries.flatMap((q) => q.relevant.filter((key) => !bySourceKey.has(key)).map((key) => `${q.id}: ${key}`));
    expect(unknown).toEqual([]);
    const overlaps = queries
      .filter((q) => q.kind === 'semantic')
      .flatMap((q) => q.relevant.flatMap((key) => [...words(embeddingText(bySourceKey.get(key)!))].filter((word) => words(q.query).has(word)).map((word) => `${q.id} "${word}" in ${key}`)));
    expect(overlaps).toEqual([]);

    const embedder = new LocalEmbedder();
    const indexer = new MemoryIndexer({ index: s.memoryVectors(), embedder, batchSize: 64 });
    const started = performance.now();
    let embedded = 0;
    for (let step = await indexer.step(); step.embedded > 0; step = await indexer.step()) embedded += step.embedded;
    expect(embedded).toBe(bySourceKey.size);
    console.log(`recall test: embedded ${embedded} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const search = new MemorySearch({ stores: (u) => s.memorySearch(u), embedder });
    const { mean, perQuery } = await measureRecall(search, universe, queries);
    const figures = Object.entries(mean).map(([mode, value]) => `${mode}=${value.toFixed(3)}`).join(' ');
    console.log(`recall@10 over ${queries.length} queries: ${figures} (goal ${ISSUE_GOAL})`);
    const misses = perQuery.filter((q) => q.recall.hybrid < 1).map((q) => `${q.id} "${q.query}": ${JSON.stringify(q.recall)}`);
    expect(mean.hybrid, `${figures}\n${misses.join('\n')}`).toBeGreaterThanOrEqual(REGRESSION_FLOOR);
    for (const path of ['lexical', 'vector', 'entity'] as const) expect(mean.hybrid, `${figures} (${path})`).toBeGreaterThanOrEqual(mean[path]);
    await memory.close();
  }, 300_000);
});
