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

/*
 * The store side of search (`@lightspeed/store-sql`): each path's candidates, ranked by the store,
 * fused by `@lightspeed/memory`. Candidates carry ids and the path's own score only; the fused page
 * is read back with `events`.
 */

/** One candidate of one path, best first. */
export interface MemorySearchCandidate {
  eventId: string;
  score: number;
}

/** An entity a query names: an exact key, or (`like`) a key pattern where `%` stands for what the query left out (`github:%#12`). */
export interface MemoryEntityQueryKey {
  type: string;
  key: string;
  like?: boolean;
}

export interface MemoryEntityCandidate extends MemorySearchCandidate {
  entities: MemoryEntityRef[];
}

/** How the vector path ran: an approximate HNSW index (pgvector) or an exact cosine scan. */
export type MemoryVectorMode = 'hnsw' | 'exact';

export interface MemorySearchStore {
  /** Full-text candidates (`tsvector`); `mode` says which query form matched (all terms, or any). */
  lexical(query: string, filters: MemorySearchFilters, depth: number): Promise<{ hits: MemorySearchCandidate[]; mode: string }>;
  /** Events of the entities `keys` name (primary, related or edge evidence), with the entities that matched. */
  entity(keys: readonly MemoryEntityQueryKey[], filters: MemorySearchFilters, depth: number): Promise<{ hits: MemoryEntityCandidate[]; entities: MemoryEntityRef[] }>;
  /** Nearest events by cosine similarity among the vectors of `model` only. */
  vector(model: string, vector: Float32Array, filters: MemorySearchFilters, depth: number): Promise<{ hits: MemorySearchCandidate[]; mode: MemoryVectorMode }>;
  /** The events of `eventIds`, in that order (ids of other universes are absent). */
  events(eventIds: readonly string[]): Promise<MemoryEvent[]>;
}

/** An event waiting for its vector: the text the indexer embeds. */
export interface MemoryPendingEvent {
  universe: string;
  eventId: string;
  type: string;
  title: string;
  body?: string;
}

/** The indexer's durable state for one model (SQL, so a restart resumes where it stopped). */
export interface MemoryIndexState {
  model: string;
  dimensions: number;
  /** Consecutive failed batches (0 after a success). */
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
  /** No batch before this time (backoff after a failure). */
  retryAt?: number;
  lastBatchAt?: number;
}

export interface MemoryIndexCounts {
  /** Events of the universe. */
  events: number;
  /** Of which have a vector of the model. */
  embedded: number;
}

/** The embeddings of every universe, for the background indexer (which serves all of them). */
export interface MemoryVectorIndex {
  /** Readies storage for `model`'s vectors (an HNSW index where pgvector is installed); says which mode search will use. */
  prepare(model: string, dimensions: number): Promise<MemoryVectorMode>;
  /** Events of any universe without a vector of `model`, oldest first. */
  pending(model: string, limit: number): Promise<MemoryPendingEvent[]>;
  /** Stores vectors (idempotent per event and model) and clears the model's failure count. */
  put(model: string, vectors: readonly { universe: string; eventId: string; vector: Float32Array }[]): Promise<void>;
  state(model: string): Promise<MemoryIndexState | undefined>;
  /** Records a failed batch: the error (never a secret: the embedder's message) and when to try again. */
  recordFailure(model: string, dimensions: number, error: string, retryAt: number): Promise<MemoryIndexState>;
  counts(universe: string, model: string): Promise<MemoryIndexCounts>;
}
