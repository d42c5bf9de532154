import { randomBytes, randomUUID } from 'node:crypto';
import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import {
  LightspeedError,
  MEMORY_PROVIDERS,
  type Clock,
  type MemoryAttribute,
  type MemoryEntityRef,
  type MemoryEvent,
  type MemoryEventInput,
  type MemoryEventStore,
  type MemoryPersonMapping,
  type MemoryProvider,
  type MemoryRelatedEntity,
  type MemorySecretRecord,
  type MemorySource,
  type MemorySourceDirectory,
  type MemorySourceRecordInput,
  type MemorySourceStore,
  type SignificanceFactor,
} from '@lightspeed/ports';
import { checkId, checkUniverse, decodeCursor, encodeCursor } from './identifiers.js';
import { checkExpectedRevision, keysetPage } from './record-table.js';
import type { InlineBlob } from './inline-put-batcher.js';
import type { SqlBlobStore } from './sql-blob-store.js';
import { checkMemoryGraph } from './sql-memory-graph-writer.js';
import { EVENT_COLUMNS, type EventRow, type MemoryEventWriter } from './sql-memory-event-writer.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

/*
 * Memory sources and events in the SQL store (migration 7). A source's secret is stored as the
 * memory package hands it over (sealed ciphertext or an env var name) in a column only the webhook
 * directory reads. Events are immutable and recorded once per (universe, source key) by
 * `INSERT … ON CONFLICT DO NOTHING`, so concurrent redeliveries make one row; the entities and
 * edges an event asserts are written in the same transaction, shared by the concurrent events of
 * the universe (sql-memory-event-writer.ts).
 */

const SOURCE_SELECT = `universe, source_id, provider, display_name, event_types, people, webhook_id, secret_kind, CASE WHEN secret_kind = 'env' THEN secret END AS secret_kind_env, revision, created_at, updated_at`;
/** The largest canonical body, related list or attribute set kept in a row (JSON characters). */
export const MAX_MEMORY_EVENT_FIELD_CHARS = 64 * 1024;
/** People mappings per source (their content is validated by the memory package). */
export const MAX_PEOPLE_MAPPINGS = 1000;

interface SourceRow {
  universe: string;
  source_id: string;
  provider: MemoryProvider;
  display_name: string | null;
  event_types: string;
  people: string;
  webhook_id: string;
  secret_kind: 'sealed' | 'env';
  secret_kind_env: string | null;
  revision: unknown;
  created_at: unknown;
  updated_at: unknown;
}


