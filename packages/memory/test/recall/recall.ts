import type { MemorySearchPath } from '@lightspeed/ports';
import type { MemorySearch } from '../../src/index.js';

export interface LabelledQuery {
  id: string;
  kind: 'entity' | 'lexical' | 'semantic' | 'mixed';
  query: string;
  /** Source keys of the relevant events. */
  relevant: string[];
}

export type SearchMode = 'hybrid' | MemorySearchPath;

const WEIGHTS: Record<SearchMode, Record<MemorySearchPath, number>> = {
  hybrid: { lexical: 1, vector: 1, entity: 1 },
  lexical: { lexical: 1, vector: 0, entity: 0 },
  vector: { lexical: 0, vector: 1, entity: 0 },
  entity: { lexical: 0, vector: 0, entity: 1 },
};

/**
 * Recall@10 of one query: the share of its relevant events in the top 10, out of at most 10 (a
 * query with 14 relevant events is perfect when the top 10 are all relevant).
 */
export async function recallAt10(search: MemorySearch, universe: string, query: LabelledQuery, mode: SearchMode): Promise<number> {
  const result = await search.search(universe, { query: query.query, limit: 10, weights: WEIGHTS[mode] });
  const found = new Set(result.hits.map((hit) => hit.event.sourceKey));
  const hits = query.relevant.filter((key) => found.has(key)).length;
  return hits / Math.min(query.relevant.length, 10);
}

/** Mean recall@10 per mode over the queries, and each query's figures (for the failure message). */
export async function measureRecall(search: MemorySearch, universe: string, queries: readonly LabelledQuery[]): Promise<{ mean: Record<SearchMode, number>; perQuery: { id: string; query: string; recall: Record<SearchMode, number> }[] }> {
  const modes: SearchMode[] = ['hybrid', 'lexical', 'vector', 'entity'];
  const perQuery: { id: string; query: string; recall: Record<SearchMode, number> }[] = [];
  for (const query of queries) {
    const recall = {} as Record<SearchMode, number>;
    for (const mode of modes) recall[mode] = await recallAt10(search, universe, query, mode);
    perQuery.push({ id: query.id, query: query.query, recall });
  }
  const mean = Object.fromEntries(modes.map((mode) => [mode, perQuery.reduce((sum, q) => sum + q.recall[mode], 0) / perQuery.length])) as Record<SearchMode, number>;
  return { mean, perQuery };
}
