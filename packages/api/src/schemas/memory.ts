import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';

/*
 * Lightspeed extension (issue 16): memory sources (`memory/sources/*`) and the canonical events
 * their verified webhooks become (`memory/events/*`). Not in the v1 contract. Deliveries arrive at
 * `POST /webhooks/<provider>/<webhookId>` (docs/0022-memory.md).
 */

const id = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, '1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');

export const MemoryProviderName = named('MemoryProvider', z.enum(['github', 'linear', 'sentry', 'vercel']));

export const MemoryPersonMapping = named(
  'MemoryPersonMapping',
  z
    .strictObject({
      github: z.string().min(1).max(39).nullish().describe('GitHub login.'),
      linear: z.string().min(1).max(128).nullish().describe('Linear user id.'),
      sentry: z.string().min(1).max(128).nullish().describe('Sentry user id.'),
      vercel: z.string().min(1).max(128).nullish().describe('Vercel user id.'),
      email: z.string().min(3).max(320).nullish().describe('The canonical key of the person when given (email:<address>).'),
    })
    .describe('One person across tools, stated explicitly: at least two identities; an identity in one mapping only. Never inferred from names.'),
);

export const MemorySourceView = named(
  'MemorySourceView',
  z.object({
    sourceId: z.string(),
    provider: MemoryProviderName,
    displayName: z.string().nullish(),
    eventTypes: z.array(z.string()).describe('Accepted event types; empty accepts all.'),
    people: z.array(MemoryPersonMapping).describe('Explicit people mappings applied to this source’s events.'),
    webhookPath: z.string().describe('Where the provider posts: /webhooks/<provider>/<webhookId> on this server.'),
    secretKind: z.enum(['sealed', 'env']).describe('sealed: encrypted at rest with the server key; env: read from a server environment variable.'),
    secretEnv: z.string().nullish(),
    revision: uint(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
  }),
);

export const MemorySourcePutParams = named(
  'MemorySourcePutParams',
  z.strictObject({
    sourceId: id(),
    provider: MemoryProviderName,
    displayName: z.string().min(1).max(256).nullish(),
    eventTypes: z.array(z.string().min(1).max(128)).max(256).nullish(),
    people: z.array(MemoryPersonMapping).max(1000).nullish().describe('Explicit people mappings; omitted or null keeps none (a put replaces the list).'),
    secret: z.string().min(1).max(1024).nullish().describe('The webhook secret (write-only, sealed with the server key). Omit on creation to have one generated and returned once.'),
    secretEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/)
      .nullish()
      .describe('Instead of a secret: the server environment variable that holds it.'),
    expectedRevision: uint().nullish(),
  }),
);
export const MemorySourcePutResponse = named('MemorySourcePutResponse', z.object({ source: MemorySourceView, secret: z.string().nullish().describe('Only when the server generated it: shown this once.') }));
export const MemorySourceIdParams = named('MemorySourceIdParams', z.strictObject({ sourceId: id() }));
export const MemorySourceListParams = named('MemorySourceListParams', z.strictObject({ limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(512).nullish() }));
export const MemorySourceResponse = named('MemorySourceResponse', z.object({ source: MemorySourceView }));
export const MemorySourceListResponse = named('MemorySourceListResponse', z.object({ sources: z.array(MemorySourceView), nextCursor: z.string().nullish() }));

const entity = z.object({ type: z.string(), key: z.string() });

export const MemoryEventView = named(
  'MemoryEventView',
  z.object({
    eventId: z.string(),
    sourceId: z.string(),
    provider: MemoryProviderName,
    type: z.string(),
    action: z.string().nullish(),
    occurredAtMs: epochMs(),
    receivedAtMs: epochMs(),
    sourceKey: z.string().describe('The dedupe key across redeliveries and backfills.'),
    deliveryId: z.string().nullish(),
    primary: entity.nullish(),
    related: z.array(entity.extend({ relation: z.string() })),
    title: z.string(),
    body: z.string().nullish(),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    significance: z.number().int().min(0).max(100),
    factors: z.array(z.object({ rule: z.string(), points: z.number().int() })).describe('The significance rules that applied.'),
    rawRef: z.string().nullish().describe('The raw delivery (headers without signatures, body) in CAS.'),
  }),
);

const entityType = () => z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a lower-case entity type (issue, pr, commit…)');
const entityKey = () => z.string().min(1).max(512);

