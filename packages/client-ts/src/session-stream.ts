import { kindError, ProtocolError, StreamClosedError } from './errors.js';
import type { AgentApiErrorKind, EventCursor, SessionEventView } from './generated/wire-types.js';
import { parseSse, type SseFrame } from './sse-parser.js';
import { deadline, type HttpTransport } from './transport.js';

/** A token delta of the active turn. Not durable: never replayed on resume. */
export type LiveDelta =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'toolCall'; callId: string; name: string; argumentsDelta: string };

/**
 * One message of `GET /sessions/:id/stream`. `event` messages are durable and carry their
 * position as `id` (also `data.cursor.seq`); the others are live only.
 */
export type StreamMessage =
  | { event: 'event'; id: string; data: SessionEventView }
  | { event: 'delta'; data: { sessionId: string; turnId: string; delta: LiveDelta } }
  | { event: 'heartbeat'; data: { cursor: EventCursor } }
  | { event: 'error'; data: { kind: AgentApiErrorKind; message: string } };

export interface StreamOptions {
  /** Start after this event position (0: the whole log). Default: 0. */
  after?: number;
  signal?: AbortSignal;
  /** How long subscribing may take (connect until the server's `ready`). Default: the client's timeout. */
  timeoutMs?: number;
}

/** An open stream: iterate it once; `close()` (or the signal) ends it. */
export interface SessionStream extends AsyncIterable<StreamMessage> {
  close(): void;
}

const KNOWN = new Set(['event', 'delta', 'heartbeat', 'error']);

/**
 * Opens one connection to a session's live stream and resolves once the server confirmed the
 * subscription (`ready`), so a run started afterwards cannot be missed. The stream ends when the
 * server closes it; `followSession` is the variant that resumes. Events of kinds this client does
 * not know are skipped.
 */
export async function openSessionStream(transport: HttpTransport, sessionId: string, options: StreamOptions = {}): Promise<SessionStream> {
  const operation = `stream of session ${sessionId}`;
  const own = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, own.signal]) : own.signal;
  const timeoutMs = options.timeoutMs ?? transport.timeoutMs;
  const limit = deadline(signal, timeoutMs);
  const after = options.after ?? 0;
  let frames: AsyncGenerator<SseFrame>;
  try {
    const path = `/sessions/${encodeURIComponent(sessionId)}/stream?after=${after}`;
    // Last-Event-ID is what a reconnecting EventSource sends; the server prefers it over `after`.
    const headers = transport.headers({ accept: 'text/event-stream', ...(after > 0 ? { 'last-event-id': String(after) } : {}) });
    const response = await transport.send(path, { method: 'GET', headers }, limit, operation, timeoutMs);
    if (!response.ok || !response.body) {
      const body = (await transport.json(response, limit, operation, timeoutMs)) as { error?: { kind?: AgentApiErrorKind; message?: string } } | undefined;
      if (body?.error) throw kindError(operation, body.error.kind, String(body.error.message ?? `HTTP ${response.status}`), response.status);
      throw new ProtocolError(operation, response.status, `HTTP ${response.status}`);
    }
    frames = parseSse(response.body);
    const first = await frames.next().catch((error: unknown) => Promise.reject(transport.failure(error, limit, operation, timeoutMs)));
    if (limit.expired()) throw transport.failure(undefined, limit, operation, timeoutMs);
    if (first.done) throw new StreamClosedError(`${operation} ended before it was ready`);
    if (first.value.event === 'error') {
      const data = parseData(first.value) as { kind?: AgentApiErrorKind; message?: string };
      throw kindError(operation, data.kind, String(data.message ?? 'error'));
    }
    if (first.value.event !== 'ready') throw new ProtocolError(operation, response.status, `expected a ready message, got ${first.value.event}`);
  } catch (error) {
    own.abort();
    throw error;
  } finally {
    limit.clear();
  }
  return {
    close: () => own.abort(),
    async *[Symbol.asyncIterator]() {
      try {
        for await (const frame of frames) {
          if (signal.aborted) return;
          if (!KNOWN.has(frame.event)) continue;
          const data = parseData(frame);
          yield (frame.event === 'event' ? { event: 'event', id: frame.id ?? String((data as SessionEventView).cursor.seq), data } : { event: frame.event, data }) as StreamMessage;
        }
      } finally {
        own.abort();
      }
    },
  };
}

function parseData(frame: SseFrame): unknown {
  try {
    return JSON.parse(frame.data) as unknown;
  } catch {
    return frame.data;
  }
}

export interface FollowOptions extends StreamOptions {
  /** Reconnects in a row without receiving anything before giving up. Default 5. */
  maxReconnects?: number;
  /** Delay before the n-th reconnect in a row is n times this. Default 200 ms. */
  retryDelayMs?: number;
}

/** A followed session: `cursor` is the position of the last durable event it yielded. */
export interface SessionFollower extends AsyncIterable<Exclude<StreamMessage, { event: 'error' }>> {
  readonly cursor: number;
  close(): void;
}

/**
 * Follows a session's live stream across dropped connections: when the server ends the stream
 * (a restart, a proxy timeout, a client too slow for the deltas), it reconnects with
 * `Last-Event-ID` set to the last event it yielded, so every durable event arrives once, in order
 * (deltas in the gap are lost: they are not durable). An `error` message (e.g. the session was
 * deleted) rejects the iteration with its typed error; so does a stream that cannot be reopened
 * `maxReconnects` times in a row. Resolves once the first connection is subscribed.
 */
export async function followSession(transport: HttpTransport, sessionId: string, options: FollowOptions = {}): Promise<SessionFollower> {
  const own = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, own.signal]) : own.signal;
  const maxReconnects = options.maxReconnects ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const open = (after: number) => openSessionStream(transport, sessionId, { after, signal, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
  let cursor = options.after ?? 0;
  let current: SessionStream | undefined = await open(cursor);
  return {
    get cursor() {
      return cursor;
    },
    close: () => own.abort(),
    async *[Symbol.asyncIterator]() {
      try {
        for (let failures = 0; ; ) {
          if (current) {
            for await (const message of current) {
              failures = 0;
              if (message.event === 'error') {
                // `internal` means the server's loop failed; its message asks to reconnect.
                if (message.data.kind === 'internal') break;
                throw kindError(`stream of session ${sessionId}`, message.data.kind, message.data.message);
              }
              if (message.event === 'event') {
                const position = Number(message.id);
                if (position <= cursor) continue;
                cursor = position;
              }
              yield message;
            }
            current = undefined;
          }
          if (signal.aborted) return;
          if (++failures > maxReconnects) throw new StreamClosedError(`the stream of session ${sessionId} ended and could not be resumed after ${maxReconnects} attempts`);
          await sleep(retryDelayMs * failures, signal);
          if (signal.aborted) return;
          try {
            current = await open(cursor);
          } catch (error) {
            if (signal.aborted) return;
            // A typed refusal (the session is gone, the key was revoked) will not heal by retrying.
            if (error instanceof Error && 'kind' in error && (error as { kind?: string }).kind !== 'internal') throw error;
          }
        }
      } finally {
        own.abort();
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
