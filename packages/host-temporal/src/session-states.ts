import { applyAll, deserializeState, replay, upcast, type SessionState } from '@lightspeed/engine';
import { LightspeedError, type BlobStore, type SessionStore } from '@lightspeed/ports';

export interface SessionStoresOf {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
}

const decoder = new TextDecoder();

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
    let state = this.cache.get(key);
    if (state === undefined || (head !== undefined && state.head > head)) state = await this.rehydrate(universe, sessionId, head);
    if (head === undefined || state.head < head) {
      const limit = head === undefined ? undefined : head - state.head;
      const tail = await this.stores.sessions(universe).read(sessionId, limit === undefined ? { after: state.head } : { after: state.head, limit });
      state = applyAll(state, tail.map(upcast));
    }
    if (head !== undefined && state.head !== head) {
      throw new LightspeedError('unavailable', `session ${sessionId}: the store is at ${state.head}, the workflow planned at ${head}`);
    }
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

  private async rehydrate(universe: string, sessionId: string, head: number | undefined): Promise<SessionState> {
    const store = this.stores.sessions(universe);
    const pointer = await store.latestSnapshot(sessionId);
    if (pointer && (head === undefined || pointer.seq <= head)) {
      const bytes = await this.stores.blobs(universe).get(pointer.stateRef);
      if (bytes) return deserializeState(decoder.decode(bytes));
    }
    const entries = await store.read(sessionId, head === undefined ? {} : { limit: head });
    return replay(sessionId, entries.map(upcast));
  }
}
