import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { SessionEventFeed } from '../stream/session-event-feed.js';

export interface EventMethodOptions {
  longPollCapMs: number;
  /** Largest page (default 1,000 events). */
  maxLimit?: number;
}

/** session/events/read with long-polling: waits (clamped to the cap) only when caught up. */
export function eventMethods(feed: SessionEventFeed, options: EventMethodOptions): MethodHandlers {
  const maxLimit = options.maxLimit ?? 1_000;
  return {
    'session/events/read': async ({ sessionId, after, limit, waitMs }, { universe, signal }) => {
      const from = after?.seq ?? 0;
      const pageSize = Math.min(Math.max(limit ?? 100, 1), maxLimit);
      let page = await feed.read(universe, sessionId, from, pageSize);
      const wait = Math.min(waitMs ?? 0, options.longPollCapMs);
      if (page.events.length === 0 && page.caughtUp && wait > 0 && !signal.aborted) {
        await feed.wait(universe, sessionId, page.next, wait, signal);
        page = await feed.read(universe, sessionId, page.next, pageSize);
      }
      return {
        result: {
          events: page.events,
          complete: page.caughtUp,
          nextCursor: { seq: page.next },
          headCursor: { seq: page.head },
        },
      };
    },
  };
}
