import type { SessionState } from '@lightspeed/engine';
import { SessionLog } from '@lightspeed/driver';
import type { BlobStore, SessionStore } from '@lightspeed/ports';

export interface SessionStoresOf {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
}

/**
 * Session states rehydrated from the store (latest snapshot + tail), cached per session and moved
 * forward by reading only the entries after the cached head. Activities use it to re-derive effect
 * requests at the head the workflow planned at; the client uses it to serve `state`. Bounded LRU.
 */
export class SessionStates {
  private readonly cache = new Map<string, SessionState>();

  constructor(
    private readonly stores: SessionStoresOf,
    private readonly maxEntries = 1000,
  ) {}

  /** The state at exactly `head` (or the latest committed state when `head` is undefined). */
  async load(universe: string, sessionId: string, head?: number): Promise<SessionState> {
    const key = `${universe}\u0000${sessionId}`;
    const log = new SessionLog(this.stores.sessions(universe), this.stores.blobs(universe), sessionId);
    const cached = this.cache.get(key);
    // The log may have moved on past the workflow's head: the tail is read only up to it.
    const state = cached !== undefined && (head === undefined || cached.head <= head) ? await log.advance(cached, head) : (await log.rehydrate(head)).state;
    this.put(key, state);
    return state;
  }

  /** Records a state the caller derived itself (after its own append), so the next load is free. */
  remember(universe: string, sessionId: string, state: SessionState): void {
    this.put(`${universe}\u0000${sessionId}`, state);
  }

  private put(key: string, state: SessionState): void {
    const cached = this.cache.get(key);
    if (cached !== undefined && cached.head > state.head) return;
    this.cache.delete(key);
    this.cache.set(key, state);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  cached(universe: string, sessionId: string): SessionState | undefined {
    return this.cache.get(`${universe}\u0000${sessionId}`);
  }

  forget(universe: string, sessionId: string): void {
    this.cache.delete(`${universe}\u0000${sessionId}`);
  }
}
