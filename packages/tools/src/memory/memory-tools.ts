import { LightspeedError, type MemoryEdge, type MemoryEntity, type MemoryEvent, type MemorySearchFilters, type MemorySearchHit, type MemorySearchResult, MEMORY_PROVIDERS, type MemoryProvider } from '@lightspeed/ports';
import { defineTool, objectSchema, type ProviderTool } from '../surfaces/provider-tool.js';
import type { LogicalTool, ToolResult } from '../tool-definition.js';
import { field, ToolInputError } from '../tool-input.js';
import { entityId, parseMemoryId } from './memory-ids.js';

/*
 * The memory tools (`features.memory`, agent files `tools.memory`): search, read and walk the
 * universe's memory (docs/0022-memory.md). Results are compact JSON whose `id`, `primary`, `from`,
 * `to`, `root` and `evidence` members hold the ids an answer may cite (memory-ids.ts).
 */

export const MEMORY_TOOL_NAMES = ['memory_search', 'memory_get', 'memory_related'] as const;
export type MemoryToolName = (typeof MEMORY_TOOL_NAMES)[number];

const MAX_BODY_CHARS = 2_000;
const MAX_SNIPPET_CHARS = 240;
const MAX_QUERY_CHARS = 2_000;
/** Entities and edges of one memory_related answer (the store's own cap is 500 entities). */
const MAX_RELATED = 100;

function refusal(code: 'not_found' | 'unavailable', message: string): ToolResult {
  return { isError: true, json: { error: { code, message } } };
}

const iso = (ms: number) => new Date(ms).toISOString();
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function eventView(event: MemoryEvent): Record<string, unknown> {
  return {
    id: event.eventId,
    provider: event.provider,
    type: event.type,
    ...(event.action ? { action: event.action } : {}),
    title: event.title,
    ...(event.body ? { body: clip(event.body, MAX_BODY_CHARS) } : {}),
    occurredAt: iso(event.occurredAt),
    significance: event.significance,
    ...(event.primary ? { primary: entityId(event.primary) } : {}),
    related: event.related.map((r) => ({ id: entityId(r), relation: r.relation })),
    attributes: event.attributes,
  };
}

function entityView(entity: MemoryEntity): Record<string, unknown> {
  return {
    id: entityId(entity),
    type: entity.type,
    key: entity.key,
    ...(entity.title ? { title: entity.title } : {}),
    ...(entity.aliases.length > 0 ? { aliases: entity.aliases } : {}),
    firstSeen: iso(entity.firstSeen),
    lastSeen: iso(entity.lastSeen),
    eventCount: entity.eventCount,
  };
}

function edgeView(edge: MemoryEdge): Record<string, unknown> {
  return {
    type: edge.type,
    from: entityId(edge.from),
    to: entityId(edge.to),
    evidence: edge.evidence,
    ...(edge.evidenceCount > edge.evidence.length ? { evidenceCount: edge.evidenceCount } : {}),
    confidence: edge.confidence,
    valid: edge.invalidAt === undefined,
  };
}

function hitView(hit: MemorySearchHit): Record<string, unknown> {
  const event = hit.event;
  return {
    id: hit.eventId,
    type: event.action ? `${event.type}.${event.action}` : event.type,
    title: event.title,
    ...(event.body ? { snippet: clip(event.body, MAX_SNIPPET_CHARS) } : {}),
    occurredAt: iso(event.occurredAt),
    significance: event.significance,
    ...(event.primary ? { primary: entityId(event.primary) } : {}),
    score: Number(hit.score.toFixed(5)),
    paths: Object.fromEntries(Object.entries(hit.paths).map(([path, rank]) => [path, rank!.rank])),
  };
}

function searchView(result: MemorySearchResult): Record<string, unknown> {
  return {
    hits: result.hits.map(hitView),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
    ...(result.entityKeys.length > 0 ? { entityKeys: result.entityKeys.map(entityId) } : {}),
    explanation: result.explanation,
    ...(result.hits.length === 0 ? { note: 'nothing matched; try other words, fewer filters, or say that memory has nothing on it' } : {}),
  };
}

const UNAVAILABLE = 'memory is not available on this server (it has no memory store)';

interface SearchArgs {
  query: string;
  filters: MemorySearchFilters;
  limit?: number;
  cursor?: string;
}

const searchTool: LogicalTool<SearchArgs> = {
  logical: 'memory.search',
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const memory = env.memory;
    if (!memory) return refusal('unavailable', UNAVAILABLE);
    const result = await memory.search(
      { query: args.query, filters: args.filters, ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor !== undefined ? { cursor: args.cursor } : {}) },
      env.signal ? { signal: env.signal } : {},
    );
    return { isError: false, json: searchView(result) };
  },
};