function sourceOf(row: SourceRow): MemorySource {
  return {
    sourceId: row.source_id,
    provider: row.provider,
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
    eventTypes: JSON.parse(row.event_types) as string[],
    people: JSON.parse(row.people) as MemoryPersonMapping[],
    webhookId: row.webhook_id,
    secretKind: row.secret_kind,
    ...(row.secret_kind_env !== null ? { secretEnv: row.secret_kind_env } : {}),
    revision: numberOf(row.revision),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
}

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

/** An unguessable path segment: knowing a source's id is not enough to post to it. */
function newWebhookId(): string {
  return `mw_${randomBytes(18).toString('base64url')}`;
}

function checkSourceInput(input: MemorySourceRecordInput): void {
  if (!MEMORY_PROVIDERS.includes(input.provider)) throw invalid('provider', `must be one of ${MEMORY_PROVIDERS.join(', ')}`);
  if (input.displayName !== undefined && (typeof input.displayName !== 'string' || input.displayName.length > 256)) throw invalid('displayName', 'at most 256 characters');
  if (!Array.isArray(input.eventTypes) || input.eventTypes.length > 256 || input.eventTypes.some((t) => typeof t !== 'string' || t.length === 0 || t.length > 128)) {
    throw invalid('eventTypes', 'at most 256 types of 1-128 characters');
  }
  if (input.people !== undefined && (!Array.isArray(input.people) || input.people.length > MAX_PEOPLE_MAPPINGS)) throw invalid('people', `at most ${MAX_PEOPLE_MAPPINGS} mappings`);
  const secret = input.secret;
  if (secret.kind === 'sealed' ? typeof secret.sealed !== 'string' || secret.sealed.length === 0 : !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(secret.name)) {
    throw invalid('secret', secret.kind === 'env' ? 'an env var name is [A-Za-z_][A-Za-z0-9_]*' : 'a sealed secret is a non-empty string');
  }
}

export class SqlMemorySourceStore implements MemorySourceStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async put(sourceId: string, input: MemorySourceRecordInput, options: { expectedRevision?: number } = {}): Promise<MemorySource> {
    const id = checkId('memory source', sourceId);
    checkSourceInput(input);
    const { expectedRevision } = options;
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    const now = this.clock.now();
    const secret = input.secret.kind === 'sealed' ? input.secret.sealed : input.secret.name;
    const params = [this.universe, id, input.provider, input.displayName ?? null, JSON.stringify(input.eventTypes), input.secret.kind, secret, now, JSON.stringify(input.people ?? [])];
    // A source keeps its webhook id across updates: the provider is configured with the URL.
    const { rows } =
      expectedRevision !== undefined && expectedRevision > 0
        ? await this.driver.query<SourceRow>(
            `UPDATE ls_memory_sources SET provider = $3, display_name = $4, event_types = $5, secret_kind = $6, secret = $7, people = $9, revision = revision + 1, updated_at = $8
             WHERE universe = $1 AND source_id = $2 AND revision = $10 RETURNING ${SOURCE_SELECT}`,
            [...params, expectedRevision],
          )
        : await this.driver.query<SourceRow>(
            // expectedRevision 0 ("must not exist") makes the conflict a no-op instead of an update.
            `INSERT INTO ls_memory_sources AS s (universe, source_id, provider, display_name, event_types, secret_kind, secret, created_at, updated_at, people, revision, webhook_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, 1, $10)
             ON CONFLICT (universe, source_id) DO UPDATE SET provider = EXCLUDED.provider, display_name = EXCLUDED.display_name, event_types = EXCLUDED.event_types,
               secret_kind = EXCLUDED.secret_kind, secret = EXCLUDED.secret, people = EXCLUDED.people, revision = s.revision + 1, updated_at = EXCLUDED.updated_at
             WHERE $11::bigint IS NULL
             RETURNING ${SOURCE_SELECT}`,
            [...params, newWebhookId(), expectedRevision ?? null],
          );
    if (rows[0]) return sourceOf(rows[0]);
    const current = await this.get(id);
    throw new LightspeedError('conflict', current ? `memory source ${id} is at revision ${current.revision}, not ${expectedRevision}; read it again and retry` : `memory source ${id} does not exist (expectedRevision ${expectedRevision})`, {
      sourceId: id,
      expectedRevision,
      actualRevision: current?.revision ?? 0,
    });
  }

  async get(sourceId: string): Promise<MemorySource | undefined> {
    const { rows } = await this.driver.query<SourceRow>(`SELECT ${SOURCE_SELECT} FROM ls_memory_sources WHERE universe = $1 AND source_id = $2`, [this.universe, checkId('memory source', sourceId)]);
    return rows[0] ? sourceOf(rows[0]) : undefined;
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ sources: MemorySource[]; nextCursor?: string }> {
    const page = await keysetPage(
      this.driver,
      { table: 'ls_memory_sources', keyColumn: 'source_id', columns: SOURCE_SELECT, universe: this.universe, what: 'memory source list', map: sourceOf, keyOf: (s: MemorySource) => s.sourceId },
      options,
    );
    return page.nextCursor ? { sources: page.items, nextCursor: page.nextCursor } : { sources: page.items };
  }

  async delete(sourceId: string): Promise<boolean> {
    const { rowCount } = await this.driver.query(`DELETE FROM ls_memory_sources WHERE universe = $1 AND source_id = $2`, [this.universe, checkId('memory source', sourceId)]);
    return rowCount > 0;
  }
}

