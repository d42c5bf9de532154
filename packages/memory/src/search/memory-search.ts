import { createHash } from 'node:crypto';
import {
  LightspeedError,
  type Embedder,
  type MemoryEntityRef,
  type MemorySearchCandidate,
  type MemorySearchFilters,
  type MemorySearchHit,
  type MemorySearchPath,
  type MemorySearchQuery,
  type MemorySearchResult,
  type MemorySearchStore,
} from '@lightspeed/ports';
import { queryEntityKeys } from '../graph-extraction.js';
import { reciprocalRankFusion } from './rank-fusion.js';

/*
 * Hybrid memory search (issue 17): the lexical, vector and entity-key paths each rank candidates
 * in the store, reciprocal rank fusion merges them, and the page is read back. Every hit says
 * where each path ranked it; the result says how each path ran and how long each stage took.
 */

export const MAX_SEARCH_LIMIT = 100;
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_QUERY_CHARS = 2000;
/** How deep a page can go (offset + limit): each path ranks at most this many candidates. */
export const MAX_SEARCH_WINDOW = 1000;
const PATHS: readonly MemorySearchPath[] = ['lexical', 'vector', 'entity'];

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

/**
 * Candidates per path: a multiple of 50 covering the page, so consecutive pages fuse the same
 * lists. Rank 50 adds 1/110 to a fused score: deeper lists rarely change a first page.
 */
function depthFor(end: number): number {
  return Math.min(MAX_SEARCH_WINDOW, Math.max(50, Math.ceil(end / 50) * 50));
}

/** What a cursor is bound to: a cursor of another query (or other filters, weights) is refused. */
function fingerprint(query: MemorySearchQuery): string {
  const canonical = JSON.stringify([query.query, query.filters ?? {}, query.weights ?? {}, query.limit ?? DEFAULT_SEARCH_LIMIT]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function encodeCursor(offset: number, query: MemorySearchQuery): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint(query) })).toString('base64url');
}

function decodeCursor(cursor: string, query: MemorySearchQuery): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (Number.isInteger(value.o) && (value.o as number) > 0 && (value.o as number) < MAX_SEARCH_WINDOW && value.f === fingerprint(query)) return value.o as number;
  } catch {
    // fall through to the typed error
  }
  throw invalid('cursor', 'not a cursor of this query (same text, filters, weights and limit); pass back the nextCursor of its previous page');
}

function checkQuery(query: MemorySearchQuery): { limit: number; weights: Record<MemorySearchPath, number> } {
  if (typeof query.query !== 'string' || query.query.trim().length === 0 || query.query.length > MAX_QUERY_CHARS) throw invalid('query', `1-${MAX_QUERY_CHARS} characters`);
  const limit = query.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) throw invalid('limit', `an integer 1-${MAX_SEARCH_LIMIT}`);
  const weights = { lexical: 1, vector: 1, entity: 1 };
  for (const [path, weight] of Object.entries(query.weights ?? {})) {
    if (!PATHS.includes(path as MemorySearchPath)) throw invalid(`weights.${path}`, `not a search path (${PATHS.join(', ')})`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) throw invalid(`weights.${path}`, 'a number 0-100 (0 turns the path off)');
    weights[path as MemorySearchPath] = weight;
  }
  return { limit, weights };
}

async function timed<T>(latency: Record<string, number>, stage: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    latency[stage] = Math.round((performance.now() - start) * 100) / 100;
  }
}

function refText(ref: MemoryEntityRef): string {
  return `${ref.type} ${ref.key}`;
}

export interface MemorySearchOptions {
  /** The universe's search store (`Storage.memorySearch`). */
  stores: (universe: string) => MemorySearchStore;
  /** Absent: the vector path is off (lexical + entity), and the explanation says so. */
  embedder?: Embedder;
}

export class MemorySearch {
  constructor(private readonly options: MemorySearchOptions) {}

  get embedder(): Embedder | undefined {
    return this.options.embedder;
  }

