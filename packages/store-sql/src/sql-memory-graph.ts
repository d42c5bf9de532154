import { randomUUID } from 'node:crypto';
import { LightspeedError, type MemoryEdge, type MemoryEdgeJoin, type MemoryEntity, type MemoryEntityRef, type MemoryGraphInput, type MemoryGraphStore, type MemoryNeighbourhood } from '@lightspeed/ports';
import { checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { numberOf, type SqlDriver, type SqlExecutor } from './sql-driver.js';

/*
 * The memory graph in the SQL store (migration 10). `writeMemoryGraph` runs inside the transaction
 * that inserts the event, so an event and the entities and edges it asserts commit together (a
 * deduped redelivery writes neither). Edges are never deleted: a contradicting event sets
 * `invalid_at`, and a later event asserting the claim again clears it.
 */

/** Evidence returned per edge (the count says how many exist). */
export const MAX_EDGE_EVIDENCE = 50;
export const MAX_GRAPH_DEPTH = 3;
/** A neighbourhood read stops here (entities), so a hub (a busy repository) cannot make one read unbounded. */
export const MAX_NEIGHBOURHOOD_ENTITIES = 500;

const ENTITY_TYPE = /^[a-z][a-z0-9_]{0,31}$/;

function checkRef(what: string, ref: MemoryEntityRef): void {
  if (typeof ref.type !== 'string' || !ENTITY_TYPE.test(ref.type)) throw new LightspeedError('invalid', `${what}.type: lower-case [a-z0-9_], at most 32 characters`, { field: `${what}.type` });
  if (typeof ref.key !== 'string' || ref.key.length === 0 || ref.key.length > 512) throw new LightspeedError('invalid', `${what}.key: 1-512 characters`, { field: `${what}.key` });
}

/** The canonical key of `ref`: itself, or the entity its key is an alias of. */
async function resolve(tx: SqlExecutor, universe: string, ref: MemoryEntityRef): Promise<MemoryEntityRef> {
  const { rows } = await tx.query<{ key: string }>(`SELECT key FROM ls_memory_entity_aliases WHERE universe = $1 AND type = $2 AND alias = $3`, [universe, ref.type, ref.key]);
  return rows[0] ? { type: ref.type, key: rows[0].key } : ref;
}

/** An alias row: `alias` of `type` names the entity `key`. */
export interface AliasRow {
  type: string;
  alias: string;
  key: string;
}

/** Every entity ref `graph` names (entities, edge ends, invalidation targets, join ends), once each. */
export function graphRefs(graph: MemoryGraphInput): MemoryEntityRef[] {
  const refs = new Map<string, MemoryEntityRef>();
  for (const ref of [...graph.entities, ...graph.edges.flatMap((e) => [e.from, e.to]), ...graph.invalidate.map((i) => i.to), ...(graph.joins ?? []).flatMap((j) => [j.self, j.via])]) refs.set(`${ref.type}\u0000${ref.key}`, { type: ref.type, key: ref.key });
  return [...refs.values()];
}

/**
 * Every key the graph writes or resolves (refs and the aliases it adds), as `$universe`-scoped
 * advisory-lock ids, for `entityLocksSql`.
 */
export function graphLockKeys(graph: MemoryGraphInput): { types: string[]; keys: string[] } {
  const refs = [...graphRefs(graph), ...graph.entities.flatMap((e) => (e.aliases ?? []).map((alias) => ({ type: e.type, key: alias })))];
  return { types: refs.map((r) => r.type), keys: refs.map((r) => r.key) };
}

/**
 * Takes a transaction advisory lock per (universe, type, key) of `$typeParam`/`$keyParam`, in one
 * order. An alias fold and an event writing an entity under the folded key then never interleave:
 * whichever commits second sees the other (the lookup after the lock is a later statement), so no
 * entity is left under a key that became an alias. Entity rows were locked until commit anyway.
 */
export function entityLocksSql(universeParam: number, typeParam: number, keyParam: number): string {
  return `(SELECT count(*) FROM (SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended($${universeParam} || chr(1) || r.type || chr(1) || r.key, 0) AS h
     FROM unnest($${typeParam}::text[], $${keyParam}::text[]) AS r(type, key) ORDER BY h) ordered) locked)`;
}

/** Writes the graph of a just-inserted event, whose entity locks (`entityLocksSql`) the transaction holds. */
export async function writeMemoryGraph(tx: SqlExecutor, universe: string, event: { eventId: string; occurredAt: number }, graph: MemoryGraphInput): Promise<void> {
  const at = event.occurredAt;
  const id = (ref: MemoryEntityRef) => `${ref.type}\u0000${ref.key}`;
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const entity of graph.entities) checkRef('entity', entity);
  for (const edge of graph.edges) {
    checkRef('edge.from', edge.from);
    checkRef('edge.to', edge.to);
    if (!ENTITY_TYPE.test(edge.type)) throw new LightspeedError('invalid', 'edge.type: lower-case [a-z0-9_], at most 32 characters', { field: 'edge.type' });
  }
  for (const { to } of graph.invalidate) checkRef('invalidate.to', to);
  const joins = graph.joins ?? [];
  for (const join of joins) {
    checkRef('join.self', join.self);
    checkRef('join.via', join.via);
    for (const type of [join.type, ...join.viaEdgeTypes]) if (!ENTITY_TYPE.test(type)) throw new LightspeedError('invalid', 'join types: lower-case [a-z0-9_], at most 32 characters', { field: 'join.type' });
  }
  // Aliases first, so the entity row is written under the canonical key even if the alias was seen
  // before: one statement, rows in (type, alias) order (the first claim of an alias in the event wins).
  const aliasRows = new Map<string, { type: string; alias: string; key: string }>();
  for (const entity of graph.entities) {
    for (const alias of entity.aliases ?? []) {
      if (alias === entity.key || alias.length > 512 || aliasRows.has(id({ type: entity.type, key: alias }))) continue;
      aliasRows.set(id({ type: entity.type, key: alias }), { type: entity.type, alias, key: entity.key });
    }
  }
  if (aliasRows.size) {
    const rows = [...aliasRows].sort(([a], [b]) => order(a, b)).map(([, r]) => r);
    const added = await tx.query<AliasRow>(
      `INSERT INTO ls_memory_entity_aliases (universe, type, alias, key)
       SELECT $1, r.type, r.alias, r.key FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(type, alias, key, n) ORDER BY r.n
       ON CONFLICT (universe, type, alias) DO NOTHING RETURNING type, alias, key`,
      [universe, rows.map((r) => r.type), rows.map((r) => r.alias), rows.map((r) => r.key)],
    );
    // An entity first stored under what is now an alias is folded in: its edges move to the canonical key.
    for (const row of added.rows.sort((a, b) => order(id({ type: a.type, key: a.alias }), id({ type: b.type, key: b.alias })))) await foldAlias(tx, universe, row.type, row.alias, row.key);
  }
  // Every ref of the event resolved through the alias table in one statement, after the locks and this event's aliases.
  const all = graphRefs(graph);
  const looked = all.length
    ? (await tx.query<AliasRow>(`SELECT a.type, a.alias, a.key FROM ls_memory_entity_aliases a JOIN unnest($2::text[], $3::text[]) AS r(type, key) ON a.type = r.type AND a.alias = r.key WHERE a.universe = $1`, [universe, all.map((r) => r.type), all.map((r) => r.key)])).rows
    : [];
  const canonical = new Map(looked.map((row) => [id({ type: row.type, key: row.alias }), { type: row.type, key: row.key }]));
  const keyOf = (ref: MemoryEntityRef): MemoryEntityRef => canonical.get(id(ref)) ?? ref;

  // One statement per table, rows in key order, so concurrent events touching the same entities cannot deadlock.
  const entities = new Map<string, { ref: MemoryEntityRef; title: string | null }>();
  for (const entity of graph.entities) {
    const ref = keyOf(entity);
    const current = entities.get(id(ref));
    if (!current || (current.title === null && entity.title !== undefined)) entities.set(id(ref), { ref, title: entity.title ?? null });
  }
  const rows = [...entities].sort(([a], [b]) => order(a, b)).map(([, e]) => e);
  // The entity upsert over ($1 universe, $at, and three arrays from $first): its own statement, or a CTE of the edges' one.
  const entityUpsert = (at: number, first: number) =>
    `INSERT INTO ls_memory_entities AS e (universe, type, key, title, first_seen, last_seen, event_count)
       SELECT $1, r.type, r.key, r.title, $${at}, $${at}, 1 FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[]) WITH ORDINALITY AS r(type, key, title, n) ORDER BY r.n
       ON CONFLICT (universe, type, key) DO UPDATE SET
         title = CASE WHEN EXCLUDED.title IS NOT NULL AND EXCLUDED.last_seen >= e.last_seen THEN EXCLUDED.title ELSE e.title END,
         first_seen = LEAST(e.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen), event_count = e.event_count + 1`;
  const entityParams = [rows.map((r) => r.ref.type), rows.map((r) => r.ref.key), rows.map((r) => r.title)];
  const claims = new Map<string, Claim>();
  const claim = (edge: { type: string; from: MemoryEntityRef; to: MemoryEntityRef; confidence?: number; settled?: boolean }, also: Evidence[] = []) => {
    const from = keyOf(edge.from);
    const to = keyOf(edge.to);
    const name = [edge.type, from.type, from.key, to.type, to.key].join('\u0000');
    const confidence = Math.max(0, Math.min(1, edge.confidence ?? 1));
    const current = claims.get(name);
    claims.set(name, { type: edge.type, from, to, confidence: Math.max(confidence, current?.confidence ?? 0), settled: edge.settled === true || current?.settled === true, also: [...(current?.also ?? []), ...also] });
  };
  for (const edge of graph.edges) claim(edge);
  const matched = await joinMatches(tx, universe, joins.map((join) => ({ join, self: keyOf(join.self), via: keyOf(join.via) })), at);
  joins.forEach((join, n) => {
    const self = keyOf(join.self);
    for (const [other, also] of matched[n]!) {
      claim({ type: join.type, from: join.selfIs === 'from' ? self : other, to: join.selfIs === 'from' ? other : self, ...(join.confidence !== undefined ? { confidence: join.confidence } : {}) }, also);
    }
  });
  const edges = [...claims].sort(([a], [b]) => order(a, b)).map(([, c]) => c);
  const also = edges.flatMap((e) => e.also.map((v) => ({ ...v, edge: e })));
  if (edges.length === 0 && rows.length) await tx.query(entityUpsert(2, 3), [universe, at, ...entityParams]);
  if (edges.length) {
    // Entities and edges in one statement (one round trip fewer per event); each in key order.
    await tx.query(
      `WITH ${rows.length ? `entities AS (${entityUpsert(9, 19)} RETURNING 1), ` : ''}written AS (
         INSERT INTO ls_memory_edges AS g (universe, edge_id, type, from_type, from_key, to_type, to_key, confidence, first_seen, last_seen, settled_at)
         SELECT $1, r.edge_id, r.type, r.from_type, r.from_key, r.to_type, r.to_key, r.confidence, $9, $9, CASE WHEN r.settled THEN $9::bigint END
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::real[], $8::boolean[], $11::text[]) WITH ORDINALITY AS r(type, from_type, from_key, to_type, to_key, confidence, settled, edge_id, n) ORDER BY r.n
         ON CONFLICT (universe, type, from_type, from_key, to_type, to_key) DO UPDATE SET
           confidence = GREATEST(g.confidence, EXCLUDED.confidence),
           first_seen = LEAST(g.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(g.last_seen, EXCLUDED.last_seen),
           settled_at = COALESCE(LEAST(g.settled_at, EXCLUDED.settled_at), g.settled_at, EXCLUDED.settled_at),
           -- Asserted again after it was voided (a second fix merged after the reopen): valid again.
           invalid_at = CASE WHEN g.invalid_at IS NOT NULL AND EXCLUDED.last_seen > g.invalid_at THEN NULL ELSE g.invalid_at END,
           invalidated_by = CASE WHEN g.invalid_at IS NOT NULL AND EXCLUDED.last_seen > g.invalid_at THEN NULL ELSE g.invalidated_by END
         RETURNING edge_id, type, from_type, from_key, to_type, to_key)
       INSERT INTO ls_memory_edge_evidence (universe, edge_id, event_id, occurred_at)
       SELECT $1, edge_id, $10, $9 FROM written
       -- A joined edge is also proven by the other events' claims it was joined with.
       UNION ALL SELECT $1, w.edge_id, x.event_id, x.occurred_at FROM written w
         JOIN unnest($12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[]) AS x(type, from_type, from_key, to_type, to_key, event_id, occurred_at)
         ON x.type = w.type AND x.from_type = w.from_type AND x.from_key = w.from_key AND x.to_type = w.to_type AND x.to_key = w.to_key
       ON CONFLICT DO NOTHING`,
      [
        universe,
        edges.map((e) => e.type),
        edges.map((e) => e.from.type),
        edges.map((e) => e.from.key),
        edges.map((e) => e.to.type),
        edges.map((e) => e.to.key),
        edges.map((e) => e.confidence),
        edges.map((e) => e.settled),
        at,
        event.eventId,
        edges.map(() => `med_${randomUUID()}`),
        also.map((v) => v.edge.type),
        also.map((v) => v.edge.from.type),
        also.map((v) => v.edge.from.key),
        also.map((v) => v.edge.to.type),
        also.map((v) => v.edge.to.key),
        also.map((v) => v.eventId),
        also.map((v) => v.occurredAt),
        ...(rows.length ? entityParams : []),
      ],
    );
  }
  for (const { types, to } of graph.invalidate) {
    const target = keyOf(to);
    // Only settled claims (the fixing PR merged before this event) are contradicted by a reopen.
    await tx.query(
      `UPDATE ls_memory_edges SET invalid_at = $5, invalidated_by = $6
       WHERE universe = $1 AND to_type = $2 AND to_key = $3 AND type = ANY($4::text[]) AND invalid_at IS NULL AND settled_at IS NOT NULL AND settled_at <= $5`,
      [universe, target.type, target.key, types, at, event.eventId],
    );
  }
}

