import type { SessionState } from '@lightspeed/engine';
import type { BlobStore, SessionStore } from '@lightspeed/ports';
import type { SessionRef } from './agent-host.js';
import { SessionLog } from './session-log.js';

/** The stores a cache reads sessions from, per universe. */
export interface SessionStoresOf {
  sessions(universe: string): SessionStore;
  blobs(universe: string): BlobStore;
}

function cacheKeyOf(ref: SessionRef): string {
  return `${ref.universe}\u0000${ref.sessionId}`;
}

/**
 * Rehydrated session states, per process, keyed by head, for hosts whose orchestration does not hold
 * the state where effects run (Temporal activities, Restate handlers): they know the committed head
 * they planned at and read the log up to it here. Entries up to a committed head are immutable, so
 * this gives the same state wherever and however often it is read. Usually only the tail since the
 * cached head is read; a cold process starts from the latest snapshot at or below the head.
 */
export class SessionStateCache {
  /** Per session, the most recent states (ascending heads): readers a step or two behind hit too. */
  private readonly states = new Map<string, SessionState[]>();

  constructor(
    private readonly stores: SessionStoresOf,
    private readonly maxSessions = 1000,
    private readonly keepPerSession = 4,
  ) {}

  /** The state exactly at `head` (which must be committed). */
  async at(ref: SessionRef, head: number): Promise<SessionState> {
    const key = cacheKeyOf(ref);
    const recent = this.states.get(key) ?? [];
    let base: SessionState | undefined;
    for (const state of recent) {
      if (state.head === head) return state;
      if (state.head < head) base = state;
    }
    // Nothing at or below `head` cached (cold process, or a replay of an old step): start afresh.
    const log = new SessionLog(this.stores.sessions(ref.universe), this.stores.blobs(ref.universe), ref.sessionId);
    const state = base ? await log.advance(base, head) : (await log.rehydrate(head)).state;
    return this.put(ref, state);
  }

  /** The state at the store's current head (for readers that need no particular head). */
  async latest(ref: SessionRef): Promise<SessionState> {
    const head = (await this.stores.sessions(ref.universe).head(ref.sessionId)) ?? 0;
    return this.at(ref, head);
  }

  /** Records a state the caller just committed (saves the next reader a store round trip). */
  put(ref: SessionRef, state: SessionState): SessionState {
    const key = cacheKeyOf(ref);
    const recent = (this.states.get(key) ?? []).filter((s) => s.head !== state.head);
    recent.push(state);
    recent.sort((a, b) => a.head - b.head);
    while (recent.length > this.keepPerSession) recent.shift();
    this.states.delete(key);
    this.states.set(key, recent);
    if (this.states.size > this.maxSessions) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
    return state;
  }

  /** The newest state cached for the session, if any (no store read). */
  newest(ref: SessionRef): SessionState | undefined {
    return this.states.get(cacheKeyOf(ref))?.at(-1);
  }

  forget(ref: SessionRef): void {
    this.states.delete(cacheKeyOf(ref));
  }
}
