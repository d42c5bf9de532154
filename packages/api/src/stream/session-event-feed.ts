import type { LiveDelta } from '@lightspeed/ports';
import type { SessionEventView } from '../schemas/events.js';

/** One page of durable events in contract form. Cursors are event positions (event-position.ts). */
export interface EventPage {
  events: SessionEventView[];
  /** Where to resume: the last event returned, or the end of the last log entry examined. */
  next: number;
  /** The end of the session's last log entry. */
  head: number;
  /** Nothing after `next` was left unread: the page reached the head. */
  caughtUp: boolean;
}

export interface LiveDeltaMessage {
  turnId: string;
  delta: LiveDelta;
}

/**
 * What the event surfaces (events/read long-poll and the SSE stream) need from a host: durable
 * events as contract views, a way to wait for the head to move, and the live token deltas.
 */
export interface SessionEventFeed {
  /** Events after position `after`, at most `limit`. Throws a not_found ApiError when the session does not exist in the universe. */
  read(universe: string, sessionId: string, after: number, limit: number): Promise<EventPage>;
  /** Waits (up to `waitMs`) until the log grows past position `after`. */
  wait(universe: string, sessionId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<void>;
  subscribeDeltas(universe: string, sessionId: string, listener: (message: LiveDeltaMessage) => void): () => void;
}