/** `POST /webhooks/<provider>/<webhookId>` → the source (any universe) and its stored secret. */
export class SqlMemorySourceDirectory implements MemorySourceDirectory {
  constructor(private readonly driver: SqlDriver) {}

  async resolve(webhookId: string): Promise<{ universe: string; source: MemorySource; secret: MemorySecretRecord } | undefined> {
    if (!/^mw_[A-Za-z0-9_-]{1,64}$/.test(webhookId)) return undefined;
    const { rows } = await this.driver.query<SourceRow & { secret: string }>(`SELECT ${SOURCE_SELECT}, secret FROM ls_memory_sources WHERE webhook_id = $1`, [webhookId]);
    const row = rows[0];
    if (!row) return undefined;
    const secret: MemorySecretRecord = row.secret_kind === 'sealed' ? { kind: 'sealed', sealed: row.secret } : { kind: 'env', name: row.secret };
    return { universe: row.universe, source: sourceOf(row), secret };
  }
}

export function eventOf(row: EventRow): MemoryEvent {
  return {
    eventId: row.event_id,
    sourceId: row.source_id,
    provider: row.provider,
    type: row.type,
    ...(row.action !== null ? { action: row.action } : {}),
    occurredAt: numberOf(row.occurred_at),
    sourceKey: row.source_key,
    ...(row.delivery_id !== null ? { deliveryId: row.delivery_id } : {}),
    ...(row.primary_type !== null && row.primary_key !== null ? { primary: { type: row.primary_type, key: row.primary_key } } : {}),
    related: JSON.parse(row.related) as MemoryRelatedEntity[],
    title: row.title,
    ...(row.body !== null ? { body: row.body } : {}),
    attributes: JSON.parse(row.attributes) as Record<string, MemoryAttribute>,
    significance: numberOf(row.significance),
    factors: JSON.parse(row.factors) as SignificanceFactor[],
    ...(row.raw_ref !== null ? { rawRef: row.raw_ref as BlobRef } : {}),
    receivedAt: numberOf(row.received_at),
  };
}

function bounded(field: string, text: string): string {
  if (text.length > MAX_MEMORY_EVENT_FIELD_CHARS) throw new LightspeedError('too_large', `${field}: at most ${MAX_MEMORY_EVENT_FIELD_CHARS} characters`, { field });
  return text;
}

function checkEventInput(input: MemoryEventInput): void {
  if (!MEMORY_PROVIDERS.includes(input.provider)) throw invalid('provider', `must be one of ${MEMORY_PROVIDERS.join(', ')}`);
  for (const field of ['sourceId', 'type', 'sourceKey'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 512) throw invalid(field, 'must be 1-512 characters');
  }
  if (!Number.isSafeInteger(input.occurredAt)) throw invalid('occurredAt', 'must be epoch milliseconds');
  if (!Number.isInteger(input.significance) || input.significance < 0 || input.significance > 100) throw invalid('significance', 'must be an integer 0-100');
  if (input.rawRef !== undefined && !isBlobRef(input.rawRef)) throw invalid('rawRef', 'must be a blob ref');
  if (input.rawRef !== undefined && input.raw !== undefined) throw invalid('raw', 'give raw or rawRef, not both');
}

