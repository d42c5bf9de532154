import type { MemoryEventStore, MemoryGraphStore } from './memory.js';
import type { MemorySearchQuery, MemorySearchResult } from './memory-search.js';

/*
 * One universe's memory as the agent tools `memory_search`, `memory_get` and `memory_related` read
 * it (issue 17). The tool runtime is built per universe and binds one of these, so a tool call can
 * only ever reach the universe of the session that makes it.
 */
export interface MemoryToolAccess {
  events: Pick<MemoryEventStore, 'get'>;
  graph: Pick<MemoryGraphStore, 'entity' | 'neighbours'>;
  /** Hybrid search over the same universe (docs/0025-memory-search.md). */
  search: (query: MemorySearchQuery, options?: { signal?: AbortSignal }) => Promise<MemorySearchResult>;
}