  async search(universe: string, query: MemorySearchQuery): Promise<MemorySearchResult> {
    const { limit, weights } = checkQuery(query);
    const offset = query.cursor === undefined ? 0 : decodeCursor(query.cursor, query);
    const depth = depthFor(offset + limit);
    const filters: MemorySearchFilters = query.filters ?? {};
    const store = this.options.stores(universe);
    const latency: Record<string, number> = {};
    const explanation: Record<MemorySearchPath, string> = { lexical: 'off: weight 0', vector: 'off: weight 0', entity: 'off: weight 0' };
    const started = performance.now();
    const embedder = this.options.embedder;
    const keys = queryEntityKeys(query.query);

    const lexical = weights.lexical > 0 ? timed(latency, 'lexical', () => store.lexical(query.query, filters, depth)) : undefined;
    const entity = weights.entity > 0 && keys.length > 0 ? timed(latency, 'entity', () => store.entity(keys, filters, depth)) : undefined;
    if (weights.entity > 0 && keys.length === 0) explanation.entity = 'no entity reference (#12, ENG-42, a SHA, a branch, a person) in the query';
    if (weights.vector > 0 && !embedder) explanation.vector = 'off: no embedder configured (lexical + entity only)';
    const vector =
      weights.vector > 0 && embedder
        ? (async () => {
            const [embedding] = await timed(latency, 'embed', () => embedder.embed([query.query], { purpose: 'query' }));
            if (!embedding) throw new LightspeedError('unavailable', `the embedder ${embedder.model} returned no vector for the query`);
            return timed(latency, 'vector', () => store.vector(embedder.model, embedding, filters, depth));
          })()
        : undefined;

    const lists: Partial<Record<MemorySearchPath, MemorySearchCandidate[]>> = {};
    const [lexicalResult, entityResult, vectorResult] = await Promise.all([lexical, entity, vector]);
    if (lexicalResult) {
      lists.lexical = lexicalResult.hits;
      explanation.lexical = lexicalResult.mode;
    }
    const matched = new Map<string, MemoryEntityRef[]>();
    if (entityResult) {
      lists.entity = entityResult.hits;
      for (const hit of entityResult.hits) matched.set(hit.eventId, hit.entities);
      explanation.entity = entityResult.entities.length
        ? `entity keys: ${entityResult.entities.map(refText).join(', ')}; their events (primary ×2, edge evidence × confidence)`
        : `no entity the query names exists (looked up ${keys.length} key${keys.length === 1 ? '' : 's'})`;
    }
    if (vectorResult && embedder) {
      lists.vector = vectorResult.hits;
      explanation.vector =
        vectorResult.mode === 'hnsw'
          ? `hnsw (pgvector, cosine) over ${embedder.model} vectors`
          : `exact cosine (no pgvector on this server) over ${embedder.model} vectors`;
    }

    const fuseStart = performance.now();
    const fused = reciprocalRankFusion(lists, weights);
    const page = fused.slice(offset, offset + limit);
    latency.fuse = Math.round((performance.now() - fuseStart) * 100) / 100;
    const events = await timed(latency, 'read', () => store.events(page.map((hit) => hit.eventId)));
    const byId = new Map(events.map((event) => [event.eventId, event]));
    const hits: MemorySearchHit[] = page.flatMap((hit) => {
      const event = byId.get(hit.eventId);
      if (!event) return [];
      const entities = matched.get(hit.eventId);
      return [{ eventId: hit.eventId, event, score: hit.score, paths: hit.paths, ...(entities ? { matchedEntities: entities } : {}) }];
    });
    latency.total = Math.round((performance.now() - started) * 100) / 100;
    const end = offset + limit;
    const more = fused.length > end && end < MAX_SEARCH_WINDOW;
    return {
      hits,
      ...(more ? { nextCursor: encodeCursor(end, query) } : {}),
      explanation,
      entityKeys: entityResult?.entities ?? [],
      latencyMs: latency,
    };
  }
}
