import type { LiveDelta } from '@lightspeed/ports';
import type { SessionEventView } from '../schemas/events.js';

/** One page of durable events in contract form. */
export interface EventPage {
  events: SessionEventView[];
  /** Highest log seq examined (entries without a contract equivalent are skipped but still passed). */
  scannedTo: number;
  /** The session's current head seq. */
  head: number;
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
  /** Throws a not_found ApiError when the session does not exist in the universe. */
  read(universe: string, sessionId: string, after: number, limit: number): Promise<EventPage>;
  wait(universe: string, sessionId: string, after: number, waitMs: number, signal?: AbortSignal): Promise<void>;
  subscribeDeltas(universe: string, sessionId: string, listener: (message: LiveDeltaMessage) => void): () => void;
}