interface Evidence {
  eventId: string;
  occurredAt: number;
}

interface Claim {
  type: string;
  from: MemoryEntityRef;
  to: MemoryEntityRef;
  confidence: number;
  settled: boolean;
  /** Evidence besides this event (a joined edge's other claims). */
  also: Evidence[];
}

/** A join bounds its matches, so a commit deployed a thousand times cannot make one event unbounded. */
const MAX_JOIN_MATCHES = 50;

/**
 * For each join, the entities it pairs `self` with (the `from` of each stored `viaEdgeTypes` edge
 * into `via`), each with that edge's evidence: one statement for all of an event's joins.
 */
async function joinMatches(tx: SqlExecutor, universe: string, joins: { join: MemoryEdgeJoin; self: MemoryEntityRef; via: MemoryEntityRef }[], at: number): Promise<Map<MemoryEntityRef, Evidence[]>[]> {
  if (joins.length === 0) return [];
  const { rows } = await tx.query<{ n: unknown; from_type: string; from_key: string; event_id: string; occurred_at: unknown }>(
    `SELECT j.n, m.from_type, m.from_key, m.event_id, m.occurred_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[]) WITH ORDINALITY AS j(via_type, via_key, types, self_type, self_key, earlier, n)
     CROSS JOIN LATERAL (
       SELECT g.from_type, g.from_key, x.event_id, x.occurred_at FROM ls_memory_edges g
         JOIN ls_memory_edge_evidence x ON x.universe = g.universe AND x.edge_id = g.edge_id
       WHERE g.universe = $1 AND g.to_type = j.via_type AND g.to_key = j.via_key AND g.type = ANY(string_to_array(j.types, ','))
         AND NOT (g.from_type = j.self_type AND g.from_key = j.self_key) AND (NOT j.earlier OR x.occurred_at <= $8)
       ORDER BY g.from_type, g.from_key, x.occurred_at, x.event_id LIMIT ${MAX_JOIN_MATCHES * 4}) m
     ORDER BY j.n`,
    [
      universe,
      joins.map((j) => j.via.type),
      joins.map((j) => j.via.key),
      joins.map((j) => j.join.viaEdgeTypes.join(',')),
      joins.map((j) => j.self.type),
      joins.map((j) => j.self.key),
      joins.map((j) => j.join.onlyEarlier === true),
      at,
    ],
  );
  const out = joins.map(() => new Map<string, { ref: MemoryEntityRef; evidence: Evidence[] }>());
  for (const row of rows) {
    const byEntity = out[numberOf(row.n) - 1]!;
    const name = `${row.from_type}\u0000${row.from_key}`;
    if (!byEntity.has(name) && byEntity.size >= MAX_JOIN_MATCHES) continue;
    const entry = byEntity.get(name) ?? { ref: { type: row.from_type, key: row.from_key }, evidence: [] };
    entry.evidence.push({ eventId: row.event_id, occurredAt: numberOf(row.occurred_at) });
    byEntity.set(name, entry);
  }
  return out.map((byEntity) => new Map([...byEntity.values()].map((e) => [e.ref, e.evidence])));
}

