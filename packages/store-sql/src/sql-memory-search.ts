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
import { LightspeedError, type MEMORY_ENTITY_TYPES } from '@lightspeed/ports';
import { checkUniverse } from './identifiers.js';
import { checkDepth, searchFilterSql } from './sql-memory-search-filters.js';
import { EVENT_COLUMNS, type EventRow } from './sql-memory-event-writer.js';
import { eventOf } from './sql-memory-store.js';
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
 * edge to or from it weigh the edge's confidence; from a work item, a second hop through its
 * work-item neighbours weighs less (SECOND_HOP_WEIGHT).
 */

/** Entities one query may resolve to: a pattern like `github:%#12` can match an issue in every repository. */
const MAX_QUERY_ENTITIES = 20;
const MAX_QUERY_KEYS = 32;
/** Lexical candidates ranked per form (all terms, any term), at least: the newest matches of each, 3 per result asked for. */
const LEXICAL_CANDIDATES = 300;

/**
 * The second hop: what happened to a work item is also what happened to the items it is linked
 * to (ENG-1 → the PR that fixes it → the PR that reverts that one). Only from a work item through
 * work items: a person, repository or service links to everything they touched, which is not
 * "about" it (and a query naming a person asks for that person's events, not their neighbours').
 */
const SECOND_HOP_TYPES: readonly (typeof MEMORY_ENTITY_TYPES)[number][] = ['pr', 'issue', 'commit', 'deployment', 'error', 'release'];
/** A second-hop event weighs the product of both edges' confidences, halved: below every first-hop one of the same confidence. */
const SECOND_HOP_WEIGHT = 0.5;

/** Sorts after every key that starts with a given text (byte order, "C"). */
const AFTER = '\u{10FFFF}';

/** The literal parts of a LIKE pattern (backslash escapes undone): before the first and after the last `%`. */
function likeParts(pattern: string): { prefix: string; suffix: string } {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) part += pattern[++i]!;
    else if (c === '%') {
      parts.push(part);
      part = '';
    } else part += c;
  }
  parts.push(part);
  return { prefix: parts[0]!, suffix: parts.length > 1 ? parts[parts.length - 1]! : '' };
}

/**
 * The index range a pattern lies in: by its literal end when it has one (`github:%#12` → keys
 * ending `#12`, the selective part), else by its literal start (`sha:3f2a9c1%`).
 */
