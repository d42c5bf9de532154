import type { SessionState } from '@lightspeed/engine';
import { SessionLog, type SessionRef } from '@lightspeed/driver';
import { cacheKeyOf } from './session-key.js';
import type { RestateStores } from './stores.js';

/**
 * Rehydrated session states, per process, keyed by head. The Restate journal never carries the
 * engine state: a handler knows the head it committed (a tiny fact in Restate state) and reads the
 * log up to that head here. Entries up to a committed head are immutable, so this read gives the
 * same state on every replay even though it happens outside `ctx.run`. Usually only the tail since
 * the cached head is read; a cold process starts from the latest snapshot at or below the head.
 */
export class SessionStateCache {
  /** Per session, the most recent states (ascending heads): readers a step or two behind hit too. */
  private readonly states = new Map<string, SessionState[]>();

  constructor(
    private readonly stores: RestateStores,
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

  forget(ref: SessionRef): void {
    this.states.delete(cacheKeyOf(ref));
  }
}
