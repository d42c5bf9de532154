import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import type { ResolvedGatewayOptions } from '../gateway/gateway-options.js';
import { ApiError } from '../rpc/api-error.js';
import type { EventPage, SessionEventFeed } from './session-event-feed.js';

const PAGE = 200;

interface StreamRequest {
  feed: SessionEventFeed;
  universe: string;
  sessionId: string;
  after: number;
  /** The first page, read before the response started (so a missing session is a plain 404). */
  firstPage: EventPage;
  options: ResolvedGatewayOptions;
}

/** `Last-Event-ID` wins over `?after=` (a reconnecting EventSource sends the header). */
export function streamCursor(lastEventId: string | undefined, after: string | undefined): number | undefined {
  for (const candidate of [lastEventId, after]) {
    if (candidate === undefined || candidate === '') continue;
    if (!/^\d{1,16}$/.test(candidate) || !Number.isSafeInteger(Number(candidate))) return undefined;
    return Number(candidate);
  }
  return 0;
}

/**
 * The live stream of one session as Server-Sent Events:
 * - `event: event` — a durable SessionEventView; the SSE `id` is its position (`cursor.seq`, its
 *   own per event), so a reconnecting client resumes exactly after the last event it saw
 *   (`Last-Event-ID`), even inside one log entry;
 * - `event: delta` — a token delta of the active turn (`{sessionId, turnId, delta}`); no `id`, as
 *   deltas are not durable and are not replayed;
 * - `event: heartbeat` — `{cursor}` every heartbeat interval while idle;
 * - `event: error` — `{kind, message}` just before the server ends the stream (e.g. the session was deleted).
 * Order: every delta of a turn is written before the durable events that end that turn.
 * The loop ends when the client disconnects; subscriptions and waits are released then.
 */
export function sessionEventStream(c: Context, request: StreamRequest): Response {
  const { feed, universe, sessionId, options } = request;
  return streamSSE(
    c,
    async (stream) => {
      const closed = new AbortController();
      stream.onAbort(() => closed.abort());
      const deltas: string[] = [];
      let deltaArrived: (() => void) | undefined;
      const unsubscribe = feed.subscribeDeltas(universe, sessionId, (message) => {
        if (deltas.length >= options.maxQueuedDeltas) {
          // A client this far behind cannot catch up on ephemeral deltas; it reconnects and resumes from its cursor.
          closed.abort();
          return;
        }
        deltas.push(JSON.stringify({ sessionId, turnId: message.turnId, delta: message.delta }));
        deltaArrived?.();
      });
      try {
        let cursor = request.after;
        let page: EventPage | undefined = request.firstPage;
        let lastWrite = Date.now();
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ sessionId, after: cursor }), retry: 2000 });
        while (!closed.signal.aborted) {
          page ??= await feed.read(universe, sessionId, cursor, PAGE);
          // Deltas that arrived by the time the page was read go first: a turn's durable end is
          // appended only after its last delta was published, so this keeps every delta of a
          // turn ahead of the events that end it (a client stops reading at `runCompleted`).
          // Deltas arriving later belong to turns this page cannot have ended.
          if (await flushDeltas(stream, deltas)) lastWrite = Date.now();
          for (const event of page.events) {
            await stream.writeSSE({ event: 'event', id: String(event.cursor.seq), data: JSON.stringify(event) });
          }
          cursor = Math.max(cursor, page.next);
          const { caughtUp } = page;
          page = undefined;
          if (await flushDeltas(stream, deltas)) lastWrite = Date.now();
          if (!caughtUp) continue;
          const idleFor = Date.now() - lastWrite;
          if (idleFor >= options.heartbeatMs) {
            await stream.writeSSE({ event: 'heartbeat', data: JSON.stringify({ cursor: { seq: cursor } }) });
            lastWrite = Date.now();
            continue;
          }
          const wake = new AbortController();
          const onClose = () => wake.abort();
          closed.signal.addEventListener('abort', onClose, { once: true });
          deltaArrived = () => wake.abort();
          if (deltas.length > 0) wake.abort();
          try {
            await feed.wait(universe, sessionId, cursor, options.heartbeatMs - idleFor, wake.signal);
          } finally {
            deltaArrived = undefined;
            closed.signal.removeEventListener('abort', onClose);
            wake.abort();
          }
        }
      } finally {
        unsubscribe();
      }
    },
    async (error, stream) => {
      // A session deleted mid-stream ends the stream with its typed error; anything else is ours.
      const data =
        error instanceof ApiError
          ? { kind: error.kind, message: error.message }
          : (options.onInternalError(error, `stream of session ${sessionId}`), { kind: 'internal', message: 'stream failed; reconnect to resume' });
      await stream.writeSSE({ event: 'error', data: JSON.stringify(data) }).catch(() => undefined);
    },
  );
}

async function flushDeltas(stream: SSEStreamingApi, deltas: string[]): Promise<boolean> {
  if (deltas.length === 0) return false;
  const batch = deltas.splice(0, deltas.length);
  for (const data of batch) await stream.writeSSE({ event: 'delta', data });
  return true;
}