const getTool: LogicalTool<{ id: string }> = {
  logical: 'memory.get',
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const memory = env.memory;
    if (!memory) return refusal('unavailable', UNAVAILABLE);
    const parsed = parseMemoryId(args.id)!;
    if (parsed.kind === 'event') {
      const event = await memory.events.get(parsed.id);
      return event ? { isError: false, json: { event: eventView(event) } } : refusal('not_found', `no memory event ${parsed.id}`);
    }
    const entity = await memory.graph.entity(parsed.ref);
    return entity ? { isError: false, json: { entity: entityView(entity) } } : refusal('not_found', `no memory entity ${parsed.id}`);
  },
};

interface RelatedArgs {
  id: string;
  depth?: number;
  edgeTypes?: string[];
  entityTypes?: string[];
}

const relatedTool: LogicalTool<RelatedArgs> = {
  logical: 'memory.related',
  parallelism: 'parallelSafe',
  async run(args, env): Promise<ToolResult> {
    const memory = env.memory;
    if (!memory) return refusal('unavailable', UNAVAILABLE);
    const parsed = parseMemoryId(args.id);
    if (parsed?.kind !== 'entity') throw new ToolInputError('`id` must be an entity id `<type>:<key>` such as pr:github:octo/app#7 (events have no neighbours; memory_get shows their entities)');
    const found = await memory.graph.neighbours(parsed.ref, {
      ...(args.depth !== undefined ? { depth: args.depth } : {}),
      ...(args.edgeTypes ? { edgeTypes: args.edgeTypes } : {}),
      ...(args.entityTypes ? { entityTypes: args.entityTypes } : {}),
    });
    if (!found) return refusal('not_found', `no memory entity ${parsed.id}`);
    const entities = found.entities.filter((e) => entityId(e) !== entityId(found.root));
    return {
      isError: false,
      json: {
        root: entityView(found.root),
        entities: entities.slice(0, MAX_RELATED).map((e) => ({ id: entityId(e), ...(e.title ? { title: e.title } : {}) })),
        edges: found.edges.slice(0, MAX_RELATED).map(edgeView),
        ...(entities.length > MAX_RELATED || found.edges.length > MAX_RELATED ? { truncated: true } : {}),
      },
    };
  },
};

function searchFilters(a: Record<string, unknown>): MemorySearchFilters {
  const raw = a.filters;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ToolInputError('`filters` must be an object');
  const f = raw as Record<string, unknown>;
  const known = new Set(['providers', 'types', 'after', 'before', 'entity_types', 'min_significance', 'source_ids']);
  const unknown = Object.keys(f).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new ToolInputError(`\`filters.${unknown[0]}\` is not a filter; use ${[...known].join(', ')}`);
  const out: MemorySearchFilters = {};
  const providers = field.optionalStringArray(f, 'providers');
  if (providers) {
    const bad = providers.find((p) => !MEMORY_PROVIDERS.includes(p as MemoryProvider));
    if (bad !== undefined) throw new ToolInputError(`\`filters.providers\`: ${bad} is not one of ${MEMORY_PROVIDERS.join(', ')}`);
    out.providers = providers as MemoryProvider[];
  }
  const types = field.optionalStringArray(f, 'types');
  if (types) out.types = types;
  const sourceIds = field.optionalStringArray(f, 'source_ids');
  if (sourceIds) out.sourceIds = sourceIds;
  const entityTypes = field.optionalStringArray(f, 'entity_types');
  if (entityTypes) out.entityTypes = entityTypes;
  for (const [key, target] of [['after', 'after'], ['before', 'before']] as const) {
    const value = field.optionalString(f, key);
    if (value === undefined) continue;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new ToolInputError(`\`filters.${key}\` must be an ISO 8601 time such as 2026-06-01T00:00:00Z`);
    out[target] = ms;
  }
  const min = field.optionalInt(f, 'min_significance', 0, 100);
  if (min !== undefined) out.minSignificance = min;
  return out;
}

const idSchema = (what: string) => ({ type: 'string', description: what });