export class SqlMemoryEventStore implements MemoryEventStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
    private readonly writer: MemoryEventWriter,
    private readonly blobs: SqlBlobStore,
  ) {
    this.universe = checkUniverse(universe);
  }

  async record(input: MemoryEventInput): Promise<{ event: MemoryEvent; deduped: boolean }> {
    checkEventInput(input);
    if (input.graph) checkMemoryGraph(input.graph);
    const related = bounded('related', JSON.stringify(input.related));
    const title = bounded('title', input.title);
    const body = input.body === undefined ? null : bounded('body', input.body);
    const attributes = bounded('attributes', JSON.stringify(input.attributes));
    const factors = JSON.stringify(input.factors);
    const eventId = `mev_${randomUUID()}`;
    let rawRef = input.rawRef ?? null;
    let blob: InlineBlob | undefined;
    if (input.raw) {
      blob = this.blobs.inlineRow(input.raw.bytes, input.raw.mediaType);
      // A body for the object store is put first: the event never names a raw body not stored.
      rawRef = blob ? blob.ref : (await this.blobs.put(input.raw.bytes, input.raw.mediaType === undefined ? {} : { mediaType: input.raw.mediaType })).ref;
    }
    // The event and the graph it asserts commit together, with the other events of its batch; a deduped redelivery writes neither.
    const outcome = await this.writer.record(this.universe, {
      eventId,
      sourceKey: input.sourceKey,
      occurredAt: input.occurredAt,
      values: [
        eventId,
        input.sourceId,
        input.provider,
        input.type,
        input.action ?? null,
        input.occurredAt,
        input.sourceKey,
        input.deliveryId ?? null,
        input.primary?.type ?? null,
        input.primary?.key ?? null,
        related,
        title,
        body,
        attributes,
        input.significance,
        factors,
        rawRef,
        this.clock.now(),
      ],
      ...(input.graph ? { graph: input.graph } : {}),
      ...(blob ? { blob } : {}),
      weight: related.length + title.length + (body?.length ?? 0) + attributes.length + factors.length + (blob?.bytes.byteLength ?? 0),
    });
    if (outcome) return { event: eventOf(outcome.row), deduped: !outcome.inserted };
    // The holder committed before our insert saw the conflict, so it is visible now; events are immutable and never deleted here.
    const held = await this.driver.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ls_memory_events WHERE universe = $1 AND source_key = $2`, [this.universe, input.sourceKey]);
    if (!held.rows[0]) throw new LightspeedError('unavailable', `the memory event with source key ${input.sourceKey} vanished while it was recorded; send it again`);
    return { event: eventOf(held.rows[0]), deduped: true };
  }

  async get(eventId: string): Promise<MemoryEvent | undefined> {
    const { rows } = await this.driver.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ls_memory_events WHERE universe = $1 AND event_id = $2`, [this.universe, checkId('memory event', eventId)]);
    return rows[0] ? eventOf(rows[0]) : undefined;
  }

  async list(
    options: { provider?: MemoryProvider; type?: string; sourceId?: string; minSignificance?: number; entity?: MemoryEntityRef; limit?: number; cursor?: string } = {},
  ): Promise<{ events: MemoryEvent[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor, ['number', 'string'] as const, 'memory event list');
    const { rows } = await this.driver.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ls_memory_events WHERE universe = $1 AND ($2::text IS NULL OR provider = $2) AND ($3::text IS NULL OR type = $3)
         AND ($4::text IS NULL OR source_id = $4) AND ($5::integer IS NULL OR significance >= $5)
         AND ($6::bigint IS NULL OR (occurred_at, event_id) < ($6::bigint, $7::text))
         AND ($9::text IS NULL OR (primary_type = $9 AND primary_key = $10) OR related::jsonb @> $11::jsonb)
       ORDER BY occurred_at DESC, event_id DESC LIMIT $8`,
      [
        this.universe,
        options.provider ?? null,
        options.type ?? null,
        options.sourceId ?? null,
        options.minSignificance ?? null,
        after ? after[0] : null,
        after ? after[1] : null,
        limit + 1,
        // An entity's events: it is their primary entity, or one of their related ones (any relation).
        options.entity?.type ?? null,
        options.entity?.key ?? null,
        options.entity ? JSON.stringify([{ type: options.entity.type, key: options.entity.key }]) : null,
      ],
    );
    const events = rows.slice(0, limit).map(eventOf);
    const last = events[events.length - 1];
    return rows.length > limit && last ? { events, nextCursor: encodeCursor([last.occurredAt, last.eventId]) } : { events };
  }
}
