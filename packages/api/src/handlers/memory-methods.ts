import type { MemoryEdge, MemoryEntity, MemoryEvent, MemoryPersonMapping, MemorySearchFilters, MemorySearchQuery, MemorySource } from '@lightspeed/ports';
import type { Memory } from '@lightspeed/memory';
import { notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';

/** What the gateway needs to serve `memory/*` and `POST /webhooks/<provider>/<webhookId>`. */
export type MemoryOptions = Memory;

export function memorySourceView(source: MemorySource) {
  return {
    sourceId: source.sourceId,
    provider: source.provider,
    displayName: source.displayName ?? null,
    eventTypes: source.eventTypes,
    people: source.people,
    webhookPath: `/webhooks/${source.provider}/${source.webhookId}`,
    secretKind: source.secretKind,
    secretEnv: source.secretEnv ?? null,
    revision: source.revision,
    createdAtMs: source.createdAt,
    updatedAtMs: source.updatedAt,
  };
}

/** The wire's nullish identities → the mapping's absent ones. */
function personMapping(wire: { github?: string | null; linear?: string | null; sentry?: string | null; vercel?: string | null; email?: string | null }): MemoryPersonMapping {
  const mapping: MemoryPersonMapping = {};
  for (const kind of ['github', 'linear', 'sentry', 'vercel', 'email'] as const) {
    const value = wire[kind];
    if (value != null) mapping[kind] = value;
  }
  return mapping;
}

export function memoryEventView(event: MemoryEvent) {
  return {
    eventId: event.eventId,
    sourceId: event.sourceId,
    provider: event.provider,
    type: event.type,
    action: event.action ?? null,
    occurredAtMs: event.occurredAt,
    receivedAtMs: event.receivedAt,
    sourceKey: event.sourceKey,
    deliveryId: event.deliveryId ?? null,
    primary: event.primary ?? null,
    related: event.related,
    title: event.title,
    body: event.body ?? null,
    attributes: event.attributes,
    significance: event.significance,
    factors: event.factors,
    rawRef: event.rawRef ?? null,
  };
}

export function memoryEntityView(entity: MemoryEntity) {
  return { type: entity.type, key: entity.key, aliases: entity.aliases, title: entity.title ?? null, firstSeenMs: entity.firstSeen, lastSeenMs: entity.lastSeen, eventCount: entity.eventCount };
}

export function memoryEdgeView(edge: MemoryEdge) {
  return {
    type: edge.type,
    from: edge.from,
    to: edge.to,
    evidence: edge.evidence,
    evidenceCount: edge.evidenceCount,
    confidence: edge.confidence,
    firstSeenMs: edge.firstSeen,
    lastSeenMs: edge.lastSeen,
    settledAtMs: edge.settledAt ?? null,
    invalidAtMs: edge.invalidAt ?? null,
    invalidatedBy: edge.invalidatedBy ?? null,
  };
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

const page = (limit?: number | null, cursor?: string | null) => ({ ...(limit != null ? { limit } : {}), ...(cursor != null ? { cursor } : {}) });

/** memory/sources/*, memory/events/* (Lightspeed extensions, issue 16). */
export function memoryMethods(memory: MemoryOptions): MethodHandlers {
  return {
    'memory/sources/put': async ({ sourceId, provider, displayName, eventTypes, people, secret, secretEnv, expectedRevision }, { universe }) => {
      const put = await memory.sources.put(
        universe,
        {
          sourceId,
          provider,
          ...(displayName != null ? { displayName } : {}),
          ...(eventTypes != null ? { eventTypes } : {}),
          ...(people != null ? { people: people.map(personMapping) } : {}),
          ...(secret != null ? { secret } : {}),
          ...(secretEnv != null ? { secretEnv } : {}),
        },
        expectedRevision ?? undefined,
      );
      return { result: { source: memorySourceView(put.source), secret: put.secret ?? null } };
    },
    'memory/sources/read': async ({ sourceId }, { universe }) => ({ result: { source: memorySourceView(await memory.sources.read(universe, sourceId)) } }),
    'memory/sources/list': async ({ limit, cursor }, { universe }) => {
      const listed = await memory.sources.list(universe, page(limit, cursor));
      return { result: { sources: listed.sources.map(memorySourceView), nextCursor: listed.nextCursor ?? null } };
    },
    'memory/sources/delete': async ({ sourceId }, { universe }) => ({ result: { source: memorySourceView(await memory.sources.delete(universe, sourceId)) } }),
    'memory/events/list': async ({ provider, type, sourceId, minSignificance, entity, limit, cursor }, { universe }) => {
      const listed = await memory.events(universe).list({
        ...(provider != null ? { provider } : {}),
        ...(type != null ? { type } : {}),
        ...(sourceId != null ? { sourceId } : {}),
        ...(minSignificance != null ? { minSignificance } : {}),
        ...(entity != null ? { entity } : {}),
        ...page(limit, cursor),
      });
      return { result: { events: listed.events.map(memoryEventView), nextCursor: listed.nextCursor ?? null } };
    },
    'memory/deliveries/import': async ({ sourceId, deliveries, trusted }, { universe }) => {
      const source = await memory.sources.read(universe, sourceId);
      const encoder = new TextEncoder();
      const answers = await memory.ingress.importDeliveries(universe, source, deliveries.map((d) => ({ headers: lowerCased(d.headers), body: encoder.encode(d.body) })), { trusted: trusted === true });
      const rejected = answers.flatMap((answer, index) => (answer.status >= 300 ? [{ index, status: answer.status, message: String((answer.body.error as { message?: string } | undefined)?.message ?? 'refused') }] : []));
      return {
        result: {
          accepted: answers.filter((a) => a.status === 202).length,
          deduped: answers.filter((a) => a.status === 200 && a.body.deduped === true).length,
          ignored: answers.filter((a) => a.status === 200 && a.body.ignored === true).length,
          rejected,
        },
      };
    },
    'memory/entities/list': async ({ type, limit, cursor }, { universe }) => {
      const listed = await memory.graph(universe).entities({ ...(type != null ? { type } : {}), ...page(limit, cursor) });
      return { result: { entities: listed.entities.map(memoryEntityView), nextCursor: listed.nextCursor ?? null } };
    },
    'memory/entities/read': async ({ type, key }, { universe }) => {
      const entity = await memory.graph(universe).entity({ type, key });
      if (!entity) throw notFound(`memory entity ${type} ${key} does not exist; list them with memory/entities/list`);
      return { result: { entity: memoryEntityView(entity) } };
    },
    'memory/graph/neighbours': async ({ type, key, depth, edgeTypes, entityTypes, asOfMs }, { universe }) => {
      const found = await memory.graph(universe).neighbours(
        { type, key },
        { ...(depth != null ? { depth } : {}), ...(edgeTypes != null ? { edgeTypes } : {}), ...(entityTypes != null ? { entityTypes } : {}), ...(asOfMs != null ? { asOf: asOfMs } : {}) },
      );
      if (!found) throw notFound(`memory entity ${type} ${key} does not exist; list them with memory/entities/list`);
      return { result: { root: memoryEntityView(found.root), entities: found.entities.map(memoryEntityView), edges: found.edges.map(memoryEdgeView) } };
    },
    'memory/search': async ({ query, sourceIds, providers, types, afterMs, beforeMs, entityTypes, minSignificance, limit, cursor, weights }, { universe }) => {
      const filters: MemorySearchFilters = {
        ...(sourceIds != null ? { sourceIds } : {}),
        ...(providers != null ? { providers } : {}),
        ...(types != null ? { types } : {}),
        ...(afterMs != null ? { after: afterMs } : {}),
        ...(beforeMs != null ? { before: beforeMs } : {}),
        ...(entityTypes != null ? { entityTypes } : {}),
        ...(minSignificance != null ? { minSignificance } : {}),
      };
      const pathWeights = Object.fromEntries(Object.entries(weights ?? {}).filter(([, w]) => w != null)) as MemorySearchQuery['weights'];
      const found = await memory.search.search(universe, { query, filters, ...page(limit, cursor), ...(pathWeights && Object.keys(pathWeights).length ? { weights: pathWeights } : {}) });
      return {
        result: {
          hits: found.hits.map((hit) => ({ eventId: hit.eventId, event: memoryEventView(hit.event), score: hit.score, paths: hit.paths, matchedEntities: hit.matchedEntities ?? null })),
          nextCursor: found.nextCursor ?? null,
          explanation: found.explanation,
          entityKeys: found.entityKeys,
          latencyMs: found.latencyMs,
        },
      };
    },
    'memory/index/status': async (_params, { universe }) => {
      const status = await memory.indexStatus.status(universe);
      return {
        result: {
          model: status.model ?? null,
          dimensions: status.dimensions ?? null,
          events: status.events,
          embedded: status.embedded,
          pending: status.pending,
          failures: status.failures,
          lastError: status.lastError ?? null,
          lastErrorAtMs: status.lastErrorAt ?? null,
          retryAtMs: status.retryAt ?? null,
          lastBatchAtMs: status.lastBatchAt ?? null,
        },
      };
    },
    'memory/events/read': async ({ eventId }, { universe }) => {
      const event = await memory.events(universe).get(eventId);
      if (!event) throw notFound(`memory event ${eventId} does not exist; list them with memory/events/list`);
      return { result: { event: memoryEventView(event) } };
    },
  };
}
