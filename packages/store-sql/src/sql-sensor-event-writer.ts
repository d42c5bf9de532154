import { INLINE_BLOB_ON_CONFLICT, inlineBlobColumns, uniqueBlobs, type InlineBlob } from './inline-put-batcher.js';
import type { SqlDriver } from './sql-driver.js';
import { StatementBatcher } from './statement-batcher.js';

/*
 * The write side of sensor events, shared by every universe's store of one Storage: concurrent
 * records (each with its raw delivery, when it is stored inline) go out as one statement, and so
 * do concurrent mark-dispatched writes. A webhook burst then costs a few statements per batch
 * instead of three round trips per delivery. Dedupe is still the unique index: the batch inserts
 * with ON CONFLICT DO NOTHING, so of any number of deliveries of one key — in one batch, across
 * batches, across servers — exactly one row is inserted.
 */

export const EVENT_COLUMNS = 'event_id, source, type, external_id, dedupe_key, subject, payload, raw_ref, received_at, dispatched_at, firings';

export interface EventRow {
  event_id: string;
  source: string;
  type: string;
  external_id: string | null;
  dedupe_key: string;
  subject: string | null;
  payload: string;
  raw_ref: string | null;
  received_at: unknown;
  dispatched_at: unknown;
  firings: string;
}

export interface EventRecord {
  eventId: string;
  source: string;
  type: string;
  externalId: string | null;
  dedupeKey: string;
  subject: string | null;
  payload: string;
  rawRef: string | null;
  receivedAt: number;
  /** The raw delivery, written with the event in the same statement (its ref is `rawRef`). */
  blob?: InlineBlob;
}

/** The event's row and whether this record inserted it; undefined when its holder was not visible yet. */
export type RecordResult = { row: EventRow; inserted: boolean } | undefined;

// The raw deliveries and the events in one statement, so an event never names a raw body that is
// not stored. The last part answers holders committed before the statement; a holder inserted by
// this same statement is matched by the caller from `ins`.
const RECORD_MANY = `WITH raw AS (
  INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at)
  SELECT $1, b.ref, b.size, b.media_type, b.bytes, $2
  FROM unnest($3::text[], $4::bigint[], $5::text[], $6::bytea[]) AS b(ref, size, media_type, bytes)
  ${INLINE_BLOB_ON_CONFLICT}),
ins AS (
  INSERT INTO ls_sensor_events (universe, event_id, source, type, external_id, dedupe_key, subject, payload, raw_ref, received_at, firings)
  SELECT $1, e.event_id, e.source, e.type, e.external_id, e.dedupe_key, e.subject, e.payload, e.raw_ref, e.received_at, '[]'
  FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[])
    AS e(event_id, source, type, external_id, dedupe_key, subject, payload, raw_ref, received_at)
  ON CONFLICT (universe, dedupe_key) DO NOTHING RETURNING ${EVENT_COLUMNS})
SELECT ${EVENT_COLUMNS}, true AS inserted FROM ins
UNION ALL
SELECT ${EVENT_COLUMNS}, false AS inserted FROM ls_sensor_events
WHERE universe = $1 AND dedupe_key = ANY($11::text[]) AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.dedupe_key = ls_sensor_events.dedupe_key)`;

// By the primary key (an index scan for any batch size), each row taking its own firings and time.
const MARK_MANY = `UPDATE ls_sensor_events
SET firings = ($3::text[])[array_position($2::text[], event_id::text)], dispatched_at = ($4::bigint[])[array_position($2::text[], event_id::text)]
WHERE universe = $1 AND event_id = ANY($2::text[]) RETURNING ${EVENT_COLUMNS}`;

export class SensorEventWriter {
  private readonly records: StatementBatcher<EventRecord, RecordResult>;
  private readonly marks: StatementBatcher<{ eventId: string; firings: string; at: number }, EventRow | undefined>;

  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
    maxInFlight: number,
  ) {
    this.records = new StatementBatcher(maxInFlight, (universe, items) => this.recordMany(universe, items), { onePerKey: true, weight: (record) => record.payload.length + (record.blob?.bytes.byteLength ?? 0) });
    this.marks = new StatementBatcher(maxInFlight, (universe, items) => this.markMany(universe, items), { onePerKey: true, weight: (mark) => mark.firings.length });
  }

  record(universe: string, record: EventRecord): Promise<RecordResult> {
    return this.records.submit(universe, record);
  }

  markDispatched(universe: string, eventId: string, firings: string, at: number): Promise<EventRow | undefined> {
    return this.marks.submit(universe, { eventId, firings, at });
  }

  private async recordMany(universe: string, items: EventRecord[]): Promise<RecordResult[]> {
    const blobs = uniqueBlobs(items.flatMap((item) => (item.blob ? [item.blob] : [])));
    const { rows } = await this.driver.query<EventRow & { inserted: boolean }>(RECORD_MANY, [
      universe,
      this.now(),
      ...inlineBlobColumns(blobs),
      items.map((item) => item.eventId),
      items.map((item) => item.source),
      items.map((item) => item.type),
      items.map((item) => item.externalId),
      items.map((item) => item.dedupeKey),
      items.map((item) => item.subject),
      items.map((item) => item.payload),
      items.map((item) => item.rawRef),
      items.map((item) => item.receivedAt),
    ]);
    const byKey = new Map(rows.map((row) => [row.dedupe_key, row]));
    return items.map((item) => {
      const row = byKey.get(item.dedupeKey);
      return row ? { row, inserted: row.inserted && row.event_id === item.eventId } : undefined;
    });
  }

  private async markMany(universe: string, items: { eventId: string; firings: string; at: number }[]): Promise<(EventRow | undefined)[]> {
    // Two dispatches of one event in a batch (a repair racing a late repeat) write one of them.
    const unique = new Map(items.map((item) => [item.eventId, item]));
    const marks = [...unique.values()];
    const { rows } = await this.driver.query<EventRow>(MARK_MANY, [universe, marks.map((m) => m.eventId), marks.map((m) => m.firings), marks.map((m) => m.at)]);
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    return items.map((item) => byId.get(item.eventId));
  }
}
