import { createHash } from 'node:crypto';
import {
  LightspeedError,
  type MemoryIndexCounts,
  type MemoryIndexState,
  type MemoryPendingEvent,
  type MemorySearchCandidate,
  type MemorySearchFilters,
  type MemoryVectorIndex,
  type MemoryVectorMode,
} from '@lightspeed/ports';
import { searchFilterSql } from './sql-memory-search-filters.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/*
 * Memory embeddings (issue 17, migration 12): one row per (universe, model, event), the vector a
 * real[] on every server. Where pgvector is installed (always on PGlite, which bundles it; on
 * PostgreSQL when `CREATE EXTENSION vector` succeeds) each model gets a partial HNSW expression
 * index over `embedding::vector(dims)` with cosine distance; elsewhere search scores exact cosine
 * in SQL over the arrays (vectors are unit length, so cosine is the dot product), which keeps the
 * vectors in the server instead of shipping every one of them to the process.
 *
 * The model's name and dimensions are spliced into the statements (validated here), because a
 * partial index is only usable by a query whose predicate names the same literal.
 */

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,127}$/;
const MAX_DIMENSIONS = 2000; // pgvector's HNSW limit for `vector`

export function checkModel(model: string, dimensions?: number): void {
  if (typeof model !== 'string' || !MODEL.test(model)) throw new LightspeedError('invalid', 'embedder model: 1-128 characters of [A-Za-z0-9._:@/+-]', { field: 'model' });
  if (dimensions !== undefined && (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS)) {
    throw new LightspeedError('invalid', `embedder dimensions: an integer 1-${MAX_DIMENSIONS}`, { field: 'dimensions' });
  }
}

/** `model` as an SQL string literal (validated: no quote can occur, doubled anyway). */
function literal(model: string): string {
  return `'${model.replace(/'/g, "''")}'`;
}

function vectorText(vector: Float32Array): string {
  return `[${Array.from(vector, (x) => (Number.isFinite(x) ? x : 0)).join(',')}]`;
}

interface StateRow {
  model: string;
  dims: number;
  failures: number;
  last_error: string | null;
  last_error_at: unknown;
  retry_at: unknown;
  last_batch_at: unknown;
}

function stateOf(row: StateRow): MemoryIndexState {
  return {
    model: row.model,
    dimensions: numberOf(row.dims),
    failures: numberOf(row.failures),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    ...(row.last_error_at !== null ? { lastErrorAt: numberOf(row.last_error_at) } : {}),
    ...(row.retry_at !== null ? { retryAt: numberOf(row.retry_at) } : {}),
    ...(row.last_batch_at !== null ? { lastBatchAt: numberOf(row.last_batch_at) } : {}),
  };
}

