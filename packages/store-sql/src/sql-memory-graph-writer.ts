import { randomUUID } from 'node:crypto';
import { LightspeedError, type MemoryEdgeJoin, type MemoryEntityRef, type MemoryGraphInput } from '@lightspeed/ports';
import { checkEntityRef, ENTITY_TYPE } from './sql-memory-graph.js';
import { numberOf, type SqlExecutor } from './sql-driver.js';

/*
 * The write side of the memory graph (migration 10): the graphs of a batch of just-inserted events
 * (sql-memory-event-writer.ts) in a few set-based statements of the events' transaction, whatever
 * the batch size — aliases with the lookup of every ref, the folds of new aliases, entities with
 * edges and evidence, the joins, the joined edges, and one statement per invalidation. Within a
 * batch the result is the one of these events arriving one by one in occurrence order, except that
 * a join sees the claims of every other event of the batch (as if it had arrived last): a
 * deployment and the PR it ships meet whichever comes first.
 */

/** An alias row: `alias` of `type` names the entity `key`. */
interface AliasRow {
  type: string;
  alias: string;
  key: string;
}

export interface GraphWrite {
  eventId: string;
  occurredAt: number;
  graph: MemoryGraphInput;
}

const id = (ref: MemoryEntityRef) => `${ref.type}\u0000${ref.key}`;
const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Refuses a graph the store would not write, before it joins a batch (so it fails alone). */
export function checkMemoryGraph(graph: MemoryGraphInput): void {
  for (const entity of graph.entities) checkEntityRef('entity', entity);
  for (const edge of graph.edges) {
    checkEntityRef('edge.from', edge.from);
    checkEntityRef('edge.to', edge.to);
    if (!ENTITY_TYPE.test(edge.type)) throw new LightspeedError('invalid', 'edge.type: lower-case [a-z0-9_], at most 32 characters', { field: 'edge.type' });
  }
  for (const { to } of graph.invalidate) checkEntityRef('invalidate.to', to);
  for (const join of graph.joins ?? []) {
    checkEntityRef('join.self', join.self);
    checkEntityRef('join.via', join.via);
    for (const type of [join.type, ...join.viaEdgeTypes]) if (!ENTITY_TYPE.test(type)) throw new LightspeedError('invalid', 'join types: lower-case [a-z0-9_], at most 32 characters', { field: 'join.type' });
  }
}

/** Every entity ref `graph` names (entities, edge ends, invalidation targets, join ends), once each. */
function graphRefs(graph: MemoryGraphInput): MemoryEntityRef[] {
  const refs = new Map<string, MemoryEntityRef>();
  for (const ref of [...graph.entities, ...graph.edges.flatMap((e) => [e.from, e.to]), ...graph.invalidate.map((i) => i.to), ...(graph.joins ?? []).flatMap((j) => [j.self, j.via])]) refs.set(id(ref), { type: ref.type, key: ref.key });
  return [...refs.values()];
}

/**
 * Every key the graphs write or resolve (refs and the aliases they add), for `entityLocksSql`.
 */
