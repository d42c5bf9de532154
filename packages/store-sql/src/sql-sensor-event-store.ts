import { randomUUID } from 'node:crypto';
import { canonicalJson, type BlobRef } from '@lightspeed/engine';
import type { InlineBlob } from './inline-put-batcher.js';
import { LightspeedError, type Clock, type SensorEvent, type SensorEventInput, type SensorEventStore, type TaskJson, type TriggerFiring } from '@lightspeed/ports';
import { checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import type { SqlBlobStore } from './sql-blob-store.js';
import { numberOf, type SqlDriver } from './sql-driver.js';
import { EVENT_COLUMNS, type EventRow, type SensorEventWriter } from './sql-sensor-event-writer.js';

/*
 * Sensor events in the SQL store (migration 8): recorded once per (universe, dedupe key) by
 * `INSERT … ON CONFLICT DO NOTHING`, so any number of concurrent deliveries make one row.
 */

const COLUMNS = EVENT_COLUMNS;
/** An event's payload is what a trigger maps into a task; the raw delivery (any size up to the body cap) is in CAS. */
export const MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;

function eventOf(row: EventRow): SensorEvent {
  return {
    id: row.event_id,
    source: row.source,
    type: row.type,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    dedupeKey: row.dedupe_key,
    ...(row.subject !== null ? { subject: row.subject } : {}),
    payload: JSON.parse(row.payload) as TaskJson,
    ...(row.raw_ref !== null ? { rawRef: row.raw_ref as BlobRef } : {}),
    receivedAt: numberOf(row.received_at),
    ...(row.dispatched_at !== null ? { dispatchedAt: numberOf(row.dispatched_at) } : {}),
    firings: JSON.parse(row.firings) as TriggerFiring[],
  };
}

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

/** The checked columns of an input, or `invalid` naming the field. */
function checkInput(input: SensorEventInput): { dedupeKey: string; payload: string } {
  const allowed = new Set(['source', 'type', 'externalId', 'dedupeKey', 'subject', 'payload', 'rawRef', 'raw']);
  for (const key of Object.keys(input)) if (!allowed.has(key)) throw invalid(key, 'unknown field of a sensor event');
  if (typeof input.source !== 'string' || !NAME.test(input.source)) throw invalid('source', 'must be 1-128 characters of [A-Za-z0-9._:/@-], starting with a letter or digit');
  if (typeof input.type !== 'string' || !NAME.test(input.type)) throw invalid('type', 'must be 1-128 characters of [A-Za-z0-9._:/@-], starting with a letter or digit');
  for (const field of ['externalId', 'dedupeKey', 'subject'] as const) {
    const value = input[field];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > 512)) throw invalid(field, 'must be 1-512 characters');
  }
  if (input.raw !== undefined && input.rawRef !== undefined) throw invalid('raw', 'give the raw delivery (stored with the event) or the rawRef of one already in CAS, not both');
  if (input.raw !== undefined && (input.raw === null || !(input.raw.bytes instanceof Uint8Array))) throw invalid('raw.bytes', 'the raw delivery bytes');
  const dedupeKey = input.dedupeKey ?? (input.externalId !== undefined ? `${input.source}:${input.externalId}` : undefined);
  if (dedupeKey === undefined) throw invalid('dedupeKey', 'an event needs a dedupeKey or an externalId (repeats are recognised by it)');
  let payload: string;
  try {
    payload = canonicalJson(input.payload ?? null);
  } catch {
    throw invalid('payload', 'must be plain JSON');
  }
  if (Buffer.byteLength(payload) > MAX_EVENT_PAYLOAD_BYTES) throw new LightspeedError('too_large', `payload: at most ${MAX_EVENT_PAYLOAD_BYTES} bytes of JSON`, { field: 'payload' });
  return { dedupeKey, payload };
}