/** Embeddings of every universe on one driver: the indexer's view, and the vector path of each universe's search. */
export class SqlMemoryVectors implements MemoryVectorIndex {
  private pgvector: Promise<boolean> | undefined;
  /** PGlite's session value of hnsw.ef_search, once set. */
  private efSearch: string | undefined;
  /** Models whose dimensions and index are known to exist (prepare ran). */
  private readonly prepared = new Map<string, { dims: number; mode: MemoryVectorMode }>();

  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
  ) {}

  /** Whether pgvector can be used: PGlite loads it; on PostgreSQL creating it may be refused (not installed, no privilege). */
  hasPgvector(): Promise<boolean> {
    this.pgvector ??= this.driver.query('CREATE EXTENSION IF NOT EXISTS vector').then(
      () => true,
      async () => {
        const { rows } = await this.driver.query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
        return rows.length > 0;
      },
    );
    return this.pgvector;
  }

  async prepare(model: string, dimensions: number): Promise<MemoryVectorMode> {
    checkModel(model, dimensions);
    const known = this.prepared.get(model);
    if (known && known.dims === dimensions) return known.mode;
    const current = await this.state(model);
    if (current && current.dimensions !== dimensions) {
      throw new LightspeedError('conflict', `embedder model ${model} made ${current.dimensions}-dimensional vectors before, now ${dimensions}; give the new model another name`, { field: 'dimensions' });
    }
    await this.driver.query(`INSERT INTO ls_memory_index_state (model, dims) VALUES ($1, $2) ON CONFLICT (model) DO NOTHING`, [model, dimensions]);
    const mode: MemoryVectorMode = (await this.hasPgvector()) ? 'hnsw' : 'exact';
    if (mode === 'hnsw') {
      const name = `ls_memory_embeddings_hnsw_${createHash('sha256').update(model).digest('hex').slice(0, 16)}`;
      await this.driver.query(`CREATE INDEX IF NOT EXISTS ${name} ON ls_memory_embeddings USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE model = ${literal(model)}`);
    }
    this.prepared.set(model, { dims: dimensions, mode });
    return mode;
  }

  async pending(model: string, limit: number): Promise<MemoryPendingEvent[]> {
    checkModel(model);
    const { rows } = await this.driver.query<{ universe: string; event_id: string; type: string; title: string; body: string | null }>(
      `SELECT e.universe, e.event_id, e.type, e.title, e.body FROM ls_memory_events e
       WHERE NOT EXISTS (SELECT 1 FROM ls_memory_embeddings v WHERE v.universe = e.universe AND v.model = $1 AND v.event_id = e.event_id)
       LIMIT $2`,
      [model, Math.max(1, Math.min(Math.trunc(limit), 1000))],
    );
    return rows.map((r) => ({ universe: r.universe, eventId: r.event_id, type: r.type, title: r.title, ...(r.body !== null ? { body: r.body } : {}) }));
  }

  async put(model: string, vectors: readonly { universe: string; eventId: string; vector: Float32Array }[]): Promise<void> {
    const known = this.prepared.get(model);
    if (!known) throw new LightspeedError('invalid', `prepare the embedder model ${model} before storing its vectors`, { field: 'model' });
    const bad = vectors.find((v) => v.vector.length !== known.dims);
    if (bad) throw new LightspeedError('invalid', `the vector of event ${bad.eventId} has ${bad.vector.length} dimensions, model ${model} has ${known.dims}`, { field: 'vector' });
    const now = this.now();
    await this.driver.transaction(async (tx) => {
      if (vectors.length > 0) {
        // One statement for the batch: the vectors travel as text (`{…}` per row) and are parsed by the server.
        await tx.query(
          `INSERT INTO ls_memory_embeddings (universe, model, event_id, dims, embedding, indexed_at)
           SELECT u, $1, id, $2, v::real[], $3 FROM unnest($4::text[], $5::text[], $6::text[]) AS x(u, id, v)
           ON CONFLICT (universe, model, event_id) DO NOTHING`,
          [model, known.dims, now, vectors.map((v) => v.universe), vectors.map((v) => v.eventId), vectors.map((v) => `{${vectorText(v.vector).slice(1, -1)}}`)],
        );
      }
      await tx.query(`UPDATE ls_memory_index_state SET failures = 0, retry_at = NULL, last_batch_at = $2 WHERE model = $1`, [model, now]);
    });
  }

  async state(model: string): Promise<MemoryIndexState | undefined> {
    const { rows } = await this.driver.query<StateRow>(`SELECT * FROM ls_memory_index_state WHERE model = $1`, [model]);
    return rows[0] ? stateOf(rows[0]) : undefined;
  }

  async recordFailure(model: string, dimensions: number, error: string, retryAt: number): Promise<MemoryIndexState> {
    const { rows } = await this.driver.query<StateRow>(
      `INSERT INTO ls_memory_index_state AS s (model, dims, failures, last_error, last_error_at, retry_at) VALUES ($1, $2, 1, $3, $4, $5)
       ON CONFLICT (model) DO UPDATE SET failures = s.failures + 1, last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at, retry_at = EXCLUDED.retry_at
       RETURNING *`,
      [model, dimensions, error.slice(0, 2000), this.now(), retryAt],
    );
    return stateOf(rows[0]!);
  }

  async counts(universe: string, model: string): Promise<MemoryIndexCounts> {
    const { rows } = await this.driver.query<{ events: unknown; embedded: unknown }>(
      `SELECT (SELECT count(*) FROM ls_memory_events WHERE universe = $1) AS events, (SELECT count(*) FROM ls_memory_embeddings WHERE universe = $1 AND model = $2) AS embedded`,
      [universe, model],
    );
    return { events: numberOf(rows[0]?.events), embedded: numberOf(rows[0]?.embedded) };
  }

  /** The vector path of one universe's search (SqlMemorySearchStore.vector). */
  async nearest(universe: string, model: string, vector: Float32Array, filters: MemorySearchFilters, depth: number): Promise<{ hits: MemorySearchCandidate[]; mode: MemoryVectorMode }> {
    checkModel(model);
    const dims = vector.length;
    checkModel(model, dims);
    const hnsw = await this.hasPgvector();
    if (hnsw) {
      const params: unknown[] = [universe, vectorText(vector), depth];
      const where = searchFilterSql(filters, params);
      const sql = `SELECT v.event_id, (v.embedding::vector(${dims}) <=> $2::vector(${dims}))::float8 AS distance
           FROM ls_memory_embeddings v JOIN ls_memory_events e ON e.universe = v.universe AND e.event_id = v.event_id
           WHERE v.model = ${literal(model)} AND v.universe = $1 AND v.dims = ${dims}${where}
           ORDER BY v.embedding::vector(${dims}) <=> $2::vector(${dims}) LIMIT $3`;
      // ef_search bounds the candidates the index yields; iterative scans keep going when filters drop some.
      const settings = `SELECT set_config('hnsw.ef_search', $1, $2), set_config('hnsw.iterative_scan', 'relaxed_order', $2)`;
      const ef = String(Math.max(40, depth));
      let rows: { event_id: string; distance: number }[];
      if (this.driver.kind === 'pglite') {
        // One session, whose settings only HNSW scans read: set them when they change, no transaction per search.
        if (this.efSearch !== ef) {
          await this.driver.query(settings, [ef, false]);
          this.efSearch = ef;
        }
        rows = (await this.driver.query<{ event_id: string; distance: number }>(sql, params)).rows;
      } else {
        rows = await this.driver.transaction(async (tx) => {
          await tx.query(settings, [ef, true]);
          return (await tx.query<{ event_id: string; distance: number }>(sql, params)).rows;
        });
      }
      // relaxed_order may return neighbours slightly out of order: rank by the distance itself.
      const hits = rows.map((r) => ({ eventId: r.event_id, score: 1 - Number(r.distance) })).sort((a, b) => b.score - a.score);
      return { hits, mode: 'hnsw' };
    }
    const params: unknown[] = [universe, `{${vectorText(vector).slice(1, -1)}}`, depth, model];
    const where = searchFilterSql(filters, params);
    const { rows } = await this.driver.query<{ event_id: string; score: number }>(
      `SELECT v.event_id, (SELECT sum(a * b) FROM unnest(v.embedding, $2::real[]) AS t(a, b))::float8 AS score
       FROM ls_memory_embeddings v JOIN ls_memory_events e ON e.universe = v.universe AND e.event_id = v.event_id
       WHERE v.model = $4 AND v.universe = $1 AND v.dims = ${dims}${where}
       ORDER BY score DESC, v.event_id LIMIT $3`,
      params,
    );
    return { hits: rows.map((r) => ({ eventId: r.event_id, score: Number(r.score) })), mode: 'exact' };
  }
}
