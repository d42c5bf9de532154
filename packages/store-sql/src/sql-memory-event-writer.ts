import type { MemoryGraphInput, MemoryProvider } from '@lightspeed/ports';
import { INLINE_BLOB_ON_CONFLICT, packedBlobColumns, uniqueBlobs, type InlineBlob } from './inline-put-batcher.js';
import { entityLocksSql, graphLockKeys, writeMemoryGraphs } from './sql-memory-graph-writer.js';
import type { SqlDriver } from './sql-driver.js';
import { StatementBatcher } from './statement-batcher.js';

/*
 * The write side of memory events, shared by every universe's store of one Storage (group commit,
 * as sensor events do, docs/0021): concurrent records of a universe go out as one transaction —
 * one INSERT of all their events (ON CONFLICT DO NOTHING on the source key, so of any number of
 * deliveries of one key, in one batch or across batches and servers, exactly one row is inserted),
 * then the graphs of the inserted ones in a few set-based statements (sql-memory-graph-writer.ts).
 * A caller's promise settles when that transaction has committed, so a 202 still means durable.
 * If a batch fails, each of its events is written again alone: one bad event fails by itself.
 */

export const EVENT_COLUMNS =
  'event_id, source_id, provider, type, action, occurred_at, source_key, delivery_id, primary_type, primary_key, related, title, body, attributes, significance, factors, raw_ref, received_at';
const EVENT_TYPES = ['text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'smallint', 'text', 'text', 'bigint'];

export interface EventRow {
  event_id: string;
  source_id: string;
  provider: MemoryProvider;
  type: string;
  action: string | null;
  occurred_at: unknown;
  source_key: string;
  delivery_id: string | null;
  primary_type: string | null;
  primary_key: string | null;
  related: string;
  title: string;
  body: string | null;
  attributes: string;
  significance: unknown;
  factors: string;
  raw_ref: string | null;
  received_at: unknown;
}

/** One event to record: its row's values in EVENT_COLUMNS order, and the graph it asserts. */
export interface PendingEvent {
  eventId: string;
  sourceKey: string;
  occurredAt: number;
  values: readonly unknown[];
  graph?: MemoryGraphInput;
  /** Characters it sends (title, body, JSON fields, raw delivery), so one transaction stays bounded. */
  weight: number;
  /** The raw delivery, written in the same statement as the event (its ref is the event's raw_ref). */
  blob?: InlineBlob;
}

/** The event's row and whether this record inserted it; undefined when its holder was not visible yet (committed after the statement began). */
export type RecordOutcome = { row: EventRow; inserted: boolean } | undefined;

type Settled = { ok: true; outcome: RecordOutcome } | { ok: false; error: unknown };

// The raw deliveries and the events (an event never names a raw body not stored), then the graph
// locks (only when something was inserted), and the holders of the repeats that committed before
// the statement; a holder in this same batch comes back from `ins`.
const RECORD_MANY = `WITH raw AS (INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at)
  SELECT $1, b.ref, b.size, b.media_type, substring($27::bytea FROM b.start FOR b.size::integer), $22 FROM unnest($23::text[], $24::bigint[], $25::text[], $26::integer[]) AS b(ref, size, media_type, start)
  ${INLINE_BLOB_ON_CONFLICT}),
ins AS (INSERT INTO ls_memory_events (universe, ${EVENT_COLUMNS})
  SELECT $1, ${EVENT_COLUMNS} FROM unnest(${EVENT_TYPES.map((type, n) => `$${n + 2}::${type}[]`).join(', ')}) WITH ORDINALITY AS e(${EVENT_COLUMNS}, n) ORDER BY e.n
  ON CONFLICT (universe, source_key) DO NOTHING RETURNING ${EVENT_COLUMNS})
SELECT ${EVENT_COLUMNS}, true AS inserted, ${entityLocksSql(1, 20, 21)} AS locks FROM ins
UNION ALL
SELECT ${EVENT_COLUMNS}, false AS inserted, 0 AS locks FROM ls_memory_events
WHERE universe = $1 AND source_key = ANY($8::text[]) AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.source_key = ls_memory_events.source_key)`;

const DEADLOCK_ATTEMPTS = 5;

/**
 * Runs `attempt` again when PostgreSQL aborted it as one side of a deadlock (SQLSTATE 40P01). The
 * graph writer takes its row locks in key order, but folding an alias (rare: once per alias) and a
 * canonical key reached through an alias touch rows outside that order; the aborted transaction
 * wrote nothing, so running it again is the whole remedy.
 */
async function retryDeadlocks<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= DEADLOCK_ATTEMPTS || (error as { code?: unknown } | null)?.code !== '40P01') throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n));
    }
  }
}

/** Events one transaction carries at most (its advisory locks are a few per event). */
export const MAX_MEMORY_EVENTS_PER_BATCH = 32;

export class MemoryEventWriter {
  private readonly batcher: StatementBatcher<PendingEvent, Settled>;

  /** @param maxInFlight transactions at once across universes (one per universe at a time). */
  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
    maxInFlight: number,
  ) {
    this.batcher = new StatementBatcher(maxInFlight, (universe, items) => this.writeSettled(universe, items), { onePerKey: true, maxBatch: MAX_MEMORY_EVENTS_PER_BATCH, maxWeight: 4 * 1024 * 1024, weight: (item) => item.weight });
  }

  async record(universe: string, event: PendingEvent): Promise<RecordOutcome> {
    const settled = await this.batcher.submit(universe, event);
    if (!settled.ok) throw settled.error;
    return settled.outcome;
  }

  private async writeSettled(universe: string, items: PendingEvent[]): Promise<Settled[]> {
    try {
      return (await this.write(universe, items)).map((outcome) => ({ ok: true, outcome }));
    } catch (error) {
      if (items.length === 1) return [{ ok: false, error }];
      // The transaction wrote nothing; each event alone, so only the one that fails fails.
      const out: Settled[] = [];
      for (const item of items) out.push(...(await this.writeSettled(universe, [item])));
      return out;
    }
  }

  private write(universe: string, items: PendingEvent[]): Promise<RecordOutcome[]> {
    const graphs = items.flatMap((item) => (item.graph ? [item.graph] : []));
    const locks = graphLockKeys(graphs);
    const blobs = uniqueBlobs(items.flatMap((item) => (item.blob ? [item.blob] : [])));
    return retryDeadlocks(() =>
      this.driver.transaction(async (tx) => {
        const { rows } = await tx.query<EventRow & { inserted: boolean }>(RECORD_MANY, [universe, ...EVENT_TYPES.map((_, column) => items.map((item) => item.values[column] ?? null)), locks.types, locks.keys, this.now(), ...packedBlobColumns(blobs)]);
        const byKey = new Map(rows.map((row) => [row.source_key, row]));
        const outcomes = items.map((item): RecordOutcome => {
          const row = byKey.get(item.sourceKey);
          return row ? { row, inserted: row.inserted && row.event_id === item.eventId } : undefined;
        });
        const writes = items.flatMap((item, n) => (outcomes[n]?.inserted && item.graph ? [{ eventId: item.eventId, occurredAt: item.occurredAt, graph: item.graph }] : []));
        await writeMemoryGraphs(tx, universe, writes);
        return outcomes;
      }),
    );
  }
}