export class SqlSensorEventStore implements SensorEventStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
    private readonly writer: SensorEventWriter,
    private readonly blobs: SqlBlobStore,
  ) {
    this.universe = checkUniverse(universe);
  }

  async record(input: SensorEventInput): Promise<{ event: SensorEvent; deduped: boolean }> {
    const { dedupeKey, payload } = checkInput(input);
    let rawRef = input.rawRef ?? null;
    let blob: InlineBlob | undefined;
    if (input.raw) {
      blob = this.blobs.inlineRow(input.raw.bytes, input.raw.mediaType);
      // A body for the object store is put first: the event never names a raw body not stored.
      rawRef = blob ? blob.ref : (await this.blobs.put(input.raw.bytes, input.raw.mediaType === undefined ? {} : { mediaType: input.raw.mediaType })).ref;
    }
    // One statement (shared with concurrent records) stores the raw body and records a new event or answers the holder of its key…
    const recorded = await this.writer.record(this.universe, {
      eventId: `evt_${randomUUID()}`,
      source: input.source,
      type: input.type,
      externalId: input.externalId ?? null,
      dedupeKey,
      subject: input.subject ?? null,
      payload,
      rawRef,
      receivedAt: this.clock.now(),
      ...(blob ? { blob } : {}),
    });
    if (recorded) return { event: eventOf(recorded.row), deduped: !recorded.inserted };
    // …unless the holder committed after that statement's snapshot was taken (a concurrent first
    // delivery): the conflict waited for it, so a new statement sees it. Events are never deleted here.
    const held = await this.driver.query<EventRow>(`SELECT ${COLUMNS} FROM ls_sensor_events WHERE universe = $1 AND dedupe_key = $2`, [this.universe, dedupeKey]);
    if (!held.rows[0]) throw new LightspeedError('unavailable', `the event with dedupe key ${dedupeKey} vanished while it was recorded; send it again`);
    return { event: eventOf(held.rows[0]), deduped: true };
  }

  async get(eventId: string): Promise<SensorEvent | undefined> {
    const { rows } = await this.driver.query<EventRow>(`SELECT ${COLUMNS} FROM ls_sensor_events WHERE universe = $1 AND event_id = $2`, [this.universe, eventId]);
    return rows[0] ? eventOf(rows[0]) : undefined;
  }

  async list(options: { source?: string; type?: string; limit?: number; cursor?: string } = {}): Promise<{ events: SensorEvent[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor, ['number', 'string'] as const, 'event list');
    const { rows } = await this.driver.query<EventRow>(
      `SELECT ${COLUMNS} FROM ls_sensor_events WHERE universe = $1 AND ($2::text IS NULL OR source = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::bigint IS NULL OR (received_at, event_id) < ($4::bigint, $5::text))
       ORDER BY received_at DESC, event_id DESC LIMIT $6`,
      [this.universe, options.source ?? null, options.type ?? null, after ? after[0] : null, after ? after[1] : null, limit + 1],
    );
    const events = rows.slice(0, limit).map(eventOf);
    const last = events[events.length - 1];
    return rows.length > limit && last ? { events, nextCursor: encodeCursor([last.receivedAt, last.id]) } : { events };
  }

  async markDispatched(eventId: string, firings: readonly TriggerFiring[]): Promise<SensorEvent> {
    const row = await this.writer.markDispatched(this.universe, eventId, JSON.stringify(firings), this.clock.now());
    if (!row) throw new LightspeedError('not_found', `event ${eventId} does not exist`, { eventId });
    return eventOf(row);
  }

  async undispatched(before: number, limit: number): Promise<SensorEvent[]> {
    const { rows } = await this.driver.query<EventRow>(
      `SELECT ${COLUMNS} FROM ls_sensor_events WHERE universe = $1 AND dispatched_at IS NULL AND received_at <= $2 ORDER BY received_at LIMIT $3`,
      [this.universe, before, Math.max(1, Math.min(Math.trunc(limit), 1000))],
    );
    return rows.map(eventOf);
  }
}