function likeRange(pattern: string): { lo: string; hi: string; reversed: boolean } {
  const { prefix, suffix } = likeParts(pattern);
  if (suffix.length > 0) {
    const reversed = [...suffix].reverse().join('');
    return { lo: reversed, hi: reversed + AFTER, reversed: true };
  }
  return { lo: prefix, hi: prefix + AFTER, reversed: false };
}

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
    const candidates = Math.max(LEXICAL_CANDIDATES, 3 * checkDepth(depth));
    const params: unknown[] = [this.universe, query, depth, candidates];
    const where = searchFilterSql(filters, params);
    // Two candidate sets, each the newest matches of its form: events holding all the terms, and
    // events holding at least half of them (a long question still matches something). A match of
    // one common word in three ("change") is no evidence: RRF would rank a run of such
    // near-duplicates above the vector path's best hits (recall@10 0.808 → 0.866, docs/0025). Ranking the union by cover
    // density over any term puts all-term matches first. Capping each set keeps a common word from
    // making the query rank a large part of the universe.
    // The tsqueries are written inline (not computed in a CTE) and planned for their value
    // (force_custom_plan: this is a prepared statement): the planner then knows from the column's
    // statistics whether a term is rare (read the GIN index) or common (walk the newest events).
    const all = `plainto_tsquery('english', $2)`;
    const any = `NULLIF(replace(plainto_tsquery('english', $2)::text, ' & ', ' | '), '')::tsquery`;
    const rows = await this.driver.transaction(async (tx) => {
      await tx.query(`SET LOCAL plan_cache_mode = force_custom_plan`);
      const result = await tx.query<{ event_id: string; score: number }>(
        `WITH terms AS (SELECT plainto_tsquery('simple', l) AS q FROM unnest(tsvector_to_array(to_tsvector('english', $2))) AS l),
         all_match AS (SELECT e.event_id, e.occurred_at, e.search_doc FROM ls_memory_events e
                   WHERE e.universe = $1 AND e.search_doc @@ ${all}${where} ORDER BY e.occurred_at DESC LIMIT $4),
         any_match AS (SELECT e.event_id, e.occurred_at, e.search_doc FROM ls_memory_events e
                  WHERE e.universe = $1 AND e.search_doc @@ ${any}${where}
                    AND 2 * (SELECT count(*) FROM terms t WHERE e.search_doc @@ t.q) >= (SELECT count(*) FROM terms)
                  ORDER BY e.occurred_at DESC LIMIT $4),
         candidates AS (SELECT * FROM all_match UNION ALL SELECT * FROM any_match)
         SELECT c.event_id, max(ts_rank_cd(c.search_doc, ${any}))::float8 AS score, max(c.occurred_at) AS occurred_at FROM candidates c
         GROUP BY c.event_id ORDER BY score DESC, occurred_at DESC, c.event_id LIMIT $3`,
        params,
      );
      return result.rows;
    });
    return { hits: rows.map((r) => ({ eventId: r.event_id, score: Number(r.score) })), mode: `tsvector + GIN: the newest ${candidates} events with all terms and with half of them or more, ranked by ts_rank_cd` };
  }

  async entity(keys: readonly MemoryEntityQueryKey[], filters: MemorySearchFilters, depth: number): Promise<{ hits: MemoryEntityCandidate[]; entities: MemoryEntityRef[] }> {
    if (keys.length === 0) return { hits: [], entities: [] };
    if (keys.length > MAX_QUERY_KEYS) throw new LightspeedError('invalid', `query: at most ${MAX_QUERY_KEYS} entity references`, { field: 'query' });
    const exact = keys.filter((k) => k.like !== true);
    const ranged = keys.filter((k) => k.like === true).map((k) => ({ type: k.type, pattern: k.key, ...likeRange(k.key) }));
    // Each branch is an index range per key (exact, by prefix, or by suffix on the reversed key);
    // the LIKE then checks the whole pattern. Explicit "C": the keys' collation, so the ranges are byte ranges.
    const resolved = await this.driver.query<{ type: string; key: string }>(
      `WITH exact AS (SELECT * FROM unnest($2::text[], $3::text[]) AS x(type, key)),
       ranged AS (SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[]) AS r(type, pattern, lo, hi, reversed))
       SELECT DISTINCT type, key FROM (
         SELECT m.type, m.key FROM exact x JOIN ls_memory_entities m ON m.universe = $1 AND m.type = x.type AND m.key = x.key COLLATE "C"
         UNION ALL
         SELECT a.type, a.key FROM exact x JOIN ls_memory_entity_aliases a ON a.universe = $1 AND a.type = x.type AND a.alias = x.key COLLATE "C"
         UNION ALL
         SELECT m.type, m.key FROM ranged r JOIN ls_memory_entities m ON m.universe = $1 AND m.type = r.type AND NOT r.reversed
           AND m.key >= r.lo COLLATE "C" AND m.key < r.hi COLLATE "C" AND m.key LIKE r.pattern
         UNION ALL
         SELECT m.type, m.key FROM ranged r JOIN ls_memory_entities m ON m.universe = $1 AND m.type = r.type AND r.reversed
           AND reverse(m.key) >= r.lo COLLATE "C" AND reverse(m.key) < r.hi COLLATE "C" AND m.key LIKE r.pattern
         UNION ALL
         SELECT a.type, a.key FROM ranged r JOIN ls_memory_entity_aliases a ON a.universe = $1 AND a.type = r.type AND NOT r.reversed
           AND a.alias >= r.lo COLLATE "C" AND a.alias < r.hi COLLATE "C" AND a.alias LIKE r.pattern
       ) found ORDER BY type, key LIMIT ${MAX_QUERY_ENTITIES}`,
      [this.universe, exact.map((k) => k.type), exact.map((k) => k.key), ranged.map((k) => k.type), ranged.map((k) => k.pattern), ranged.map((k) => k.lo), ranged.map((k) => k.hi), ranged.map((k) => k.reversed)],
    );
    const entities = resolved.rows.map((r) => ({ type: r.type, key: r.key }));
    if (entities.length === 0) return { hits: [], entities };
    const params: unknown[] = [this.universe, entities.map((e) => e.type), entities.map((e) => e.key), checkDepth(depth), SECOND_HOP_TYPES];
    const where = searchFilterSql(filters, params);
    const { rows } = await this.driver.query<{ event_id: string; score: number; matched: string }>(
      `WITH ents AS (SELECT * FROM unnest($2::text[], $3::text[]) AS x(type, key)),
       neighbours AS (
         SELECT DISTINCT ON (ntype, nkey) * FROM (
           SELECT ents.type, ents.key, ed.to_type AS ntype, ed.to_key AS nkey, ed.confidence::float8 AS confidence, ed.edge_id FROM ents
             JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.from_type = ents.type AND ed.from_key = ents.key
           UNION ALL
           SELECT ents.type, ents.key, ed.from_type, ed.from_key, ed.confidence::float8, ed.edge_id FROM ents
             JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.to_type = ents.type AND ed.to_key = ents.key
         ) n WHERE type = ANY($5::text[]) AND ntype = ANY($5::text[]) AND NOT EXISTS (SELECT 1 FROM ents WHERE ents.type = n.ntype AND ents.key = n.nkey)
         ORDER BY ntype, nkey, confidence DESC
       ),
       hits AS (
         SELECT e.event_id, 2.0::float8 AS w, ents.type, ents.key FROM ents JOIN ls_memory_events e ON e.universe = $1 AND e.primary_type = ents.type AND e.primary_key = ents.key
         UNION ALL
         SELECT ev.event_id, ed.confidence::float8, ents.type, ents.key FROM ents JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.from_type = ents.type AND ed.from_key = ents.key
           JOIN ls_memory_edge_evidence ev ON ev.universe = $1 AND ev.edge_id = ed.edge_id
         UNION ALL
         SELECT ev.event_id, ed.confidence::float8, ents.type, ents.key FROM ents JOIN ls_memory_edges ed ON ed.universe = $1 AND ed.to_type = ents.type AND ed.to_key = ents.key
           JOIN ls_memory_edge_evidence ev ON ev.universe = $1 AND ev.edge_id = ed.edge_id
         UNION ALL
         SELECT ev.event_id, (n.confidence * ed.confidence * ${SECOND_HOP_WEIGHT})::float8, n.type, n.key FROM neighbours n
           JOIN ls_memory_edges ed ON ed.universe = $1 AND ((ed.from_type = n.ntype AND ed.from_key = n.nkey) OR (ed.to_type = n.ntype AND ed.to_key = n.nkey)) AND ed.edge_id <> n.edge_id
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