/** Rewrites edges naming `alias` to name `key`; a claim both already make keeps the canonical row. */
async function foldAlias(tx: SqlExecutor, universe: string, type: string, alias: string, key: string): Promise<void> {
  const stray = await tx.query<{ first_seen: unknown; last_seen: unknown; event_count: unknown }>(`DELETE FROM ls_memory_entities WHERE universe = $1 AND type = $2 AND key = $3 RETURNING first_seen, last_seen, event_count`, [universe, type, alias]);
  // Aliases of the folded key now name the canonical one, so resolution stays one step.
  await tx.query(`UPDATE ls_memory_entity_aliases SET key = $4 WHERE universe = $1 AND type = $2 AND key = $3 AND alias <> $4`, [universe, type, alias, key]);
  const row = stray.rows[0];
  if (!row) return;
  await tx.query(
    `INSERT INTO ls_memory_entities AS e (universe, type, key, first_seen, last_seen, event_count) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (universe, type, key) DO UPDATE SET first_seen = LEAST(e.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen), event_count = e.event_count + EXCLUDED.event_count`,
    [universe, type, key, numberOf(row.first_seen), numberOf(row.last_seen), numberOf(row.event_count)],
  );
  for (const side of ['from', 'to'] as const) {
    await tx.query(
      `UPDATE ls_memory_edges g SET ${side}_key = $4 WHERE universe = $1 AND ${side}_type = $2 AND ${side}_key = $3
         AND NOT EXISTS (SELECT 1 FROM ls_memory_edges o WHERE o.universe = g.universe AND o.type = g.type
           AND o.from_type = g.from_type AND o.to_type = g.to_type
           AND o.from_key = ${side === 'from' ? '$4' : 'g.from_key'} AND o.to_key = ${side === 'to' ? '$4' : 'g.to_key'})`,
      [universe, type, alias, key],
    );
  }
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
    checkRef('entity', ref);
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
