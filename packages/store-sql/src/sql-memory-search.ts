import type {
  MemoryEntityCandidate,
  MemoryEntityQueryKey,
  MemoryEntityRef,
  MemoryEvent,
  MemorySearchCandidate,
  MemorySearchFilters,
  MemorySearchStore,
  MemoryVectorMode,
} from '@lightspeed/ports';
import { LightspeedError } from '@lightspeed/ports';
import { checkUniverse } from './identifiers.js';
import { checkDepth, searchFilterSql } from './sql-memory-search-filters.js';
import { EVENT_COLUMNS, eventOf, type EventRow } from './sql-memory-store.js';
import type { SqlMemoryVectors } from './sql-memory-vectors.js';
import type { SqlDriver } from './sql-driver.js';

/*
 * The store side of memory search (issue 17, migration 12): each path ranks candidates of one
 * universe in SQL and returns ids and its own scores; `@lightspeed/memory` fuses them.
 *
 * Lexical: the event's generated `search_doc` tsvector (GIN index), matched by any of the query's
 * terms and ranked by cover density (`ts_rank_cd`), so events holding all the terms, close
 * together, come first. Entity: the entities the query names (by key, alias or key pattern), then
 * their events — the ones about the entity (its primary) weigh 2, the ones that are evidence of an
 * edge to or from it weigh the edge's confidence.
 */

/** Entities one query may resolve to: a pattern like `github:%#12` can match an issue in every repository. */
const MAX_QUERY_ENTITIES = 20;
const MAX_QUERY_KEYS = 32;

export class SqlMemorySearchStore implements MemorySearchStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly vectors: SqlMemoryVectors,
  ) {
    this.universe = checkUniverse(universe);
  }

  async lexical(query: string, filters: MemorySearchFilters, depth: number): Promise<{ hits: MemorySearchCandidate[]; mode: string }> {
    const params: unknown[] = [this.universe, query, checkDepth(depth)];
    const where = searchFilterSql(filters, params);
    // plainto_tsquery joins the terms with AND; any-term matching (OR) with cover-density ranking
    // still ranks events holding all of them first, and a long question does not match nothing.
    const { rows } = await this.driver.query<{ event_id: string; score: number }>(
      `WITH q AS (SELECT NULLIF(replace(plainto_tsquery('english', $2)::text, ' & ', ' | '), '')::tsquery AS q)
       SELECT e.event_id, ts_rank_cd(e.search_doc, q.q)::float8 AS score FROM ls_memory_events e, q
       WHERE e.universe = $1 AND q.q IS NOT NULL AND e.search_doc @@ q.q${where}
       ORDER BY score DESC, e.occurred_at DESC, e.event_id LIMIT $3`,
      params,
    );
    return { hits: rows.map((r) => ({ eventId: r.event_id, score: Number(r.score) })), mode: 'tsvector + GIN, any term, ranked by ts_rank_cd' };
  }

  async entity(keys: readonly MemoryEntityQueryKey[], filters: MemorySearchFilters, depth: number): Promise<{ hits: MemoryEntityCandidate[]; entities: MemoryEntityRef[] }> {
    if (keys.length === 0) return { hits: [], entities: [] };
    if (keys.length > MAX_QUERY_KEYS) throw new LightspeedError('invalid', `query: at most ${MAX_QUERY_KEYS} entity references`, { field: 'query' });
    const resolved = await this.driver.query<{ type: string; key: string }>(
      `WITH wanted AS (SELECT * FROM unnest($2::text[], $3::text[], $4::boolean[]) AS w(type, key, is_like))
       SELECT DISTINCT type, key FROM (
         SELECT m.type, m.key FROM wanted w JOIN ls_memory_entities m ON m.universe = $1 AND m.type = w.type AND (CASE WHEN w.is_like THEN m.key LIKE w.key ELSE m.key = w.key END)
         UNION
         SELECT a.type, a.key FROM wanted w JOIN ls_memory_entity_aliases a ON a.universe = $1 AND a.type = w.type AND (CASE WHEN w.is_like THEN a.alias LIKE w.key ELSE a.alias = w.key END)
       ) found ORDER BY type, key LIMIT ${MAX_QUERY_ENTITIES}`,
      [this.universe, keys.map((k) => k.type), keys.map((k) => k.key), keys.map((k) => k.like === true)],
    );
    const entities = resolved.rows.map((r) => ({ type: r.type, key: r.key }));
    if (entities.length === 0) return { hits: [], entities };
    const params: unknown[] = [this.universe, entities.map((e) => e.type), entities.map((e) => e.key), checkDepth(depth)];
    const where = searchFilterSql(filters, params);
    const { rows } = await this.driver.query<{ event_id: string; score: number; matched: string }>(
      `WITH ents AS (SELECT * FROM unnest($2::text[], $3::text[]) AS x(type, key)),
       hits AS (
         SELECT e.event_id, 2.0::float8 AS w, ents.type, ents.key FROM ents JOIN ls_memory_events e ON e.universe = $1 AND e.primary_type = ents.type AND e.primary_key = ents.key
         UNION ALL
         SELECT ev.event_id, ed.confidence::float8, ents.type, ents.key FROM ents JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.from_type = ents.type AND ed.from_key = ents.key
           JOIN ls_memory_edge_evidence ev ON ev.universe = $1 AND ev.edge_id = ed.edge_id
         UNION ALL
         SELECT ev.event_id, ed.confidence::float8, ents.type, ents.key FROM ents JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.to_type = ents.type AND ed.to_key = ents.key
           JOIN ls_memory_edge_evidence ev ON ev.universe = $1 AND ev.edge_id = ed.edge_id
       )
       SELECT h.event_id, sum(h.w)::float8 AS score, to_json(array_agg(DISTINCT h.type || ' ' || h.key))::text AS matched
       FROM hits h JOIN ls_memory_events e ON e.universe = $1 AND e.event_id = h.event_id
       WHERE true${where}
       GROUP BY h.event_id, e.occurred_at ORDER BY score DESC, e.occurred_at DESC, h.event_id LIMIT $4`,
      params,
    );
    return {
      hits: rows.map((r) => ({
        eventId: r.event_id,
        score: Number(r.score),
        entities: (JSON.parse(r.matched) as string[]).map((m) => {
          const space = m.indexOf(' ');
          return { type: m.slice(0, space), key: m.slice(space + 1) };
        }),
      })),
      entities,
    };
  }

  vector(model: string, vector: Float32Array, filters: MemorySearchFilters, depth: number): Promise<{ hits: MemorySearchCandidate[]; mode: MemoryVectorMode }> {
    return this.vectors.nearest(this.universe, model, vector, filters, checkDepth(depth));
  }

  async events(eventIds: readonly string[]): Promise<MemoryEvent[]> {
    if (eventIds.length === 0) return [];
    const { rows } = await this.driver.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ls_memory_events WHERE universe = $1 AND event_id = ANY($2::text[])`, [this.universe, [...eventIds]]);
    const byId = new Map(rows.map((row) => [row.event_id, eventOf(row)]));
    return eventIds.flatMap((id) => byId.get(id) ?? []);
  }
}
