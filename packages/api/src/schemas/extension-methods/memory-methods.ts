import { extension } from '../method-spec.js';
import * as memory from '../memory.js';
import * as search from '../memory-search.js';

/** Memory (issue 16): sources, canonical events and the entity graph; methods this server adds to the v1 contract. */
export const memoryMethodSpecs = {
  'memory/sources/put': extension(
    'memory/sources/put',
    ['MemorySourcePutParams', memory.MemorySourcePutParams],
    ['MemorySourcePutResponse', memory.MemorySourcePutResponse],
    'Connect or update a memory source (Lightspeed extension)',
    'A provider integration (github, linear, sentry, vercel) whose signed webhooks at POST /webhooks/<provider>/<webhookId> become memory events. The secret is write-only.',
  ),
  'memory/sources/read': extension(
    'memory/sources/read',
    ['MemorySourceIdParams', memory.MemorySourceIdParams],
    ['MemorySourceResponse', memory.MemorySourceResponse],
    'Read a memory source (Lightspeed extension)',
    'The source and its webhook path; the secret is never returned.',
  ),
  'memory/sources/list': extension(
    'memory/sources/list',
    ['MemorySourceListParams', memory.MemorySourceListParams],
    ['MemorySourceListResponse', memory.MemorySourceListResponse],
    'List memory sources (Lightspeed extension)',
    'Sources by id, with an opaque cursor.',
  ),
  'memory/sources/delete': extension(
    'memory/sources/delete',
    ['MemorySourceIdParams', memory.MemorySourceIdParams],
    ['MemorySourceResponse', memory.MemorySourceResponse],
    'Disconnect a memory source (Lightspeed extension)',
    'Removes the source and its webhook path; recorded events remain.',
  ),
  'memory/events/list': extension(
    'memory/events/list',
    ['MemoryEventListParams', memory.MemoryEventListParams],
    ['MemoryEventListResponse', memory.MemoryEventListResponse],
    'List memory events (Lightspeed extension)',
    'Canonical events, newest first by occurrence, optionally by provider, type, source and least significance.',
  ),
  'memory/events/read': extension(
    'memory/events/read',
    ['MemoryEventReadParams', memory.MemoryEventReadParams],
    ['MemoryEventReadResponse', memory.MemoryEventReadResponse],
    'Read a memory event (Lightspeed extension)',
    'One canonical event with its entities, significance factors and raw delivery ref.',
  ),
  'memory/deliveries/import': extension(
    'memory/deliveries/import',
    ['MemoryImportParams', memory.MemoryImportParams],
    ['MemoryImportResponse', memory.MemoryImportResponse],
    'Import recorded deliveries (Lightspeed extension)',
    'Recorded provider deliveries through the webhook pipeline of a source: verified unless trusted, deduped always, so importing the same file again changes nothing.',
  ),
  'memory/entities/list': extension(
    'memory/entities/list',
    ['MemoryEntityListParams', memory.MemoryEntityListParams],
    ['MemoryEntityListResponse', memory.MemoryEntityListResponse],
    'List memory entities (Lightspeed extension)',
    'Entities the memory events named (issues, PRs, commits, deployments, people…), by type then key, optionally of one type.',
  ),
  'memory/entities/read': extension(
    'memory/entities/read',
    ['MemoryEntityReadParams', memory.MemoryEntityReadParams],
    ['MemoryEntityReadResponse', memory.MemoryEntityReadResponse],
    'Read a memory entity (Lightspeed extension)',
    'One entity by its key or an alias.',
  ),
  'memory/graph/neighbours': extension(
    'memory/graph/neighbours',
    ['MemoryNeighboursParams', memory.MemoryNeighboursParams],
    ['MemoryNeighboursResponse', memory.MemoryNeighboursResponse],
    'Neighbours of a memory entity (Lightspeed extension)',
    'Entities within depth 1-3 edges of one entity and the edges between them, each with its evidence and validity, optionally filtered by edge and entity type and read as of a time.',
  ),
  'memory/search': extension(
    'memory/search',
    ['MemorySearchParams', search.MemorySearchParams],
    ['MemorySearchResponse', search.MemorySearchResponse],
    'Search memory (Lightspeed extension)',
    'Hybrid search over the universe’s memory events: full text, vectors (when an embedder is configured) and the entities the query names, fused by reciprocal rank fusion; each hit says where each path ranked it.',
  ),
  'memory/index/status': extension(
    'memory/index/status',
    ['MemoryIndexStatusParams', search.MemoryIndexStatusParams],
    ['MemoryIndexStatusResponse', search.MemoryIndexStatusResponse],
    'Memory index status (Lightspeed extension)',
    'How many of the universe’s events the background indexer embedded with the current model, how many wait, and its last failure.',
  ),
} as const;