export function graphLockKeys(graphs: readonly MemoryGraphInput[]): { types: string[]; keys: string[] } {
  const refs = new Map<string, MemoryEntityRef>();
  for (const graph of graphs) {
    for (const ref of graphRefs(graph)) refs.set(id(ref), ref);
    for (const entity of graph.entities) for (const alias of entity.aliases ?? []) refs.set(id({ type: entity.type, key: alias }), { type: entity.type, key: alias });
  }
  const all = [...refs.values()];
  return { types: all.map((r) => r.type), keys: all.map((r) => r.key) };
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

interface Evidence {
  eventId: string;
  occurredAt: number;
}

/** One edge row to write: every claim of it in the batch merged (the upsert may touch a row once). */
interface Claim {
  type: string;
  from: MemoryEntityRef;
  to: MemoryEntityRef;
  confidence: number;
  first: number;
  last: number;
  settledAt: number | null;
  evidence: Map<string, Evidence>;
}

/** One entity row to write, its claims in the batch folded in event order. */
interface EntityWrite {
  ref: MemoryEntityRef;
  first: number;
  last: number;
  events: number;
  /** The title the batch leaves, and the occurrence time that must be at least the stored last_seen for it to win. */
  title: string | null;
  titleAt: number | null;
}

class Claims {
  readonly byName = new Map<string, Claim>();

  add(edge: { type: string; from: MemoryEntityRef; to: MemoryEntityRef; confidence?: number; settled?: boolean }, at: number, evidence: Evidence[]): void {
    const name = [edge.type, edge.from.type, edge.from.key, edge.to.type, edge.to.key].join('\u0000');
    const confidence = Math.max(0, Math.min(1, edge.confidence ?? 1));
    const current = this.byName.get(name) ?? { type: edge.type, from: edge.from, to: edge.to, confidence, first: at, last: at, settledAt: null, evidence: new Map() };
    current.confidence = Math.max(current.confidence, confidence);
    current.first = Math.min(current.first, at);
    current.last = Math.max(current.last, at);
    if (edge.settled) current.settledAt = current.settledAt === null ? at : Math.min(current.settledAt, at);
    for (const e of evidence) if (!current.evidence.has(e.eventId)) current.evidence.set(e.eventId, e);
    this.byName.set(name, current);
  }

  /** In key order, so concurrent batches touching the same edges cannot deadlock. */
  sorted(): Claim[] {
    return [...this.byName].sort(([a], [b]) => order(a, b)).map(([, c]) => c);
  }
}

// Entities: existing rows updated from the batch's folded claims (title by the occurrence time of
// the claim that set it), new rows inserted. Then edges, and their evidence.
const ENTITIES_CTE = `r_ent AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) WITH ORDINALITY AS r(type, key, title, title_at, first_seen, last_seen, events, n)),
  upd_ent AS (UPDATE ls_memory_entities e SET
      title = CASE WHEN r.title IS NOT NULL AND r.title_at >= e.last_seen THEN r.title ELSE e.title END,
      first_seen = LEAST(e.first_seen, r.first_seen), last_seen = GREATEST(e.last_seen, r.last_seen), event_count = e.event_count + r.events
    FROM r_ent r WHERE e.universe = $1 AND e.type = r.type AND e.key = r.key RETURNING e.type, e.key),
  ins_ent AS (INSERT INTO ls_memory_entities AS e (universe, type, key, title, first_seen, last_seen, event_count)
    SELECT $1, r.type, r.key, r.title, r.first_seen, r.last_seen, r.events FROM r_ent r WHERE NOT EXISTS (SELECT 1 FROM upd_ent u WHERE u.type = r.type AND u.key = r.key) ORDER BY r.n
    -- Only a key no lock covers (a canonical key reached through an alias) can be inserted concurrently.
    ON CONFLICT (universe, type, key) DO UPDATE SET
      title = CASE WHEN EXCLUDED.title IS NOT NULL AND EXCLUDED.last_seen >= e.last_seen THEN EXCLUDED.title ELSE e.title END,
      first_seen = LEAST(e.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen), event_count = e.event_count + EXCLUDED.event_count
    RETURNING 1)`;

const ROWS_SQL = `WITH ${ENTITIES_CTE}, written AS (
    INSERT INTO ls_memory_edges AS g (universe, edge_id, type, from_type, from_key, to_type, to_key, confidence, first_seen, last_seen, settled_at)
    SELECT $1, r.edge_id, r.type, r.from_type, r.from_key, r.to_type, r.to_key, r.confidence, r.first_seen, r.last_seen, r.settled_at
    FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::real[], $15::bigint[], $16::bigint[], $17::bigint[], $18::text[])
      WITH ORDINALITY AS r(type, from_type, from_key, to_type, to_key, confidence, first_seen, last_seen, settled_at, edge_id, n) ORDER BY r.n
    ON CONFLICT (universe, type, from_type, from_key, to_type, to_key) DO UPDATE SET
      confidence = GREATEST(g.confidence, EXCLUDED.confidence),
      first_seen = LEAST(g.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(g.last_seen, EXCLUDED.last_seen),
      settled_at = COALESCE(LEAST(g.settled_at, EXCLUDED.settled_at), g.settled_at, EXCLUDED.settled_at),
      -- Asserted again after it was voided (a second fix merged after the reopen): valid again.
      invalid_at = CASE WHEN g.invalid_at IS NOT NULL AND EXCLUDED.last_seen > g.invalid_at THEN NULL ELSE g.invalid_at END,
      invalidated_by = CASE WHEN g.invalid_at IS NOT NULL AND EXCLUDED.last_seen > g.invalid_at THEN NULL ELSE g.invalidated_by END
    RETURNING edge_id, type, from_type, from_key, to_type, to_key)
  INSERT INTO ls_memory_edge_evidence (universe, edge_id, event_id, occurred_at)
  SELECT $1, w.edge_id, x.event_id, x.occurred_at FROM written w
    JOIN unnest($19::text[], $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::bigint[]) AS x(type, from_type, from_key, to_type, to_key, event_id, occurred_at)
    ON x.type = w.type AND x.from_type = w.from_type AND x.from_key = w.from_key AND x.to_type = w.to_type AND x.to_key = w.to_key
  ON CONFLICT DO NOTHING`;

async function writeRows(tx: SqlExecutor, universe: string, entities: EntityWrite[], claims: Claim[]): Promise<void> {
  if (entities.length === 0 && claims.length === 0) return;
  const evidence = claims.flatMap((c) => [...c.evidence.values()].map((e) => ({ claim: c, ...e })));
  await tx.query(ROWS_SQL, [
    universe,
    entities.map((e) => e.ref.type),
    entities.map((e) => e.ref.key),
    entities.map((e) => e.title),
    entities.map((e) => e.titleAt),
    entities.map((e) => e.first),
    entities.map((e) => e.last),
    entities.map((e) => e.events),
    claims.map((c) => c.type),
    claims.map((c) => c.from.type),
    claims.map((c) => c.from.key),
    claims.map((c) => c.to.type),
    claims.map((c) => c.to.key),
    claims.map((c) => c.confidence),
    claims.map((c) => c.first),
    claims.map((c) => c.last),
    claims.map((c) => c.settledAt),
    claims.map(() => `med_${randomUUID()}`),
    evidence.map((e) => e.claim.type),
    evidence.map((e) => e.claim.from.type),
    evidence.map((e) => e.claim.from.key),
    evidence.map((e) => e.claim.to.type),
    evidence.map((e) => e.claim.to.key),
    evidence.map((e) => e.eventId),
    evidence.map((e) => e.occurredAt),
  ]);
}

const LOOKUP_SQL = `SELECT a.type, a.alias, a.key FROM ls_memory_entity_aliases a JOIN unnest($2::text[], $3::text[]) AS r(type, key) ON a.type = r.type AND a.alias = r.key WHERE a.universe = $1`;

/** The most fold rounds per batch: each re-points aliases of a key that became an alias in the same batch. */
const MAX_FOLD_ROUNDS = 8;

/** Writes the graphs of just-inserted events, whose entity locks (`entityLocksSql`) the transaction holds. */
export async function writeMemoryGraphs(tx: SqlExecutor, universe: string, writes: readonly GraphWrite[]): Promise<void> {
  if (writes.length === 0) return;
  // Aliases first (the first claim of an alias in the batch wins), with the lookup of every ref in
  // the same statement: it reads the snapshot before the insert, the inserted rows come back.
  const aliasRows = new Map<string, AliasRow>();
  const refs = new Map<string, MemoryEntityRef>();
  for (const { graph } of writes) {
    for (const ref of graphRefs(graph)) refs.set(id(ref), ref);
    for (const entity of graph.entities) {
      for (const alias of entity.aliases ?? []) {
        if (alias === entity.key || alias.length > 512 || aliasRows.has(id({ type: entity.type, key: alias }))) continue;
        aliasRows.set(id({ type: entity.type, key: alias }), { type: entity.type, alias, key: entity.key });
      }
    }
  }
  const aliases = [...aliasRows].sort(([a], [b]) => order(a, b)).map(([, r]) => r);
  const all = [...refs.values()];
  const { rows } = await tx.query<AliasRow & { added: boolean }>(
    `WITH added AS (INSERT INTO ls_memory_entity_aliases (universe, type, alias, key)
       SELECT $1, r.type, r.alias, r.key FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS r(type, alias, key, n) ORDER BY r.n
       ON CONFLICT (universe, type, alias) DO NOTHING RETURNING type, alias, key)
     SELECT true AS added, type, alias, key FROM added
     UNION ALL SELECT false AS added, a.type, a.alias, a.key FROM ls_memory_entity_aliases a JOIN unnest($5::text[], $6::text[]) AS r(type, key) ON a.type = r.type AND a.alias = r.key WHERE a.universe = $1`,
    [universe, aliases.map((r) => r.type), aliases.map((r) => r.alias), aliases.map((r) => r.key), all.map((r) => r.type), all.map((r) => r.key)],
  );
  let looked: AliasRow[] = rows;
  const added = rows.filter((row) => row.added).sort((a, b) => order(id({ type: a.type, key: a.alias }), id({ type: b.type, key: b.alias })));
  if (added.length && (await foldAliases(tx, universe, added))) {
    looked = (await tx.query<AliasRow>(LOOKUP_SQL, [universe, all.map((r) => r.type), all.map((r) => r.key)])).rows;
  }
  const canonical = new Map(looked.map((row) => [id({ type: row.type, key: row.alias }), { type: row.type, key: row.key }]));
  const keyOf = (ref: MemoryEntityRef): MemoryEntityRef => canonical.get(id(ref)) ?? ref;

  // Entities and edges of every event, merged per row; the batch is folded in occurrence order.
  const inOrder = [...writes].sort((a, b) => a.occurredAt - b.occurredAt);
  const entities = new Map<string, EntityWrite>();
  const claims = new Claims();
  for (const { eventId, occurredAt: at, graph } of inOrder) {
    const own = new Map<string, { ref: MemoryEntityRef; title: string | null }>();
    for (const entity of graph.entities) {
      const ref = keyOf(entity);
      const current = own.get(id(ref));
      if (!current || (current.title === null && entity.title !== undefined)) own.set(id(ref), { ref, title: entity.title ?? null });
    }
    for (const [name, { ref, title }] of own) {
      const row = entities.get(name) ?? { ref, first: at, last: at, events: 0, title: null, titleAt: null };
      // As the stored row's CASE would, one event at a time: a title wins if no later event was seen.
      if (title !== null && (row.events === 0 || at >= row.last)) {
        row.title = title;
        row.titleAt = at;
      }
      row.first = Math.min(row.first, at);
      row.last = Math.max(row.last, at);
      row.events++;
      entities.set(name, row);
    }
    for (const edge of graph.edges) claims.add({ ...edge, from: keyOf(edge.from), to: keyOf(edge.to) }, at, [{ eventId, occurredAt: at }]);
  }
  await writeRows(
    tx,
    universe,
    [...entities].sort(([a], [b]) => order(a, b)).map(([, e]) => e),
    claims.sorted(),
  );

  // Joins after the batch's own edges, so two events of one batch meet.
  const joins = inOrder.flatMap(({ eventId, occurredAt, graph }) => (graph.joins ?? []).map((join) => ({ join, self: keyOf(join.self), via: keyOf(join.via), at: occurredAt, eventId })));
  if (joins.length) {
    const matched = await joinMatches(tx, universe, joins);
    const joined = new Claims();
    joins.forEach(({ join, self, at, eventId }, n) => {
      for (const [other, also] of matched[n]!) {
        const edge = { type: join.type, from: join.selfIs === 'from' ? self : other, to: join.selfIs === 'from' ? other : self, ...(join.confidence !== undefined ? { confidence: join.confidence } : {}) };
        joined.add(edge, at, [{ eventId, occurredAt: at }, ...also]);
      }
    });
    if (joined.byName.size) await writeRows(tx, universe, [], joined.sorted());
    for (const [name, claim] of joined.byName) {
      const mine = claims.byName.get(name);
      if (mine) mine.last = Math.max(mine.last, claim.last);
      else claims.byName.set(name, claim);
    }
  }

  // Invalidations last, each at its occurrence time; a claim of the batch made after it stands.
  for (const { eventId, occurredAt: at, graph } of inOrder) {
    for (const { types, to } of graph.invalidate) {
      const target = keyOf(to);
      const later = [...claims.byName.values()].filter((c) => c.to.type === target.type && c.to.key === target.key && types.includes(c.type) && c.last > at);
      // Only settled claims (the fixing PR merged before this event) are contradicted by a reopen.
      await tx.query(
        `UPDATE ls_memory_edges SET invalid_at = $5, invalidated_by = $6
         WHERE universe = $1 AND to_type = $2 AND to_key = $3 AND type = ANY($4::text[]) AND invalid_at IS NULL AND settled_at IS NOT NULL AND settled_at <= $5
           AND NOT EXISTS (SELECT 1 FROM unnest($7::text[], $8::text[], $9::text[]) AS l(type, from_type, from_key) WHERE l.type = ls_memory_edges.type AND l.from_type = ls_memory_edges.from_type AND l.from_key = ls_memory_edges.from_key)`,
        [universe, target.type, target.key, types, at, eventId, later.map((c) => c.type), later.map((c) => c.from.type), later.map((c) => c.from.key)],
      );
    }
  }
}

/** A join bounds its matches, so a commit deployed a thousand times cannot make one event unbounded. */
const MAX_JOIN_MATCHES = 50;

/**
 * For each join, the entities it pairs `self` with (the `from` of each stored `viaEdgeTypes` edge
 * into `via`), each with that edge's evidence: one statement for all of a batch's joins.
 */
async function joinMatches(tx: SqlExecutor, universe: string, joins: { join: MemoryEdgeJoin; self: MemoryEntityRef; via: MemoryEntityRef; at: number }[]): Promise<Map<MemoryEntityRef, Evidence[]>[]> {
  const { rows } = await tx.query<{ n: unknown; from_type: string; from_key: string; event_id: string; occurred_at: unknown }>(
    `SELECT j.n, m.from_type, m.from_key, m.event_id, m.occurred_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::bigint[]) WITH ORDINALITY AS j(via_type, via_key, types, self_type, self_key, earlier, at, n)
     CROSS JOIN LATERAL (
       SELECT g.from_type, g.from_key, x.event_id, x.occurred_at FROM ls_memory_edges g
         JOIN ls_memory_edge_evidence x ON x.universe = g.universe AND x.edge_id = g.edge_id
       WHERE g.universe = $1 AND g.to_type = j.via_type AND g.to_key = j.via_key AND g.type = ANY(string_to_array(j.types, ','))
         AND NOT (g.from_type = j.self_type AND g.from_key = j.self_key) AND (NOT j.earlier OR x.occurred_at <= j.at)
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
      joins.map((j) => j.at),
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

/**
 * Folds the keys that just became aliases: an entity stored under one is merged into the canonical
 * row (its edges moved), and aliases naming one are re-pointed, round after round while a
 * re-pointed alias names a key that is itself new as an alias, so resolution stays one step.
 * Answers whether anything changed (the caller's lookup is then stale).
 */
async function foldAliases(tx: SqlExecutor, universe: string, added: readonly AliasRow[]): Promise<boolean> {
  let changed = false;
  const params = [universe, added.map((r) => r.type), added.map((r) => r.alias), added.map((r) => r.key)];
  for (let round = 0; round < MAX_FOLD_ROUNDS; round++) {
    const { rows } = await tx.query<{ kind: 'stray' | 'moved'; type: string; alias: string; key: string; first_seen: unknown; last_seen: unknown; event_count: unknown }>(
      `WITH r AS (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS r(type, alias, key)),
       strays AS (DELETE FROM ls_memory_entities e USING r WHERE e.universe = $1 AND e.type = r.type AND e.key = r.alias RETURNING e.type, e.key AS alias, r.key, e.first_seen, e.last_seen, e.event_count),
       moved AS (UPDATE ls_memory_entity_aliases a SET key = r.key FROM r WHERE a.universe = $1 AND a.type = r.type AND a.key = r.alias AND a.alias <> r.key RETURNING a.type, a.alias, a.key)
       SELECT 'stray' AS kind, type, alias, key, first_seen, last_seen, event_count FROM strays
       UNION ALL SELECT 'moved' AS kind, type, alias, key, NULL, NULL, NULL FROM moved`,
      params,
    );
    if (rows.length === 0) return changed;
    changed = true;
    const strays = rows.filter((row) => row.kind === 'stray').sort((a, b) => order(id({ type: a.type, key: a.alias }), id({ type: b.type, key: b.alias })));
    for (const stray of strays) await mergeStray(tx, universe, stray.type, stray.alias, stray.key, stray);
    // Another round only if a re-pointed alias now names a key that is itself one of the new aliases.
    const newAliases = new Set(added.map((r) => id({ type: r.type, key: r.alias })));
    if (!rows.some((row) => row.kind === 'moved' && newAliases.has(id({ type: row.type, key: row.key })))) return changed;
  }
  return changed;
}

/** The entity row once stored under `alias` joins `key`'s, and edges naming `alias` name `key`; a claim both already make keeps the canonical row. */
async function mergeStray(tx: SqlExecutor, universe: string, type: string, alias: string, key: string, row: { first_seen: unknown; last_seen: unknown; event_count: unknown }): Promise<void> {
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
