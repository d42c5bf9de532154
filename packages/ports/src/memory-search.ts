import type { MemoryEntityRef, MemoryEvent, MemoryProvider } from './memory.js';

/*
 * Memory search (issue 17): three paths over a universe's events — lexical (full-text), vector
 * (embeddings) and entity key (`#123`, `ENG-42`, a SHA…) — fused by reciprocal rank fusion.
 * The embedder is a port so the store never knows which model made a vector; the SQL side is
 * `@lightspeed/store-sql`, the fusion and the indexer `@lightspeed/memory`.
 */

/** Turns text into vectors. `model` identifies the vectors it makes: a vector records it, and a different one re-indexes. */
export interface Embedder {
  /** e.g. `local:all-MiniLM-L6-v2`, `openai:text-embedding-3-small`, `fake:64`. */
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order; unit length. `purpose` lets models with query/document prefixes use them. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal; purpose?: 'query' | 'document' }): Promise<Float32Array[]>;
}

export type MemorySearchPath = 'lexical' | 'vector' | 'entity';

export interface MemorySearchFilters {
  sourceIds?: string[];
  providers?: MemoryProvider[];
  types?: string[];
  /** occurredAt >= after (ms). */
  after?: number;
  /** occurredAt < before (ms). */
  before?: number;
  /** Only events whose primary or related entities include one of these types. */
  entityTypes?: string[];
  minSignificance?: number;
}

export interface MemorySearchQuery {
  query: string;
  filters?: MemorySearchFilters;
  /** Default 10, at most 100. */
  limit?: number;
  cursor?: string;
  /** RRF weight per path (default 1 each); 0 turns a path off. */
  weights?: Partial<Record<MemorySearchPath, number>>;
}

/** Where one path ranked a hit (1-based) and the path's own score. */
export interface MemorySearchPathRank {
  rank: number;
  score: number;
}

export interface MemorySearchHit {
  eventId: string;
  event: MemoryEvent;
  /** The fused RRF score: Σ weight / (k + rank). */
  score: number;
  paths: Partial<Record<MemorySearchPath, MemorySearchPathRank>>;
  /** For entity-key hits: the entities of the query that led here. */
  matchedEntities?: MemoryEntityRef[];
}

export interface MemorySearchResult {
  hits: MemorySearchHit[];
  nextCursor?: string;
  /** How each path ran (`tsvector`, `hnsw`, `exact cosine (no pgvector)`, `off: no embedder`…). */
  explanation: Record<MemorySearchPath, string>;
  /** Entity references recognised in the query. */
  entityKeys: MemoryEntityRef[];
  /** Per-stage latency in ms: embed, lexical, vector, entity, fuse, total. */
  latencyMs: Record<string, number>;
}
