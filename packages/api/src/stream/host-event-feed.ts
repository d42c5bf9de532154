import { liveKey, type AgentHost, type SessionRef } from '@lightspeed/driver';
import { apply, initialState, InvariantViolation, type LogEntry, type SessionState } from '@lightspeed/engine';
import { notFound } from '../rpc/api-error.js';
import type { SessionEventView } from '../schemas/events.js';
import { sessionEventViews } from '../views/session-event-view.js';
import { decodePosition, entryEnd } from './event-position.js';
import type { EventPage, LiveDeltaMessage, SessionEventFeed } from './session-event-feed.js';

const FOLD_PAGE = 1_000;

/**
 * Durable events in contract form, over the host's log. Views need the state before and after
 * each entry (revisions, a call's turn), so the feed folds the log with the engine's own `apply`
 * and remembers the last folded state per session: a reader that follows the head folds each
 * entry once; a reader that starts further back refolds from the beginning.
 */
export class HostEventFeed implements SessionEventFeed {
  private readonly folded = new Map<string, SessionState>();

  constructor(
    private readonly host: AgentHost,
    private readonly maxCachedSessions = 256,
  ) {}

  async read(universe: string, sessionId: string, after: number, limit: number): Promise<EventPage> {
    try {
      return await this.readFolded(universe, sessionId, after, limit);
    } catch (error) {
      // A remembered state from a deleted-and-recreated session no longer fits the log: refold once.
      if (!(error instanceof InvariantViolation)) throw error;
      this.folded.delete(this.key({ universe, sessionId }));
      return this.readFolded(universe, sessionId, after, limit);
    }
  }

  private async readFolded(universe: string, sessionId: string, after: number, limit: number): Promise<EventPage> {
    const ref: SessionRef = { universe, sessionId };
    const current = await this.host.state(ref);
    if (!current || current.status === 'new') throw notFound(`session ${sessionId} does not exist in this universe`);
    const { through, skip } = decodePosition(after);
    // A cursor past the head resumes from the head.
    if (through >= current.head) return { events: [], next: entryEnd(current.head), head: entryEnd(current.head), caughtUp: true };
    let state = await this.stateAt(ref, through);
    // `limit` entries hold at least as many events as are wanted, unless some project none.
    const entries = await this.host.readEvents(ref, { after: through, limit });
    const events: SessionEventView[] = [];
    let next = after;
    let scanned = through;
    let cut = false;
    for (const entry of entries) {
      const folded = apply(state, entry);
      const views = sessionEventViews(sessionId, state, folded, entry);
      const fresh = entry.seq === through + 1 ? views.slice(skip) : views;
      const room = limit - events.length;
      if (fresh.length > room) {
        // The page ends inside this entry: resume at its next unread event. The remembered state
        // stays before it, so the next page folds it again from there.
        events.push(...fresh.slice(0, room));
        if (room > 0) next = events[events.length - 1]!.cursor.seq;
        cut = true;
        break;
      }
      events.push(...fresh);
      state = folded;
      scanned = entry.seq;
      next = entryEnd(entry.seq);
    }
    this.remember(ref, state);
    const head = Math.max(current.head, scanned);
    return { events, next, head: entryEnd(head), caughtUp: !cut && scanned >= head };
  }

  wait(universe: string, sessionId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    return this.host.waitForEvents({ universe, sessionId }, decodePosition(after).through, waitMs, signal);
  }

  subscribeDeltas(universe: string, sessionId: string, listener: (message: LiveDeltaMessage) => void): () => void {
    const key = liveKey({ universe, sessionId });
    return this.host.live.subscribe(key, (message) => {
      if (message.sessionId === key) listener({ turnId: message.turnId, delta: message.delta });
    });
  }

  private key(ref: SessionRef): string {
    return `${ref.universe}\u0000${ref.sessionId}`;
  }

  private remember(ref: SessionRef, state: SessionState): void {
    const key = this.key(ref);
    const cached = this.folded.get(key);
    if (cached && cached.head > state.head) return;
    this.folded.delete(key);
    this.folded.set(key, state);
    if (this.folded.size > this.maxCachedSessions) this.folded.delete(this.folded.keys().next().value!);
  }

  /** The session state after entry `seq`, folded from the cache or from the beginning. */
  private async stateAt(ref: SessionRef, seq: number): Promise<SessionState> {
    const cached = this.folded.get(this.key(ref));
    let state = cached && cached.head <= seq ? cached : initialState(ref.sessionId);
    while (state.head < seq) {
      const entries: LogEntry[] = await this.host.readEvents(ref, { after: state.head, limit: Math.min(FOLD_PAGE, seq - state.head) });
      if (entries.length === 0) break;
      for (const entry of entries) state = apply(state, entry);
    }
    return state;
  }
}