const MEMORY_TOOLS: Record<MemoryToolName, ProviderTool> = {
  memory_search: defineTool({
    name: 'memory_search',
    description:
      "Searches the organisation's memory (GitHub, Linear, Sentry, Vercel events) by words, meaning and named entities (#12, ENG-42, a SHA, a branch, a person). Returns events with ids; cite an event as [id].",
    inputSchema: objectSchema(
      {
        query: { type: 'string', description: 'What to look for.' },
        filters: {
          type: 'object',
          description: 'Optional filters.',
          properties: {
            providers: { type: 'array', items: { type: 'string', enum: [...MEMORY_PROVIDERS] } },
            types: { type: 'array', items: { type: 'string' }, description: 'Event types such as pull_request, issues, Issue, deployment.succeeded.' },
            after: { type: 'string', description: 'Only events at or after this ISO 8601 time.' },
            before: { type: 'string', description: 'Only events before this ISO 8601 time.' },
            entity_types: { type: 'array', items: { type: 'string' }, description: 'Only events naming an entity of these types (pr, issue, commit, deployment, error, person…).' },
            min_significance: { type: 'integer', minimum: 0, maximum: 100 },
            source_ids: { type: 'array', items: { type: 'string' } },
          },
          additionalProperties: false,
        },
        limit: { type: 'integer', minimum: 1, maximum: 50, description: 'Hits to return (default 10).' },
        cursor: { type: 'string', description: 'nextCursor of a previous search, for more hits.' },
      },
      ['query'],
    ),
    tool: searchTool,
    parse: (a) => {
      const query = field.string(a, 'query').trim();
      if (query === '' || query.length > MAX_QUERY_CHARS) throw new ToolInputError(`\`query\` must be 1 to ${MAX_QUERY_CHARS} characters`);
      const limit = field.optionalInt(a, 'limit', 1, 50);
      const cursor = field.optionalString(a, 'cursor');
      return { query, filters: searchFilters(a), ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) };
    },
  }),
  memory_get: defineTool({
    name: 'memory_get',
    description: 'Reads one memory event (id mev_…) with its body and entities, or one entity (id <type>:<key>, e.g. pr:github:octo/app#7) by id.',
    inputSchema: objectSchema({ id: idSchema('An event id (mev_…) or an entity id (<type>:<key>).') }, ['id']),
    tool: getTool,
    parse: (a) => {
      const id = field.string(a, 'id').trim();
      if (!parseMemoryId(id)) throw new ToolInputError('`id` must be an event id (mev_…) or an entity id `<type>:<key>` such as issue:linear:ENG-42');
      return { id };
    },
  }),
  memory_related: defineTool({
    name: 'memory_related',
    description:
      'The graph around one entity: the entities within `depth` edges (fixes, closes, deploys, authored_by, caused_by, reverts…) and each edge with the ids of the events that prove it.',
    inputSchema: objectSchema(
      {
        id: idSchema('An entity id <type>:<key>, e.g. issue:linear:ENG-42.'),
        depth: { type: 'integer', minimum: 1, maximum: 3, description: 'How many edges away (default 1).' },
        edge_types: { type: 'array', items: { type: 'string' }, description: 'Only these edge types.' },
        entity_types: { type: 'array', items: { type: 'string' }, description: 'Only reach entities of these types.' },
      },
      ['id'],
    ),
    tool: relatedTool,
    parse: (a) => {
      const id = field.string(a, 'id').trim();
      const depth = field.optionalInt(a, 'depth', 1, 3);
      const edgeTypes = field.optionalStringArray(a, 'edge_types');
      const entityTypes = field.optionalStringArray(a, 'entity_types');
      return { id, ...(depth !== undefined ? { depth } : {}), ...(edgeTypes ? { edgeTypes } : {}), ...(entityTypes ? { entityTypes } : {}) };
    },
  }),
};

/** The memory tools a session's `features.memory` grants (all three unless it lists some). */
export function memoryTools(granted: readonly MemoryToolName[] | undefined): ProviderTool[] {
  return (granted ?? []).map((name) => MEMORY_TOOLS[name]);
}

/** `features.memory` read defensively: `{tools?: [name, …]}`; an unknown tool name is an `invalid` error naming it. */
export function parseMemoryFeature(raw: unknown): MemoryToolName[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new LightspeedError('invalid', 'invalid tool features: memory must be an object');
  const tools = (raw as { tools?: unknown }).tools;
  if (tools === undefined || tools === null) return [...MEMORY_TOOL_NAMES];
  if (!Array.isArray(tools) || tools.length === 0) throw new LightspeedError('invalid', 'invalid tool features: memory.tools must be a non-empty list', { field: 'memory.tools' });
  for (const [i, name] of tools.entries()) {
    if (!MEMORY_TOOL_NAMES.includes(name as MemoryToolName)) {
      throw new LightspeedError('invalid', `invalid tool features: memory.tools[${i}]: ${JSON.stringify(name)} is not a memory tool (${MEMORY_TOOL_NAMES.join(', ')})`, { field: `memory.tools[${i}]` });
    }
  }
  return [...new Set(tools as MemoryToolName[])];
}
