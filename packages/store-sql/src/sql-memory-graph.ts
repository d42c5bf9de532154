import { LightspeedError, type MemoryEdge, type MemoryEntity, type MemoryEntityRef, type MemoryGraphStore, type MemoryNeighbourhood } from '@lightspeed/ports';
import { checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { numberOf, type SqlDriver, type SqlExecutor } from './sql-driver.js';

/*
 * The memory graph in the SQL store (migration 10), read side. The write side
 * (sql-memory-graph-writer.ts) runs inside the transaction that inserts the events, so an event and
 * the entities and edges it asserts commit together (a deduped redelivery writes neither). Edges are never deleted: a contradicting event sets
 * `invalid_at`, and a later event asserting the claim again clears it.
 */

/** Evidence returned per edge (the count says how many exist). */
export const MAX_EDGE_EVIDENCE = 50;
export const MAX_GRAPH_DEPTH = 3;
/** A neighbourhood read stops here (entities), so a hub (a busy repository) cannot make one read unbounded. */
export const MAX_NEIGHBOURHOOD_ENTITIES = 500;

export const ENTITY_TYPE = /^[a-z][a-z0-9_]{0,31}$/;

export function checkEntityRef(what: string, ref: MemoryEntityRef): void {
  if (typeof ref.type !== 'string' || !ENTITY_TYPE.test(ref.type)) throw new LightspeedError('invalid', `${what}.type: lower-case [a-z0-9_], at most 32 characters`, { field: `${what}.type` });
  if (typeof ref.key !== 'string' || ref.key.length === 0 || ref.key.length > 512) throw new LightspeedError('invalid', `${what}.key: 1-512 characters`, { field: `${what}.key` });
}

/** The canonical key of `ref`: itself, or the entity its key is an alias of. */
async function resolve(tx: SqlExecutor, universe: string, ref: MemoryEntityRef): Promise<MemoryEntityRef> {
  const { rows } = await tx.query<{ key: string }>(`SELECT key FROM ls_memory_entity_aliases WHERE universe = $1 AND type = $2 AND alias = $3`, [universe, ref.type, ref.key]);
  return rows[0] ? { type: ref.type, key: rows[0].key } : ref;
}

interface EntityRow {
  type: string;
  key: string;
  title: string | null;
  first_seen: unknown;
  last_seen: unknown;
  event_count: unknown;
  aliases: string | null;
}

interface EdgeRow {
  edge_id: string;
  type: string;
  from_type: string;
  from_key: string;
  to_type: string;
  to_key: string;
  confidence: unknown;
  first_seen: unknown;
  last_seen: unknown;
  settled_at: unknown;
  invalid_at: unknown;
  invalidated_by: string | null;
  evidence: string | null;
  evidence_count: unknown;
}

const ENTITY_SELECT = `e.type, e.key, e.title, e.first_seen, e.last_seen, e.event_count,
  (SELECT string_agg(a.alias, '\n' ORDER BY a.alias) FROM ls_memory_entity_aliases a WHERE a.universe = e.universe AND a.type = e.type AND a.key = e.key) AS aliases`;

function entityOf(row: EntityRow): MemoryEntity {
  return {
    type: row.type,
    key: row.key,
    aliases: row.aliases ? row.aliases.split('\n') : [],
    ...(row.title !== null ? { title: row.title } : {}),
    firstSeen: numberOf(row.first_seen),
    lastSeen: numberOf(row.last_seen),
    eventCount: numberOf(row.event_count),
  };
}

function edgeOf(row: EdgeRow): MemoryEdge {
  return {
    type: row.type,
    from: { type: row.from_type, key: row.from_key },
    to: { type: row.to_type, key: row.to_key },
    evidence: row.evidence ? row.evidence.split('\n') : [],
    evidenceCount: numberOf(row.evidence_count),
    confidence: Math.round(Number(row.confidence) * 1000) / 1000,
    firstSeen: numberOf(row.first_seen),
    lastSeen: numberOf(row.last_seen),
    ...(row.settled_at !== null ? { settledAt: numberOf(row.settled_at) } : {}),
    ...(row.invalid_at !== null ? { invalidAt: numberOf(row.invalid_at) } : {}),
    ...(row.invalidated_by !== null ? { invalidatedBy: row.invalidated_by } : {}),
  };
}

export class SqlMemoryGraphStore implements MemoryGraphStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
  ) {
    this.universe = checkUniverse(universe);
  }

  async entity(ref: MemoryEntityRef): Promise<MemoryEntity | undefined> {
    checkEntityRef('entity', ref);
    const key = await resolve(this.driver, this.universe, ref);
    const { rows } = await this.driver.query<EntityRow>(`SELECT ${ENTITY_SELECT} FROM ls_memory_entities e WHERE e.universe = $1 AND e.type = $2 AND e.key = $3`, [this.universe, key.type, key.key]);
    return rows[0] ? entityOf(rows[0]) : undefined;
  }

  async entities(options: { type?: string; limit?: number; cursor?: string } = {}): Promise<{ entities: MemoryEntity[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor, ['string', 'string'] as const, 'memory entity list');
    const { rows } = await this.driver.query<EntityRow>(
      `SELECT ${ENTITY_SELECT} FROM ls_memory_entities e WHERE e.universe = $1 AND ($2::text IS NULL OR e.type = $2)
         AND ($3::text IS NULL OR (e.type, e.key) > ($3::text, $4::text)) ORDER BY e.type, e.key LIMIT $5`,
      [this.universe, options.type ?? null, after ? after[0] : null, after ? after[1] : null, limit + 1],
    );
    const entities = rows.slice(0, limit).map(entityOf);
    const last = entities[entities.length - 1];
    return rows.length > limit && last ? { entities, nextCursor: encodeCursor([last.type, last.key]) } : { entities };
  }

  async neighbours(ref: MemoryEntityRef, options: { depth?: number; edgeTypes?: string[]; entityTypes?: string[]; asOf?: number } = {}): Promise<MemoryNeighbourhood | undefined> {
    const depth = Math.trunc(options.depth ?? 1);
    if (!(depth >= 1 && depth <= MAX_GRAPH_DEPTH)) throw new LightspeedError('invalid', `depth: 1-${MAX_GRAPH_DEPTH}`, { field: 'depth' });
    const root = await this.entity(ref);
    if (!root) return undefined;
    const asOf = options.asOf ?? null;
    const edgeTypes = options.edgeTypes?.length ? options.edgeTypes : null;
    const entityTypes = options.entityTypes?.length ? new Set(options.entityTypes) : undefined;
    const id = (r: MemoryEntityRef) => `${r.type}\u0000${r.key}`;
    const reached = new Set([id(root)]);
    const edges = new Map<string, MemoryEdge>();
    let frontier: MemoryEntityRef[] = [root];
    for (let level = 0; level < depth && frontier.length > 0 && reached.size < MAX_NEIGHBOURHOOD_ENTITIES; level++) {
      const { rows } = await this.driver.query<EdgeRow>(
        `WITH f AS (SELECT * FROM unnest($2::text[], $3::text[]) AS f(type, key))
         SELECT g.edge_id, g.type, g.from_type, g.from_key, g.to_type, g.to_key, g.confidence, g.first_seen, g.last_seen, g.settled_at, g.invalid_at, g.invalidated_by,
           (SELECT string_agg(v.event_id, '\n' ORDER BY v.occurred_at, v.event_id) FROM (SELECT event_id, occurred_at FROM ls_memory_edge_evidence x WHERE x.universe = g.universe AND x.edge_id = g.edge_id
              AND ($5::bigint IS NULL OR x.occurred_at <= $5) ORDER BY occurred_at, event_id LIMIT ${MAX_EDGE_EVIDENCE}) v) AS evidence,
           (SELECT count(*) FROM ls_memory_edge_evidence x WHERE x.universe = g.universe AND x.edge_id = g.edge_id AND ($5::bigint IS NULL OR x.occurred_at <= $5)) AS evidence_count
         FROM ls_memory_edges g
         WHERE g.universe = $1 AND ($4::text[] IS NULL OR g.type = ANY($4::text[]))
           AND (EXISTS (SELECT 1 FROM f WHERE f.type = g.from_type AND f.key = g.from_key) OR EXISTS (SELECT 1 FROM f WHERE f.type = g.to_type AND f.key = g.to_key))
           AND ($5::bigint IS NULL OR (g.first_seen <= $5 AND (g.invalid_at IS NULL OR g.invalid_at > $5)))
         ORDER BY g.type, g.from_type, g.from_key, g.to_type, g.to_key LIMIT ${MAX_NEIGHBOURHOOD_ENTITIES * 2}`,
        [this.universe, frontier.map((r) => r.type), frontier.map((r) => r.key), edgeTypes, asOf],
      );
      const next: MemoryEntityRef[] = [];
      for (const row of rows) {
        const edge = edgeOf(row);
        // As of a time, an edge voided later still reads as valid then.
        if (asOf !== null && edge.invalidAt !== undefined && edge.invalidAt > asOf) {
          delete edge.invalidAt;
          delete edge.invalidatedBy;
        }
        for (const end of [edge.from, edge.to]) {
          if (reached.has(id(end))) continue;
          if (entityTypes && !entityTypes.has(end.type)) continue;
          if (reached.size >= MAX_NEIGHBOURHOOD_ENTITIES) continue;
          reached.add(id(end));
          next.push(end);
        }
        if (reached.has(id(edge.from)) && reached.has(id(edge.to))) edges.set(row.edge_id, edge);
      }
      frontier = next;
    }
    reached.delete(id(root));
    const refs = [...reached].map((r) => r.split('\u0000') as [string, string]);
    const { rows } = refs.length
      ? await this.driver.query<EntityRow>(
          `SELECT ${ENTITY_SELECT} FROM ls_memory_entities e JOIN unnest($2::text[], $3::text[]) AS r(type, key) ON e.type = r.type AND e.key = r.key WHERE e.universe = $1 ORDER BY e.type, e.key`,
          [this.universe, refs.map((r) => r[0]), refs.map((r) => r[1])],
        )
      : { rows: [] as EntityRow[] };
    return { root, entities: rows.map(entityOf), edges: [...edges.values()] };
  }
}
