import { z } from 'zod';
import { MemoryEventView, MemoryProviderName } from './memory.js';
import { epochMs, named, uint } from './registry.js';

/*
 * Lightspeed extension (issue 17): hybrid memory search (`memory/search`) and the background
 * indexer's progress (`memory/index/status`). Not in the v1 contract (docs/0025-memory-search.md).
 */

const entity = z.object({ type: z.string(), key: z.string() });
const pathRank = z.object({ rank: uint().describe('1-based rank on this path.'), score: z.number().describe('The path’s own score: ts_rank_cd, cosine similarity or evidence weight.') });

export const MemorySearchParams = named(
  'MemorySearchParams',
  z.strictObject({
    query: z.string().min(1).max(2000).describe('Words, a question, or entity references (#12, ENG-42, a SHA, branch fix/x, @login).'),
    sourceIds: z.array(z.string().min(1).max(128)).max(64).nullish(),
    providers: z.array(MemoryProviderName).max(4).nullish(),
    types: z.array(z.string().min(1).max(128)).max(64).nullish().describe('Event types (pull_request, Issue, deployment.succeeded…).'),
    afterMs: epochMs().nullish().describe('Only events that occurred at or after this time.'),
    beforeMs: epochMs().nullish().describe('Only events that occurred before this time.'),
    entityTypes: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/)).max(32).nullish().describe('Only events whose primary or related entities include one of these types.'),
    minSignificance: z.number().int().min(0).max(100).nullish(),
    limit: z.number().int().min(1).max(100).nullish().describe('Hits per page (default 10).'),
    cursor: z.string().max(512).nullish(),
    weights: z
      .strictObject({ lexical: z.number().min(0).max(100).nullish(), vector: z.number().min(0).max(100).nullish(), entity: z.number().min(0).max(100).nullish() })
      .nullish()
      .describe('Reciprocal rank fusion weight per path (default 1); 0 turns a path off.'),
  }),
);

export const MemorySearchHitView = named(
  'MemorySearchHitView',
  z.object({
    eventId: z.string(),
    event: MemoryEventView,
    score: z.number().describe('Fused: Σ weight / (60 + rank) over the paths that found it.'),
    paths: z.object({ lexical: pathRank.nullish(), vector: pathRank.nullish(), entity: pathRank.nullish() }).describe('Where each path ranked the hit.'),
    matchedEntities: z.array(entity).nullish().describe('The entities of the query that led the entity path here.'),
  }),
);

export const MemorySearchResponse = named(
  'MemorySearchResponse',
  z.object({
    hits: z.array(MemorySearchHitView),
    nextCursor: z.string().nullish(),
    explanation: z.object({ lexical: z.string(), vector: z.string(), entity: z.string() }).describe('How each path ran, or why it did not.'),
    entityKeys: z.array(entity).describe('Entities recognised in the query and found.'),
    latencyMs: z.record(z.string(), z.number()).describe('Per stage: lexical, embed, vector, entity, fuse, read, total.'),
  }),
);

export const MemoryIndexStatusParams = named('MemoryIndexStatusParams', z.strictObject({}));
export const MemoryIndexStatusResponse = named(
  'MemoryIndexStatusResponse',
  z.object({
    model: z.string().nullish().describe('The current embedder model; absent: none configured (search is lexical + entity).'),
    dimensions: uint().nullish(),
    events: uint(),
    embedded: uint().describe('Events with a vector of the current model.'),
    pending: uint(),
    failures: uint().describe('Consecutive failed batches.'),
    lastError: z.string().nullish(),
    lastErrorAtMs: epochMs().nullish(),
    retryAtMs: epochMs().nullish(),
    lastBatchAtMs: epochMs().nullish(),
  }),
);
