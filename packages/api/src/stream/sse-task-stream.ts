import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ResolvedGatewayOptions } from '../gateway/gateway-options.js';
import type { TaskEventFeed } from './task-event-feed.js';

interface TaskStreamRequest {
  feed: TaskEventFeed;
  universe: string;
  lastEventId: string | undefined;
  options: ResolvedGatewayOptions;
}

/**
 * The task events of the caller's universe as Server-Sent Events (`GET /tasks/stream`):
 * - `event: ready` — `{resumed}` once (also sets `retry: 2000`);
 * - `event: task` — a TaskEventView; `id` resumes after it (`Last-Event-ID`);
 * - `event: reset` — `{reason}`: events were missed (unknown or too old an id, or this client fell
 *   behind the replay buffer); re-read `tasks/list`, then keep reading this stream;
 * - `event: heartbeat` — `{}` every heartbeat interval while idle.
 * The loop ends when the client disconnects.
 */
export function taskEventStream(c: Context, request: TaskStreamRequest): Response {
  const { feed, universe, options } = request;
  return streamSSE(
    c,
    async (stream) => {
      const closed = new AbortController();
      stream.onAbort(() => closed.abort());
      const resuming = request.lastEventId !== undefined && request.lastEventId !== '';
      const start = feed.position(universe, request.lastEventId);
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ resumed: resuming && 'seq' in start }), retry: 2000 });
      let seq: number;
      if ('reset' in start) {
        await stream.writeSSE({ event: 'reset', data: JSON.stringify({ reason: start.reset }) });
        seq = feed.latest(universe);
      } else seq = start.seq;
      let lastWrite = Date.now();
      while (!closed.signal.aborted) {
        const next = feed.after(universe, seq);
        if ('reset' in next) {
          await stream.writeSSE({ event: 'reset', data: JSON.stringify({ reason: next.reset }) });
          seq = feed.latest(universe);
          lastWrite = Date.now();
          continue;
        }
        for (const entry of next) {
          await stream.writeSSE({ event: 'task', id: entry.id, data: JSON.stringify(entry.event) });
          seq = entry.seq;
          lastWrite = Date.now();
        }
        if (next.length > 0) continue;
        const idleFor = Date.now() - lastWrite;
        if (idleFor >= options.heartbeatMs) {
          await stream.writeSSE({ event: 'heartbeat', data: '{}' });
          lastWrite = Date.now();
          continue;
        }
        await feed.wait(universe, options.heartbeatMs - idleFor, closed.signal);
      }
    },
    async (error, stream) => {
      options.onInternalError(error, 'task stream');
      await stream.writeSSE({ event: 'error', data: JSON.stringify({ kind: 'internal', message: 'stream failed; reconnect to resume' }) }).catch(() => undefined);
    },
  );
}