export const MemoryEventListParams = named(
  'MemoryEventListParams',
  z.strictObject({
    provider: MemoryProviderName.nullish(),
    type: z.string().min(1).max(128).nullish(),
    sourceId: id().nullish(),
    minSignificance: z.number().int().min(0).max(100).nullish(),
    entity: z
      .strictObject({ type: entityType(), key: entityKey() })
      .nullish()
      .describe("Only the events about this entity: their primary entity or one of their related ones (its own key, not an alias)."),
    limit: z.number().int().min(1).max(1000).nullish(),
    cursor: z.string().max(512).nullish(),
  }),
);
export const MemoryEventListResponse = named('MemoryEventListResponse', z.object({ events: z.array(MemoryEventView), nextCursor: z.string().nullish() }));
export const MemoryEventReadParams = named('MemoryEventReadParams', z.strictObject({ eventId: z.string().min(1).max(256) }));
export const MemoryEventReadResponse = named('MemoryEventReadResponse', z.object({ event: MemoryEventView }));

export const MemoryImportParams = named(
  'MemoryImportParams',
  z.strictObject({
    sourceId: id(),
    deliveries: z
      .array(z.strictObject({ headers: z.record(z.string().min(1).max(256), z.string().max(8192)), body: z.string().max(25 * 1024 * 1024).describe('The raw body as sent (UTF-8).') }))
      .min(1)
      .max(500),
    trusted: z.boolean().nullish().describe('Skip the signature check (recorded deliveries from a trusted archive); dedupe always applies.'),
  }),
);
export const MemoryImportResponse = named(
  'MemoryImportResponse',
  z.object({
    accepted: uint(),
    deduped: uint(),
    ignored: uint().describe('Event types the source does not accept.'),
    rejected: z.array(z.object({ index: uint(), status: uint(), message: z.string() })),
  }),
);

// ---- The entity graph (memory/entities/*, memory/graph/neighbours) ----


export const MemoryEntityView = named(
  'MemoryEntityView',
  z.object({
    type: z.string(),
    key: z.string().describe('Stable within the type: github:octo/app#7, linear:ENG-42, github:octo/app@<sha>.'),
    aliases: z.array(z.string()).describe('Other keys that name this entity.'),
    title: z.string().nullish(),
    firstSeenMs: epochMs(),
    lastSeenMs: epochMs(),
    eventCount: uint(),
  }),
);

export const MemoryEdgeView = named(
  'MemoryEdgeView',
  z.object({
    type: z.string().describe('fixes, closes, resolves, references, deploys, authored_by, belongs_to, tracked_in, merged_as…'),
    from: entity,
    to: entity,
    evidence: z.array(z.string()).describe('Ids of the memory events that support the edge, oldest first (at most 50).'),
    evidenceCount: uint(),
    confidence: z.number().min(0).max(1).describe('1 for a payload field, 0.7 for a reference read from text.'),
    firstSeenMs: epochMs(),
    lastSeenMs: epochMs(),
    settledAtMs: epochMs().nullish().describe('When the claim took effect (the fixing PR merged).'),
    invalidAtMs: epochMs().nullish().describe('When a later event made the claim untrue (the issue reopened); the edge is kept.'),
    invalidatedBy: z.string().nullish().describe('The event that did.'),
  }),
);

export const MemoryEntityListParams = named('MemoryEntityListParams', z.strictObject({ type: entityType().nullish(), limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(1200).nullish() }));
export const MemoryEntityListResponse = named('MemoryEntityListResponse', z.object({ entities: z.array(MemoryEntityView), nextCursor: z.string().nullish() }));
export const MemoryEntityReadParams = named('MemoryEntityReadParams', z.strictObject({ type: entityType(), key: entityKey().describe('The key or an alias.') }));
export const MemoryEntityReadResponse = named('MemoryEntityReadResponse', z.object({ entity: MemoryEntityView }));
export const MemoryNeighboursParams = named(
  'MemoryNeighboursParams',
  z.strictObject({
    type: entityType(),
    key: entityKey(),
    depth: z.number().int().min(1).max(3).nullish().describe('Edges to follow, either way (default 1).'),
    edgeTypes: z.array(z.string().min(1).max(32)).max(32).nullish(),
    entityTypes: z.array(entityType()).max(32).nullish().describe('Only reach entities of these types.'),
    asOfMs: epochMs().nullish().describe('The graph as it stood then: edges first seen later are hidden, edges voided later read as valid.'),
  }),
);
export const MemoryNeighboursResponse = named('MemoryNeighboursResponse', z.object({ root: MemoryEntityView, entities: z.array(MemoryEntityView), edges: z.array(MemoryEdgeView) }));
